/* slaac.c - form IPv6 addresses ourselves: link-local, SLAAC (modified
 * EUI-64 or RFC 7217 stable-privacy) and RFC 8981 temporary addresses
 *
 * lwIP keeps processing router advertisements (routers, on-link prefixes,
 * MTU, RDNSS, the DHCPv6 trigger), but its own address formation is turned
 * off: it can only copy the link-local identifier, and it treats every
 * non-manual address under a prefix as the one SLAAC address, which
 * temporary addresses would break.  Instead a raw ICMPv6 pcb sees each
 * router advertisement before lwIP does (ra.c reads its prefix options),
 * and this file forms the addresses and keeps their lifetimes.
 *
 * The addresses go into lwIP's slots as "static" (lwIP's valid lifetime 0):
 * lwIP runs DAD on them and never expires or re-times them.  A one-second
 * tick here deprecates and removes them by their deadlines, regenerates
 * temporary addresses REGEN_ADVANCE before their preferred lifetime ends,
 * and retries a stable address that failed DAD with DAD_Counter + 1 (RFC
 * 7217 section 6), a temporary one with a new random identifier.
 *
 * The link-local address (slot 0) follows --addr-gen too: in
 * stable-privacy mode it is F(fe80::/64, ...), as Linux does, so a DAD
 * failure on the link-local address is retried instead of leaving the
 * interface without IPv6; and no address of ours carries the MAC.
 */
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/timeouts.h"

#include "ethaddr.h"
#include "iid.h"
#include "ipfmt.h"
#include "log.h"
#include "ra.h"
#include "secret.h"
#include "link_spec.h"
#include "slaac.h"
#include "v6opts.h"

#define SLAAC_TICK_MS        1000
#define SLAAC_MAX_PREFIXES      8       /* autonomous prefixes per interface */
#define SLAAC_MAX_ADDRS        LWIP_IPV6_NUM_ADDRESSES
#define TEMP_IDGEN_RETRIES      3       /* RFC 8981 section 3.8 */
#define RETRANS_TIMER_S         1       /* lwIP's ND6_RETRANS_TIMER, in s */
/* RFC 8981 section 3.8: 2 + TEMP_IDGEN_RETRIES * DupAddrDetectTransmits *
 * RetransTimer */
#define REGEN_ADVANCE   (2 + TEMP_IDGEN_RETRIES * LWIP_IPV6_DUP_DETECT_ATTEMPTS * RETRANS_TIMER_S)
#define TWO_HOURS            7200       /* RFC 4862 section 5.5.3 (e) */
#define FOREVER         INT64_MAX       /* a deadline that never comes */
#define RA_MAX_LEN          65535       /* bytes of an advertisement read */

enum kind { K_LINKLOCAL, K_STABLE, K_TEMP };

struct saddr {
	bool used;
	enum kind kind;
	uint8_t prefix[8];
	uint8_t iid[IID_LEN];
	uint8_t dad_counter;    /* RFC 7217 DAD_Counter; retries of a temporary */
	bool dead;              /* duplicate and not retried any more */
	bool successor;         /* temporary: its replacement was made */
	int64_t created;        /* monotonic seconds */
	int64_t valid_until, pref_until;
	uint32_t desync;        /* temporary: its DESYNC_FACTOR, seconds */
};

struct sprefix {
	bool used;
	uint8_t prefix[8];
	int64_t valid_until, pref_until;        /* as last advertised */
};

struct sif {
	struct netif *nif;      /* NULL: slot free */
	char name[LINK_NAME_MAX];
	bool slaac, temporary;
	enum addr_gen gen;
	uint32_t temp_pref, temp_valid;
	unsigned key_gen;       /* secret generation the addresses were made with */
	bool warned_full;
	struct sprefix p[SLAAC_MAX_PREFIXES];
	struct saddr a[SLAAC_MAX_ADDRS];
};

static struct sif sifs[MAX_IFACES];
static uint8_t key[SECRET_MAX];
static size_t key_len;
static unsigned key_gen;                /* goes up when the key changes */
static char key_path[PATH_MAX];
static struct raw_pcb *ra_pcb;
static uint8_t ra_buf[RA_MAX_LEN];
static const uint8_t ll_prefix[8] = { 0xfe, 0x80 };

