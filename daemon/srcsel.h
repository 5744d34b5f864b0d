/* srcsel.h - IPv6 source address selection (RFC 6724 section 5), as a
 * pure function over a list of candidates
 */
#ifndef LWIPD_SRCSEL_H
#define LWIPD_SRCSEL_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define SRCSEL_MAX_CANDS 32     /* candidates considered per choice */

struct srcsel_cand {
	struct in6_addr addr;
	int plen;                       /* prefix length of the address */
	bool deprecated;                /* preferred lifetime over */
	bool temporary;                 /* RFC 8981 temporary address */
	uint32_t pref_left;             /* seconds of preferred lifetime left */
};

int srcsel_scope(const struct in6_addr *a);
int srcsel_label(const struct in6_addr *a);
int srcsel_common_prefix(const struct in6_addr *a, const struct in6_addr *b);
int srcsel_compare(const struct srcsel_cand *a, const struct srcsel_cand *b,
		   const struct in6_addr *dst, bool prefer_temporary);
int srcsel_pick(const struct srcsel_cand *c, int n, const struct in6_addr *dst,
		bool prefer_temporary);

#endif
