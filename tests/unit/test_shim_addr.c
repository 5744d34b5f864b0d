/* test_shim_addr.c - sockaddr <-> proto_addr conversion in the shim
 * (shim/addr.c): IPv4, IPv6, IPv4-mapped on AF_INET6 sockets, wrong
 * families and lengths, getsockname-style truncation. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "../../shim/shim.h"

/* The addr.c functions are pure; shim.h's REAL() pointers are unused. */

Test(shim_addr, v4_roundtrip)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_storage ss;
	struct proto_addr pa;

	inet_pton(AF_INET, "10.0.0.1", &in.sin_addr);
	cr_assert_eq(shim_sa_to_proto(AF_INET, (struct sockaddr *)&in, sizeof(in), false, &pa), 0);
	cr_assert_eq(pa.family, 4);
	cr_assert_eq(pa.port, htons(80));
	cr_assert_eq(memcmp(pa.addr, &in.sin_addr, 4), 0);
	cr_assert_eq(shim_proto_to_sa(AF_INET, &pa, &ss), sizeof(struct sockaddr_in));
	cr_assert_eq(memcmp(&ss, &in, sizeof(in)), 0);
}

Test(shim_addr, v6_roundtrip_with_scope)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(443),
				    .sin6_scope_id = 3 };
	struct sockaddr_storage ss;
	struct proto_addr pa;

	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	cr_assert_eq(shim_sa_to_proto(AF_INET6, (struct sockaddr *)&in6, sizeof(in6), false, &pa), 0);
	cr_assert_eq(pa.family, 6);
	cr_assert_eq(pa.scope, 3);
	cr_assert_eq(shim_proto_to_sa(AF_INET6, &pa, &ss), sizeof(struct sockaddr_in6));
	cr_assert_eq(memcmp(&ss, &in6, sizeof(in6)), 0);
}

Test(shim_addr, v4_mapped_sent_as_v6)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(1) };
	struct proto_addr pa;

	inet_pton(AF_INET6, "::ffff:10.0.0.1", &in6.sin6_addr);
	cr_assert_eq(shim_sa_to_proto(AF_INET6, (struct sockaddr *)&in6, sizeof(in6), false, &pa), 0);
	cr_assert_eq(pa.family, 6, "the daemon maps; the shim sends the IPv6 form");
	cr_assert_eq(pa.addr[10], 0xff);
	cr_assert_eq(pa.addr[15], 1);
}

Test(shim_addr, v4_from_daemon_on_v6_socket_is_mapped)
{
	struct proto_addr pa = { .family = 4, .port = htons(8080), .addr = { 10, 0, 0, 1 } };
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	char buf[64];

	cr_assert_eq(shim_proto_to_sa(AF_INET6, &pa, &ss), sizeof(*in6));
	cr_assert_eq(in6->sin6_family, AF_INET6);
	inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
	cr_assert_str_eq(buf, "::ffff:10.0.0.1");
	cr_assert_eq(in6->sin6_port, htons(8080));
}

Test(shim_addr, unbound_name_is_zero_of_family)
{
	struct proto_addr pa = { 0 };
	struct sockaddr_storage ss;

	cr_assert_eq(shim_proto_to_sa(AF_INET, &pa, &ss), sizeof(struct sockaddr_in));
	cr_assert_eq(((struct sockaddr_in *)&ss)->sin_family, AF_INET);
	cr_assert_eq(((struct sockaddr_in *)&ss)->sin_addr.s_addr, 0);
}

Test(shim_addr, wrong_family_and_length)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	struct proto_addr pa;

	cr_assert_eq(shim_sa_to_proto(AF_INET6, (struct sockaddr *)&in, sizeof(in6), false, &pa), EAFNOSUPPORT);
	cr_assert_eq(shim_sa_to_proto(AF_INET, (struct sockaddr *)&in6, sizeof(in6), false, &pa), EAFNOSUPPORT);
	cr_assert_eq(shim_sa_to_proto(AF_INET, (struct sockaddr *)&in, sizeof(in) - 1, false, &pa), EINVAL);
	cr_assert_eq(shim_sa_to_proto(AF_INET6, (struct sockaddr *)&in6, 23, false, &pa), EINVAL);
	cr_assert_eq(shim_sa_to_proto(AF_INET6, (struct sockaddr *)&in6, 24, false, &pa), 0);
	cr_assert_eq(shim_sa_to_proto(AF_INET, NULL, 16, false, &pa), EINVAL);
	cr_assert_eq(shim_sa_to_proto(AF_INET, &sa, sizeof(sa), true, &pa), 0);
	cr_assert_eq(pa.family, 0, "AF_UNSPEC on connect: disconnect");
	cr_assert_eq(shim_sa_to_proto(AF_INET, &sa, sizeof(sa), false, &pa), EAFNOSUPPORT);
}

Test(shim_addr, truncation_like_getsockname)
{
	struct proto_addr pa = { .family = 6, .port = htons(7), .addr = { 0xfd, 0, [15] = 2 } };
	struct sockaddr_storage ss;
	unsigned char out[64];
	socklen_t len = 8, full = shim_proto_to_sa(AF_INET6, &pa, &ss);

	memset(out, 0xaa, sizeof(out));
	shim_copy_addr(&ss, full, (struct sockaddr *)out, &len);
	cr_assert_eq(len, sizeof(struct sockaddr_in6), "the full length is reported");
	cr_assert_eq(memcmp(out, &ss, 8), 0);
	cr_assert_eq(out[8], 0xaa, "nothing written past the caller's length");
	len = 0;
	shim_copy_addr(&ss, full, (struct sockaddr *)out, &len);
	cr_assert_eq(len, sizeof(struct sockaddr_in6));
}
