/* test_proto.c - control protocol header checks and socket names */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "proto.h"

/* hdr() - a request header for @op with a body of @len bytes */
static struct proto_hdr hdr(int op, uint32_t len)
{
	struct proto_hdr h = { .len = len, .version = PROTO_VERSION, .op = (uint16_t)op };

	return h;
}

Test(proto, every_op_with_its_exact_body_is_accepted)
{
	for (int op = 1; op < OP_MAX; op++) {
		struct proto_hdr h = hdr(op, (uint32_t)proto_body_size(op, false));

		cr_assert_eq(proto_check_hdr(&h, false), 0, "op %d", op);
		h.len = (uint32_t)proto_body_size(op, true);
		cr_assert_eq(proto_check_hdr(&h, true), 0, "reply op %d", op);
	}
}

Test(proto, wrong_body_sizes_are_refused)
{
	for (int op = 1; op < OP_MAX; op++) {
		uint32_t n = (uint32_t)proto_body_size(op, false);
		struct proto_hdr h = hdr(op, n + 1);

		cr_assert_eq(proto_check_hdr(&h, false), -EPROTO, "op %d, one byte more", op);
		if (n) {
			h.len = n - 1;
			cr_assert_eq(proto_check_hdr(&h, false), -EPROTO, "op %d, one byte less", op);
		}
		h.len = 0xffffffffu;
		cr_assert_eq(proto_check_hdr(&h, false), -EPROTO, "op %d, huge", op);
	}
}

Test(proto, bodies_fit_the_limit)
{
	for (int op = 1; op < OP_MAX; op++) {
		cr_assert_leq(proto_body_size(op, false), PROTO_MAX_BODY);
		cr_assert_leq(proto_body_size(op, true), PROTO_MAX_BODY);
	}
}

Test(proto, version_op_and_err_are_checked)
{
	struct proto_hdr h = hdr(OP_BIND, (uint32_t)proto_body_size(OP_BIND, false));

	h.version = PROTO_VERSION + 1;
	cr_assert_eq(proto_check_hdr(&h, false), -EPROTO);
	h = hdr(0, 0);
	cr_assert_eq(proto_check_hdr(&h, false), -EPROTO, "op 0");
	h = hdr(OP_MAX, 0);
	cr_assert_eq(proto_check_hdr(&h, false), -EPROTO, "op past the last");
	h = hdr(OP_BIND, (uint32_t)proto_body_size(OP_BIND, false));
	h.err = 5;
	cr_assert_eq(proto_check_hdr(&h, false), -EPROTO, "a request with err set");
}

Test(proto, error_replies_have_no_body)
{
	struct proto_hdr h = hdr(OP_CREATE, 0);

	h.err = EPROTONOSUPPORT;
	cr_assert_eq(proto_check_hdr(&h, true), 0);
	h.len = (uint32_t)proto_body_size(OP_CREATE, true);
	cr_assert_eq(proto_check_hdr(&h, true), -EPROTO);
}

Test(proto, names_round_trip)
{
	struct proto_name n = { .instance = 0x0123456789abcdefull, .id = 42,
				.family = AF_INET6, .type = SOCK_DGRAM }, m;
	char buf[PROTO_NAME_MAX];
	int len = proto_name_format(&n, buf, sizeof(buf));

	cr_assert_gt(len, 0);
	cr_assert_eq(proto_name_parse(buf, (size_t)len, &m), 0, "%s", buf);
	cr_assert_eq(m.instance, n.instance);
	cr_assert_eq(m.id, 42);
	cr_assert_eq(m.family, AF_INET6);
	cr_assert_eq(m.type, SOCK_DGRAM);
	n.family = AF_INET;
	n.type = SOCK_STREAM;
	len = proto_name_format(&n, buf, sizeof(buf));
	cr_assert_eq(proto_name_parse(buf, (size_t)len, &m), 0);
	cr_assert_eq(m.family, AF_INET);
	cr_assert_eq(m.type, SOCK_STREAM);
}

