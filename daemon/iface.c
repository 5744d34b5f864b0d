/* iface.c - bring interfaces up from their configuration, change them
 * incrementally, and take them down cleanly
 *
 * Each -i is one link (a TAP, passt, a stream socket: link.c) with, in
 * lwIP: an IPv4 address (static or DHCP), a link-local address with DAD
 * and SLAAC from router advertisements (both formed by slaac.c), manual
 * IPv6 addresses with DAD, and DHCPv6 (dhcp6c.c) when the RA asks: an
 * address for M, DNS for O.  ifaces_apply() compares the running
 * configuration with a new one and changes only what differs, so
 * unrelated connections survive.
 */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "lwip/dhcp.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"

#include "dhcp6c.h"
#include "ethaddr.h"
#include "iface.h"
#include "log.h"
#include "slaac.h"

static struct iface ifaces[MAX_IFACES];

/* iface_from() - the first interface in use at or after @i, or NULL */
static struct iface *iface_from(struct iface *i)
{
	for (; i < ifaces + MAX_IFACES; i++)
		if (i->in_use)
			return i;
	return NULL;
}

/* iface_first() - the first interface in use, or NULL */
struct iface *iface_first(void)
{
	return iface_from(ifaces);
}

/* iface_next() - the interface in use after @i, or NULL */
struct iface *iface_next(struct iface *i)
{
	return iface_from(i + 1);
}

/* find_iface() - the running interface named @name, or NULL */
static struct iface *find_iface(const char *name)
{
	for (struct iface *i = iface_first(); i; i = iface_next(i))
		if (!strcmp(i->cfg.name, name))
			return i;
	return NULL;
}

/* to_ip4() - struct in_addr to lwIP's type */
static ip4_addr_t to_ip4(struct in_addr a)
{
	ip4_addr_t r;

	ip4_addr_set_u32(&r, a.s_addr);
	return r;
}

/* apply_ipv4() - set the static IPv4 address, mask and gateway (or clear) */
static void apply_ipv4(struct iface *i, const struct iface_config *n)
{
	ip4_addr_t a = to_ip4(n->addr), m = to_ip4(n->mask), g = to_ip4(n->gw);

	if (!n->have_addr) {
		ip4_addr_set_zero(&a);
		ip4_addr_set_zero(&m);
	}
	if (!n->have_gw)
		ip4_addr_set_zero(&g);
	netif_set_addr(&i->link.netif, &a, &m, &g);
}

/* set_dhcp() - start or stop the DHCPv4 client */
static void set_dhcp(struct iface *i, int on)
{
	struct netif *nif = &i->link.netif;

	if (on) {
		if (dhcp_start(nif) != ERR_OK)
			log_warn("%s: DHCP did not start (out of memory)", i->cfg.name);
		else
			log_info("%s: DHCP started", i->cfg.name);
	} else {
		dhcp_release_and_stop(nif);
		log_info("%s: DHCP stopped, lease released", i->cfg.name);
	}
}

/* find_addr6() - index of @a among the netif's IPv6 addresses, or -1 */
static int find_addr6(struct netif *nif, const struct in6_addr *a)
{
	for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++)
		if (!ip6_addr_isinvalid(netif_ip6_addr_state(nif, k)) &&
		    !memcmp(netif_ip6_addr(nif, k)->addr, a, 16))
			return k;
	return -1;
}

/* add_addr6() - add a manual IPv6 address; it starts tentative (DAD) */
static void add_addr6(struct iface *i, const struct addr6_config *a)
{
	char s[INET6_ADDRSTRLEN];
	ip6_addr_t ip;
	s8_t idx;

	inet_ntop(AF_INET6, &a->addr, s, sizeof(s));
	if (find_addr6(&i->link.netif, &a->addr) >= 0)
		return;
	memset(&ip, 0, sizeof(ip));
	memcpy(ip.addr, &a->addr, 16);
	ip6_addr_assign_zone(&ip, IP6_UNICAST, &i->link.netif);
	if (netif_add_ip6_address(&i->link.netif, &ip, &idx) != ERR_OK)
		log_warn("%s: no room for %s/%d (lwIP holds %d IPv6 addresses)",
			 i->cfg.name, s, a->plen, LWIP_IPV6_NUM_ADDRESSES);
	else
		log_info("%s: %s/%d added, DAD running", i->cfg.name, s, a->plen);
}

/* del_addr6() - remove a manual IPv6 address */
static void del_addr6(struct iface *i, const struct addr6_config *a)
{
	char s[INET6_ADDRSTRLEN];
	int k = find_addr6(&i->link.netif, &a->addr);

	if (k < 0)
		return;
	netif_ip6_addr_set_state(&i->link.netif, (s8_t)k, IP6_ADDR_INVALID);
	log_info("%s: %s removed", i->cfg.name,
		 inet_ntop(AF_INET6, &a->addr, s, sizeof(s)));
}

/* has_addr6() - is @a in the list of @c? */
static int has_addr6(const struct iface_config *c, const struct addr6_config *a)
{
	for (int k = 0; k < c->n_addr6; k++)
		if (!memcmp(&c->addr6[k].addr, &a->addr, 16))
			return 1;
	return 0;
}

/* apply_changes() - move interface @i from i->cfg to @n, touching only
 * what differs
 */
