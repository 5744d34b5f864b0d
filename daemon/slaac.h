/* slaac.h - IPv6 address formation: link-local and SLAAC addresses
 * (EUI-64 or stable-privacy), temporary addresses, their lifetimes
 */
#ifndef LWIPD_SLAAC_H
#define LWIPD_SLAAC_H

#include <stdbool.h>

#include "lwip/ip6_addr.h"
#include "lwip/netif.h"

#include "options.h"

/* What slaac.c knows of one address (for the filesystem and srchook.c). */
struct slaac_info {
	const char *kind;               /* "temporary", "stable-privacy", "eui64" */
	bool temporary;
	u32_t valid_left, pref_left;    /* seconds; IP6_ADDR_LIFE_INFINITE */
};

int slaac_secret(const struct config *c, char *err, size_t errlen);
void slaac_apply(struct netif *nif, const struct iface_config *n);
void slaac_detach(struct netif *nif);
bool slaac_addr_info(struct netif *nif, const ip6_addr_t *ip, struct slaac_info *out);
bool slaac_prefers_temporary(struct netif *nif);

#endif
