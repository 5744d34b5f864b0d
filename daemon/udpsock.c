/* udpsock.c - UDP sockets over lwIP's raw API
 *
 * The program's end is a SOCK_SEQPACKET socketpair: one packet per
 * datagram, each starting with struct proto_dgram (addresses both ways).
 * A datagram the program's socket has no room for is dropped and counted,
 * as a kernel socket would.  Multicast joins go to IGMP/MLD, which also
 * program the link's MAC filter.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lwip/igmp.h"
#include "lwip/ip.h"
#include "lwip/mld6.h"
#include "lwip/udp.h"

#include "log.h"
#include "sock.h"

#define UDP_MAX_PAYLOAD 65535
#define UDP_MAX_IOV     64      /* pbufs of one received datagram */

static uint8_t dgram[sizeof(struct proto_dgram) + UDP_MAX_PAYLOAD];

/* on_udp_recv() - lwIP received a datagram for @arg's pcb */
static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			const ip_addr_t *addr, u16_t port)
{
	struct sock *s = arg;
	struct proto_dgram h;
	struct iovec iov[1 + UDP_MAX_IOV];
	struct netif *in = ip_current_input_netif();
	struct pbuf *q;
	int n = 1;

	(void)pcb;
	if (!s || s->fd < 0) {
		pbuf_free(p);
		return;
	}
	memset(&h, 0, sizeof(h));
	sockaddr_from_ip(addr, port, &h.peer);
	sockaddr_from_ip(ip_current_dest_addr(), s->pcb.udp->local_port, &h.local);
	h.ifindex = in ? netif_get_index(in) : 0;
	if (s->pktinfo)
		h.flags |= PROTO_DGRAM_PKTINFO;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	for (q = p; q && n <= UDP_MAX_IOV; q = q->next) {
		iov[n].iov_base = q->payload;
		iov[n++].iov_len = q->len;
	}
	if (q || writev(s->fd, iov, n) < 0)     /* a longer chain is not worth it */
		s->drops++;
	else
		s->rx_bytes += p->tot_len;
	pbuf_free(p);
}

/* send_one() - send one datagram the program wrote (header + payload) */
static void send_one(struct sock *s, size_t n)
{
	const struct proto_dgram *h = (const void *)dgram;
	size_t len = n - sizeof(*h);
	struct pbuf *p;
	ip_addr_t ip;
	uint16_t port;
	err_t e;

	if (n < sizeof(*h) || len > UDP_MAX_PAYLOAD) {
		s->drops++;
		return;
	}
	/* A reference, not a copy: lwIP sends synchronously and copies
	 * PBUF_REF data itself if it must queue it (ARP/ND pending). */
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_REF);
	if (!p) {
		s->drops++;
		return;
	}
	p->payload = dgram + sizeof(*h);
	if (h->peer.family == 0) {
		e = udp_send(s->pcb.udp, p);
	} else if (sockaddr_to_ip(s, &h->peer, &ip, &port) == 0) {
		e = udp_sendto(s->pcb.udp, p, &ip, port);
	} else {
		e = ERR_VAL;
	}
	pbuf_free(p);
	if (e != ERR_OK) {
		s->drops++;
		s->err = sock_lwip_errno(e);
	} else {
		s->tx_bytes += len;
	}
}

/* udp_readable() - datagrams from the program, or its end closed */
static void udp_readable(void *arg, uint32_t events)
{
	struct sock *s = arg;

	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(s->fd, dgram, sizeof(dgram), MSG_DONTWAIT);

		if (n > 0) {
			send_one(s, (size_t)n);
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			udpsock_close(s);
			return;
		}
		break;
	}
	if ((events & EPOLLHUP) && recv(s->fd, dgram, 1, MSG_DONTWAIT | MSG_PEEK) <= 0)
		udpsock_close(s);
}

/* udpsock_create() - a pcb and the SEQPACKET relay for @s (fd already set) */
int udpsock_create(struct sock *s)
{
	int v = (int)limit_get(LIM_BUFFER);

	s->pcb.udp = udp_new_ip_type(s->family == AF_INET6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
	if (!s->pcb.udp)
		return -ENOBUFS;
	udp_recv(s->pcb.udp, on_udp_recv, s);
	setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	s->state = SS_CONNECTED;
	s->events = EPOLLIN;
	return loop_add(&s->watch, s->fd, EPOLLIN, udp_readable, s) ? -ENOBUFS : 0;
}

/* udpsock_bind() - bind to a local address (ours or any) and port */
int udpsock_bind(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	if (!sockaddr_is_local(ip) && !ip_addr_ismulticast(ip))
		return -EADDRNOTAVAIL;
	return -sock_lwip_errno(udp_bind(s->pcb.udp, ip, port));
}

/* udpsock_connect() - set (or with family 0, clear) the default peer */
int udpsock_connect(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	if (!ip) {
		udp_disconnect(s->pcb.udp);
		return 0;
	}
	return -sock_lwip_errno(udp_connect(s->pcb.udp, ip, port));
}

/* group_op() - join or leave @g on @ifaddr / @ifindex */
static err_t group_op(const ip_addr_t *g, const ip_addr_t *ifaddr,
		      unsigned ifindex, bool join)
{
	if (IP_IS_V4(g)) {
		const ip4_addr_t *ifa = ifaddr ? ip_2_ip4(ifaddr) : IP4_ADDR_ANY4;

		return join ? igmp_joingroup(ifa, ip_2_ip4(g)) : igmp_leavegroup(ifa, ip_2_ip4(g));
	}
	struct netif *n = ifindex ? netif_get_by_index((u8_t)ifindex) : netif_default;

	if (!n)
		return ERR_IF;
	return join ? mld6_joingroup_netif(n, ip_2_ip6(g)) : mld6_leavegroup_netif(n, ip_2_ip6(g));
}

/* udpsock_join() - IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP and their leaves */
int udpsock_join(struct sock *s, const ip_addr_t *group, const ip_addr_t *ifaddr,
		 unsigned ifindex, bool join)
{
	int i;

	if (!ip_addr_ismulticast(group))
		return -EINVAL;
	for (i = 0; i < s->n_groups; i++)
		if (ip_addr_eq(&s->groups[i].group, group) && s->groups[i].ifindex == ifindex)
			break;
	if (join) {
		if (i < s->n_groups)
			return -EADDRINUSE;
		if (s->n_groups == SOCK_MAX_GROUPS)
			return -ENOBUFS;
		if (group_op(group, ifaddr, ifindex, true) != ERR_OK)
			return -ENOBUFS;
		s->groups[s->n_groups].group = *group;
		s->groups[s->n_groups++].ifindex = (uint8_t)ifindex;
		return 0;
	}
	if (i == s->n_groups)
		return -EADDRNOTAVAIL;
	group_op(group, ifaddr, ifindex, false);
	s->groups[i] = s->groups[--s->n_groups];
	return 0;
}

/* udpsock_close() - the program closed its end: leave groups, free */
void udpsock_close(struct sock *s)
{
	for (int i = 0; i < s->n_groups; i++)
		group_op(&s->groups[i].group, NULL, s->groups[i].ifindex, false);
	if (s->pcb.udp)
		udp_remove(s->pcb.udp);
	s->pcb.udp = NULL;
	sock_free(s);
}