static void apply_changes(struct iface *i, const struct iface_config *n)
{
	struct iface_config *o = &i->cfg;
	struct netif *nif = &i->link.netif;

	if (o->dhcp && !n->dhcp)
		set_dhcp(i, 0);
	if (!n->dhcp && (o->have_addr != n->have_addr || o->have_gw != n->have_gw ||
			 o->addr.s_addr != n->addr.s_addr ||
			 o->mask.s_addr != n->mask.s_addr || o->gw.s_addr != n->gw.s_addr))
		apply_ipv4(i, n);
	if (n->dhcp && !o->dhcp)
		set_dhcp(i, 1);
	for (int k = 0; k < o->n_addr6; k++)
		if (!has_addr6(n, &o->addr6[k]))
			del_addr6(i, &o->addr6[k]);
	for (int k = 0; k < n->n_addr6; k++)
		add_addr6(i, &n->addr6[k]);
	slaac_apply(nif, n);
	i->link.filter.promisc_multicast = n->promisc_multicast;
	if (o->dhcp6 && !o->down && !(n->dhcp6 && !n->down))
		dhcp6c_stop(nif);               /* Release while the link is up */
	link_set_impair(&i->link, &n->impair);
	if (n->down != o->down) {
		if (n->down) {
			link_set_admin(&i->link, false);
			netif_set_down(nif);
		} else {
			netif_set_up(nif);
			link_set_admin(&i->link, true);
		}
		log_info("%s: %s", n->name, n->down ? "down (by request)" : "up again");
	}
	if (n->dhcp6 && !n->down)
		dhcp6c_start(nif);              /* no-op if running */
	*o = *n;
}

/* iface_up() - open the link of @ifc and configure it from scratch */
static int iface_up(struct iface *i, const struct iface_config *ifc,
		    char *err, size_t errlen)
{
	struct iface_config empty;
	uint8_t mac[6];

	if (ifc->have_mac)
		memcpy(mac, ifc->mac, 6);
	else
		ethaddr_default(ifc->name, (unsigned)getuid(), mac);
	if (link_open(&i->link, ifc->name, mac, ifc->promisc_multicast, err, errlen))
		return -1;
	i->in_use = 1;
	memset(&empty, 0, sizeof(empty));
	i->cfg = empty;
	snprintf(i->cfg.name, sizeof(i->cfg.name), "%s", ifc->name);
	netif_set_up(&i->link.netif);
	link_set_admin(&i->link, true);
	log_info("%s: up, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u", ifc->name,
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], i->link.mtu);
	apply_changes(i, ifc);
	return 0;
}

/* leave_groups() - send MLD Done and IGMP Leave for every group joined */
static void leave_groups(struct netif *nif)
{
	struct mld_group *m;
	struct igmp_group *g;

	while ((m = netif_mld6_data(nif)) != NULL)
		if (mld6_leavegroup_netif(nif, &m->group_address) != ERR_OK)
			break;
	g = netif_igmp_data(nif);
	while (g && g->next) {
		if (igmp_leavegroup_netif(nif, &g->next->group_address) != ERR_OK)
			break;
		g = netif_igmp_data(nif);
	}
}

/* iface_down() - release the leases, leave groups, close the link, free
 * the DHCP clients' state (lwIP keeps it across stop and start)
 */
static void iface_down(struct iface *i)
{
	dhcp6c_stop(&i->link.netif);
	if (i->cfg.dhcp)
		dhcp_release_and_stop(&i->link.netif);
	leave_groups(&i->link.netif);
	slaac_detach(&i->link.netif);
	netif_set_down(&i->link.netif);
	link_close(&i->link);
	dhcp_cleanup(&i->link.netif);
	log_info("%s: down", i->cfg.name);
	i->in_use = 0;
}

/* free_slot() - an unused interface slot, or NULL */
static struct iface *free_slot(void)
{
	for (int k = 0; k < MAX_IFACES; k++)
		if (!ifaces[k].in_use)
			return &ifaces[k];
	return NULL;
}

/* ifaces_apply() - make the running interfaces match @c: open new ones,
 * close removed ones, change the rest incrementally.  The first interface
 * is lwIP's default netif.
 */
int ifaces_apply(const struct config *c, char *err, size_t errlen)
{
	struct iface *i, *next;
	int k;

	if (slaac_secret(c, err, errlen))
		return -1;
	for (i = iface_first(); i; i = next) {
		next = iface_next(i);
		for (k = 0; k < c->n_ifaces; k++)
			if (!strcmp(c->ifaces[k].name, i->cfg.name))
				break;
		if (k == c->n_ifaces)
			iface_down(i);
	}
	for (k = 0; k < c->n_ifaces; k++) {
		i = find_iface(c->ifaces[k].name);
		if (i) {
			apply_changes(i, &c->ifaces[k]);
		} else {
			i = free_slot();
			if (!i || iface_up(i, &c->ifaces[k], err, errlen))
				return -1;
		}
		if (k == 0)
			netif_set_default(&i->link.netif);
	}
	return 0;
}

/* ifaces_stop() - take every interface down (SIGTERM, exit) */
void ifaces_stop(void)
{
	for (struct iface *i = iface_first(); i; i = iface_next(i))
		iface_down(i);
}
