/* events.c - log what the stack learns, each thing once
 *
 * Address changes and DAD results come from lwIP's netif extended status
 * callback.  Routers and prefixes learned from router advertisements have
 * no callback: a one-second timer compares lwIP's tables with the last look
 * and logs what appeared or expired.  DNS changes are noticed by dns.c.
 */
#include <arpa/inet.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/ip6_addr.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "lwip/priv/nd6_priv.h"

#include "dns.h"
#include "events.h"
#include "ipfmt.h"
#include "link.h"
#include "log.h"
#include "loop.h"

#define EVENTS_PERIOD_MS 1000

static netif_ext_callback_t callback;
static ip6_addr_t routers[LWIP_ND6_NUM_ROUTERS];
static ip6_addr_t prefixes[LWIP_ND6_NUM_PREFIXES];

/* events_addr6_state_name() - lwIP's IPv6 address state as a word */
const char *events_addr6_state_name(unsigned char state)
{
	if (ip6_addr_isinvalid(state))
		return "invalid";
	if (ip6_addr_istentative(state))
		return "tentative";
	if (ip6_addr_isduplicated(state))
		return "duplicate";
	if (ip6_addr_isdeprecated(state))
		return "deprecated";
	return "preferred";
}

/* log_addr6() - one IPv6 address changed state */
static void log_addr6(struct netif *nif, s8_t idx, u8_t old)
{
	char s[INET6_ADDRSTRLEN];
	u8_t now = netif_ip6_addr_state(nif, idx);

	ipfmt6(netif_ip6_addr(nif, idx), s);
	if (ip6_addr_isduplicated(now))
		log_warn("%s: %s is a duplicate (DAD failed): another host uses it; "
			 "it will not be used", link_netif_name(nif), s);
	else if (ip6_addr_isinvalid(now) && !ip6_addr_isinvalid(old))
		log_info("%s: %s gone", link_netif_name(nif), s);
	else if (ip6_addr_isvalid(now) && !ip6_addr_isvalid(old))
		log_info("%s: %s is %s", link_netif_name(nif), s, events_addr6_state_name(now));
	else if (ip6_addr_isdeprecated(now) && !ip6_addr_isdeprecated(old))
		log_info("%s: %s deprecated", link_netif_name(nif), s);
	else if (ip6_addr_istentative(now) && ip6_addr_isinvalid(old))
		log_debug("%s: %s tentative", link_netif_name(nif), s);
}

/* log_ipv4() - the IPv4 settings of a netif changed */
static void log_ipv4(struct netif *nif)
{
	char a[IPFMT_LEN], m[IPFMT_LEN], g[IPFMT_LEN];
	struct dhcp *d = netif_dhcp_data(nif);

	if (ip4_addr_isany_val(*netif_ip4_addr(nif))) {
		log_info("%s: no IPv4 address", link_netif_name(nif));
		return;
	}
	ipfmt4(netif_ip4_addr(nif), a);
	ipfmt4(netif_ip4_netmask(nif), m);
	ipfmt4(netif_ip4_gw(nif), g);
	if (dhcp_supplied_address(nif))
		log_info("%s: IPv4 %s netmask %s gateway %s (DHCP lease %u s)",
			 link_netif_name(nif), a, m, g, (unsigned)d->offered_t0_lease);
	else
		log_info("%s: IPv4 %s netmask %s gateway %s", link_netif_name(nif), a, m, g);
}

/* on_netif() - lwIP's extended status callback */
static void on_netif(struct netif *nif, netif_nsc_reason_t reason,
		     const netif_ext_callback_args_t *args)
{
	if (reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED)
		log_addr6(nif, args->ipv6_addr_state_changed.addr_index,
			  args->ipv6_addr_state_changed.old_state);
	if (reason & (LWIP_NSC_IPV4_SETTINGS_CHANGED | LWIP_NSC_IPV4_ADDRESS_CHANGED |
		      LWIP_NSC_IPV4_GATEWAY_CHANGED | LWIP_NSC_IPV4_NETMASK_CHANGED)) {
		log_ipv4(nif);
		/* DHCPv4 wrote its DNS servers just before binding: take them
		 * now, before a router advertisement in the same batch of
		 * input overwrites lwIP's slot 0 (dns.c) */
		dns_store_sync();
	}
}

/* watch_routers() - log default routers that appeared or went */
static void watch_routers(void)
{
	char s[INET6_ADDRSTRLEN];

	for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++) {
		struct nd6_router_list_entry *r = &default_router_list[i];
		ip6_addr_t now;

		ip6_addr_set_zero(&now);
		if (r->neighbor_entry)
			ip6_addr_copy(now, r->neighbor_entry->next_hop_address);
		if (ip6_addr_eq(&now, &routers[i]))
			continue;
		if (!ip6_addr_isany(&now))
			log_info("%s: default router %s learned (lifetime %u s)",
				 link_netif_name(r->neighbor_entry->netif),
				 ipfmt6(&now, s),
				 (unsigned)r->invalidation_timer);
		else
			log_info("default router %s expired",
				 ipfmt6(&routers[i], s));
		ip6_addr_copy(routers[i], now);
	}
}

/* watch_prefixes() - log on-link prefixes that appeared or went */
static void watch_prefixes(void)
{
	char s[INET6_ADDRSTRLEN];

	for (int i = 0; i < LWIP_ND6_NUM_PREFIXES; i++) {
		struct nd6_prefix_list_entry *p = &prefix_list[i];
		ip6_addr_t now;

		ip6_addr_set_zero(&now);
		if (p->netif && p->invalidation_timer)
			ip6_addr_copy(now, p->prefix);
		if (ip6_addr_eq(&now, &prefixes[i]))
			continue;
		if (!ip6_addr_isany(&now))
			log_info("%s: prefix %s/64 learned (valid %u s)", link_netif_name(p->netif),
				 ipfmt6(&now, s),
				 (unsigned)p->invalidation_timer);
		else
			log_info("prefix %s/64 expired",
				 ipfmt6(&prefixes[i], s));
		ip6_addr_copy(prefixes[i], now);
	}
}

/* tick() - the periodic look at tables that have no callback */
static void tick(void *arg)
{
	(void)arg;
	watch_routers();
	watch_prefixes();
	sys_timeout(EVENTS_PERIOD_MS, tick, NULL);
}

/* events_init() - register the callback and start the periodic watch;
 * call after lwip_init()
 */
void events_init(void)
{
	netif_add_ext_callback(&callback, on_netif);
	loop_after_input(dns_store_sync);
	sys_timeout(EVENTS_PERIOD_MS, tick, NULL);
}
