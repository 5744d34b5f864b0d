/* sockopt.c - socket options the daemon keeps or hands to lwIP
 *
 * The shim answers SO_TYPE, SO_DOMAIN, SO_PROTOCOL and SO_ACCEPTCONN and
 * puts SO_RCVBUF/SO_SNDBUF/SO_RCVTIMEO/SO_SNDTIMEO on the program's own fd;
 * everything else comes here.  Booleans read back as 0 or 1.  Options that
 * mean nothing for this stack but that programs set routinely are accepted
 * and ignored (listed in docs/sockets.md); unknown ones are ENOPROTOOPT.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "lwip/ip.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

#define LWIPD_TCP_MSS TCP_MSS
#undef TCP_MSS                  /* <netinet/tcp.h> has its own, unrelated */
#include <netinet/tcp.h>

#include "sock.h"

/* get_int() - the option value as an int (0 if shorter than one) */
static int get_int(const void *val, size_t len)
{
	int v = 0;

	if (len >= sizeof(int))
		memcpy(&v, val, sizeof(int));
	else if (len == 1)
		v = *(const unsigned char *)val;
	return v;
}

/* put_int() - return an int option */
static int put_int(void *val, size_t *len, int v)
{
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(int));
	*len = sizeof(int);
	return 0;
}

/* ip_pcb() - the ip_pcb part of whichever pcb @s has, or NULL */
static struct ip_pcb *ip_pcb(struct sock *s)
{
	if (s->type == SOCK_STREAM)
		return (struct ip_pcb *)(void *)s->pcb.tcp;
	return (struct ip_pcb *)(void *)s->pcb.udp;
}

/* set_flag() - set or clear a SOF_* flag on the pcb */
static void set_flag(struct sock *s, u8_t flag, int on)
{
	struct ip_pcb *p = ip_pcb(s);

	if (!p)
		return;
	if (on)
		p->so_options |= flag;
	else
		p->so_options &= (u8_t)~flag;
}

/* get_flag() - 0/1 for a SOF_* flag */
static int get_flag(struct sock *s, u8_t flag)
{
	struct ip_pcb *p = ip_pcb(s);

	return p && (p->so_options & flag) ? 1 : 0;
}

/* tcp_live() - the TCP pcb if it is not a listener, or NULL */
static struct tcp_pcb *tcp_live(struct sock *s)
{
	if (s->type != SOCK_STREAM || !s->pcb.tcp || s->pcb.tcp->state == LISTEN)
		return NULL;
	return s->pcb.tcp;
}

/* membership() - parse ip_mreq/ip_mreqn/ipv6_mreq and join or leave */
static int membership(struct sock *s, int v6, const void *val, size_t len, bool join)
{
	ip_addr_t g, ifa;

	if (s->type != SOCK_DGRAM)
		return -ENOPROTOOPT;
	if (!v6) {
		struct ip_mreqn m = { 0 };

		if (len < sizeof(struct ip_mreq))
			return -EINVAL;
		memcpy(&m, val, len < sizeof(m) ? len : sizeof(m));
		ip_addr_set_ip4_u32_val(g, m.imr_multiaddr.s_addr);
		ip_addr_set_ip4_u32_val(ifa, m.imr_address.s_addr);
		return udpsock_join(s, &g, &ifa, 0, join);
	}
	struct ipv6_mreq m6;

	if (len < sizeof(m6) || s->family != AF_INET6)
		return -EINVAL;
	memcpy(&m6, val, sizeof(m6));
	memset(&g, 0, sizeof(g));
	IP_SET_TYPE_VAL(g, IPADDR_TYPE_V6);
	memcpy(ip_2_ip6(&g)->addr, &m6.ipv6mr_multiaddr, 16);
	return udpsock_join(s, &g, NULL, m6.ipv6mr_interface, join);
}

