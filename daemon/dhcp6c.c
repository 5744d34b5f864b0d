/* dhcp6c.c - the DHCPv6 client (RFC 8415): an address lease when router
 * advertisements set M, DNS servers and search domains when they set O
 *
 * lwIP's own dhcp6.c is not built (tools/lwip.mk): this file provides the
 * two functions lwIP calls into it, dhcp6_nd6_ra_trigger() on every router
 * advertisement (with its M and O flags) and dhcp6_tmr() (a no-op: our
 * timers are sys_timeout()s).  One UDP pcb on port 546 serves every
 * interface; replies are matched to an interface by the netif they came in.
 *
 * Per interface the client is in one state:
 *   idle -> (RA with M) soliciting -> requesting -> bound -> renewing (T1)
 *   -> rebinding (T2) -> lease gone at the valid lifetime -> soliciting;
 *   idle -> (RA with O only) informing -> informed (refresh timer);
 *   bound, DAD failed on the address -> declining -> soliciting.
 * Each exchange retransmits as dhcp6_rt_next() says (RFC 8415 section 15).
 *
 * The leased address is added to lwIP tentative (so it goes through DAD)
 * and marked static in lwIP's eyes: lwIP's SLAAC code otherwise takes any
 * non-static address in an advertised prefix for its own and rewrites its
 * lifetimes from the RA.  This file keeps the lease's lifetimes instead:
 * the address is deprecated at the preferred lifetime and removed at the
 * valid lifetime, by the lease timer.
 */
#include <string.h>
#include <time.h>

#include "lwip/dns.h"
#include "lwip/dhcp6.h"
#include "lwip/ip6_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"

#include "dhcp6_rt.h"
#include "dhcp6c.h"
#include "dns.h"
#include "ipfmt.h"
#include "link.h"
#include "log.h"

#define DHCP6C_MAX          8       /* clients: one per interface */
#define DHCP6C_DNS_SLOTS    2       /* lwIP DNS servers we write, from index 0 */
#define DHCP6C_MAX_DECLINED 4       /* addresses we refuse after declining them */
#define DHCP6C_TIMER_MAX_MS 86400000u   /* longest single sys_timeout() */
#define MAX_DELAY_MS        1000    /* SOL_MAX_DELAY, INF_MAX_DELAY */
#define LL_WAIT_MS          250     /* look again for a usable link-local address */
#define IRT_DEFAULT_S       86400   /* information refresh (RFC 8415 7.6) */
#define IRT_MINIMUM_S       600
#define SOL_MAX_RT_MIN_S    60      /* bounds of the SOL_MAX_RT option */
#define SOL_MAX_RT_MAX_S    86400

enum state {
	ST_IDLE, ST_INFORMING, ST_INFORMED, ST_SOLICITING, ST_REQUESTING,
	ST_BOUND, ST_RENEWING, ST_REBINDING, ST_DECLINING,
};

static const char *const state_names[] = {
	[ST_IDLE] = "idle", [ST_INFORMING] = "informing",
	[ST_INFORMED] = "informed", [ST_SOLICITING] = "soliciting",
	[ST_REQUESTING] = "requesting", [ST_BOUND] = "bound",
	[ST_RENEWING] = "renewing", [ST_REBINDING] = "rebinding",
	[ST_DECLINING] = "declining",
};

struct lease {
	bool active;
	bool owned;                     /* we added the address to lwIP */
	bool deprecated;
	struct in6_addr addr;
	uint64_t start;                 /* ms, when the Reply came */
	uint32_t t1, t2, pref, valid;   /* seconds from start */
	uint8_t server[DHCP6_DUID_MAX];
	size_t server_len;
};

struct dhcp6c {
	bool in_use;
	struct netif *nif;
	enum state state;
	uint8_t duid[DHCP6_DUID_LL_LEN];
	uint32_t iaid;
	/* the exchange in progress */
	uint32_t xid;
	uint64_t ex_start;              /* ms, first transmission */
	uint32_t rt;                    /* ms, current retransmission timeout */
	unsigned sent;
	struct dhcp6_rt_params rtp;
	/* Solicit: the best Advertise so far; Request: the chosen server */
	bool have_offer;
	uint8_t offer_pref;
	struct in6_addr offer_addr;
	uint8_t server[DHCP6_DUID_MAX];
	size_t server_len;
	uint32_t sol_max_rt;            /* s, from the SOL_MAX_RT option */
	struct lease lease;
	struct in6_addr declined[DHCP6C_MAX_DECLINED];
	int n_declined;
	/* what we wrote into lwIP's DNS servers */
	int n_dns;
	ip_addr_t dns[DHCP6C_DNS_SLOTS];
	bool set_search;
};

static struct dhcp6c clients[DHCP6C_MAX];
static struct udp_pcb *pcb;
static netif_ext_callback_t ext_cb;
static bool ext_cb_added;

static void on_rt(void *arg);
static void on_lease(void *arg);
static void check_addr(void *arg);
static void begin(struct dhcp6c *c, enum state st);

