/* srchook.c - lwIP's IPv6 source address choice, replaced by srcsel.c
 *
 * lwIP 2.2.1 has no hook for source address selection (its own
 * ip6_select_source_address() knows neither temporary addresses nor
 * labels, and counts a matching prefix as 1 bit), so lwipd is linked with
 * -Wl,--wrap=ip6_select_source_address (daemon/daemon.mk): every call from
 * another lwIP file (tcp_connect, udp_sendto, icmp6 replies) comes here.
 * This gathers the interface's usable addresses with what slaac.c knows of
 * them and lets srcsel_pick() apply RFC 6724.
 */
#include <string.h>

#include "lwip/ip6.h"
#include "lwip/netif.h"

#include "slaac.h"
#include "srcsel.h"

const ip_addr_t *__real_ip6_select_source_address(struct netif *netif,
						  const ip6_addr_t *dest);
const ip_addr_t *__wrap_ip6_select_source_address(struct netif *netif,
						  const ip6_addr_t *dest);

/* __wrap_ip6_select_source_address() - the address of @netif to send from
 * to @dest, or NULL if it has no usable IPv6 address
 */
const ip_addr_t *__wrap_ip6_select_source_address(struct netif *netif,
						  const ip6_addr_t *dest)
{
	struct srcsel_cand c[SRCSEL_MAX_CANDS];
	int slot[SRCSEL_MAX_CANDS], n = 0, best;
	struct in6_addr d;

	for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES && n < SRCSEL_MAX_CANDS; k++) {
		u8_t st = netif_ip6_addr_state(netif, k);
		const ip6_addr_t *a = netif_ip6_addr(netif, k);
		struct slaac_info info;

		if (!ip6_addr_isvalid(st))
			continue;
		memset(&c[n], 0, sizeof(c[n]));
		memcpy(&c[n].addr, a->addr, 16);
		c[n].plen = ip6_addr_isloopback(a) ? 128 : 64;
		c[n].deprecated = ip6_addr_isdeprecated(st);
		c[n].pref_left = netif_ip6_addr_isstatic(netif, k) ? IP6_ADDR_LIFE_INFINITE :
				 netif_ip6_addr_pref_life(netif, k);
		if (slaac_addr_info(netif, a, &info)) {
			c[n].temporary = info.temporary;
			c[n].pref_left = info.pref_left;
		}
		slot[n++] = k;
	}
	if (n == 0)
		return NULL;
	memcpy(&d, dest->addr, 16);
	best = srcsel_pick(c, n, &d, slaac_prefers_temporary(netif));
	return netif_ip_addr6(netif, slot[best]);
}
