/* test_shim_ident.c - recognising lwipd sockets by their abstract names
 * (shim/ident.c, shim_name_ident) and the UDP frame header (io.c) */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "../../shim/shim.h"

/* unaddr() - an abstract AF_UNIX address for @name; its length in *@len */
static struct sockaddr_un unaddr(const char *name, socklen_t *len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memcpy(sun.sun_path + 1, name, strlen(name));
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	return sun;
}

/* fmt() - proto_name_format for the given parts */
static void fmt(char *buf, uint64_t inst, uint64_t id, int fam, int type)
{
	struct proto_name n = { .instance = inst, .id = id, .family = fam, .type = type };

	cr_assert_gt(proto_name_format(&n, buf, PROTO_NAME_MAX + 1), 0);
}

Test(shim_ident, own_name)
{
	char name[PROTO_NAME_MAX + 1];
	struct shim_sock s;
	socklen_t len;
	struct sockaddr_un sun;

	fmt(name, 0xabcdef, 42, AF_INET6, SOCK_DGRAM);
	sun = unaddr(name, &len);
	cr_assert(shim_name_ident((struct sockaddr *)&sun, len, NULL, 0, &s));
	cr_assert_eq(s.id, 42);
	cr_assert_eq(s.family, AF_INET6);
	cr_assert_eq(s.type, SOCK_DGRAM);
	cr_assert_not(s.accepted);
}

Test(shim_ident, accepted_takes_peer_id)
{
	char own[PROTO_NAME_MAX + 1], peer[PROTO_NAME_MAX + 1];
	struct sockaddr_un a, b;
	socklen_t al, bl;
	struct shim_sock s;

	fmt(own, 7, 5, AF_INET, SOCK_STREAM);   /* the listener */
	fmt(peer, 7, 9, AF_INET, SOCK_STREAM);  /* the connection */
	a = unaddr(own, &al);
	b = unaddr(peer, &bl);
	cr_assert(shim_name_ident((struct sockaddr *)&a, al, (struct sockaddr *)&b, bl, &s));
	cr_assert(s.accepted);
	cr_assert_eq(s.id, 9);
}

Test(shim_ident, accepted_carries_the_peer_address)
{
	struct proto_name n = { .instance = 7, .id = 9, .family = AF_INET6, .type = SOCK_STREAM };
	char own[PROTO_NAME_MAX + 1], peer[PROTO_ANAME_MAX + 1];
	struct sockaddr_un a, b;
	socklen_t al, bl;
	struct shim_sock s;

	fmt(own, 7, 5, AF_INET6, SOCK_STREAM);
	n.peer.family = 6;
	n.peer.port = htons(4242);
	n.peer.addr[0] = 0xfd;
	n.peer.addr[15] = 1;
	cr_assert_gt(proto_name_format(&n, peer, sizeof(peer)), 0);
	a = unaddr(own, &al);
	b = unaddr(peer, &bl);
	cr_assert(shim_name_ident((struct sockaddr *)&a, al, (struct sockaddr *)&b, bl, &s));
	cr_assert(s.accepted);
	cr_assert_eq(s.id, 9);
	cr_assert_eq(s.peer.family, 6);
	cr_assert_eq(s.peer.port, htons(4242));
	cr_assert_eq(s.peer.addr[0], 0xfd);
	cr_assert_eq(s.peer.addr[15], 1);
}

Test(shim_ident, peer_of_other_instance_ignored)
{
	char own[PROTO_NAME_MAX + 1], peer[PROTO_NAME_MAX + 1];
	struct sockaddr_un a, b;
	socklen_t al, bl;
	struct shim_sock s;

	fmt(own, 7, 5, AF_INET, SOCK_STREAM);
	fmt(peer, 8, 9, AF_INET, SOCK_STREAM);
	a = unaddr(own, &al);
	b = unaddr(peer, &bl);
	cr_assert(shim_name_ident((struct sockaddr *)&a, al, (struct sockaddr *)&b, bl, &s));
	cr_assert_not(s.accepted);
	cr_assert_eq(s.id, 5);
}

Test(shim_ident, not_ours)
{
	struct sockaddr_un path = { .sun_family = AF_UNIX, .sun_path = "/tmp/x" };
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct shim_sock s;
	socklen_t len;
	struct sockaddr_un sun = unaddr("lwipd.zz.1.4t", &len);
	struct sockaddr_un other = unaddr("somebody.else", &len);

	cr_assert_not(shim_name_ident((struct sockaddr *)&path, sizeof(path), NULL, 0, &s));
	cr_assert_not(shim_name_ident((struct sockaddr *)&in, sizeof(in), NULL, 0, &s));
	cr_assert_not(shim_name_ident((struct sockaddr *)&sun, len, NULL, 0, &s));
	cr_assert_not(shim_name_ident((struct sockaddr *)&other, len, NULL, 0, &s));
	/* an unnamed (socketpair) end: only the family */
	cr_assert_not(shim_name_ident((struct sockaddr *)&path, sizeof(sa_family_t), NULL, 0, &s));
}

Test(shim_ident, dgram_frame)
{
	struct proto_addr pa = { .family = 4, .port = 53, .addr = { 1, 2, 3, 4 } };
	struct proto_dgram h;

	memset(&h, 0x55, sizeof(h));
	shim_dgram_frame(&h, &pa);
	cr_assert_eq(memcmp(&h.peer, &pa, sizeof(pa)), 0);
	cr_assert_eq(h.local.family, 0);
	shim_dgram_frame(&h, NULL);
	cr_assert_eq(h.peer.family, 0, "family 0: the connected peer");
}