/* now_s() - monotonic seconds */
static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* deadline() - @now plus a lifetime in seconds (0xffffffff: forever) */
static int64_t deadline(int64_t now, uint32_t life)
{
	return life == 0xffffffffu ? FOREVER : now + life;
}

/* left() - seconds until @until, as lwIP writes lifetimes */
static u32_t left(int64_t now, int64_t until)
{
	if (until == FOREVER)
		return IP6_ADDR_LIFE_INFINITE;
	if (until <= now)
		return 0;
	return until - now >= 0xffffffffLL ? 0xfffffffeu : (u32_t)(until - now);
}

/* min64() - the smaller of two deadlines */
static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* random32() - 32 random bits (0 if the kernel has none to give) */
static uint32_t random32(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = 0;
	return r;
}

/* find_sif() - our state of netif @nif, or NULL */
static struct sif *find_sif(struct netif *nif)
{
	for (int k = 0; k < MAX_IFACES; k++)
		if (sifs[k].nif == nif && nif)
			return &sifs[k];
	return NULL;
}

/* make_ip() - @prefix and @iid as an lwIP address on @nif */
static void make_ip(struct netif *nif, const uint8_t prefix[8],
		    const uint8_t iid[IID_LEN], ip6_addr_t *ip)
{
	memset(ip, 0, sizeof(*ip));
	memcpy(ip->addr, prefix, 8);
	memcpy((uint8_t *)ip->addr + 8, iid, IID_LEN);
	ip6_addr_assign_zone(ip, IP6_UNICAST, nif);
}

/* slot_of_ip() - lwIP's slot holding @ip (any state but invalid), or -1 */
static int slot_of_ip(struct netif *nif, const ip6_addr_t *ip)
{
	for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++)
		if (!ip6_addr_isinvalid(netif_ip6_addr_state(nif, k)) &&
		    !memcmp(netif_ip6_addr(nif, k)->addr, ip->addr, 16))
			return k;
	return -1;
}

/* slot_of() - lwIP's slot of our address @a, or -1 */
static int slot_of(struct sif *s, const struct saddr *a)
{
	ip6_addr_t ip;

	make_ip(s->nif, a->prefix, a->iid, &ip);
	return slot_of_ip(s->nif, &ip);
}

/* addr_str() - our address @a as text */
static const char *addr_str(struct sif *s, const struct saddr *a, char buf[IPFMT_LEN])
{
	ip6_addr_t ip;

	make_ip(s->nif, a->prefix, a->iid, &ip);
	return ipfmt6(&ip, buf);
}

/* prefix_str() - a /64 prefix as text (without the length) */
static const char *prefix_str(const uint8_t prefix[8], char buf[IPFMT_LEN])
{
	static const uint8_t zero[IID_LEN];
	ip6_addr_t ip;

	make_ip(NULL, prefix, zero, &ip);
	return ipfmt6(&ip, buf);
}

struct taken_ctx {
	struct sif *s;
	const uint8_t *prefix;
};

/* taken() - is prefix + @iid already on the interface (RFC 7217 section 5:
 * an identifier in use under the same prefix is unacceptable)?
 */
static bool taken(const uint8_t iid[IID_LEN], void *arg)
{
	struct taken_ctx *t = arg;
	ip6_addr_t ip;

	make_ip(t->s->nif, t->prefix, iid, &ip);
	if (slot_of_ip(t->s->nif, &ip) >= 0)
		return true;
	for (int k = 0; k < SLAAC_MAX_ADDRS; k++) {
		const struct saddr *a = &t->s->a[k];

		if (a->used && !memcmp(a->prefix, t->prefix, 8) && !memcmp(a->iid, iid, IID_LEN))
			return true;
	}
	return false;
}

/* stable_iid() - the identifier of the stable address under @prefix:
 * modified EUI-64, or RFC 7217 from *@counter up.  0, or -1 if none can be
 * had (EUI-64 address already on the interface, or no key).
 */
