/* link.c - the Ethernet netif over a TAP device
 *
 * Receive: on each wake, read frames until EAGAIN (the kernel's TAP queue
 * holds 1000 frames and drops beyond), pass each through the MAC filter and
 * hand it to lwIP's ethernet_input().  Transmit: lwIP's linkoutput writes
 * the pbuf chain with one writev(2).  Every frame in and out can be
 * captured (--pcap).  lwIP programs the MAC filter through its
 * igmp_mac_filter and mld_mac_filter hooks.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include "ethaddr.h"
#include "link.h"
#include "log.h"
#include "pcap.h"
#include "tap.h"

#define LINK_MAX_FRAME   (65535 + 18)   /* largest TAP MTU plus header and VLAN tag */
#define LINK_MAX_IOV     64             /* pbufs in one transmitted frame */
#define LINK_MIN_FRAME   60             /* Ethernet minimum without FCS: shorter
					 * frames are padded with zeros, as a NIC
					 * does (lwIP's ARP reads 28 bytes unchecked) */

static uint8_t rxbuf[LINK_MAX_FRAME];   /* one loop thread: one buffer */

/* link_of() - the link a netif belongs to (the netif is its first member) */
struct link *link_of(struct netif *netif)
{
	return (struct link *)(void *)((char *)netif - offsetof(struct link, netif));
}

static err_t link_output(struct netif *netif, struct pbuf *p);

/* link_is_ours() - is @netif a TAP link (not lwIP's loopback)? */
bool link_is_ours(const struct netif *netif)
{
	return netif->linkoutput == link_output;
}

/* link_netif_name() - our name of a netif: the TAP's, or "lo" */
const char *link_netif_name(struct netif *netif)
{
	return link_is_ours(netif) ? link_of(netif)->name : "lo";
}

/* link_output() - lwIP's linkoutput: send one frame to the TAP */
static err_t link_output(struct netif *netif, struct pbuf *p)
{
	struct link *l = link_of(netif);
	struct iovec iov[LINK_MAX_IOV];
	struct pbuf *q;
	int n = 0;
	ssize_t w;

	for (q = p; q && n < LINK_MAX_IOV; q = q->next) {
		iov[n].iov_base = q->payload;
		iov[n++].iov_len = q->len;
	}
	if (q) {                        /* a longer chain than we take at once */
		l->c.tx_errors++;
		return ERR_BUF;
	}
	pcap_write(iov, n, p->tot_len);
	w = writev(l->fd, iov, n);
	if (w != (ssize_t)p->tot_len) {
		l->c.tx_errors++;
		if (w < 0 && errno == EIO)
			log_debug("%s: write: the device is down", l->name);
		return ERR_IF;
	}
	l->c.tx_frames++;
	l->c.tx_bytes += p->tot_len;
	return ERR_OK;
}

/* link_deliver() - filter one received frame of @len bytes in rxbuf and
 * give it to lwIP
 */
static void link_deliver(struct link *l, size_t len)
{
	struct iovec iov = { .iov_base = rxbuf, .iov_len = len };
	struct pbuf *p;
	size_t plen;

	l->c.rx_frames++;
	l->c.rx_bytes += len;
	pcap_write(&iov, 1, len);
	if (len < SIZEOF_ETH_HDR) {
		l->c.rx_errors++;
		return;
	}
	if (!macfilter_accepts(macfilter_check(&l->filter, rxbuf)))
		return;
	plen = len < LINK_MIN_FRAME ? LINK_MIN_FRAME : len;
	p = pbuf_alloc(PBUF_RAW, (u16_t)plen, PBUF_RAM);
	if (!p) {
		l->c.rx_nomem++;
		return;
	}
	memcpy(p->payload, rxbuf, len);
	memset((uint8_t *)p->payload + len, 0, plen - len);
	if (l->netif.input(p, &l->netif) != ERR_OK)
		pbuf_free(p);
}

/* link_readable() - the TAP fd is readable: drain it until EAGAIN */
static void link_readable(void *arg, uint32_t events)
{
	struct link *l = arg;

	(void)events;
	for (;;) {
		ssize_t n = read(l->fd, rxbuf, sizeof(rxbuf));

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			l->c.rx_errors++;
			log_warn("%s: read: %s", l->name, strerror(errno));
			return;
		}
		if (n > 0xffff) {
			l->c.rx_errors++;
			continue;
		}
		link_deliver(l, (size_t)n);
	}
}

