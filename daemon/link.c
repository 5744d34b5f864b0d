/* link.c - the Ethernet netif, whatever carries its frames
 *
 * Every back end (link_tap.c, link_tapns.c, link_stream.c) hands each
 * frame it receives to link_input(), and lwIP's linkoutput is
 * link_output(), which gives each frame to the back end's send().  Those
 * two are the only ways in and out, so the counters, the pcap capture
 * (--pcap) and the software MAC filter are the same for every back end.
 * lwIP programs the MAC filter through its igmp_mac_filter and
 * mld_mac_filter hooks.  The netif's link is up while the back end has a
 * peer (its carrier) and the interface is not --down; bringing it up
 * again restarts DHCP (a reboot request for the lease held) and router
 * solicitation, which is lwIP's netif_set_link_up().
 */
#include <errno.h>
#include <linux/virtio_net.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#include "ethaddr.h"
#include "link.h"
#include "log.h"
#include "pcap.h"


/* link_of() - the link a netif belongs to (the netif is its first member) */
struct link *link_of(struct netif *netif)
{
	return (struct link *)(void *)((char *)netif - offsetof(struct link, netif));
}

static err_t link_output(struct netif *netif, struct pbuf *p);

/* link_is_ours() - is @netif one of our links (not lwIP's loopback)? */
bool link_is_ours(const struct netif *netif)
{
	return netif->linkoutput == link_output;
}

/* link_netif_name() - our name of a netif: the -i word, or "lo" */
const char *link_netif_name(struct netif *netif)
{
	return link_is_ours(netif) ? link_of(netif)->name : "lo";
}

/* link_tx() - the transmit path after the impairment: capture the frame
 * and give it to the back end, with the offload header @vh if not NULL;
 * 0 (sent or dropped as on a wire), or -1 on a send error
 */
static int link_tx(struct link *l, const struct virtio_net_hdr *vh,
		   const struct iovec *iov, int n, size_t len)
{
	enum link_tx r;

	pcap_write(iov, n, len);
	r = vh ? l->ops->send_vnet(l, vh, iov, n, len) : l->ops->send(l, iov, n, len);
	switch (r) {
	case LINK_TX_SENT:
		l->c.tx_frames++;
		l->c.tx_bytes += len;
		LINK_STATS_INC(link.xmit);
		return 0;
	case LINK_TX_DROPPED:
		l->c.tx_dropped++;
		LINK_STATS_INC(link.drop);
		return 0;               /* a lost frame, as on a wire */
	case LINK_TX_ERROR:
		break;
	}
	l->c.tx_errors++;
	LINK_STATS_INC(link.err);
	return -1;
}

/* link_write() - impair_tx()'s way on: a plain frame to link_tx() */
static int link_write(void *arg, const struct iovec *iov, int n, size_t len)
{
	return link_tx(arg, NULL, iov, n, len);
}

/* link_write_vnet() - a frame with offload header @vh (link_gso.c), as
 * link_tx(); the back end has send_vnet
 */
int link_write_vnet(struct link *l, const struct virtio_net_hdr *vh,
		    const struct iovec *iov, int n, size_t len)
{
	return link_tx(l, vh, iov, n, len);
}

/* link_send_pbuf() - frame @p as an iovec of its pbufs, through the
 * impairment (if any) to link_write()
 */
err_t link_send_pbuf(struct link *l, struct pbuf *p)
{
	struct iovec iov[LINK_MAX_IOV];
	struct pbuf *q;
	int n = 0;

	for (q = p; q && n < LINK_MAX_IOV; q = q->next) {
		iov[n].iov_base = q->payload;
		iov[n++].iov_len = q->len;
	}
	if (q) {                        /* a longer chain than we take at once */
		l->c.tx_errors++;
		LINK_STATS_INC(link.err);
		return ERR_BUF;
	}
	return impair_tx(&l->impair, iov, n, p->tot_len, link_write, l) ? ERR_IF : ERR_OK;
}

/* link_output() - lwIP's linkoutput, the one way out: a TCP segment may
 * wait to be joined with the next ones (link_gso.c); the rest go now
 */
