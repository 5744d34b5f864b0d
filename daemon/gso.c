/* gso.c - consecutive TCP segments of one connection joined into one
 * large frame, for a back end that cuts it again (a TAP with offloads)
 *
 * lwIP cuts what a program sends into segments of at most the link's MSS
 * (1460 bytes at MTU 1500), and each frame written to a TAP is one pass
 * through the kernel's receive path, run inside our write(2).  A TAP
 * opened with IFF_VNET_HDR also takes frames the way a NIC with TCP
 * segmentation offload does: one frame of up to 64 KiB whose
 * virtio_net_hdr says "cut this into gso_size pieces" (a GSO packet).
 * The kernel delivers it to a local socket whole, as if GRO had joined
 * it, and cuts it only if it forwards it to a device that cannot.
 *
 * These functions decide which frames can be joined and write the joined
 * frame's headers; link_gso.c holds the segments until the batch ends.
 * A segment joins the batch when it is the same connection's next bytes
 * with the same headers (ports, addresses, ACK number, window, options),
 * only ACK and PSH set, and every segment before it was full (gso_size,
 * the first one's length): exactly what the kernel's segmentation gives
 * back, so the receiver sees the segments lwIP made.
 */
#include <string.h>

#include "gso.h"

#define ETH_HLEN        14
#define ETH_P_IPV4      0x0800
#define ETH_P_IPV6      0x86dd
#define IP4_HLEN        20
#define IP6_HLEN        40
#define PROTO_TCP       6
#define TCP_HLEN        20
#define TCP_ACK         0x10
#define TCP_PSH         0x08

/* be16() - the big-endian 16-bit value at @p */
static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* put16() - store @v big-endian at @p */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* be32() - the big-endian 32-bit value at @p */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* sum16() - add @len (even) bytes at @p to @sum as big-endian words */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	return sum;
}

/* fold() - fold a 32-bit one's-complement sum to 16 bits */
static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* parse_ip() - the IP header of @f: sets s->v6 and s->l4; -1 unless it
 * is one unfragmented TCP packet filling the frame's @len bytes
 */
static int parse_ip(const uint8_t *f, size_t avail, size_t len, struct gso_seg *s)
{
	const uint8_t *ip = f + ETH_HLEN;

	switch (be16(f + 12)) {
	case ETH_P_IPV4:
		if (avail < ETH_HLEN + IP4_HLEN || ip[0] != 0x45 || ip[9] != PROTO_TCP ||
		    (be16(ip + 6) & 0x3fff) || be16(ip + 2) != len - ETH_HLEN)
			return -1;
		s->v6 = false;
		s->l4 = ETH_HLEN + IP4_HLEN;
		return 0;
	case ETH_P_IPV6:
		if (avail < ETH_HLEN + IP6_HLEN || (ip[0] >> 4) != 6 || ip[6] != PROTO_TCP ||
		    be16(ip + 4) != len - ETH_HLEN - IP6_HLEN)
			return -1;
		s->v6 = true;
		s->l4 = ETH_HLEN + IP6_HLEN;
		return 0;
	}
	return -1;
}

/* gso_parse_tcp() - is the frame @f (@len bytes, the first @avail of them
 * contiguous at @f) one unfragmented TCP packet over IPv4 without options
 * or IPv6 without extension headers, its headers within @avail?  0 and
 * @s filled if so, -1 if not.
 */
int gso_parse_tcp(const uint8_t *f, size_t avail, size_t len, struct gso_seg *s)
{
	const uint8_t *th;
	size_t doff;

	if (avail > len || avail < ETH_HLEN || len > 0xffff || parse_ip(f, avail, len, s))
		return -1;
	if (avail < (size_t)s->l4 + TCP_HLEN)
		return -1;
	th = f + s->l4;
	doff = (size_t)(th[12] >> 4) * 4;
	if (doff < TCP_HLEN || s->l4 + doff > avail || s->l4 + doff > len)
		return -1;
	s->hdr_len = (uint16_t)(s->l4 + doff);
	s->payload = (uint32_t)(len - s->hdr_len);
	s->seq = be32(th + 4);
	s->flags = th[13];
	return 0;
}

/* gso_may_join() - may the segment gso_parse_tcp() read as @s be joined
 * with others: it carries data and only ACK and PSH are set
 */
bool gso_may_join(const struct gso_seg *s)
{
	return s->payload && (s->flags & ~TCP_PSH) == TCP_ACK;
}