/* link_igmp_filter() - lwIP joined or left an IPv4 group on this link */
static err_t link_igmp_filter(struct netif *netif, const ip4_addr_t *group,
			      enum netif_mac_filter_action action)
{
	struct link *l = link_of(netif);
	struct in_addr g = { .s_addr = ip4_addr_get_u32(group) };
	uint8_t mac[6];

	ethaddr_mcast4(g, mac);
	if (action == NETIF_ADD_MAC_FILTER)
		return macfilter_add(&l->filter, mac) ? ERR_MEM : ERR_OK;
	macfilter_del(&l->filter, mac);
	return ERR_OK;
}

/* link_mld_filter() - lwIP joined or left an IPv6 group on this link */
static err_t link_mld_filter(struct netif *netif, const ip6_addr_t *group,
			     enum netif_mac_filter_action action)
{
	struct link *l = link_of(netif);
	struct in6_addr g;
	uint8_t mac[6];

	memcpy(&g, group->addr, sizeof(g));
	ethaddr_mcast6(&g, mac);
	if (action == NETIF_ADD_MAC_FILTER)
		return macfilter_add(&l->filter, mac) ? ERR_MEM : ERR_OK;
	macfilter_del(&l->filter, mac);
	return ERR_OK;
}

/* link_netif_init() - lwIP's netif init callback for a TAP link */
static err_t link_netif_init(struct netif *netif)
{
	struct link *l = link_of(netif);
	ip6_addr_t allnodes;

	netif->name[0] = 't';
	netif->name[1] = 'p';
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = link_output;
	netif->mtu = l->mtu;
	netif->hwaddr_len = 6;
	memcpy(netif->hwaddr, l->mac, 6);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	netif_set_igmp_mac_filter(netif, link_igmp_filter);
	netif_set_mld_mac_filter(netif, link_mld_filter);
	/* lwIP never joins all-nodes through MLD: accept it here. */
	ip6_addr_set_allnodes_linklocal(&allnodes);
	link_mld_filter(netif, &allnodes, NETIF_ADD_MAC_FILTER);
	return ERR_OK;
}

/* link_open() - open TAP @name and add it to lwIP as a netif that is up,
 * with no address yet.  Returns 0, or -1 with @err set.
 */
int link_open(struct link *l, const char *name, const uint8_t mac[6],
	      int promisc_multicast, char *err, size_t errlen)
{
	int mtu;

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->fd = tap_open(name, err, errlen);
	if (l->fd < 0)
		return -1;
	mtu = tap_mtu(name);
	if (mtu < 1280 || mtu > 65535) {
		if (mtu > 0)
			log_warn("%s: MTU %d out of range, using 1500", name, mtu);
		mtu = mtu > 65535 ? 65535 : 1500;
	}
	l->mtu = (uint16_t)mtu;
	memcpy(l->mac, mac, 6);
	macfilter_init(&l->filter, mac, promisc_multicast);
	if (!netif_add(&l->netif, NULL, NULL, NULL, NULL, link_netif_init,
		       ethernet_input)) {
		snprintf(err, errlen, "%s: lwIP refused the interface", name);
		close(l->fd);
		return -1;
	}
	if (loop_add(&l->watch, l->fd, EPOLLIN, link_readable, l)) {
		snprintf(err, errlen, "%s: cannot watch the TAP fd", name);
		netif_remove(&l->netif);
		close(l->fd);
		return -1;
	}
	if (tap_is_up(name) == 0)
		log_warn("%s: the device is down; bring it up with `ip link set %s up`",
			 name, name);
	return 0;
}

/* link_log_counters() - one line with the link's counters */
void link_log_counters(const struct link *l)
{
	log_info("%s: rx %llu frames %llu bytes, tx %llu frames %llu bytes, "
		 "MAC filter dropped %llu multicast %llu unicast, errors rx %llu tx %llu",
		 l->name, (unsigned long long)l->c.rx_frames,
		 (unsigned long long)l->c.rx_bytes, (unsigned long long)l->c.tx_frames,
		 (unsigned long long)l->c.tx_bytes,
		 (unsigned long long)l->filter.drops_multicast,
		 (unsigned long long)l->filter.drops_unicast,
		 (unsigned long long)l->c.rx_errors, (unsigned long long)l->c.tx_errors);
}

/* link_close() - remove the netif from lwIP and close the TAP */
void link_close(struct link *l)
{
	link_log_counters(l);
	loop_del(&l->watch);
	netif_remove(&l->netif);
	close(l->fd);
	l->fd = -1;
}
