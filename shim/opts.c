/* opts.c - getsockopt/setsockopt on lwipd sockets and the option table
 *
 * Each option goes to one place (shim_opt_where): the daemon, the real
 * AF_UNIX fd (timeouts and buffer sizes the kernel applies to the fd
 * itself, and SO_LINGER, which close() reads back from there), the shim
 * itself (SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN), or nowhere
 * (ENOPROTOOPT).  "Soft" options are asked of the daemon, but if it does
 * not know them they are accepted and ignored (set) or read as 0 (get),
 * so programs that set them unconditionally keep working.
 * docs/sockets.md lists the decisions.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "shim.h"

struct opt_rule {
	int level, name;
	enum opt_where where;
};

/* The table; anything not in it goes to the daemon (OPT_DAEMON). */
static const struct opt_rule rules[] = {
	{ SOL_SOCKET, SO_TYPE,          OPT_LOCAL },
	{ SOL_SOCKET, SO_DOMAIN,        OPT_LOCAL },
	{ SOL_SOCKET, SO_PROTOCOL,      OPT_LOCAL },
	{ SOL_SOCKET, SO_ACCEPTCONN,    OPT_LOCAL },
	{ SOL_SOCKET, SO_RCVTIMEO,      OPT_REAL },
	{ SOL_SOCKET, SO_SNDTIMEO,      OPT_REAL },
	{ SOL_SOCKET, SO_RCVBUF,        OPT_REAL },
	{ SOL_SOCKET, SO_SNDBUF,        OPT_REAL },
	{ SOL_SOCKET, SO_RCVBUFFORCE,   OPT_REAL },
	{ SOL_SOCKET, SO_SNDBUFFORCE,   OPT_REAL },
	{ SOL_SOCKET, SO_RCVLOWAT,      OPT_REAL },
	{ SOL_SOCKET, SO_LINGER,        OPT_DAEMON },
	{ SOL_SOCKET, SO_ERROR,         OPT_DAEMON },
	{ SOL_SOCKET, SO_REUSEADDR,     OPT_SOFT },
	{ SOL_SOCKET, SO_REUSEPORT,     OPT_SOFT },
	{ SOL_SOCKET, SO_KEEPALIVE,     OPT_SOFT },
	{ SOL_SOCKET, SO_BROADCAST,     OPT_SOFT },
	{ SOL_SOCKET, SO_PRIORITY,      OPT_SOFT },
	{ SOL_SOCKET, SO_OOBINLINE,     OPT_SOFT },
	{ SOL_SOCKET, SO_TIMESTAMP,     OPT_SOFT },
	{ SOL_SOCKET, SO_TIMESTAMPNS,   OPT_SOFT },
	{ SOL_SOCKET, SO_MARK,          OPT_SOFT },
	{ SOL_SOCKET, SO_BINDTODEVICE,  OPT_SOFT },
	{ SOL_SOCKET, SO_ZEROCOPY,      OPT_NONE },
	{ SOL_SOCKET, SO_ATTACH_FILTER, OPT_NONE },
	{ SOL_SOCKET, SO_PEERCRED,      OPT_NONE },
	{ IPPROTO_TCP, TCP_NODELAY,     OPT_SOFT },
	{ IPPROTO_TCP, TCP_KEEPIDLE,    OPT_SOFT },
	{ IPPROTO_TCP, TCP_KEEPINTVL,   OPT_SOFT },
	{ IPPROTO_TCP, TCP_KEEPCNT,     OPT_SOFT },
	{ IPPROTO_TCP, TCP_CORK,        OPT_SOFT },
	{ IPPROTO_TCP, TCP_QUICKACK,    OPT_SOFT },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT, OPT_SOFT },
	{ IPPROTO_TCP, TCP_FASTOPEN,    OPT_SOFT },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT, OPT_NONE },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, OPT_SOFT },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT, OPT_SOFT },
	{ IPPROTO_TCP, TCP_MAXSEG,      OPT_SOFT },
	{ IPPROTO_TCP, TCP_INFO,        OPT_SOFT },
	{ IPPROTO_TCP, TCP_CONGESTION,  OPT_NONE },
	{ IPPROTO_IP, IP_TOS,           OPT_SOFT },
	{ IPPROTO_IP, IP_TTL,           OPT_SOFT },
	{ IPPROTO_IP, IP_RECVERR,       OPT_SOFT },
	{ IPPROTO_IP, IP_MTU_DISCOVER,  OPT_SOFT },
	{ IPPROTO_IP, IP_PKTINFO,       OPT_SOFT },
	{ IPPROTO_IP, IP_RECVTOS,       OPT_SOFT },
	{ IPPROTO_IP, IP_FREEBIND,      OPT_SOFT },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, OPT_SOFT },
	{ IPPROTO_IP, IP_MULTICAST_TTL, OPT_SOFT },
	{ IPPROTO_IP, IP_MULTICAST_LOOP, OPT_SOFT },
	{ IPPROTO_IP, IP_MULTICAST_IF,  OPT_DAEMON },
	{ IPPROTO_IP, IP_ADD_MEMBERSHIP, OPT_DAEMON },
	{ IPPROTO_IP, IP_DROP_MEMBERSHIP, OPT_DAEMON },
	{ IPPROTO_IPV6, IPV6_V6ONLY,    OPT_DAEMON },
	{ IPPROTO_IPV6, IPV6_TCLASS,    OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO, OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_RECVERR,   OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER, OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP, OPT_SOFT },
	{ IPPROTO_IPV6, IPV6_MULTICAST_IF, OPT_DAEMON },
	{ IPPROTO_IPV6, IPV6_JOIN_GROUP, OPT_DAEMON },
	{ IPPROTO_IPV6, IPV6_LEAVE_GROUP, OPT_DAEMON },
};

