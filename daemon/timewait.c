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
 *    first), as Linux's tcp_max_tw_buckets: memory stays bounded under
 *    any connection rate.
 *
 * And one for speed: lwIP keeps TIME-WAIT pcbs on one list, tcp_tw_pcbs,
 * which tcp_input() walks for every SYN (and every segment no live
 * connection takes) and tcp_pcb_remove() walks to unlink one.  With
 * thousands in TIME-WAIT (a server under the shim closing first at
 * thousands of connections a second) that was over half of lwipd's CPU.
 * So after each input batch the pcbs that entered TIME-WAIT are taken
 * off lwIP's list and parked here, in a hash of their four-tuples and a
 * ring in the order they came (park_all()); the IP input hook puts one
 * back on lwIP's list, at its head, when a SYN or FIN for it arrives
 * (timewait_ipinput()), so lwIP handles those exactly as before; the ring's
 * oldest end ends them after 2 MSL or when the ring is full (expire()).
 * Each step is O(1).  What lwIP no longer sees: a parked connection's
 * local port when it picks an ephemeral port or binds one (bind() to a
 * port held in TIME-WAIT succeeds as with SO_REUSEADDR; a new connection
 * on the same four-tuple ends the parked one when a segment with an ACK
 * comes for that tuple or when the new one enters TIME-WAIT itself).
 */
#include <stdbool.h>
#include <string.h>

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/prot/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"

#include "loop.h"
#include "timewait.h"

#define TW_REOPEN_MAX   32              /* SYNs held per input batch */
#define TW_MAX          4096            /* connections kept in TIME-WAIT */
#define TW_BUCKETS      4096            /* hash buckets (a power of two) */
#define TW_SWEEP_MS     250             /* how often expire() runs */
#define TW_TIME_MS      (2 * TCP_MSL)   /* how long TIME-WAIT lasts */

/* a four-tuple, from a pcb or a packet: local and remote address bytes
 * (IPv4 in the first 4), ports in host order */
struct tw_key {
	u8_t v6;
	u8_t local[16], remote[16];
	u16_t local_port, remote_port;
};

/* a parked TIME-WAIT pcb: a ring slot (in the order they were parked) and
 * a link in its hash bucket's chain */
struct parked {
	struct tcp_pcb *pcb;            /* NULL: taken back (a hole) */
	u32_t since;                    /* sys_now() when parked */
	u32_t hash;
	int next;                       /* next slot in the bucket + 1; 0: none */
};

static struct parked ring[TW_MAX];
static unsigned ring_tail, ring_len;    /* oldest slot; slots in use */
static int bucket[TW_BUCKETS];          /* first slot + 1; 0: empty */

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
static void park_all(void);

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

/* reopen_held() - end each held SYN's TIME-WAIT connection and input
 * the SYN again, now for the listener
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
}

/* after_input() - after an input batch: reopen what held SYNs ask for,
 * then park every pcb now on lwIP's TIME-WAIT list
 */
static void after_input(void)
{
	reopen_held();
	park_all();
}

/* ---- Parking ------------------------------------------------------------ */

/* addr_bytes() - @a's address bytes into @out (16; IPv4 in the first 4);
 * returns 1 for IPv6 */
static u8_t addr_bytes(const ip_addr_t *a, u8_t out[16])
{
	memset(out, 0, 16);
	if (IP_IS_V6(a)) {
		memcpy(out, ip_2_ip6(a)->addr, 16);
		return 1;
	}
	memcpy(out, &ip_2_ip4(a)->addr, 4);
	return 0;
}

/* pcb_key() - @pcb's four-tuple */
static void pcb_key(const struct tcp_pcb *pcb, struct tw_key *k)
{
	memset(k, 0, sizeof(*k));
	k->v6 = addr_bytes(&pcb->local_ip, k->local);
	addr_bytes(&pcb->remote_ip, k->remote);
	k->local_port = pcb->local_port;
	k->remote_port = pcb->remote_port;
}

