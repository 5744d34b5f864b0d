/* timewait.c - TIME-WAIT that does not get in the way
 *
 * lwIP keeps a closed connection in TIME-WAIT for 2 MSL and, unlike BSD
 * and Linux, answers a new SYN for the same four-tuple with a bare ACK
 * (tcp_timewait_input()).  The peer resets, lwIP ignores the reset
 * (RFC 1337) and the new connection hangs until TIME-WAIT ends.  A kernel
 * client that reuses ports quickly (its own side is long closed) hits this
 * as soon as a server under lwipd closes first: nginx under the shim
 * stalled after a few thousand HTTP/1.0 requests.
 *
 * Two fixes, both outside lwIP:
 *  - a new SYN reopens the connection: the LWIP_HOOK_TCP_INPACKET_PCB hook
 *    copies the packet and drops it; after the input batch the TIME-WAIT
 *    pcb is aborted and the copy fed to ip_input() again, where the
 *    listener takes it.  RFC 1122 4.2.2.13 allows this when the SYN's
 *    sequence number is beyond the old connection's; Linux also accepts a
 *    newer timestamp, and when neither holds it answers with an ACK whose
 *    reset (tcp_rfc1337=0, its default) ends TIME-WAIT, so the client's
 *    next SYN a second later gets through.  Without timestamps (lwIP has
 *    none here) the sequence test alone fails half the time: Linux's
 *    initial sequence numbers for a reused port are not ordered (seen:
 *    half the reopening SYNs were "behind").  So any SYN reopens: the
 *    same end as Linux's without the second's stall.  An old duplicate SYN
 *    would only open a SYN-RECEIVED connection that the client resets; no
 *    data of the old connection can be accepted by the new one, which has
 *    its own initial sequence numbers;
 *  - at most TW_MAX connections are kept in TIME-WAIT (the oldest go
 *    first, checked every TW_SWEEP_MS), as Linux's tcp_max_tw_buckets:
 *    memory and lwIP's port search stay bounded under any connection rate.
 */
#include <stdbool.h>
#include <string.h>

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/prot/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

#include "loop.h"
#include "timewait.h"

#define TW_REOPEN_MAX   32              /* SYNs held per input batch */
#define TW_MAX          4096            /* connections kept in TIME-WAIT */
#define TW_SWEEP_MS     250             /* how often TW_MAX is enforced */

struct reopen {
	struct pbuf *pkt;               /* the SYN's IP packet, copied */
	struct netif *netif;            /* where it came in */
	u16_t chksum_flags;             /* the netif's checks for it (link.c) */
	ip_addr_t local, remote;
	u16_t local_port, remote_port;
};

static struct reopen held[TW_REOPEN_MAX];
static int n_held;
static struct timewait_counters counters;
static bool sweeping;                   /* sweep() is armed */

static void sweep(void *arg);

/* copy_packet() - the IP packet being input, rebuilt from lwIP's current
 * IP header, the TCP header @hdr with its options (possibly in two
 * pieces) and the payload @p; NULL if no memory.  Assumes it is called
 * from tcp_input() (ip_current_header() valid, headers contiguous), which
 * has turned the header's ports, sequence numbers and window into host
 * order in place: the copy gets them back in network order, or its
 * checksum would fail.
 */
static struct pbuf *copy_packet(const struct tcp_hdr *hdr, u16_t optlen,
				u16_t opt1len, const u8_t *opt2,
				const struct pbuf *p)
{
	const u8_t *iph = ip_current_is_v6() ? (const u8_t *)ip6_current_header()
					     : (const u8_t *)ip4_current_header();
	u16_t iplen = ip_current_header_tot_len();
	u16_t len = iplen + TCP_HLEN + optlen + p->tot_len;
	struct pbuf *q = pbuf_alloc(PBUF_RAW, len, PBUF_RAM);
	struct tcp_hdr *th;
	u8_t *d;

	if (!q)
		return NULL;
	d = q->payload;
	memcpy(d, iph, iplen);
	memcpy(d + iplen, hdr, TCP_HLEN);
	th = (struct tcp_hdr *)(d + iplen);
	th->src = lwip_htons(hdr->src);
	th->dest = lwip_htons(hdr->dest);
	th->seqno = lwip_htonl(hdr->seqno);
	th->ackno = lwip_htonl(hdr->ackno);
	th->wnd = lwip_htons(hdr->wnd);
	memcpy(d + iplen + TCP_HLEN, (const u8_t *)(hdr + 1), opt1len);
	if (optlen > opt1len)
		memcpy(d + iplen + TCP_HLEN + opt1len, opt2, optlen - opt1len);
	pbuf_copy_partial(p, d + iplen + TCP_HLEN + optlen, p->tot_len, 0);
	return q;
}