static err_t link_output(struct netif *netif, struct pbuf *p)
{
	struct link *l = link_of(netif);

	if (link_gso_hold(l, p))
		return ERR_OK;
	return link_send_pbuf(l, p);
}

/* deliver() - the receive path after the impairment: capture one frame,
 * pass it through the MAC filter and give a copy to lwIP, with its
 * checksums unchecked if @csum_ok (see link_input_csum())
 */
static void deliver(struct link *l, const uint8_t *frame, size_t len, bool csum_ok)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };
	u16_t base = l->netif.chksum_flags;
	struct pbuf *p;
	size_t plen;

	pcap_write(&iov, 1, len);
	if (len < SIZEOF_ETH_HDR || len > LINK_MAX_FRAME || len > 0xffff) {
		l->c.rx_errors++;
		LINK_STATS_INC(link.lenerr);
		return;
	}
	if (!macfilter_accepts(macfilter_check(&l->filter, frame)))
		return;
	plen = len < LINK_MIN_FRAME ? LINK_MIN_FRAME : len;
	p = pbuf_alloc(PBUF_RAW, (u16_t)plen, PBUF_RAM);
	if (!p) {
		l->c.rx_nomem++;
		LINK_STATS_INC(link.memerr);
		return;
	}
	memcpy(p->payload, frame, len);
	memset((uint8_t *)p->payload + len, 0, plen - len);
	if (csum_ok)                    /* checks off, generation as it was */
		NETIF_SET_CHECKSUM_CTRL(&l->netif, base & ~LWIPD_CHECKSUM_CHECKS);
	if (l->netif.input(p, &l->netif) != ERR_OK)
		pbuf_free(p);
	if (csum_ok)
		NETIF_SET_CHECKSUM_CTRL(&l->netif, base);
}

/* deliver_impaired() - impair_rx()'s way on: a frame (one buffer) that
 * went through the impairment, checksums checked (a corrupted frame must
 * be caught; the offloads are off while impairing, link_set_impair())
 */
static int deliver_impaired(void *arg, const struct iovec *iov, int n, size_t len)
{
	struct link *l = arg;

	if (n != 1) {
		l->c.rx_errors++;
		return 0;
	}
	deliver(l, iov[0].iov_base, len, false);
	return 0;
}

/* link_input() - a received frame whose checksums lwIP must check */
void link_input(struct link *l, const uint8_t *frame, size_t len)
{
	link_input_csum(l, frame, len, false);
}

/* link_input_csum() - the one way in: count one received frame of @len
 * bytes, then through the impairment (if any) to deliver().  @csum_ok:
 * the kernel vouches for its checksums (a TAP's virtio_net_hdr says so:
 * the frame was made on this host, its checksum possibly left for a
 * "hardware" to fill in, or was checked already), so lwIP's checks are
 * off for this frame only.  @frame is the back end's buffer; it may be
 * reused once this returns (the impairment copies what it holds).
 */
void link_input_csum(struct link *l, const uint8_t *frame, size_t len, bool csum_ok)
{
	l->c.rx_frames++;
	l->c.rx_bytes += len;
	LINK_STATS_INC(link.recv);
	if (impair_spec_on(&l->impair.spec))
		impair_rx(&l->impair, &(struct iovec){ (void *)frame, len }, 1, len,
			  deliver_impaired, l);
	else
		deliver(l, frame, len, csum_ok);
}

/* link_set_impair() - impair the link as @spec says (all zero: not); the
 * back end's offloads are off while impairing, so that every frame has a
 * real checksum for corruption to break and lwIP to check, and segments
 * are not joined (the impairment acts on each one)
 */
void link_set_impair(struct link *l, const struct impair_spec *spec)
{
	impair_set(&l->impair, spec, l->name);
	if (l->ops->offload)
		l->ops->offload(l, !impair_spec_on(spec));
	link_gso_enable(l, l->vnet && l->ops->send_vnet && !impair_spec_on(spec));
}

/* link_sync() - the netif's link is up while there is a carrier and the
 * interface is not --down
 */
