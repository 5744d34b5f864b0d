/* fraghook.c - a TCP packet lwIP fragments gets its checksum first
 *
 * On a link that leaves TCP checksums to the kernel (link_gso.c turns
 * lwIP's NETIF_CHECKSUM_GEN_TCP off) lwIP sends TCP with a zero checksum
 * and the link writes the pseudo-header sum for the kernel to complete.
 * That needs the whole segment in one frame.  lwIP fragments a TCP packet
 * larger than the path MTU (an IPv6 Packet Too Big lowers it below the
 * connection's MSS), and the link then sees only fragments.  lwIP 2.2.1
 * has no hook there, so lwipd is linked with -Wl,--wrap=ip4_frag and
 * -Wl,--wrap=ip6_frag (daemon/daemon.mk): ip4.c's and ip6.c's calls come
 * here, and a TCP packet gets its checksum in software before it is cut.
 */
#include "lwip/inet_chksum.h"
#include "lwip/ip4_frag.h"
#include "lwip/ip6_frag.h"
#include "lwip/netif.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/prot/tcp.h"

err_t __real_ip4_frag(struct pbuf *p, struct netif *netif, const ip4_addr_t *dest);
err_t __wrap_ip4_frag(struct pbuf *p, struct netif *netif, const ip4_addr_t *dest);
err_t __real_ip6_frag(struct pbuf *p, struct netif *netif, const ip6_addr_t *dest);
err_t __wrap_ip6_frag(struct pbuf *p, struct netif *netif, const ip6_addr_t *dest);

/* tcp_sum_left_out() - does @netif leave TCP checksums to the link? */
static int tcp_sum_left_out(const struct netif *netif)
{
	return !NETIF_CHECKSUM_ENABLED(netif, NETIF_CHECKSUM_GEN_TCP);
}

/* fill() - the TCP checksum of the packet in @p, whose IP header of @hl
 * bytes (then the TCP header) is at p->payload in its first pbuf
 */
static void fill(struct pbuf *p, u16_t hl, const ip_addr_t *src, const ip_addr_t *dst)
{
	struct tcp_hdr *th;

	if (p->len < hl + TCP_HLEN || pbuf_remove_header(p, hl))
		return;
	th = p->payload;
	th->chksum = 0;
	th->chksum = ip_chksum_pseudo(p, IP_PROTO_TCP, p->tot_len, src, dst);
	pbuf_add_header(p, hl);
}

/* fill4() - fill() for an IPv4 packet, if it is TCP */
static void fill4(struct pbuf *p)
{
	const struct ip_hdr *ih = p->payload;
	ip_addr_t src = IPADDR4_INIT(ih->src.addr), dst = IPADDR4_INIT(ih->dest.addr);

	if (IPH_PROTO(ih) == IP_PROTO_TCP)
		fill(p, (u16_t)IPH_HL_BYTES(ih), &src, &dst);
}

/* fill6() - fill() for an IPv6 packet, if it is TCP (lwIP puts no
 * extension header before TCP)
 */
static void fill6(struct pbuf *p)
{
	const struct ip6_hdr *ih = p->payload;
	ip_addr_t src, dst;

	if (IP6H_NEXTH(ih) != IP6_NEXTH_TCP)
		return;
	ip_addr_copy_from_ip6_packed(src, ih->src);
	ip_addr_copy_from_ip6_packed(dst, ih->dest);
	fill(p, IP6_HLEN, &src, &dst);
}

/* __wrap_ip4_frag() - lwIP's ip4_frag(), after fill4() where needed */
err_t __wrap_ip4_frag(struct pbuf *p, struct netif *netif, const ip4_addr_t *dest)
{
	if (tcp_sum_left_out(netif))
		fill4(p);
	return __real_ip4_frag(p, netif, dest);
}

/* __wrap_ip6_frag() - lwIP's ip6_frag(), after fill6() where needed */
err_t __wrap_ip6_frag(struct pbuf *p, struct netif *netif, const ip6_addr_t *dest)
{
	if (tcp_sum_left_out(netif))
		fill6(p);
	return __real_ip6_frag(p, netif, dest);
}