Test(proto, foreign_names_are_not_ours)
{
	static const char *const bad[] = {
		"", "lwipd.", "lwipd.zz.1.4t", "lwipd.0123.1.5t", "lwipd.0123.1.4x",
		"lwipd.0123.1.4tx", "/run/user/1000/bus", "xlwipd.0123.1.4t",
		"lwipd.0123.-1.4t0",
	};
	struct proto_name m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(proto_name_parse(bad[i], strlen(bad[i]), &m), -1, "%s", bad[i]);
	{
		char longname[PROTO_ANAME_MAX + 2];

		memset(longname, 'a', sizeof(longname));
		memcpy(longname, "lwipd.0123.1.4t", 15);
		cr_assert_eq(proto_name_parse(longname, PROTO_ANAME_MAX + 1, &m), -1, "too long");
	}
}

/* An accepted connection's daemon end carries its peer's address, so the
 * shim's accept() needs no round trip (daemon/tcpsock.c, shim/socket.c). */
Test(proto, peer_address_round_trips)
{
	struct proto_name n = { .instance = 0xfedcba9876543210ull, .id = 123456789012ull,
				.family = AF_INET6, .type = SOCK_STREAM }, m;
	char buf[PROTO_ANAME_MAX + 1];
	int len;

	n.peer.family = 6;
	n.peer.port = htons(54321);
	n.peer.scope = 0xffffffffu;
	for (int i = 0; i < 16; i++)
		n.peer.addr[i] = (uint8_t)(0xf0 + i);
	len = proto_name_format(&n, buf, sizeof(buf));
	cr_assert_gt(len, PROTO_NAME_MAX, "a v6 peer makes the longest name: %d", len);
	cr_assert_leq(len, PROTO_ANAME_MAX);
	cr_assert_eq(proto_name_parse(buf, (size_t)len, &m), 0, "%.*s", len, buf);
	cr_assert_eq(m.id, n.id);
	cr_assert_eq(m.peer.family, 6);
	cr_assert_eq(m.peer.port, htons(54321));
	cr_assert_eq(m.peer.scope, 0xffffffffu);
	cr_assert_arr_eq(m.peer.addr, n.peer.addr, 16);

	memset(&n.peer, 0, sizeof(n.peer));
	n.peer.family = 4;
	n.peer.port = htons(80);
	memcpy(n.peer.addr, "\x0a\x00\x00\x01", 4);
	len = proto_name_format(&n, buf, sizeof(buf));
	cr_assert_eq(proto_name_parse(buf, (size_t)len, &m), 0, "%.*s", len, buf);
	cr_assert_eq(m.peer.family, 4);
	cr_assert_eq(m.peer.port, htons(80));
	cr_assert_arr_eq(m.peer.addr, "\x0a\x00\x00\x01", 4);

	n.peer.family = 0;
	len = proto_name_format(&n, buf, sizeof(buf));
	cr_assert_eq(proto_name_parse(buf, (size_t)len, &m), 0);
	cr_assert_eq(m.peer.family, 0, "no peer part, no peer");
}

Test(proto, malformed_peer_parts_are_refused)
{
	static const char *const bad[] = {
		"lwipd.0123.1.4t.p5.0a000001.50.0",     /* family */
		"lwipd.0123.1.4t.p4.0a0000.50.0",       /* address too short */
		"lwipd.0123.1.4t.p4.0a00000101.50.0",   /* too long */
		"lwipd.0123.1.4t.p4.0a000001.10000.0",  /* port */
		"lwipd.0123.1.4t.p4.0a000001.50",       /* no scope */
		"lwipd.0123.1.4t.p4.0a000001.50.0x",    /* trailing */
		"lwipd.0123.1.4t.q4.0a000001.50.0",
		"lwipd.0123.1.4t.",
	};
	struct proto_name m;

	cr_assert_eq(proto_name_parse("lwipd.0123.1.4t.p4.0a000001.50.0", 32, &m), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(proto_name_parse(bad[i], strlen(bad[i]), &m), -1, "%s", bad[i]);
}

Test(proto, name_that_does_not_fit_is_refused)
{
	struct proto_name n = { .instance = 1, .id = 1, .family = AF_INET, .type = SOCK_STREAM };
	char small[8];

	cr_assert_eq(proto_name_format(&n, small, sizeof(small)), -1);
}