static int stable_iid(struct sif *s, const uint8_t prefix[8], uint8_t *counter,
		      uint8_t iid[IID_LEN])
{
	struct taken_ctx t = { s, prefix };
	struct iid_stable_in in = { .net_iface = s->name, .secret = key,
				    .secret_len = key_len };
	uint8_t x[IID_LEN];     /* not @iid: a record holding @iid is "taken" */

	if (s->gen == ADDR_GEN_EUI64) {
		ethaddr_eui64(s->nif->hwaddr, x);
	} else if (!key_len) {
		log_err("%s: stable-privacy addresses need the secret key, which is not loaded",
			s->name);
		return -1;
	} else {
		memcpy(in.prefix, prefix, 8);
		if (iid_stable(&in, counter, taken, &t, x))
			return -1;
	}
	if (s->gen == ADDR_GEN_EUI64 && taken(x, &t))
		return -1;
	memcpy(iid, x, IID_LEN);
	return 0;
}

/* random_iid() - a random identifier not yet used under @prefix */
static int random_iid(struct sif *s, const uint8_t prefix[8], uint8_t iid[IID_LEN])
{
	struct taken_ctx t = { s, prefix };
	uint8_t x[IID_LEN];

	if (iid_random(taken, &t, x))
		return -1;
	memcpy(iid, x, IID_LEN);
	return 0;
}

/* lwip_add() - put @a into lwIP (slot 0 for the link-local address), as a
 * static address starting DAD.  Returns the slot, or -1 if all are taken.
 */
static int lwip_add(struct sif *s, struct saddr *a)
{
	struct netif *nif = s->nif;
	ip6_addr_t ip;
	int k = 0;

	if (a->kind != K_LINKLOCAL)
		for (k = 1; k < LWIP_IPV6_NUM_ADDRESSES; k++)
			if (ip6_addr_isinvalid(netif_ip6_addr_state(nif, k)))
				break;
	if (k == LWIP_IPV6_NUM_ADDRESSES) {
		if (!s->warned_full)
			log_warn("%s: all %d IPv6 address slots in use: no new SLAAC or temporary "
				 "address until one expires", s->name, LWIP_IPV6_NUM_ADDRESSES);
		s->warned_full = true;
		return -1;
	}
	make_ip(nif, a->prefix, a->iid, &ip);
	netif_ip6_addr_set_state(nif, (s8_t)k, IP6_ADDR_INVALID);
	netif_ip6_addr_set(nif, (s8_t)k, &ip);
	netif_ip6_addr_set_valid_life(nif, k, IP6_ADDR_LIFE_STATIC);
	netif_ip6_addr_set_pref_life(nif, k, IP6_ADDR_LIFE_STATIC);
	netif_ip6_addr_set_state(nif, (s8_t)k, IP6_ADDR_TENTATIVE);
	return k;
}

/* lwip_del() - take @a out of lwIP (connections bound to it are reset) */
static void lwip_del(struct sif *s, const struct saddr *a)
{
	int k = slot_of(s, a);

	if (k >= 0)
		netif_ip6_addr_set_state(s->nif, (s8_t)k, IP6_ADDR_INVALID);
}

/* addr_new() - a free address record of @kind under @prefix, or NULL */
static struct saddr *addr_new(struct sif *s, enum kind kind, const uint8_t prefix[8])
{
	for (int k = 0; k < SLAAC_MAX_ADDRS; k++) {
		struct saddr *a = &s->a[k];

		if (a->used)
			continue;
		memset(a, 0, sizeof(*a));
		a->used = true;
		a->kind = kind;
		memcpy(a->prefix, prefix, 8);
		return a;
	}
	return NULL;
}

/* addr_drop() - remove @a from lwIP and forget it */
static void addr_drop(struct sif *s, struct saddr *a)
{
	lwip_del(s, a);
	a->used = false;
}

/* gen_name() - how stable identifiers are made on @s */
static const char *gen_name(const struct sif *s)
{
	return s->gen == ADDR_GEN_STABLE_PRIVACY ? "stable-privacy" : "eui64";
}