/* now_ms() - a monotonic clock in milliseconds, 64 bits (no wrap) */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* name() - the interface's name for logs */
static const char *name(const struct dhcp6c *c)
{
	return link_netif_name(c->nif);
}

/* find() - the client of @nif, or NULL */
static struct dhcp6c *find(const struct netif *nif)
{
	for (int i = 0; i < DHCP6C_MAX; i++)
		if (clients[i].in_use && clients[i].nif == nif)
			return &clients[i];
	return NULL;
}

/* to_ip6() - struct in6_addr to lwIP's type, zoned to the client's link */
static ip6_addr_t to_ip6(const struct dhcp6c *c, const struct in6_addr *a)
{
	ip6_addr_t ip;

	memset(&ip, 0, sizeof(ip));
	memcpy(ip.addr, a, 16);
	ip6_addr_assign_zone(&ip, IP6_UNICAST, c->nif);
	return ip;
}

/* addr_str() - @a as text */
static const char *addr_str(const struct in6_addr *a, char buf[IPFMT_LEN])
{
	return inet_ntop(AF_INET6, a, buf, IPFMT_LEN);
}

/* life_str() - "forever" or "Ns" */
static const char *life_str(uint32_t secs, char buf[16])
{
	if (secs == DHCP6_LIFE_INFINITE)
		return "forever";
	snprintf(buf, 16, "%us", (unsigned)secs);
	return buf;
}

/* ---- sending ------------------------------------------------------------ */

/* transmit() - send the message of the current exchange to
 * All_DHCP_Relay_Agents_and_Servers (ff02::1:2) from our link-local address
 */
static void transmit(struct dhcp6c *c)
{
	uint8_t buf[DHCP6_MSG_MAX];
	struct dhcp6_out o = {
		.xid = c->xid, .client_id = c->duid, .client_id_len = sizeof(c->duid),
		.iaid = c->iaid,
	};
	uint64_t el = c->sent ? (now_ms() - c->ex_start) / 10 : 0;
	struct pbuf *p;
	ip_addr_t dst;
	size_t len;
	err_t err;

	o.elapsed = el > 0xffff ? 0xffff : (uint16_t)el;
	switch (c->state) {
	case ST_INFORMING:
		o.type = DHCP6_INFO_REQUEST;
		o.want_refresh = true;
		break;
	case ST_SOLICITING:
		o.type = DHCP6_SOLICIT;
		o.ia_na = true;
		break;
	case ST_REQUESTING:
		o.type = DHCP6_REQUEST;
		o.ia_na = o.have_addr = true;
		o.addr = c->offer_addr;
		o.server_id = c->server;
		o.server_id_len = c->server_len;
		break;
	case ST_RENEWING:
	case ST_REBINDING:
	case ST_DECLINING:
		o.type = c->state == ST_RENEWING ? DHCP6_RENEW :
			 c->state == ST_REBINDING ? DHCP6_REBIND : DHCP6_DECLINE;
		o.ia_na = o.have_addr = true;
		o.addr = c->lease.addr;
		if (c->state != ST_REBINDING) {
			o.server_id = c->lease.server;
			o.server_id_len = c->lease.server_len;
		}
		break;
	default:
		return;
	}
	len = dhcp6_build(&o, buf, sizeof(buf));
	p = len ? pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM) : NULL;
	if (!p) {
		log_warn("%s: DHCPv6 %s not sent: out of memory", name(c), dhcp6_type_name(o.type));
		return;
	}
	memcpy(p->payload, buf, len);
	IP_ADDR6(&dst, PP_HTONL(0xff020000u), 0, 0, PP_HTONL(0x00010002u));
	ip6_addr_assign_zone(ip_2_ip6(&dst), IP6_MULTICAST, c->nif);
	err = udp_sendto_if(pcb, p, &dst, DHCP6_SERVER_PORT, c->nif);
	pbuf_free(p);
	if (err != ERR_OK)
		log_debug("%s: DHCPv6 %s not sent (lwIP error %d; no usable link-local "
			  "address yet?)", name(c), dhcp6_type_name(o.type), err);
	else
		log_debug("%s: DHCPv6 %s sent (xid %06x)", name(c), dhcp6_type_name(o.type),
			  (unsigned)c->xid);
}

/* send_release() - one Release for the lease (at exit nobody waits for the
 * Reply, as dhcp_release_and_stop() does for DHCPv4)
 */
static void send_release(struct dhcp6c *c)
{
	uint8_t buf[DHCP6_MSG_MAX];
	struct dhcp6_out o = {
		.type = DHCP6_RELEASE, .xid = LWIP_RAND() & 0xffffff,
		.client_id = c->duid, .client_id_len = sizeof(c->duid),
		.server_id = c->lease.server, .server_id_len = c->lease.server_len,
		.ia_na = true, .iaid = c->iaid, .have_addr = true, .addr = c->lease.addr,
	};
	size_t len = dhcp6_build(&o, buf, sizeof(buf));
	struct pbuf *p = len ? pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM) : NULL;
	ip_addr_t dst;

	if (!p)
		return;
	memcpy(p->payload, buf, len);
	IP_ADDR6(&dst, PP_HTONL(0xff020000u), 0, 0, PP_HTONL(0x00010002u));
	ip6_addr_assign_zone(ip_2_ip6(&dst), IP6_MULTICAST, c->nif);
	udp_sendto_if(pcb, p, &dst, DHCP6_SERVER_PORT, c->nif);
	pbuf_free(p);
}

