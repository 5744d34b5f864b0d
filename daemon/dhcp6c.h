/* dhcp6c.h - the DHCPv6 client: addresses (stateful) and DNS (stateless) */
#ifndef LWIPD_DHCP6C_H
#define LWIPD_DHCP6C_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lwip/netif.h"

#include "dhcp6_msg.h"

/* What the filesystem shows of one interface's client; times are seconds
 * left, DHCP6_LIFE_INFINITE for never
 */
struct dhcp6c_info {
	const char *state;              /* "idle", "soliciting", "bound", ... */
	bool leased;
	struct in6_addr addr;
	char server[3 * DHCP6_DUID_MAX + 4];
	uint32_t t1, t2, pref, valid;
};

void dhcp6c_start(struct netif *nif);
void dhcp6c_stop(struct netif *nif);
int dhcp6c_get_info(struct netif *nif, struct dhcp6c_info *out);
bool dhcp6c_addr_lifetimes(struct netif *nif, const ip6_addr_t *a,
			   uint32_t *valid, uint32_t *pref);

#endif