/* timewait_inpacket() - LWIP_HOOK_TCP_INPACKET_PCB: hold a SYN that
 * reopens a TIME-WAIT connection (see the file comment); ERR_OK lets lwIP
 * go on as usual, anything else drops the segment.  Must not change lwIP
 * state (lwIP's rule for this hook).
 */
err_t timewait_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen,
			u16_t opt1len, u8_t *opt2, struct pbuf *p)
{
	u16_t flags = TCPH_FLAGS(hdr);
	struct reopen *r;

	if (pcb->state != TIME_WAIT || (flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return ERR_OK;
	if (n_held == TW_REOPEN_MAX)
		return ERR_OK;
	r = &held[n_held];
	r->pkt = copy_packet(hdr, optlen, opt1len, opt2, p);
	if (!r->pkt)
		return ERR_OK;
	r->netif = ip_current_input_netif();
	r->chksum_flags = r->netif->chksum_flags;
	ip_addr_copy(r->local, pcb->local_ip);
	ip_addr_copy(r->remote, pcb->remote_ip);
	r->local_port = pcb->local_port;
	r->remote_port = pcb->remote_port;
	n_held++;
	return ERR_ABRT;
}

/* find_tw() - the TIME-WAIT pcb of a four-tuple, or NULL */
static struct tcp_pcb *find_tw(const struct reopen *r)
{
	for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
		if (pcb->local_port == r->local_port && pcb->remote_port == r->remote_port &&
		    ip_addr_eq(&pcb->local_ip, &r->local) &&
		    ip_addr_eq(&pcb->remote_ip, &r->remote))
			return pcb;
	return NULL;
}

/* netif_exists() - is @n still an interface of lwIP's? */
static int netif_exists(const struct netif *n)
{
	struct netif *i;

	NETIF_FOREACH(i)
		if (i == n)
			return 1;
	return 0;
}

/* reopen_held() - after an input batch: end each held SYN's TIME-WAIT
 * connection and input the SYN again, now for the listener; arm the sweep
 * if connections are waiting
 */
static void reopen_held(void)
{
	for (int i = 0; i < n_held; i++) {
		struct reopen *r = &held[i];
		struct tcp_pcb *tw = find_tw(r);

		if (tw)
			tcp_abort(tw);
		if (netif_exists(r->netif)) {
			u16_t flags = r->netif->chksum_flags;

			/* checked as the original was: a frame whose checksum the
			 * kernel left to us is not checked (link_input_csum()) */
			counters.reopened++;
			NETIF_SET_CHECKSUM_CTRL(r->netif, r->chksum_flags);
			ip_input(r->pkt, r->netif);     /* takes the pbuf */
			NETIF_SET_CHECKSUM_CTRL(r->netif, flags);
		} else {
			pbuf_free(r->pkt);
		}
	}
	n_held = 0;
	if (!sweeping && tcp_tw_pcbs) {
		sweeping = true;
		sys_timeout(TW_SWEEP_MS, sweep, NULL);
	}
}

/* sweep() - keep at most TW_MAX connections in TIME-WAIT: the list is
 * newest first, so everything past the TW_MAX-th goes.  Runs every
 * TW_SWEEP_MS while any connection is in TIME-WAIT (an idle daemon does
 * not wake for it).
 */
static void sweep(void *arg)
{
	struct tcp_pcb *pcb = tcp_tw_pcbs;
	int n = 1;

	(void)arg;
	while (pcb && n < TW_MAX) {
		pcb = pcb->next;
		n++;
	}
	while (pcb && pcb->next) {
		counters.dropped++;
		tcp_abort(pcb->next);   /* unlinks it: pcb->next moves on */
	}
	sweeping = tcp_tw_pcbs != NULL;
	if (sweeping)
		sys_timeout(TW_SWEEP_MS, sweep, NULL);
}

/* timewait_init() - start the sweep and the reopen hook; once, after
 * lwip_init() and loop_init()
 */
void timewait_init(void)
{
	loop_after_input(reopen_held);
}

/* timewait_counters() - what this file did so far */
const struct timewait_counters *timewait_counters(void)
{
	return &counters;
}