/* ---- what a lease changes in lwIP ------------------------------------------ */

/* set_dns() - write the servers of @m into lwIP's DNS array from index 0
 * (dns.c notices and keeps them) and the search list into the DNS store
 */
static void set_dns(struct dhcp6c *c, const struct dhcp6_msg *m)
{
	c->n_dns = 0;
	for (int k = 0; k < m->n_dns && c->n_dns < DHCP6C_DNS_SLOTS; k++) {
		ip_addr_t *d = &c->dns[c->n_dns];

		IP_ADDR6(d, 0, 0, 0, 0);
		memcpy(ip_2_ip6(d)->addr, &m->dns[k], 16);
		ip6_addr_assign_zone(ip_2_ip6(d), IP6_UNKNOWN, c->nif);
		dns_setserver((u8_t)c->n_dns, d);
		c->n_dns++;
	}
	if (m->domains[0]) {
		dns_store_set_search(m->domains);
		c->set_search = true;
	}
	dns_store_sync();       /* before another source overwrites slot 0 */
}

/* clear_dns() - take back what set_dns() wrote, where it is still ours */
static void clear_dns(struct dhcp6c *c)
{
	for (int k = 0; k < c->n_dns; k++)
		if (ip_addr_eq(dns_getserver((u8_t)k), &c->dns[k]))
			dns_setserver((u8_t)k, NULL);
	c->n_dns = 0;
	if (c->set_search)
		dns_store_set_search("");
	c->set_search = false;
}

/* lease_idx() - the lwIP slot holding the leased address, or -1 */
static s8_t lease_idx(const struct dhcp6c *c)
{
	ip6_addr_t ip = to_ip6(c, &c->lease.addr);

	return netif_get_ip6_addr_match(c->nif, &ip);
}

/* add_address() - put the leased address on the netif, tentative: lwIP runs
 * DAD on it.  One already there (given with -A, or SLAAC's) stays theirs.
 */
static void add_address(struct dhcp6c *c)
{
	ip6_addr_t ip = to_ip6(c, &c->lease.addr);
	char s[IPFMT_LEN];
	s8_t idx;

	c->lease.owned = false;
	if (netif_get_ip6_addr_match(c->nif, &ip) >= 0)
		return;
	if (netif_add_ip6_address(c->nif, &ip, &idx) != ERR_OK) {
		log_warn("%s: DHCPv6: no room for %s (lwIP holds %d IPv6 addresses); "
			 "remove an -A address to make room", name(c),
			 addr_str(&c->lease.addr, s), LWIP_IPV6_NUM_ADDRESSES);
		return;
	}
	netif_ip6_addr_set_valid_life(c->nif, idx, IP6_ADDR_LIFE_STATIC);
	netif_ip6_addr_set_pref_life(c->nif, idx, IP6_ADDR_LIFE_STATIC);
	c->lease.owned = true;
}

/* drop_lease() - remove the leased address (if we added it) and the DNS
 * servers, and forget the lease
 */
static void drop_lease(struct dhcp6c *c)
{
	s8_t idx = lease_idx(c);

	if (c->lease.active && c->lease.owned && idx >= 0)
		netif_ip6_addr_set_state(c->nif, idx, IP6_ADDR_INVALID);
	sys_untimeout(on_lease, c);
	sys_untimeout(check_addr, c);   /* (the state change above queued one) */
	clear_dns(c);
	memset(&c->lease, 0, sizeof(c->lease));
}

/* ---- the lease timer: T1, T2, preferred and valid lifetimes ---------------- */

/* at_ms() - ms after the lease start at which @secs have passed; UINT64_MAX
 * for an infinite time
 */
static uint64_t at_ms(const struct lease *l, uint32_t secs)
{
	return secs == DHCP6_LIFE_INFINITE ? UINT64_MAX : l->start + (uint64_t)secs * 1000u;
}

/* schedule_lease() - arm the lease timer for the next of T1, T2 (when they
 * still matter in this state), the preferred and the valid lifetime
 */
static void schedule_lease(struct dhcp6c *c)
{
	const struct lease *l = &c->lease;
	uint64_t now = now_ms(), next = at_ms(l, l->valid);

	sys_untimeout(on_lease, c);
	if (c->state == ST_BOUND && at_ms(l, l->t1) < next)
		next = at_ms(l, l->t1);
	if ((c->state == ST_BOUND || c->state == ST_RENEWING) && at_ms(l, l->t2) < next)
		next = at_ms(l, l->t2);
	if (!l->deprecated && at_ms(l, l->pref) < next)
		next = at_ms(l, l->pref);
	if (next == UINT64_MAX)
		return;
	next = next > now ? next - now : 0;
	sys_timeout(next > DHCP6C_TIMER_MAX_MS ? DHCP6C_TIMER_MAX_MS : (u32_t)next, on_lease, c);
}

