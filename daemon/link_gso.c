/* link_gso.c - a link's batch of TCP segments, sent as one GSO frame
 *
 * While a link's back end takes GSO frames (a TAP with IFF_VNET_HDR that
 * is not impaired), link_output() offers each frame lwIP sends here
 * first.  A TCP data segment that can follow the ones held (gso.c says
 * when) is held, with a reference on its pbuf; anything else sends the
 * batch first, so frames leave in the order lwIP made them.  The batch
 * also goes when it is full and before the loop waits for events
 * (link_gso_flush_all(), a loop_before_wait() hook), so holding adds no
 * latency: lwIP's tcp_output() makes its segments in one go, within one
 * turn of the loop.  A held segment is not retransmitted meanwhile: lwIP
 * leaves a segment whose pbuf someone else still references alone
 * (tcp_output_segment_busy()), as it would for a NIC's queue.
 *
 * Two or more segments become one frame: the first one's headers
 * (gso_finish()) and every payload in place, with a virtio_net_hdr asking
 * the kernel to complete the checksum and cut at the first segment's
 * length.  lwIP computes no TCP checksum on such a link (its per-netif
 * checksum control; summing every byte it sent was a fifth of lwipd's
 * time): every TCP frame leaves with the pseudo-header sum in its
 * checksum field and asks the kernel to complete it, a lone segment or a
 * SYN, FIN, RST or pure ACK alike.  A TCP packet lwIP must fragment gets
 * its checksum in software first (fraghook.c).  Other frames go plain.
 */
#include <linux/virtio_net.h>
#include <string.h>

#include "lwip/pbuf.h"

#include "link.h"

/* payload_iov() - the payload pieces of segment @p (headers @hdr_len
 * bytes, all in its first pbuf) into @iov (room for @max); their count,
 * or -1 if they do not fit
 */
static int payload_iov(struct pbuf *p, size_t hdr_len, struct iovec *iov, int max)
{
	int n = 0;

	for (struct pbuf *q = p; q; q = q->next) {
		size_t skip = q == p ? hdr_len : 0;

		if (q->len <= skip)
			continue;
		if (n == max)
			return -1;
		iov[n].iov_base = (uint8_t *)q->payload + skip;
		iov[n++].iov_len = q->len - skip;
	}
	return n;
}

/* start() - make @p (parsed as @s) the first segment of an empty batch;
 * false if its payload is in too many pieces
 */
static bool start(struct link_gso *g, struct pbuf *p, const struct gso_seg *s)
{
	int k = payload_iov(p, s->hdr_len, g->iov + 1, GSO_MAX_IOV);

	if (k < 0)
		return false;
	memcpy(g->hdr, p->payload, s->hdr_len);
	g->s0 = *s;
	g->niov = k;
	g->held = g->last = s->payload;
	g->psh = ((const uint8_t *)p->payload)[s->l4 + 13] & 0x08;
	pbuf_ref(p);
	g->seg[0] = p;
	g->n = 1;
	return true;
}

/* join() - add @p (parsed as @s) after the segments held; false if it
 * may not follow them or does not fit
 */
static bool join(struct link_gso *g, struct pbuf *p, const struct gso_seg *s)
{
	int k;

	if (g->n == GSO_MAX_SEGS ||
	    !gso_joinable(g->hdr, &g->s0, g->held, g->last, p->payload, s))
		return false;
	k = payload_iov(p, s->hdr_len, g->iov + 1 + g->niov, GSO_MAX_IOV - g->niov);
	if (k < 0)
		return false;
	g->niov += k;
	g->held += s->payload;
	g->last = s->payload;
	g->psh |= ((const uint8_t *)p->payload)[s->l4 + 13] & 0x08;
	pbuf_ref(p);
	g->seg[g->n++] = p;
	return true;
}

/* send_partial() - TCP frame @p (parsed as @s) with its checksum left to
 * the back end
 */
static void send_partial(struct link *l, struct pbuf *p, const struct gso_seg *s)
{
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_NONE,
		.hdr_len = s->hdr_len,
		.csum_start = s->l4,
		.csum_offset = 16,
	};
	struct iovec iov[LINK_MAX_IOV];
	struct pbuf *q;
	int n = 0;

	gso_csum_partial(p->payload, s);
	for (q = p; q && n < LINK_MAX_IOV; q = q->next) {
		iov[n].iov_base = q->payload;
		iov[n++].iov_len = q->len;
	}
	if (q) {
		l->c.tx_errors++;
		return;
	}
	link_write_vnet(l, &vh, iov, n, p->tot_len);
}

/* link_gso_hold() - offer frame @p to @l's batch: true if it is held or
 * sent (the caller is done with it), false if the caller must send it as
 * it is (the batch, if any, has been sent first)
 */
bool link_gso_hold(struct link *l, struct pbuf *p)
{
	struct link_gso *g = &l->gso;
	struct gso_seg s;
	bool may;

	if (!g->on)
		return false;
	if (gso_parse_tcp(p->payload, p->len, p->tot_len, &s)) {
		link_gso_flush(l);
		return false;
	}
	may = gso_may_join(&s);
	if (may && g->n && join(g, p, &s))
		return true;
	link_gso_flush(l);
	if (!may || !start(g, p, &s))
		send_partial(l, p, &s);
	return true;
}

/* send_joined() - the batch (two or more segments) as one GSO frame */
static void send_joined(struct link *l)
{
	struct link_gso *g = &l->gso;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = g->s0.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = g->s0.hdr_len,
		.gso_size = (uint16_t)g->s0.payload,
		.csum_start = g->s0.l4,
		.csum_offset = 16,
	};

	gso_finish(g->hdr, &g->s0, g->held, g->psh);
	g->iov[0].iov_base = g->hdr;
	g->iov[0].iov_len = g->s0.hdr_len;
	if (!link_write_vnet(l, &vh, g->iov, 1 + g->niov, g->s0.hdr_len + (size_t)g->held)) {
		g->frames++;
		g->segs += (uint64_t)g->n;
	}
}

/* link_gso_flush() - send what @l holds: one segment as it is, more as
 * one GSO frame; then drop the references
 */
void link_gso_flush(struct link *l)
{
	struct link_gso *g = &l->gso;

	if (!g->n)
		return;
	if (g->n == 1)
		send_partial(l, g->seg[0], &g->s0);
	else
		send_joined(l);
	for (int i = 0; i < g->n; i++)
		pbuf_free(g->seg[i]);
	g->n = 0;
}

/* link_gso_flush_all() - send every link's batch (before the loop waits) */
void link_gso_flush_all(void)
{
	struct netif *n;

	NETIF_FOREACH(n)
		if (link_is_ours(n))
			link_gso_flush(link_of(n));
}

/* link_gso_enable() - join segments on @l from now on (@on), and leave
 * TCP checksums to the back end, or not; what is held goes first
 */
void link_gso_enable(struct link *l, bool on)
{
	link_gso_flush(l);
	l->gso.on = on;
	NETIF_SET_CHECKSUM_CTRL(&l->netif, on ? NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_GEN_TCP
					      : NETIF_CHECKSUM_ENABLE_ALL);
}
