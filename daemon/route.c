/* route.c - can a packet to this destination leave?
 *
 * lwIP routes every destination it has no better answer for to the
 * default interface and only finds out at the link layer that there is no
 * next hop (no IPv4 gateway, no IPv6 router): the packet is dropped there
 * and a TCP connect retries its SYN until it gives up, 18 s later.  Linux
 * answers ENETUNREACH at once.  route_check() asks the same questions
 * lwIP's output path will (ip4_route() then etharp_output()'s gateway
 * rule; for IPv6 the on-link rules of nd6_get_next_hop_entry() and
 * nd6_find_route()), before anything is sent.
 */
#include <errno.h>

#include "lwip/ip4.h"
#include "lwip/nd6.h"
#include "lwip/netif.h"

#include "route.h"

/* route4_ok() - does IPv4 @dst have a next hop? */
static int route4_ok(const ip4_addr_t *dst)
{
	struct netif *n;

	if (ip4_addr_isloopback(dst) || ip4_addr_ismulticast(dst) ||
	    ip4_addr_isany(dst) ||
	    (netif_default && ip4_addr_isbroadcast_u32(dst->addr, netif_default)))
		return 1;
	n = ip4_route(dst);
	if (!n)
		return 0;
	if (n->flags & NETIF_FLAG_ETHARP) {
		/* etharp_output(): off the subnet needs a gateway */
		if (!ip4_addr_net_eq(dst, netif_ip4_addr(n), netif_ip4_netmask(n)) &&
		    !ip4_addr_islinklocal(dst) && ip4_addr_isany(netif_ip4_gw(n)))
			return 0;
	}
	return 1;
}

/* on_link6() - is IPv6 @dst one of @n's addresses, or on its link by a
 * static address's implied /64?  As ip6_route(): a dynamic address (SLAAC,
 * DHCPv6) is a /128 (RFC 5942; prefixes from RAs are nd6_find_route()'s).
 */
static int on_link6(const ip6_addr_t *dst, struct netif *n)
{
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)) &&
		    ip6_addr_net_zoneless_eq(dst, netif_ip6_addr(n, i)) &&
		    (netif_ip6_addr_isstatic(n, i) ||
		     ip6_addr_zoneless_eq(dst, netif_ip6_addr(n, i))))
			return 1;
	return 0;
}

/* route6_ok() - does IPv6 @dst have a next hop? */
static int route6_ok(const ip6_addr_t *dst)
{
	struct netif *n;

	if (ip6_addr_isloopback(dst) || ip6_addr_ismulticast(dst) ||
	    ip6_addr_islinklocal(dst) || ip6_addr_isany(dst))
		return 1;
	if (nd6_find_route(dst))
		return 1;
	NETIF_FOREACH(n)
		if (netif_is_up(n) && netif_is_link_up(n) && on_link6(dst, n))
			return 1;
	return 0;
}

/* route_check() - 0 if a packet to @dst can leave an interface (on its
 * link, through a gateway or router, or to ourselves), -ENETUNREACH if
 * not.  Assumes lwIP's own context (the loop thread). */
int route_check(const ip_addr_t *dst)
{
	int ok = IP_IS_V6(dst) ? route6_ok(ip_2_ip6(dst)) : route4_ok(ip_2_ip4(dst));

	return ok ? 0 : -ENETUNREACH;
}