/* deprecate() - the preferred lifetime ended: no new connections from it */
static void deprecate(struct dhcp6c *c)
{
	s8_t idx = lease_idx(c);
	char s[IPFMT_LEN];

	c->lease.deprecated = true;
	if (c->lease.owned && idx >= 0 &&
	    ip6_addr_ispreferred(netif_ip6_addr_state(c->nif, idx)))
		netif_ip6_addr_set_state(c->nif, idx, IP6_ADDR_DEPRECATED);
	log_info("%s: DHCPv6: %s deprecated (preferred lifetime over)", name(c),
		 addr_str(&c->lease.addr, s));
}

/* on_lease() - a lease time came: act on everything that is due */
static void on_lease(void *arg)
{
	struct dhcp6c *c = arg;
	struct lease *l = &c->lease;
	uint64_t now = now_ms();
	char s[IPFMT_LEN];

	if (!l->active)
		return;
	if (now >= at_ms(l, l->valid)) {
		log_info("%s: DHCPv6: lease of %s expired; soliciting again", name(c),
			 addr_str(&l->addr, s));
		drop_lease(c);
		begin(c, ST_SOLICITING);
		return;
	}
	if (!l->deprecated && now >= at_ms(l, l->pref))
		deprecate(c);
	if ((c->state == ST_BOUND || c->state == ST_RENEWING) && now >= at_ms(l, l->t2))
		begin(c, ST_REBINDING);
	else if (c->state == ST_BOUND && now >= at_ms(l, l->t1))
		begin(c, ST_RENEWING);
	schedule_lease(c);
}

/* ---- exchanges ---------------------------------------------------------- */

/* params() - RFC 8415 7.6 transmission parameters of @st, in ms */
static struct dhcp6_rt_params params(const struct dhcp6c *c, enum state st)
{
	struct dhcp6_rt_params p = { 0 };
	uint64_t now = now_ms(), end;

	switch (st) {
	case ST_SOLICITING:
		p.irt = 1000;
		p.mrt = (c->sol_max_rt ? c->sol_max_rt : 3600) * 1000u;
		p.first_positive = true;
		break;
	case ST_REQUESTING:
		p.irt = 1000, p.mrt = 30000, p.mrc = 10;
		break;
	case ST_RENEWING:       /* until T2 */
	case ST_REBINDING:      /* until the valid lifetime ends */
		p.irt = 10000, p.mrt = 600000;
		end = at_ms(&c->lease, st == ST_RENEWING ? c->lease.t2 : c->lease.valid);
		if (end != UINT64_MAX)
			p.mrd = end > now ? (uint32_t)(end - now > UINT32_MAX ? UINT32_MAX : end - now) : 1;
		break;
	case ST_DECLINING:
		p.irt = 1000, p.mrc = 4;
		break;
	case ST_INFORMING:
		p.irt = 1000, p.mrt = 3600000;
		break;
	default:
		break;
	}
	return p;
}

/* begin() - start a new exchange in state @st: fresh transaction id; the
 * first Solicit and Information-request wait a random 0..1 s, as RFC 8415
 * asks of messages that many hosts may send at once
 */
static void begin(struct dhcp6c *c, enum state st)
{
	u32_t delay = 0;

	sys_untimeout(on_rt, c);
	c->state = st;
	c->xid = LWIP_RAND() & 0xffffff;
	c->sent = 0;
	c->rt = 0;
	c->rtp = params(c, st);
	if (st == ST_SOLICITING) {
		c->have_offer = false;
		c->server_len = 0;
	}
	if (st == ST_SOLICITING || st == ST_INFORMING)
		delay = LWIP_RAND() % MAX_DELAY_MS;
	sys_timeout(delay, on_rt, c);
}

/* begin_request() - ask the chosen server for its offered address */
static void begin_request(struct dhcp6c *c)
{
	begin(c, ST_REQUESTING);
}

/* decline_done() - the Decline was answered (or never was): forget the
 * address and look for another
 */
static void decline_done(struct dhcp6c *c)
{
	drop_lease(c);
	begin(c, ST_SOLICITING);
}

/* exchange_over() - the exchange ran out of transmissions or time */
static void exchange_over(struct dhcp6c *c)
{
	switch (c->state) {
	case ST_REQUESTING:
		log_info("%s: DHCPv6: no Reply to Request; soliciting again", name(c));
		begin(c, ST_SOLICITING);
		break;
	case ST_DECLINING:
		decline_done(c);
		break;
	default:
		/* Renew until T2, Rebind until the lease ends: the lease timer
		 * moves on from there */
		break;
	}
}