static void link_sync(struct link *l)
{
	bool up = l->carrier && l->admin_up;

	if (up && !netif_is_link_up(&l->netif))
		netif_set_link_up(&l->netif);
	else if (!up && netif_is_link_up(&l->netif))
		netif_set_link_down(&l->netif);
}

/* link_set_carrier() - the back end got (@on) or lost its peer */
void link_set_carrier(struct link *l, bool on)
{
	l->carrier = on;
	link_sync(l);
}

/* link_set_admin() - the interface was brought up or taken --down */
void link_set_admin(struct link *l, bool up)
{
	l->admin_up = up;
	link_sync(l);
}

/* link_state() - the back end in a few words ("tap", "passt connected") */
void link_state(const struct link *l, char *buf, size_t len)
{
	l->ops->state(l, buf, len);
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

/* link_netif_init() - lwIP's netif init callback for a link */
static err_t link_netif_init(struct netif *netif)
{
	struct link *l = link_of(netif);
	ip6_addr_t allnodes;

	netif->name[0] = 'l';
	netif->name[1] = 'k';
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

/* ops_of() - the back end for a link kind */
static const struct link_ops *ops_of(enum link_kind kind)
{
	switch (kind) {
	case LINK_TAP:          return &link_tap_ops;
	case LINK_TAPNS:        return &link_tapns_ops;
	case LINK_PASST:
	case LINK_STREAM:
	case LINK_STREAM_LISTEN: return &link_stream_ops;
	}
	return NULL;
}

/* link_open() - open the link -i @name names and add it to lwIP as a
 * netif with no address, administratively down (link_set_admin() brings
 * it up).  Returns 0, or -1 with @err set.
 */
int link_open(struct link *l, const char *name, const uint8_t mac[6],
	      int promisc_multicast, char *err, size_t errlen)
{
	struct link_spec spec;
	char canon[LINK_NAME_MAX];

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (link_spec_parse(name, &spec, canon, sizeof(canon), err, errlen))
		return -1;
	snprintf(l->name, sizeof(l->name), "%s", canon);
	l->kind = spec.kind;
	l->ops = ops_of(spec.kind);
	l->mtu = 1500;
	memcpy(l->mac, mac, 6);
	macfilter_init(&l->filter, mac, promisc_multicast);
	if (l->ops->open(l, spec.arg, err, errlen))
		return -1;
	if (!netif_add(&l->netif, NULL, NULL, NULL, NULL, link_netif_init,
		       ethernet_input)) {
		snprintf(err, errlen, "%s: lwIP refused the interface", l->name);
		l->ops->close(l);
		return -1;
	}
	if (l->ops->start(l, err, errlen)) {
		l->ops->close(l);
		netif_remove(&l->netif);
		return -1;
	}
	link_gso_enable(l, l->vnet && l->ops->send_vnet);
	return 0;
}

/* link_log_counters() - one line with the link's counters */
void link_log_counters(const struct link *l)
{
	log_info("%s: rx %llu frames %llu bytes, tx %llu frames %llu bytes, "
		 "MAC filter dropped %llu multicast %llu unicast, errors rx %llu tx %llu, "
		 "tx dropped %llu, joined %llu segments into %llu frames",
		 l->name, (unsigned long long)l->c.rx_frames,
		 (unsigned long long)l->c.rx_bytes, (unsigned long long)l->c.tx_frames,
		 (unsigned long long)l->c.tx_bytes,
		 (unsigned long long)l->filter.drops_multicast,
		 (unsigned long long)l->filter.drops_unicast,
		 (unsigned long long)l->c.rx_errors, (unsigned long long)l->c.tx_errors,
		 (unsigned long long)l->c.tx_dropped, (unsigned long long)l->gso.segs,
		 (unsigned long long)l->gso.frames);
}

/* link_close() - remove the netif from lwIP and close the back end */
void link_close(struct link *l)
{
	link_gso_flush(l);
	link_log_counters(l);
	impair_stop(&l->impair, l->name);
	l->ops->close(l);
	netif_remove(&l->netif);
}