/* linklocal_new() - form the link-local address into slot 0 */
static void linklocal_new(struct sif *s, int64_t now)
{
	char str[IPFMT_LEN];
	struct saddr *a = addr_new(s, K_LINKLOCAL, ll_prefix);

	if (!a)
		return;
	a->created = now;
	a->valid_until = a->pref_until = FOREVER;
	if (stable_iid(s, ll_prefix, &a->dad_counter, a->iid) || lwip_add(s, a) < 0) {
		a->used = false;
		return;
	}
	log_info("%s: link-local address %s (%s)", s->name, addr_str(s, a, str), gen_name(s));
}

/* stable_new() - form the stable SLAAC address under prefix @p */
static void stable_new(struct sif *s, const struct sprefix *p, int64_t now)
{
	char str[IPFMT_LEN], pstr[IPFMT_LEN];
	struct saddr *a = addr_new(s, K_STABLE, p->prefix);

	if (!a)
		return;
	a->created = now;
	a->valid_until = p->valid_until;
	a->pref_until = p->pref_until;
	if (stable_iid(s, p->prefix, &a->dad_counter, a->iid) || lwip_add(s, a) < 0) {
		a->used = false;
		return;
	}
	log_info("%s: SLAAC address %s (%s, DAD_counter %u) for %s/64", s->name,
		 addr_str(s, a, str), gen_name(s), a->dad_counter, prefix_str(p->prefix, pstr));
}

/* temp_new() - form a temporary address under prefix @p (RFC 8981 section
 * 3.4), replacing @old if not NULL.  None is made if its preferred lifetime
 * would not exceed REGEN_ADVANCE.
 */
static void temp_new(struct sif *s, const struct sprefix *p, int64_t now,
		     const struct saddr *old)
{
	char str[IPFMT_LEN], ostr[IPFMT_LEN], pstr[IPFMT_LEN];
	uint32_t desync = random32() % (s->temp_pref * 2 / 5 + 1);
	int64_t pref, valid;
	struct saddr *a;

	pref = min64(p->pref_until, now + s->temp_pref - desync);
	valid = min64(p->valid_until, now + s->temp_valid);
	if (pref - now <= REGEN_ADVANCE)
		return;
	a = addr_new(s, K_TEMP, p->prefix);
	if (!a)
		return;
	a->created = now;
	a->desync = desync;
	a->pref_until = pref;
	a->valid_until = valid;
	if (random_iid(s, p->prefix, a->iid) || lwip_add(s, a) < 0) {
		a->used = false;
		return;
	}
	log_info("%s: temporary address %s for %s/64 (preferred %llds, valid %llds)%s%s",
		 s->name, addr_str(s, a, str), prefix_str(p->prefix, pstr),
		 (long long)(pref - now), (long long)(valid - now),
		 old ? ", replaces " : "", old ? addr_str(s, old, ostr) : "");
}

/* find_prefix() - our record of @prefix, or NULL */
static struct sprefix *find_prefix(struct sif *s, const uint8_t prefix[8])
{
	for (int k = 0; k < SLAAC_MAX_PREFIXES; k++)
		if (s->p[k].used && !memcmp(s->p[k].prefix, prefix, 8))
			return &s->p[k];
	return NULL;
}

/* has_addr() - is there a @kind address under @prefix (for temporaries:
 * one not yet replaced)?
 */
static bool has_addr(struct sif *s, enum kind kind, const uint8_t prefix[8])
{
	for (int k = 0; k < SLAAC_MAX_ADDRS; k++) {
		const struct saddr *a = &s->a[k];

		if (a->used && a->kind == kind && !memcmp(a->prefix, prefix, 8) &&
		    !(kind == K_TEMP && a->successor))
			return true;
	}
	return false;
}

/* ensure() - every autonomous prefix has its stable address and, when
 * asked for and the prefix is preferred, a current temporary address
 */
static void ensure(struct sif *s, int64_t now)
{
	if (!s->slaac)
		return;
	for (int k = 0; k < SLAAC_MAX_PREFIXES; k++) {
		struct sprefix *p = &s->p[k];

		if (!p->used || p->valid_until <= now)
			continue;
		if (!has_addr(s, K_STABLE, p->prefix))
			stable_new(s, p, now);
		if (s->temporary && p->pref_until > now && !has_addr(s, K_TEMP, p->prefix))
			temp_new(s, p, now, NULL);
	}
}