/* on_rt() - the retransmission timer: (re)send, or give up */
static void on_rt(void *arg)
{
	struct dhcp6c *c = arg;
	uint64_t now = now_ms();
	uint32_t rt;

	if (c->state == ST_INFORMED) {          /* information refresh time */
		begin(c, ST_INFORMING);
		return;
	}
	if (c->state == ST_SOLICITING && c->sent > 0 && c->have_offer) {
		begin_request(c);               /* first RT over: take the best */
		return;
	}
	if (!ip6_addr_isvalid(netif_ip6_addr_state(c->nif, 0))) {
		sys_timeout(LL_WAIT_MS, on_rt, c);      /* link-local in DAD */
		return;
	}
	rt = dhcp6_rt_next(&c->rtp, c->rt, c->sent, c->sent ? now - c->ex_start : 0,
			   dhcp6_rt_rand(LWIP_RAND()));
	if (!rt) {
		exchange_over(c);
		return;
	}
	if (c->sent == 0)
		c->ex_start = now;
	transmit(c);
	c->sent++;
	c->rt = rt;
	sys_timeout(rt, on_rt, c);
}

/* ---- receiving ---------------------------------------------------------- */

/* was_declined() - did we decline @a already? */
static bool was_declined(const struct dhcp6c *c, const struct in6_addr *a)
{
	for (int i = 0; i < c->n_declined; i++)
		if (!memcmp(&c->declined[i], a, 16))
			return true;
	return false;
}

/* usable() - may @a be our address: valid, a global or ULA unicast, not
 * declined before?
 */
static bool usable(const struct dhcp6c *c, const struct dhcp6_iaaddr *a)
{
	if (a->valid == 0 || a->pref > a->valid)
		return false;
	if (a->status.present && a->status.code != DHCP6_SUCCESS)
		return false;
	if (IN6_IS_ADDR_UNSPECIFIED(&a->addr) || IN6_IS_ADDR_LOOPBACK(&a->addr) ||
	    IN6_IS_ADDR_MULTICAST(&a->addr) || IN6_IS_ADDR_LINKLOCAL(&a->addr) ||
	    IN6_IS_ADDR_V4MAPPED(&a->addr))
		return false;
	return !was_declined(c, &a->addr);
}

/* pick_addr() - the address of @ia to use: the one we hold if it is
 * offered again, else the first usable one; NULL if none
 */
static const struct dhcp6_iaaddr *pick_addr(const struct dhcp6c *c,
					     const struct dhcp6_ia_na *ia)
{
	const struct dhcp6_iaaddr *first = NULL;

	for (int i = 0; i < ia->n_addrs; i++) {
		if (!usable(c, &ia->addrs[i]))
			continue;
		if (c->lease.active && !memcmp(&ia->addrs[i].addr, &c->lease.addr, 16))
			return &ia->addrs[i];
		if (!first)
			first = &ia->addrs[i];
	}
	return first;
}

/* on_advertise() - a server offers: keep the most preferred offer; take it
 * at once if its preference is 255 or the first RT is over
 */
static void on_advertise(struct dhcp6c *c, const struct dhcp6_msg *m)
{
	const struct dhcp6_ia_na *ia = dhcp6_find_ia(m, c->iaid);
	const struct dhcp6_iaaddr *a;
	uint8_t pref = m->have_pref ? m->pref : 0;

	if (c->state != ST_SOLICITING)
		return;
	if (m->sol_max_rt >= SOL_MAX_RT_MIN_S && m->sol_max_rt <= SOL_MAX_RT_MAX_S)
		c->sol_max_rt = m->sol_max_rt;
	if ((m->status.present && m->status.code != DHCP6_SUCCESS) || !ia ||
	    (ia->status.present && ia->status.code != DHCP6_SUCCESS) ||
	    !(a = pick_addr(c, ia))) {
		log_debug("%s: DHCPv6 Advertise without a usable address (%s)", name(c),
			  m->status.present ? dhcp6_status_name(m->status.code) :
			  ia && ia->status.present ? dhcp6_status_name(ia->status.code) :
			  "no IA_NA for us");
		return;
	}
	if (!c->have_offer || pref > c->offer_pref) {
		c->have_offer = true;
		c->offer_pref = pref;
		c->offer_addr = a->addr;
		memcpy(c->server, m->server_id, m->server_id_len);
		c->server_len = m->server_id_len;
	}
	if (pref == 255 || c->sent > 1)
		begin_request(c);
}

/* lease_times() - T1 and T2 of @ia for address @a; when the server leaves
 * them to us (0), half and 0.8 of the preferred lifetime (RFC 8415 21.4)
 */
static void lease_times(const struct dhcp6_ia_na *ia, const struct dhcp6_iaaddr *a,
			uint32_t *t1, uint32_t *t2)
{
	uint32_t base = a->pref ? a->pref : a->valid;

	*t1 = ia->t1;
	*t2 = ia->t2;
	if (*t1 == 0)
		*t1 = base == DHCP6_LIFE_INFINITE ? base : base / 2;
	if (*t2 == 0)
		*t2 = base == DHCP6_LIFE_INFINITE ? base : (uint32_t)((uint64_t)base * 4 / 5);
	if (*t1 > *t2)
		*t1 = *t2;
}