/* shim_opt_where() - see shim.h.  Read-only options set: ENOPROTOOPT. */
enum opt_where shim_opt_where(int level, int name, bool set)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].level != level || rules[i].name != name)
			continue;
		if (set && (rules[i].where == OPT_LOCAL ||
			    (level == SOL_SOCKET && name == SO_ERROR)))
			return OPT_NONE;
		if (set && level == IPPROTO_TCP && name == TCP_INFO)
			return OPT_NONE;
		return rules[i].where;
	}
	return OPT_DAEMON;
}

/* put_int() - store @v as an int option with Linux's truncation */
static int put_int(int v, void *val, socklen_t *len)
{
	socklen_t n = *len < sizeof(int) ? *len : sizeof(int);

	if ((int)*len < 0) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, &v, n);
	*len = n;
	return 0;
}

/* shim_getsockopt_id() - GETSOCKOPT for @s; 0 or -1 with errno */
int shim_getsockopt_id(const struct shim_sock *s, int level, int name,
		       void *val, socklen_t *len)
{
	struct proto_sockopt req;
	struct proto_optval rep;
	int e;

	memset(&req, 0, sizeof(req));
	req.id = s->id;
	req.level = level;
	req.name = name;
	req.len = *len > PROTO_OPTVAL_MAX ? PROTO_OPTVAL_MAX : *len;
	e = shim_request(s->family, OP_GETSOCKOPT, &req, sizeof(req), &rep, sizeof(rep), NULL);
	if (e) {
		errno = e;
		return -1;
	}
	if (rep.len > PROTO_OPTVAL_MAX)
		rep.len = PROTO_OPTVAL_MAX;
	if (rep.len < *len)
		*len = rep.len;
	memcpy(val, rep.val, *len);
	return 0;
}

/* soft_get() - the value of a "soft" option the daemon does not know:
 * zeros (TCP_INFO: a zeroed struct saying ESTABLISHED) */
static int soft_get(int level, int name, void *val, socklen_t *len)
{
	if (level == IPPROTO_TCP && name == TCP_INFO) {
		struct tcp_info ti;
		socklen_t n = *len < sizeof(ti) ? *len : sizeof(ti);

		memset(&ti, 0, sizeof(ti));
		ti.tcpi_state = TCP_ESTABLISHED;
		memcpy(val, &ti, n);
		*len = n;
		return 0;
	}
	return put_int(0, val, len);
}

/* getsockopt() - see the file comment */
SHIM_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct shim_sock s;
	int v, e;

	if (!shim_ident(fd, &s))
		return REAL(getsockopt)(fd, level, name, val, len);
	if (!val || !len) {
		errno = EFAULT;
		return -1;
	}
	switch (shim_opt_where(level, name, false)) {
	case OPT_LOCAL:
		if (name == SO_TYPE)
			v = s.type;
		else if (name == SO_DOMAIN)
			v = s.family;
		else if (name == SO_PROTOCOL)
			v = s.type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
		else {
			socklen_t l = sizeof(v);

			if (REAL(getsockopt)(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) < 0)
				v = 0;
			v = !!v;
		}
		return put_int(v, val, len);
	case OPT_REAL:
		return REAL(getsockopt)(fd, level, name, val, len);
	case OPT_NONE:
		errno = ENOPROTOOPT;
		return -1;
	case OPT_SOFT:
		if (shim_getsockopt_id(&s, level, name, val, len) == 0)
			return 0;
		if (errno != ENOPROTOOPT)
			return -1;
		return soft_get(level, name, val, len);
	case OPT_DAEMON:
		break;
	}
	e = shim_getsockopt_id(&s, level, name, val, len);
	return e;
}

/* setsockopt() - see the file comment */
SHIM_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct proto_sockopt req;
	enum opt_where w;
	struct shim_sock s;
	int e;

	if (!shim_ident(fd, &s))
		return REAL(setsockopt)(fd, level, name, val, len);
	w = shim_opt_where(level, name, true);
	if (w == OPT_NONE || w == OPT_LOCAL) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (w == OPT_REAL)
		return REAL(setsockopt)(fd, level, name, val, len);
	if (len > PROTO_OPTVAL_MAX || (len && !val)) {
		errno = len ? EFAULT : EINVAL;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.id = s.id;
	req.level = level;
	req.name = name;
	req.len = len;
	if (len)
		memcpy(req.val, val, len);
	e = shim_request(s.family, OP_SETSOCKOPT, &req, sizeof(req), NULL, 0, NULL);
	if (e == ENOPROTOOPT && w == OPT_SOFT)
		e = 0;
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}