/* dad_failed() - another host answered for @a: retry with DAD_Counter + 1
 * (stable-privacy, RFC 7217 section 6) or a new random identifier
 * (temporary), up to the retry limits; EUI-64 addresses are not retried
 * (RFC 4862 section 5.4.5: the same MAC gives the same address).
 */
static void dad_failed(struct sif *s, struct saddr *a)
{
	char str[IPFMT_LEN], nstr[IPFMT_LEN];
	int rc;

	addr_str(s, a, str);
	if (a->kind != K_TEMP && s->gen == ADDR_GEN_EUI64) {
		log_warn("%s: %s (EUI-64) is used by another host: give this interface "
			 "another --mac, or use --addr-gen stable-privacy", s->name, str);
		a->dead = true;
		return;
	}
	if (a->dad_counter >= (a->kind == K_TEMP ? TEMP_IDGEN_RETRIES : IDGEN_RETRIES)) {
		log_warn("%s: %s is used by another host and %u retries failed too; "
			 "giving up on this prefix", s->name, str, a->dad_counter);
		a->dead = true;
		return;
	}
	lwip_del(s, a);
	a->dad_counter++;
	if (a->kind == K_TEMP)
		rc = random_iid(s, a->prefix, a->iid);
	else
		rc = stable_iid(s, a->prefix, &a->dad_counter, a->iid);
	if (rc || lwip_add(s, a) < 0) {
		a->used = false;
		return;
	}
	log_info("%s: %s is used by another host; trying %s (%s%u)", s->name, str,
		 addr_str(s, a, nstr), a->kind == K_TEMP ? "temporary, attempt " :
		 "stable-privacy, DAD_counter ", a->dad_counter);
}

/* tick_addr() - apply the deadlines of @a and react to DAD failure */
static void tick_addr(struct sif *s, struct saddr *a, int64_t now)
{
	int k = slot_of(s, a);
	struct sprefix *p;
	u8_t st;

	if (k < 0) {                    /* gone from lwIP behind our back */
		a->used = false;
		return;
	}
	if (a->valid_until <= now) {
		addr_drop(s, a);
		return;
	}
	st = netif_ip6_addr_state(s->nif, k);
	if (ip6_addr_isduplicated(st)) {
		if (!a->dead)
			dad_failed(s, a);
		return;
	}
	if (ip6_addr_ispreferred(st) && a->pref_until <= now)
		netif_ip6_addr_set_state(s->nif, (s8_t)k, IP6_ADDR_DEPRECATED);
	else if (ip6_addr_isdeprecated(st) && a->pref_until > now)
		netif_ip6_addr_set_state(s->nif, (s8_t)k, IP6_ADDR_PREFERRED);
	if (a->kind != K_TEMP || a->successor || !ip6_addr_isvalid(st) ||
	    a->pref_until - now > REGEN_ADVANCE)
		return;
	a->successor = true;
	p = find_prefix(s, a->prefix);
	if (s->temporary && p && p->pref_until > now)
		temp_new(s, p, now, a);
}

/* tick() - once a second: prefixes and addresses past their deadlines,
 * DAD failures, regeneration, and addresses still to form
 */
static void tick(void *arg)
{
	int64_t now = now_s();

	(void)arg;
	for (struct sif *s = sifs; s < sifs + MAX_IFACES; s++) {
		if (!s->nif)
			continue;
		for (int k = 0; k < SLAAC_MAX_PREFIXES; k++)
			if (s->p[k].used && s->p[k].valid_until <= now)
				s->p[k].used = false;
		for (int k = 0; k < SLAAC_MAX_ADDRS; k++)
			if (s->a[k].used)
				tick_addr(s, &s->a[k], now);
		ensure(s, now);
	}
	sys_timeout(SLAAC_TICK_MS, tick, NULL);
}

/* two_hours() - the new valid deadline of an address now valid until
 * @until when an advertisement says @valid (RFC 4862 section 5.5.3 (e):
 * an advertisement may not cut the remaining lifetime below two hours)
 */