/* take_lease() - take address @a of @ia from the Reply @m: a new address goes
 * onto the netif (DAD), a renewed one gets its new lifetimes
 */
static void take_lease(struct dhcp6c *c, const struct dhcp6_msg *m,
		       const struct dhcp6_ia_na *ia, const struct dhcp6_iaaddr *a)
{
	struct lease *l = &c->lease;
	bool same = l->active && !memcmp(&l->addr, &a->addr, 16);
	char s[IPFMT_LEN], d[3 * DHCP6_DUID_MAX + 4], p[16], v[16];
	s8_t idx;

	if (l->active && !same)
		drop_lease(c);
	l->active = true;
	l->addr = a->addr;
	l->start = now_ms();
	l->pref = a->pref;
	l->valid = a->valid;
	lease_times(ia, a, &l->t1, &l->t2);
	memcpy(l->server, m->server_id, m->server_id_len);
	l->server_len = m->server_id_len;
	if (!same)
		add_address(c);
	idx = lease_idx(c);
	if (same && l->deprecated && l->pref > 0 && l->owned && idx >= 0 &&
	    ip6_addr_isdeprecated(netif_ip6_addr_state(c->nif, idx)))
		netif_ip6_addr_set_state(c->nif, idx, IP6_ADDR_PREFERRED);
	l->deprecated = false;
	set_dns(c, m);
	sys_untimeout(on_rt, c);
	c->state = ST_BOUND;
	dhcp6_duid_str(m->server_id, m->server_id_len, d, sizeof(d));
	log_info("%s: DHCPv6: %s %s from %s (preferred %s, valid %s)", name(c),
		 same ? "renewed" : "leased", addr_str(&a->addr, s), d,
		 life_str(a->pref, p), life_str(a->valid, v));
	schedule_lease(c);
}

/* withdrawn() - does @ia give our leased address a valid lifetime of 0
 * (the server takes it back)?
 */
static bool withdrawn(const struct dhcp6c *c, const struct dhcp6_ia_na *ia)
{
	for (int i = 0; c->lease.active && i < ia->n_addrs; i++)
		if (!memcmp(&ia->addrs[i].addr, &c->lease.addr, 16) && ia->addrs[i].valid == 0)
			return true;
	return false;
}

/* on_reply_lease() - a Reply to Request, Renew or Rebind */
static void on_reply_lease(struct dhcp6c *c, const struct dhcp6_msg *m)
{
	const struct dhcp6_ia_na *ia = dhcp6_find_ia(m, c->iaid);
	const struct dhcp6_iaaddr *a;
	char s[IPFMT_LEN];
	uint16_t st = m->status.present ? m->status.code : DHCP6_SUCCESS;

	if (st == DHCP6_SUCCESS && ia && ia->status.present)
		st = ia->status.code;
	if (st == DHCP6_NOT_ON_LINK || (st == DHCP6_NO_ADDRS_AVAIL && c->state == ST_REQUESTING)) {
		log_info("%s: DHCPv6: server answered %s; soliciting again", name(c),
			 dhcp6_status_name(st));
		drop_lease(c);
		begin(c, ST_SOLICITING);
		return;
	}
	if (st == DHCP6_NO_BINDING && c->lease.active &&
	    (c->state == ST_RENEWING || c->state == ST_REBINDING)) {
		c->offer_addr = c->lease.addr;  /* ask again for what we hold */
		memcpy(c->server, m->server_id, m->server_id_len);
		c->server_len = m->server_id_len;
		begin_request(c);
		return;
	}
	if (st != DHCP6_SUCCESS || !ia || (ia->t2 && ia->t1 > ia->t2)) {
		log_debug("%s: DHCPv6 Reply ignored (%s)", name(c),
			  !ia ? "no IA_NA for us" : st != DHCP6_SUCCESS ?
			  dhcp6_status_name(st) : "T1 > T2");
		return;
	}
	if (withdrawn(c, ia)) {
		log_info("%s: DHCPv6: server withdrew %s (valid lifetime 0)", name(c),
			 addr_str(&c->lease.addr, s));
		drop_lease(c);
	}
	a = pick_addr(c, ia);
	if (a) {
		take_lease(c, m, ia, a);
	} else if (c->state != ST_REQUESTING && !c->lease.active) {
		begin(c, ST_SOLICITING);
	} else {
		log_debug("%s: DHCPv6 Reply without a usable address", name(c));
	}
}

/* on_reply_info() - a Reply to Information-request: DNS, then sleep until
 * the information refresh time
 */
static void on_reply_info(struct dhcp6c *c, const struct dhcp6_msg *m)
{
	uint32_t refresh = m->info_refresh ? m->info_refresh : IRT_DEFAULT_S;
	uint64_t ms;

	if (refresh < IRT_MINIMUM_S)
		refresh = IRT_MINIMUM_S;
	set_dns(c, m);
	sys_untimeout(on_rt, c);
	c->state = ST_INFORMED;
	log_debug("%s: DHCPv6 information: %d DNS servers, refresh in %u s", name(c),
		  m->n_dns, (unsigned)refresh);
	if (refresh == DHCP6_LIFE_INFINITE)
		return;
	ms = (uint64_t)refresh * 1000u;
	sys_timeout(ms > DHCP6C_TIMER_MAX_MS ? DHCP6C_TIMER_MAX_MS : (u32_t)ms, on_rt, c);
}