/* set_tcp() - IPPROTO_TCP options */
static int set_tcp(struct sock *s, int name, int v)
{
	struct tcp_pcb *t = tcp_live(s);

	switch (name) {
	case TCP_NODELAY:
		if (t && v)
			tcp_nagle_disable(t);
		else if (t)
			tcp_nagle_enable(t);
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
		if (v < 1)
			return -EINVAL;
		if (t && name == TCP_KEEPIDLE)
			t->keep_idle = (u32_t)v * 1000;
		else if (t && name == TCP_KEEPINTVL)
			t->keep_intvl = (u32_t)v * 1000;
		else if (t)
			t->keep_cnt = (u32_t)v;
		return 0;
	case TCP_CORK: case TCP_QUICKACK: case TCP_DEFER_ACCEPT:
	case TCP_FASTOPEN: case TCP_USER_TIMEOUT: case TCP_FASTOPEN_CONNECT:
		return 0;               /* accepted, no effect */
	}
	return -ENOPROTOOPT;
}

/* sockopt_set() - setsockopt for @s */
int sockopt_set(struct sock *s, int level, int name, const void *val, size_t len)
{
	int v = get_int(val, len);
	struct ip_pcb *p = ip_pcb(s);

	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR: set_flag(s, SOF_REUSEADDR, v); return 0;
		case SO_KEEPALIVE: set_flag(s, SOF_KEEPALIVE, v); return 0;
		case SO_BROADCAST: set_flag(s, SOF_BROADCAST, v); return 0;
		case SO_REUSEPORT: case SO_PRIORITY: case SO_OOBINLINE: case SO_TIMESTAMP:
		case SO_BINDTODEVICE: case SO_MARK: case SO_ZEROCOPY:
			return 0;
		case SO_LINGER: {
			struct linger l;

			if (len < sizeof(l))
				return -EINVAL;
			memcpy(&l, val, sizeof(l));
			s->abort_on_close = l.l_onoff && l.l_linger == 0;
			s->linger_secs = l.l_onoff ? l.l_linger : -1;
			return 0;
		}
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_TCP) {
		if (s->type != SOCK_STREAM)
			return -ENOPROTOOPT;
		return set_tcp(s, name, v);
	}
	if (level == IPPROTO_IP) {
		switch (name) {
		case IP_TOS: if (p) p->tos = (u8_t)v; return 0;
		case IP_TTL: if (p) p->ttl = (u8_t)(v < 0 ? 64 : v); return 0;
		case IP_PKTINFO: s->pktinfo = v != 0; return 0;
		case IP_ADD_MEMBERSHIP: return membership(s, 0, val, len, true);
		case IP_DROP_MEMBERSHIP: return membership(s, 0, val, len, false);
		case IP_MULTICAST_TTL:
			if (s->type == SOCK_DGRAM && s->pcb.udp)
				udp_set_multicast_ttl(s->pcb.udp, (u8_t)v);
			return 0;
		case IP_MULTICAST_LOOP: case IP_MULTICAST_IF: case IP_RECVERR:
		case IP_MTU_DISCOVER: case IP_RECVTOS: case IP_FREEBIND:
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_IPV6) {
		if (s->family != AF_INET6)
			return -ENOPROTOOPT;
		switch (name) {
		case IPV6_V6ONLY:
			if (s->state != SS_NEW && s->type == SOCK_STREAM)
				return -EINVAL;
			s->v6only = v != 0;
			/* An unbound dual-stack pcb takes IPv4 too; a V6ONLY one not. */
			if (p && ip_addr_isany(&p->local_ip))
				IP_SET_TYPE_VAL(p->local_ip, s->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY);
			return 0;
		case IPV6_TCLASS: if (p) p->tos = (u8_t)v; return 0;
		case IPV6_UNICAST_HOPS: if (p) p->ttl = (u8_t)(v < 0 ? 64 : v); return 0;
		case IPV6_RECVPKTINFO: s->pktinfo = v != 0; return 0;
		case IPV6_JOIN_GROUP: return membership(s, 1, val, len, true);
		case IPV6_LEAVE_GROUP: return membership(s, 1, val, len, false);
		case IPV6_MULTICAST_HOPS:
			if (s->type == SOCK_DGRAM && s->pcb.udp)
				udp_set_multicast_ttl(s->pcb.udp, (u8_t)(v < 0 ? 1 : v));
			return 0;
		case IPV6_MULTICAST_LOOP: case IPV6_MULTICAST_IF: case IPV6_RECVERR:
		case IPV6_MTU_DISCOVER: case IPV6_RECVTCLASS:
			return 0;
		}
	}
	return -ENOPROTOOPT;
}

