/* addr.c - the program's sockaddr_in/sockaddr_in6 <-> struct proto_addr
 *
 * Pure functions, unit-tested.  The socket's family decides the form: an
 * AF_INET socket speaks sockaddr_in and wire family 4; an AF_INET6 socket
 * speaks sockaddr_in6 and always sends wire family 6 (IPv4-mapped addresses
 * as they are: the daemon maps them), and shows IPv4 addresses it gets
 * from the daemon as ::ffff:a.b.c.d.
 */
#include <errno.h>
#include <string.h>

#include "shim.h"

/* shim_sa_to_proto() - see shim.h.  Follows Linux: short lengths are
 * EINVAL, a wrong family EAFNOSUPPORT; AF_UNSPEC is family 0 where the
 * caller allows it (connect: disconnect) or, for AF_INET bind, INADDR_ANY. */
int shim_sa_to_proto(int family, const struct sockaddr *sa, socklen_t len,
		     bool unspec_ok, struct proto_addr *pa)
{
	memset(pa, 0, sizeof(*pa));
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return EINVAL;
	if (sa->sa_family == AF_UNSPEC && unspec_ok)
		return 0;
	if (family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < (socklen_t)sizeof(*in))
			return EINVAL;
		if (sa->sa_family != AF_INET)
			return EAFNOSUPPORT;
		pa->family = 4;
		pa->port = in->sin_port;
		memcpy(pa->addr, &in->sin_addr, 4);
		return 0;
	}
	if (family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (sa->sa_family != AF_INET6)
			return EAFNOSUPPORT;
		if (len < 24)   /* SIN6_LEN_RFC2133: without sin6_scope_id */
			return EINVAL;
		pa->family = 6;
		pa->port = in6->sin6_port;
		memcpy(pa->addr, &in6->sin6_addr, 16);
		if (len >= (socklen_t)sizeof(*in6))
			pa->scope = in6->sin6_scope_id;
		return 0;
	}
	return EAFNOSUPPORT;
}

/* shim_proto_to_sa() - see shim.h.  Family 0 gives an all-zero address of
 * the socket's family (an unbound socket's name). */
socklen_t shim_proto_to_sa(int family, const struct proto_addr *pa,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		if (pa->family == 4) {
			in->sin_port = pa->port;
			memcpy(&in->sin_addr, pa->addr, 4);
		} else if (pa->family == 6) {
			/* a mapped address from the daemon on an IPv4 socket */
			in->sin_port = pa->port;
			memcpy(&in->sin_addr, pa->addr + 12, 4);
		}
		return sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = pa->port;
		if (pa->family == 4) {
			in6->sin6_addr.s6_addr[10] = 0xff;
			in6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&in6->sin6_addr.s6_addr[12], pa->addr, 4);
		} else if (pa->family == 6) {
			memcpy(&in6->sin6_addr, pa->addr, 16);
			in6->sin6_scope_id = pa->scope;
		}
		return sizeof(*in6);
	}
}

/* shim_copy_addr() - see shim.h: copy at most *@len bytes, then report
 * the full length, as getsockname(2) does */
void shim_copy_addr(const struct sockaddr_storage *ss, socklen_t full,
		    struct sockaddr *sa, socklen_t *len)
{
	if (!sa || !len)
		return;
	memcpy(sa, ss, *len < full ? *len : full);
	*len = full;
}