/* accept_msg() - is @m an answer to our exchange in progress: right type,
 * transaction id, our Client Identifier, a Server Identifier, and the
 * chosen server where one was chosen?
 */
static bool accept_msg(const struct dhcp6c *c, const struct dhcp6_msg *m)
{
	const uint8_t *srv = NULL;
	size_t srv_len = 0;

	if (m->type != DHCP6_ADVERTISE && m->type != DHCP6_REPLY)
		return false;
	if (m->xid != c->xid || c->sent == 0)
		return false;
	if (m->client_id_len != sizeof(c->duid) || memcmp(m->client_id, c->duid, sizeof(c->duid)))
		return false;
	if (!m->server_id_len)
		return false;
	if (m->type == DHCP6_ADVERTISE)
		return c->state == ST_SOLICITING;
	if (c->state == ST_REQUESTING)
		srv = c->server, srv_len = c->server_len;
	else if (c->state == ST_RENEWING || c->state == ST_DECLINING)
		srv = c->lease.server, srv_len = c->lease.server_len;
	else if (c->state != ST_REBINDING && c->state != ST_INFORMING)
		return false;
	return !srv || (m->server_id_len == srv_len && !memcmp(m->server_id, srv, srv_len));
}

/* on_recv() - lwIP's receive callback for port 546 */
static void on_recv(void *arg, struct udp_pcb *upcb, struct pbuf *p,
		    const ip_addr_t *addr, u16_t port)
{
	struct dhcp6c *c = find(ip_current_input_netif());
	uint8_t buf[DHCP6_MSG_MAX];
	struct dhcp6_msg m;
	const char *why;
	char s[IPFMT_LEN];

	(void)arg;
	(void)upcb;
	if (!c || port != DHCP6_SERVER_PORT || p->tot_len > sizeof(buf)) {
		pbuf_free(p);
		return;
	}
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	if (dhcp6_parse(buf, p->tot_len, &m, &why)) {
		log_debug("%s: DHCPv6 message from %s ignored: %s", name(c), ipfmt(addr, s), why);
		pbuf_free(p);
		return;
	}
	pbuf_free(p);
	if (!accept_msg(c, &m)) {
		log_debug("%s: DHCPv6 %s from %s not for us (xid %06x)", name(c),
			  dhcp6_type_name(m.type), ipfmt(addr, s), (unsigned)m.xid);
		return;
	}
	if (m.type == DHCP6_ADVERTISE)
		on_advertise(c, &m);
	else if (c->state == ST_INFORMING)
		on_reply_info(c, &m);
	else if (c->state == ST_DECLINING)
		decline_done(c);
	else
		on_reply_lease(c, &m);
}

/* ---- DAD on the leased address --------------------------------------------- */

/* check_addr() - after a state change of the leased address: decline it if
 * DAD failed; keep it deprecated if its preferred lifetime is over
 */
static void check_addr(void *arg)
{
	struct dhcp6c *c = arg;
	s8_t idx = lease_idx(c);
	char s[IPFMT_LEN];
	u8_t st;

	if (!c->lease.active || !c->lease.owned || idx < 0)
		return;
	st = netif_ip6_addr_state(c->nif, idx);
	if (ip6_addr_isduplicated(st) && c->state != ST_DECLINING) {
		log_warn("%s: DHCPv6: %s is in use by another host (DAD failed); "
			 "declining it", name(c), addr_str(&c->lease.addr, s));
		if (c->n_declined == DHCP6C_MAX_DECLINED)
			memmove(c->declined, c->declined + 1, sizeof(c->declined[0]) * --c->n_declined);
		c->declined[c->n_declined++] = c->lease.addr;
		sys_untimeout(on_lease, c);
		begin(c, ST_DECLINING);
	} else if (ip6_addr_ispreferred(st) && c->lease.deprecated) {
		netif_ip6_addr_set_state(c->nif, idx, IP6_ADDR_DEPRECATED);
	}
}

/* on_netif() - lwIP's extended status callback: a leased address changed
 * state; look at it from a timer, outside lwIP's own state change
 */
static void on_netif(struct netif *nif, netif_nsc_reason_t reason,
		     const netif_ext_callback_args_t *args)
{
	struct dhcp6c *c = find(nif);
	s8_t idx;

	if (!c || !(reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) || !c->lease.active)
		return;
	idx = args->ipv6_addr_state_changed.addr_index;
	if (idx != lease_idx(c))
		return;
	sys_untimeout(check_addr, c);
	sys_timeout(0, check_addr, c);
}

/* ---- lwIP's entry points and ours ------------------------------------------ */

/* dhcp6_nd6_ra_trigger() - called by lwIP's nd6.c on every router
 * advertisement with its M (managed) and O (other config) flags: M starts
 * soliciting an address (from idle or stateless), O alone asks for DNS
 */