static int64_t two_hours(int64_t now, int64_t until, uint32_t valid)
{
	int64_t rem = until == FOREVER ? FOREVER : until - now;

	if (valid == 0xffffffffu)
		return FOREVER;
	if (valid > TWO_HOURS || (int64_t)valid > rem)
		return now + valid;
	if (rem > TWO_HOURS)
		return now + TWO_HOURS;
	return until;
}

/* on_prefix() - one prefix option of an advertisement on @arg's netif
 * (RFC 4862 section 5.5.3; RFC 8981 section 3.4 for temporaries)
 */
static void on_prefix(const struct ra_prefix *rp, void *arg)
{
	struct sif *s = arg;
	int64_t now = now_s();
	struct sprefix *p;

	if (!(rp->flags & RA_PREFIX_FLAG_AUTO) || rp->preferred > rp->valid ||
	    (rp->prefix[0] == 0xfe && (rp->prefix[1] & 0xc0) == 0x80))
		return;
	if (rp->plen != 64) {
		log_debug("%s: prefix of length %u ignored: SLAAC here forms /64 only",
			  s->name, rp->plen);
		return;
	}
	p = find_prefix(s, rp->prefix);
	for (int k = 0; !p && rp->valid && k < SLAAC_MAX_PREFIXES; k++)
		if (!s->p[k].used) {
			p = &s->p[k];
			p->used = true;
			memcpy(p->prefix, rp->prefix, 8);
		}
	if (!p)
		return;
	p->valid_until = deadline(now, rp->valid);
	p->pref_until = deadline(now, rp->preferred);
	for (int k = 0; k < SLAAC_MAX_ADDRS; k++) {
		struct saddr *a = &s->a[k];

		if (!a->used || a->kind == K_LINKLOCAL || memcmp(a->prefix, p->prefix, 8))
			continue;
		a->valid_until = two_hours(now, a->valid_until, rp->valid);
		a->pref_until = p->pref_until;
		if (a->kind == K_TEMP) {
			a->valid_until = min64(a->valid_until, a->created + s->temp_valid);
			a->pref_until = min64(a->pref_until,
					      a->created + s->temp_pref - a->desync);
		}
	}
	ensure(s, now);
}

/* on_icmp6() - raw pcb callback: every ICMPv6 packet lwIP receives, IPv6
 * header first; router advertisements are read, nothing is consumed
 */
static u8_t on_icmp6(void *arg, struct raw_pcb *pcb, struct pbuf *p,
		     const ip_addr_t *addr)
{
	struct sif *s = find_sif(ip_current_input_netif());
	u16_t len;

	(void)arg;
	(void)pcb;
	(void)addr;
	if (!s || !s->slaac || p->tot_len < 41 || pbuf_get_at(p, 40) != 134)
		return 0;
	len = pbuf_copy_partial(p, ra_buf, sizeof(ra_buf), 0);
	if (ra_parse(ra_buf, len, on_prefix, s) < 0)
		log_debug("%s: invalid router advertisement ignored", s->name);
	return 0;
}

/* init_once() - the raw pcb and the tick, on first use */
static void init_once(void)
{
	if (ra_pcb)
		return;
	ra_pcb = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6);
	if (!ra_pcb) {
		log_err("no memory for the router advertisement listener: no SLAAC");
		return;
	}
	raw_recv(ra_pcb, on_icmp6, NULL);
	sys_timeout(SLAAC_TICK_MS, tick, NULL);
}

/* slaac_secret() - load the stable-privacy key if an interface of @c needs
 * it and it is not loaded yet (or --secret-file changed).  0, or -1 with
 * @err saying what to do.
 */