/* key_hash() - FNV-1a over @k */
static u32_t key_hash(const struct tw_key *k)
{
	const u8_t *b = (const u8_t *)k;
	u32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* unchain() - take slot @i out of its bucket's chain */
static void unchain(int i)
{
	int *link = &bucket[ring[i].hash & (TW_BUCKETS - 1)];

	while (*link && *link - 1 != i)
		link = &ring[*link - 1].next;
	if (*link)
		*link = ring[i].next;
}

/* end_parked() - end the TIME-WAIT pcb of slot @i now: back at the head
 * of lwIP's list, where tcp_abort() unlinks it at once (no reset is sent
 * for TIME-WAIT) */
static void end_parked(int i)
{
	struct tcp_pcb *pcb = ring[i].pcb;

	unchain(i);
	ring[i].pcb = NULL;
	counters.parked--;
	pcb->next = tcp_tw_pcbs;
	tcp_tw_pcbs = pcb;
	tcp_abort(pcb);
}

/* expire() - drop holes and ended connections from the ring's oldest end:
 * those parked 2 MSL ago, and one more when @room is asked for a full ring
 */
static void expire(bool room)
{
	u32_t now = sys_now();

	while (ring_len > 0) {
		int i = (int)ring_tail;

		if (ring[i].pcb) {
			if (room && ring_len == TW_MAX)
				counters.dropped++;
			else if ((u32_t)(now - ring[i].since) < TW_TIME_MS)
				break;
			end_parked(i);
		}
		ring_tail = (ring_tail + 1) % TW_MAX;
		ring_len--;
	}
}

/* find_parked() - the slot of the parked connection with four-tuple @k
 * (hash @h), or -1 */
static int find_parked(const struct tw_key *k, u32_t h)
{
	struct tw_key pk;
	int i;

	for (i = bucket[h & (TW_BUCKETS - 1)] - 1; i >= 0; i = ring[i].next - 1) {
		if (ring[i].hash != h)
			continue;
		pcb_key(ring[i].pcb, &pk);
		if (memcmp(&pk, k, sizeof(*k)) == 0)
			return i;
	}
	return -1;
}

/* park() - take @pcb (just off lwIP's list) into the ring and the hash.
 * An older connection parked with the same four-tuple (lwIP does not see
 * parked ports, so a program binding its port can reuse one) ends now:
 * only the newest may answer that tuple's segments.
 */
static void park(struct tcp_pcb *pcb)
{
	struct tw_key k;
	u32_t h;
	int i, b;

	pcb_key(pcb, &k);
	h = key_hash(&k);
	if ((i = find_parked(&k, h)) >= 0)
		end_parked(i);
	expire(true);
	i = (int)((ring_tail + ring_len) % TW_MAX);
	ring_len++;
	ring[i].pcb = pcb;
	ring[i].since = sys_now();
	ring[i].hash = h;
	counters.parked++;
	b = (int)(ring[i].hash & (TW_BUCKETS - 1));
	ring[i].next = bucket[b];
	bucket[b] = i + 1;
	pcb->next = NULL;
}

/* park_all() - park every pcb on lwIP's TIME-WAIT list; arm the sweep */
static void park_all(void)
{
	while (tcp_tw_pcbs) {
		struct tcp_pcb *pcb = tcp_tw_pcbs;

		tcp_tw_pcbs = pcb->next;
		park(pcb);
	}
	if (!sweeping && ring_len > 0) {
		sweeping = true;
		sys_timeout(TW_SWEEP_MS, sweep, NULL);
	}
}

/* sweep() - expire() every TW_SWEEP_MS while anything is parked (an idle
 * daemon does not wake for it) */
static void sweep(void *arg)
{
	(void)arg;
	expire(false);
	sweeping = ring_len > 0;
	if (sweeping)
		sys_timeout(TW_SWEEP_MS, sweep, NULL);
}

/* packet_key() - the four-tuple of the TCP segment in IP packet @p as we
 * see it (local = its destination); 0 if @p is no unfragmented TCP
 * segment with its header in the first pbuf, or one a TIME-WAIT
 * connection has nothing to do with: only a SYN (reopening) or a FIN
 * (ours was not acked) needs it, so the data and ACKs of live connections,
 * nearly every packet, cost a look at the flags and no hashing.  Without
 * its pcb, anything else gets what lwIP gives a closed port.
 */
static int packet_key(const struct pbuf *p, struct tw_key *k)
{
	const u8_t *h = p->payload;
	u16_t hl;
	int v6;

	if (p->len < 40)
		return 0;
	v6 = (h[0] >> 4) == 6;
	if (v6) {
		hl = 40;
		if (h[6] != IP_PROTO_TCP)
			return 0;
	} else {
		hl = (u16_t)((h[0] & 0x0f) * 4);
		if ((h[0] >> 4) != 4 || hl < 20 || h[9] != IP_PROTO_TCP ||
		    ((h[6] << 8 | h[7]) & 0x3fff))
			return 0;
	}
	if (p->len < hl + TCP_HLEN || !(h[hl + 13] & (TCP_SYN | TCP_FIN)))
		return 0;
	memset(k, 0, sizeof(*k));
	k->v6 = (u8_t)v6;
	memcpy(k->remote, h + (v6 ? 8 : 12), v6 ? 16 : 4);
	memcpy(k->local, h + (v6 ? 24 : 16), v6 ? 16 : 4);
	k->remote_port = (u16_t)(h[hl] << 8 | h[hl + 1]);
	k->local_port = (u16_t)(h[hl + 2] << 8 | h[hl + 3]);
	return h[hl + 13];
}

/* superseded() - does a live connection of lwIP's have four-tuple @k?
 * Then a parked one with that tuple is older and done: lwIP does not see
 * parked ports, so a program that binds its port can open the same tuple
 * again (SO_REUSEADDR) while the old one waits.  Walks lwIP's active
 * list: only for a SYN-ACK or a FIN that matches a parked connection,
 * which is rare (a reopening SYN carries no ACK).
 */
static bool superseded(const struct tw_key *k)
{
	struct tw_key ak;

	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		pcb_key(pcb, &ak);
		if (memcmp(&ak, k, sizeof(ak)) == 0)
			return true;
	}
	return false;
}

