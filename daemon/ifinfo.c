/* ifinfo.c - lwIP's netif list as programs under the shim see it
 *
 * Answers IFINFO (docs/protocol.md): one interface per request, in index
 * order, built from lwIP's netif list on the loop thread.  Indexes are
 * lwIP's own (netif num + 1), the same ones UDP's ifindex and IPv6 scope
 * ids carry.  lwIP's loopback netif (LWIP_HAVE_LOOPIF) is added first by
 * lwip_init(), so it is `lo` with index 1 as on Linux; every -i TAP
 * follows under its own name.  The shim turns the records into
 * getifaddrs(), if_nameindex() and the SIOCGIF* ioctls.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>

#include "lwip/ip6_addr.h"
#include "lwip/netif.h"

#include "ifinfo.h"
#include "link.h"

#define IFINFO_LO_MTU 65536     /* lwIP's loopif has no MTU; Linux's lo has this */

/* fill_ipv4() - the IPv4 address, mask and broadcast of @n, if any */
static void fill_ipv4(struct netif *n, bool bcast, struct proto_ifinfo *o)
{
	u32_t a = ip4_addr_get_u32(netif_ip4_addr(n));
	u32_t m = ip4_addr_get_u32(netif_ip4_netmask(n));
	u32_t b = bcast ? (a | ~m) : 0;

	if (ip4_addr_isany_val(*netif_ip4_addr(n)))
		return;
	o->has4 = 1;
	memcpy(o->addr4, &a, 4);
	memcpy(o->mask4, &m, 4);
	memcpy(o->brd4, &b, 4);
}

/* fill_ipv6() - the IPv6 addresses of @n a program may see: tentative,
 * preferred and deprecated ones (not duplicates, not empty slots) */
static void fill_ipv6(struct netif *n, struct proto_ifinfo *o)
{
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && o->n_addr6 < PROTO_IF_ADDR6_MAX; i++) {
		u8_t st = netif_ip6_addr_state(n, i);
		const ip6_addr_t *ip = netif_ip6_addr(n, i);
		struct proto_ifaddr6 *a = &o->addr6[o->n_addr6];

		if (ip6_addr_isinvalid(st) || ip6_addr_isduplicated(st))
			continue;
		memcpy(a->addr, ip->addr, 16);
		a->plen = ip6_addr_isloopback(ip) ? 128 : 64;
		/* lwIP gives ::1 the bare VALID state, which reads as deprecated */
		a->state = ip6_addr_istentative(st) ? PROTO_A6_TENTATIVE :
			   ip6_addr_isdeprecated(st) && !ip6_addr_isloopback(ip) ?
			   PROTO_A6_DEPRECATED : PROTO_A6_PREFERRED;
		o->n_addr6++;
	}
}

/* fill() - the record of netif @n */
static void fill(struct netif *n, struct proto_ifinfo *o)
{
	bool lo = !link_is_ours(n);

	memset(o, 0, sizeof(*o));
	o->index = netif_get_index(n);
	snprintf(o->name, sizeof(o->name), "%s", link_netif_name(n));
	if (netif_is_up(n))
		o->flags |= IFF_UP;
	if (netif_is_up(n) && netif_is_link_up(n))
		o->flags |= IFF_RUNNING;
	o->flags |= lo ? IFF_LOOPBACK : IFF_BROADCAST | IFF_MULTICAST;
	o->mtu = lo && !n->mtu ? IFINFO_LO_MTU : n->mtu;
	o->hwtype = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	if (!lo)
		memcpy(o->mac, n->hwaddr, sizeof(o->mac));
	fill_ipv4(n, !lo, o);
	fill_ipv6(n, o);
}

/* ifinfo_get() - the interface with the lowest index above @after into
 * @out; 0, or ENXIO when there is none.  Loop thread only. */
int ifinfo_get(uint32_t after, struct proto_ifinfo *out)
{
	struct netif *n, *best = NULL;

	NETIF_FOREACH(n) {
		if (netif_get_index(n) <= after)
			continue;
		if (!best || netif_get_index(n) < netif_get_index(best))
			best = n;
	}
	if (!best)
		return ENXIO;
	fill(best, out);
	return 0;
}