void dhcp6_nd6_ra_trigger(struct netif *netif, u8_t managed, u8_t other)
{
	struct dhcp6c *c = find(netif);

	if (!c)
		return;
	if (managed && (c->state == ST_IDLE || c->state == ST_INFORMING ||
			c->state == ST_INFORMED)) {
		log_info("%s: router advertisement asks for DHCPv6 (M flag): soliciting",
			 name(c));
		begin(c, ST_SOLICITING);
	} else if (!managed && other && c->state == ST_IDLE) {
		begin(c, ST_INFORMING);
	}
}

/* dhcp6_tmr() - lwIP's periodic DHCPv6 timer; ours are sys_timeout()s */
void dhcp6_tmr(void)
{
}

/* open_pcb() - the UDP pcb on [::]:546 all clients share */
static int open_pcb(void)
{
	if (pcb)
		return 0;
	pcb = udp_new_ip6();
	if (!pcb)
		return -1;
	if (udp_bind(pcb, IP6_ADDR_ANY, DHCP6_CLIENT_PORT) != ERR_OK) {
		udp_remove(pcb);
		pcb = NULL;
		return -1;
	}
	udp_recv(pcb, on_recv, NULL);
	return 0;
}

/* dhcp6c_start() - run a DHCPv6 client on @nif (a TAP link); it waits for
 * a router advertisement asking for DHCPv6.  No-op if one runs already.
 */
void dhcp6c_start(struct netif *nif)
{
	struct dhcp6c *c = find(nif);
	const uint8_t *mac = nif->hwaddr;

	if (c)
		return;
	for (int i = 0; i < DHCP6C_MAX && !c; i++)
		if (!clients[i].in_use)
			c = &clients[i];
	if (!c || open_pcb()) {
		log_warn("%s: DHCPv6 client not started (%s)", link_netif_name(nif),
			 c ? "UDP port 546 unavailable" : "too many interfaces");
		return;
	}
	if (!ext_cb_added) {
		netif_add_ext_callback(&ext_cb, on_netif);
		ext_cb_added = true;
	}
	memset(c, 0, sizeof(*c));
	c->in_use = true;
	c->nif = nif;
	c->state = ST_IDLE;
	dhcp6_duid_ll(mac, c->duid);
	c->iaid = (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5];
}

/* dhcp6c_stop() - release the lease (one Release, not waited for), remove
 * the address and DNS servers, stop the client of @nif.  Call while the
 * link is still up.
 */
void dhcp6c_stop(struct netif *nif)
{
	struct dhcp6c *c = find(nif);
	char s[IPFMT_LEN];
	bool any = false;

	if (!c)
		return;
	sys_untimeout(on_rt, c);
	if (c->lease.active && c->state != ST_DECLINING) {
		send_release(c);
		log_info("%s: DHCPv6: %s released", name(c), addr_str(&c->lease.addr, s));
	}
	drop_lease(c);
	clear_dns(c);
	c->in_use = false;
	for (int i = 0; i < DHCP6C_MAX; i++)
		any |= clients[i].in_use;
	if (!any && pcb) {
		udp_remove(pcb);
		pcb = NULL;
	}
}

/* remaining() - seconds left of @secs from the lease start */
static uint32_t remaining(const struct lease *l, uint32_t secs)
{
	uint64_t at = at_ms(l, secs), now = now_ms();

	if (at == UINT64_MAX)
		return DHCP6_LIFE_INFINITE;
	return at > now ? (uint32_t)((at - now + 999) / 1000) : 0;
}

/* dhcp6c_get_info() - the state of @nif's client for the filesystem;
 * -1 if it has none
 */
int dhcp6c_get_info(struct netif *nif, struct dhcp6c_info *out)
{
	struct dhcp6c *c = find(nif);
	const struct lease *l;

	memset(out, 0, sizeof(*out));
	if (!c)
		return -1;
	l = &c->lease;
	out->state = state_names[c->state];
	out->leased = l->active;
	if (!l->active)
		return 0;
	out->addr = l->addr;
	dhcp6_duid_str(l->server, l->server_len, out->server, sizeof(out->server));
	out->t1 = remaining(l, l->t1);
	out->t2 = remaining(l, l->t2);
	out->pref = remaining(l, l->pref);
	out->valid = remaining(l, l->valid);
	return 0;
}

/* dhcp6c_addr_lifetimes() - if @a is @nif's leased address, its remaining
 * valid and preferred lifetimes (lwIP holds it as static)
 */
bool dhcp6c_addr_lifetimes(struct netif *nif, const ip6_addr_t *a,
			   uint32_t *valid, uint32_t *pref)
{
	struct dhcp6c *c = find(nif);

	if (!c || !c->lease.active || !c->lease.owned || memcmp(a->addr, &c->lease.addr, 16))
		return false;
	*valid = remaining(&c->lease, c->lease.valid);
	*pref = remaining(&c->lease, c->lease.pref);
	return true;
}
