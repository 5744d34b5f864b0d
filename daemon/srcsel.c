/* srcsel.c - choose the source address for a destination (RFC 6724)
 *
 * Candidates are the usable (preferred or deprecated, never tentative or
 * duplicate) addresses of the outgoing interface; the caller gathers them.
 * The rules of RFC 6724 section 5 that apply to one interface and no
 * Mobile IPv6 are used, in order:
 *   1 prefer the destination itself       2 prefer the appropriate scope
 *   3 avoid deprecated addresses          6 prefer a matching label
 *   7 prefer temporary addresses (if the interface makes them; RFC 8981)
 *   8 prefer the longest matching prefix (up to the source's prefix length)
 * Rule 4 (home addresses) has nothing to act on; rule 5 (the outgoing
 * interface) holds for every candidate; rule 5.5 (prefix advertised by the
 * next hop) needs router-to-prefix bookkeeping lwIP does not keep.  A tie
 * after rule 8 goes to the address with more preferred lifetime left, so a
 * newly regenerated temporary address wins over the one it replaces.
 */
#include <string.h>

#include "srcsel.h"

/* Scopes of RFC 4291 section 2.7 as RFC 6724 section 3.1 assigns them. */
#define SCOPE_LINK   0x2
#define SCOPE_SITE   0x5
#define SCOPE_GLOBAL 0xe

/* RFC 6724 section 2.1's default policy table: prefix, length, label. */
static const struct {
	uint8_t prefix[16];
	int len;
	int label;
} policy[] = {
	{ { [15] = 1 }, 128, 0 },                               /* ::1/128 */
	{ { 0 }, 0, 1 },                                        /* ::/0 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 4 },                /* ::ffff:0:0/96 */
	{ { 0x20, 0x02 }, 16, 2 },                              /* 2002::/16 */
	{ { 0x20, 0x01 }, 32, 5 },                              /* 2001::/32 */
	{ { 0xfc }, 7, 13 },                                    /* fc00::/7 */
	{ { 0 }, 96, 3 },                                       /* ::/96 */
	{ { 0xfe, 0xc0 }, 10, 11 },                             /* fec0::/10 */
	{ { 0x3f, 0xfe }, 16, 12 },                             /* 3ffe::/16 */
};

/* prefix_match() - do the first @len bits of @a and @p agree? */
static bool prefix_match(const uint8_t *a, const uint8_t *p, int len)
{
	int bytes = len / 8, bits = len % 8;

	if (memcmp(a, p, (size_t)bytes))
		return false;
	if (!bits)
		return true;
	return ((a[bytes] ^ p[bytes]) & (0xff << (8 - bits))) == 0;
}

/* srcsel_scope() - the scope of @a: a multicast address's own field; for
 * unicast, link for fe80::/10 and the loopback, site for fec0::/10,
 * global for the rest (unique local addresses included)
 */
int srcsel_scope(const struct in6_addr *a)
{
	const uint8_t *b = a->s6_addr;

	if (b[0] == 0xff)
		return b[1] & 0x0f;
	if (IN6_IS_ADDR_LOOPBACK(a) || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return SCOPE_LINK;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return SCOPE_SITE;
	return SCOPE_GLOBAL;
}

/* srcsel_label() - the label of @a: its longest match in the policy table */
int srcsel_label(const struct in6_addr *a)
{
	int best = -1, label = 1;

	for (size_t i = 0; i < sizeof(policy) / sizeof(policy[0]); i++)
		if (policy[i].len > best && prefix_match(a->s6_addr, policy[i].prefix, policy[i].len)) {
			best = policy[i].len;
			label = policy[i].label;
		}
	return label;
}

/* srcsel_common_prefix() - number of leading bits @a and @b share */
int srcsel_common_prefix(const struct in6_addr *a, const struct in6_addr *b)
{
	int n = 0;

	for (int i = 0; i < 16; i++) {
		uint8_t x = a->s6_addr[i] ^ b->s6_addr[i];

		if (!x) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			n++;
			x <<= 1;
		}
		break;
	}
	return n;
}

/* srcsel_compare() - RFC 6724's comparison of two candidates for @dst:
 * negative if @a is better, positive if @b is, 0 if no rule separates them
 */
int srcsel_compare(const struct srcsel_cand *a, const struct srcsel_cand *b,
		   const struct in6_addr *dst, bool prefer_temporary)
{
	int sa = srcsel_scope(&a->addr), sb = srcsel_scope(&b->addr);
	int sd = srcsel_scope(dst), la, lb, ld, ca, cb;

	/* Rule 1: prefer the same address */
	if (IN6_ARE_ADDR_EQUAL(&a->addr, dst))
		return -1;
	if (IN6_ARE_ADDR_EQUAL(&b->addr, dst))
		return 1;
	/* Rule 2: prefer the appropriate scope */
	if (sa < sb)
		return sa < sd ? 1 : -1;
	if (sb < sa)
		return sb < sd ? -1 : 1;
	/* Rule 3: avoid deprecated addresses */
	if (a->deprecated != b->deprecated)
		return a->deprecated ? 1 : -1;
	/* Rule 6: prefer a matching label */
	la = srcsel_label(&a->addr);
	lb = srcsel_label(&b->addr);
	ld = srcsel_label(dst);
	if ((la == ld) != (lb == ld))
		return la == ld ? -1 : 1;
	/* Rule 7: prefer temporary addresses (or public ones, if not enabled) */
	if (a->temporary != b->temporary)
		return a->temporary == prefer_temporary ? -1 : 1;
	/* Rule 8: longest matching prefix, counted within the source's prefix */
	ca = srcsel_common_prefix(&a->addr, dst);
	cb = srcsel_common_prefix(&b->addr, dst);
	if (ca > a->plen)
		ca = a->plen;
	if (cb > b->plen)
		cb = b->plen;
	if (ca != cb)
		return ca > cb ? -1 : 1;
	/* Tie: the one with more preferred lifetime left (the newer temporary) */
	if (a->pref_left != b->pref_left)
		return a->pref_left > b->pref_left ? -1 : 1;
	return 0;
}

/* srcsel_pick() - index of the best of the @n candidates @c for @dst, the
 * first one among equals; -1 if @n is 0
 */
int srcsel_pick(const struct srcsel_cand *c, int n, const struct in6_addr *dst,
		bool prefer_temporary)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (best < 0 || srcsel_compare(&c[i], &c[best], dst, prefer_temporary) < 0)
			best = i;
	return best;
}