/* get_tcp_info() - a struct tcp_info with what lwIP knows */
static int get_tcp_info(struct sock *s, void *val, size_t *len)
{
	struct tcp_info ti;
	struct tcp_pcb *t = s->type == SOCK_STREAM ? s->pcb.tcp : NULL;
	size_t n = *len < sizeof(ti) ? *len : sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (t) {
		ti.tcpi_state = (u8_t)(t->state == ESTABLISHED ? 1 : t->state == LISTEN ? 10 : 0);
		if (t->state != LISTEN) {
			ti.tcpi_snd_mss = t->mss;
			ti.tcpi_rcv_mss = t->mss;
			ti.tcpi_rtt = (u32_t)t->sa * 1000u / 8u * TCP_SLOW_INTERVAL;
			ti.tcpi_rttvar = (u32_t)t->sv * 1000u / 4u * TCP_SLOW_INTERVAL;
			ti.tcpi_snd_cwnd = t->cwnd / (t->mss ? t->mss : 1);
			ti.tcpi_snd_ssthresh = t->ssthresh / (t->mss ? t->mss : 1);
			ti.tcpi_rcv_space = t->rcv_wnd;
			ti.tcpi_retransmits = t->nrtx;
			ti.tcpi_unacked = t->snd_queuelen;
		}
	}
	memcpy(val, &ti, n);
	*len = n;
	return 0;
}

/* get_tcp() - IPPROTO_TCP options */
static int get_tcp(struct sock *s, int name, void *val, size_t *len)
{
	struct tcp_pcb *t = tcp_live(s);

	switch (name) {
	case TCP_NODELAY: return put_int(val, len, t && tcp_nagle_disabled(t) ? 1 : 0);
	case TCP_KEEPIDLE: return put_int(val, len, t ? (int)(t->keep_idle / 1000) : 7200);
	case TCP_KEEPINTVL: return put_int(val, len, t ? (int)(t->keep_intvl / 1000) : 75);
	case TCP_KEEPCNT: return put_int(val, len, t ? (int)t->keep_cnt : 9);
	case TCP_MAXSEG: return put_int(val, len, t ? t->mss : LWIPD_TCP_MSS);
	case TCP_INFO: return get_tcp_info(s, val, len);
	case TCP_CORK: case TCP_QUICKACK: return put_int(val, len, 0);
	}
	return -ENOPROTOOPT;
}

/* sockopt_get() - getsockopt for @s; *@len is the capacity, then the size */
int sockopt_get(struct sock *s, int level, int name, void *val, size_t *len)
{
	struct ip_pcb *p = ip_pcb(s);

	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR: {
			int e = s->err;

			s->err = 0;
			return put_int(val, len, e);
		}
		case SO_REUSEADDR: return put_int(val, len, get_flag(s, SOF_REUSEADDR));
		case SO_KEEPALIVE: return put_int(val, len, get_flag(s, SOF_KEEPALIVE));
		case SO_BROADCAST: return put_int(val, len, get_flag(s, SOF_BROADCAST));
		case SO_REUSEPORT: return put_int(val, len, 0);
		case SO_LINGER: {
			struct linger l = { s->linger_secs >= 0 && (s->abort_on_close || s->linger_secs > 0),
					    s->linger_secs > 0 ? s->linger_secs : 0 };

			if (*len < sizeof(l))
				return -EINVAL;
			memcpy(val, &l, sizeof(l));
			*len = sizeof(l);
			return 0;
		}
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_TCP)
		return s->type == SOCK_STREAM ? get_tcp(s, name, val, len) : -ENOPROTOOPT;
	if (level == IPPROTO_IP) {
		switch (name) {
		case IP_TOS: return put_int(val, len, p ? p->tos : 0);
		case IP_TTL: return put_int(val, len, p ? p->ttl : 64);
		case IP_PKTINFO: return put_int(val, len, s->pktinfo);
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_IPV6 && s->family == AF_INET6) {
		switch (name) {
		case IPV6_V6ONLY: return put_int(val, len, s->v6only);
		case IPV6_TCLASS: return put_int(val, len, p ? p->tos : 0);
		case IPV6_UNICAST_HOPS: return put_int(val, len, p ? p->ttl : 64);
		case IPV6_RECVPKTINFO: return put_int(val, len, s->pktinfo);
		}
	}
	return -ENOPROTOOPT;
}