int slaac_secret(const struct config *c, char *err, size_t errlen)
{
	uint8_t k[SECRET_MAX];
	char path[PATH_MAX];
	size_t len = 0;
	int need = 0;

	for (int i = 0; i < c->n_ifaces; i++)
		need |= c->ifaces[i].addr_gen == ADDR_GEN_STABLE_PRIVACY;
	if (!need)
		return 0;
	if (c->secret_file[0])
		snprintf(path, sizeof(path), "%s", c->secret_file);
	else if (secret_default_path(path, sizeof(path))) {
		snprintf(err, errlen, "stable-privacy: no home directory for the secret file; "
			 "give --secret-file PATH");
		return -1;
	}
	if (key_len && !strcmp(path, key_path))
		return 0;
	if (secret_load(path, k, &len, err, errlen))
		return -1;
	if (len != key_len || memcmp(k, key, len))
		key_gen++;
	memcpy(key, k, len);
	key_len = len;
	snprintf(key_path, sizeof(key_path), "%s", path);
	log_info("stable-privacy secret key from %s", path);
	return 0;
}

/* drop_all() - forget every address of @kind (all kinds if @kind < 0) */
static void drop_all(struct sif *s, int kind)
{
	for (int k = 0; k < SLAAC_MAX_ADDRS; k++)
		if (s->a[k].used && (kind < 0 || s->a[k].kind == (enum kind)kind))
			addr_drop(s, &s->a[k]);
}

/* slaac_apply() - set up or change address formation on @nif for @n
 * (call after slaac_secret()).  A new interface gets its link-local
 * address; a change of --addr-gen or of the key re-forms every address;
 * --no-slaac or --no-temporary removes what they stop.
 */
void slaac_apply(struct netif *nif, const struct iface_config *n)
{
	struct sif *s = find_sif(nif);
	int64_t now = now_s();
	bool reform;

	init_once();
	netif_set_ip6_autoconfig_enabled(nif, 0);
	if (!s) {
		for (s = sifs; s < sifs + MAX_IFACES && s->nif; s++)
			;
		if (s == sifs + MAX_IFACES)
			return;
		memset(s, 0, sizeof(*s));
		s->nif = nif;
		snprintf(s->name, sizeof(s->name), "%s", n->name);
		s->gen = n->addr_gen;
		s->key_gen = key_gen;
		reform = true;
	} else {
		reform = s->gen != n->addr_gen ||
			 (n->addr_gen == ADDR_GEN_STABLE_PRIVACY && s->key_gen != key_gen);
	}
	if (reform)
		drop_all(s, -1);
	if (!n->slaac) {
		drop_all(s, K_STABLE);
		drop_all(s, K_TEMP);
		memset(s->p, 0, sizeof(s->p));
	}
	if (!n->temporary)
		drop_all(s, K_TEMP);
	s->slaac = n->slaac;
	s->temporary = n->temporary;
	s->gen = n->addr_gen;
	s->key_gen = key_gen;
	s->temp_pref = v6opts_temp_preferred(n);
	s->temp_valid = v6opts_temp_valid(n);
	if (reform)
		linklocal_new(s, now);
	ensure(s, now);
}

/* slaac_detach() - forget @nif (it is going down) */
void slaac_detach(struct netif *nif)
{
	struct sif *s = find_sif(nif);

	if (s)
		s->nif = NULL;
}

/* slaac_addr_info() - what we know of address @ip of @nif; false if it is
 * not one we formed
 */
bool slaac_addr_info(struct netif *nif, const ip6_addr_t *ip, struct slaac_info *out)
{
	struct sif *s = find_sif(nif);
	int64_t now = now_s();
	ip6_addr_t mine;

	for (int k = 0; s && k < SLAAC_MAX_ADDRS; k++) {
		const struct saddr *a = &s->a[k];

		if (!a->used)
			continue;
		make_ip(nif, a->prefix, a->iid, &mine);
		if (memcmp(mine.addr, ip->addr, 16))
			continue;
		out->temporary = a->kind == K_TEMP;
		out->kind = out->temporary ? "temporary" : gen_name(s);
		out->valid_left = left(now, a->valid_until);
		out->pref_left = left(now, a->pref_until);
		return true;
	}
	return false;
}

/* slaac_prefers_temporary() - does @nif make temporary addresses (and so
 * prefer them as sources, RFC 6724 rule 7)?
 */
bool slaac_prefers_temporary(struct netif *nif)
{
	struct sif *s = find_sif(nif);

	return s && s->temporary;
}