/* same() - are @n bytes at offset @off equal in both headers? */
static bool same(const uint8_t *a, const uint8_t *b, size_t off, size_t n)
{
	return !memcmp(a + off, b + off, n);
}

/* same_ip() - do the IP headers differ only in what joining rewrites
 * (length, IPv4 id and header checksum)?
 */
static bool same_ip(const uint8_t *a, const uint8_t *b, bool v6)
{
	const size_t ip = ETH_HLEN;

	if (v6)         /* version/class/flow, then next header to addresses */
		return same(a, b, ip, 4) && same(a, b, ip + 6, 34);
	return same(a, b, ip, 2) &&     /* version, IHL, TOS */
	       same(a, b, ip + 6, 4) && /* fragment field, TTL, protocol */
	       same(a, b, ip + 12, 8);  /* addresses */
}

/* same_tcp() - do the TCP headers at @l4 differ only in sequence number,
 * checksum and PSH?  (Ports, ACK number, header length, window, urgent
 * pointer and options are the same.)
 */
static bool same_tcp(const uint8_t *a, const uint8_t *b, size_t l4, size_t hdr_len)
{
	return same(a, b, l4, 4) && same(a, b, l4 + 8, 5) &&
	       (a[l4 + 13] & ~TCP_PSH) == (b[l4 + 13] & ~TCP_PSH) &&
	       same(a, b, l4 + 14, 2) && same(a, b, l4 + 18, hdr_len - l4 - 18);
}

/* gso_joinable() - may segment @h (@s) follow a batch whose first
 * segment is @h0 (@s0), holding @held payload bytes, the last segment
 * @last of them?  Both passed gso_parse_tcp() and gso_may_join().
 */
bool gso_joinable(const uint8_t *h0, const struct gso_seg *s0, uint32_t held,
		  uint32_t last, const uint8_t *h, const struct gso_seg *s)
{
	if (s->v6 != s0->v6 || s->hdr_len != s0->hdr_len || last != s0->payload ||
	    s->payload > s0->payload || held + s->payload > GSO_MAX_PAYLOAD ||
	    s->seq != s0->seq + held)
		return false;
	return same(h0, h, 0, ETH_HLEN) && same_ip(h0, h, s->v6) &&
	       same_tcp(h0, h, s->l4, s->hdr_len);
}

/* gso_pseudo_sum() - the folded (not inverted) sum of the TCP pseudo
 * header for headers @h with @payload bytes after them: what a checksum
 * field holds when the rest is left to "the hardware" (CHECKSUM_PARTIAL)
 */
uint16_t gso_pseudo_sum(const uint8_t *h, const struct gso_seg *s, uint32_t payload)
{
	uint32_t tcp_len = s->hdr_len - s->l4 + payload;
	uint32_t sum = PROTO_TCP + (tcp_len >> 16) + (tcp_len & 0xffff);

	if (s->v6)
		sum = sum16(sum, h + ETH_HLEN + 8, 32);
	else
		sum = sum16(sum, h + ETH_HLEN + 12, 8);
	return fold(sum);
}

/* gso_csum_partial() - leave the checksum of TCP packet @h (@s, as
 * gso_parse_tcp() read it) to the back end: the pseudo-header sum in the
 * field, as CHECKSUM_PARTIAL wants
 */
void gso_csum_partial(uint8_t *h, const struct gso_seg *s)
{
	put16(h + s->l4 + 16, gso_pseudo_sum(h, s, s->payload));
}

/* gso_finish() - turn the first segment's headers @h into the joined
 * frame's: IP length for @payload bytes of TCP data (and the IPv4 header
 * checksum), PSH if any segment had it, and the pseudo-header sum in the
 * TCP checksum (the back end asks for the checksum to be completed)
 */
void gso_finish(uint8_t *h, const struct gso_seg *s0, uint32_t payload, bool psh)
{
	uint8_t *ip = h + ETH_HLEN, *th = h + s0->l4;
	uint32_t ip_len = s0->hdr_len - ETH_HLEN + payload;

	if (s0->v6) {
		put16(ip + 4, (uint16_t)(ip_len - IP6_HLEN));
	} else {
		put16(ip + 2, (uint16_t)ip_len);
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~fold(sum16(0, ip, IP4_HLEN)));
	}
	if (psh)
		th[13] |= TCP_PSH;
	put16(th + 16, gso_pseudo_sum(h, s0, payload));
}