/* timewait_ipinput() - LWIP_HOOK_IP4_INPUT and LWIP_HOOK_IP6_INPUT: a TCP
 * segment for a parked connection puts it back at the head of lwIP's
 * TIME-WAIT list before lwIP looks (park_all() takes it again after the
 * batch).  Never eats the packet: returns 0.
 */
int timewait_ipinput(struct pbuf *p, struct netif *inp)
{
	struct tw_key k;
	int i, flags;

	(void)inp;
	if (ring_len == 0 || !(flags = packet_key(p, &k)) ||
	    (i = find_parked(&k, key_hash(&k))) < 0)
		return 0;
	if ((flags & TCP_ACK) && superseded(&k)) {
		end_parked(i);          /* the live one takes the segment */
		return 0;
	}
	unchain(i);
	counters.parked--;
	ring[i].pcb->next = tcp_tw_pcbs;
	tcp_tw_pcbs = ring[i].pcb;
	ring[i].pcb = NULL;
	return 0;
}

/* timewait_init() - start the sweep and the reopen hook; once, after
 * lwip_init() and loop_init()
 */
void timewait_init(void)
{
	for (int i = 0; i < TW_BUCKETS; i++)
		bucket[i] = 0;
	loop_after_input(after_input);
}

/* timewait_counters() - what this file did so far */
const struct timewait_counters *timewait_counters(void)
{
	return &counters;
}
