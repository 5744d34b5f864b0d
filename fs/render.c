/* render.c - what the filesystem's files say, from the stack's live state
 *
 * Runs on the loop thread only (called through bridge.c), so it may read
 * lwIP's tables directly.  Formats follow `ip addr`, `ip -6 route`,
 * `ip neigh` and /proc/net/tcp in spirit: one record per line, fields
 * separated by spaces, so both people and scripts can read them.
 * docs/lwipd-fs.5 describes each file.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/priv/nd6_priv.h"

#include "dhcp6c.h"
#include "dns.h"
#include "events.h"
#include "iface.h"
#include "ipfmt.h"
#include "reconfig.h"
#include "render.h"
#include "slaac.h"
#include "sock.h"
#include "timewait.h"
#include "version.h"

#define RENDER_OPTIONS_MAX (64 * 1024)  /* `options`: every path and address */

const char *const render_names[RF_COUNT] = {
	[RF_INTERFACES] = "interfaces", [RF_ROUTES] = "routes",
	[RF_NEIGHBOURS] = "neighbours", [RF_RESOLV] = "resolv.conf",
	[RF_SOCKETS] = "sockets", [RF_STATS] = "stats",
	[RF_STATUS] = "status", [RF_OPTIONS] = "options",
};

static time_t started;

/* render_init() - remember the start time for `status` */
void render_init(void)
{
	started = time(NULL);
}

/* mac_str() - aa:bb:cc:dd:ee:ff */
static const char *mac_str(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/* lifetime() - "forever" or seconds */
static void lifetime(struct sbuf *b, const char *what, u32_t v)
{
	if (v == IP6_ADDR_LIFE_STATIC || v == IP6_ADDR_LIFE_INFINITE)
		sbuf_printf(b, " %s forever", what);
	else
		sbuf_printf(b, " %s %us", what, (unsigned)v);
}

/* time_left() - "forever" or seconds left (0 is 0 s, not static); for
 * SLAAC and DHCPv6 lifetimes alike */
static void time_left(struct sbuf *b, const char *what, u32_t v)
{
	if (v == IP6_ADDR_LIFE_INFINITE)	/* == DHCP6_LIFE_INFINITE */
		sbuf_printf(b, " %s forever", what);
	else
		sbuf_printf(b, " %s %us", what, (unsigned)v);
}

/* iface_ipv4() - the inet line of an interface */
static void iface_ipv4(struct sbuf *b, struct netif *n)
{
	char a[IPFMT_LEN], g[IPFMT_LEN];
	int plen = __builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n)));

	if (ip4_addr_isany_val(*netif_ip4_addr(n)))
		return;
	sbuf_printf(b, "    inet %s/%d", ipfmt4(netif_ip4_addr(n), a), plen);
	if (!ip4_addr_isany_val(*netif_ip4_gw(n)) && !ip4_addr_eq(netif_ip4_gw(n), netif_ip4_addr(n)))
		sbuf_printf(b, " gateway %s", ipfmt4(netif_ip4_gw(n), g));
	if (dhcp_supplied_address(n)) {
		struct dhcp *d = netif_dhcp_data(n);

		sbuf_printf(b, " dynamic lease %us server %s", (unsigned)d->offered_t0_lease,
			    ipfmt(&d->server_ip_addr, g));
	}
	sbuf_printf(b, "\n");
}

/* iface_ipv6() - one inet6 line per address with its state */
static void iface_ipv6(struct sbuf *b, struct netif *n)
{
	char a[IPFMT_LEN];

	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		u8_t st = netif_ip6_addr_state(n, i);
		const ip6_addr_t *ip = netif_ip6_addr(n, i);
		struct slaac_info info;
		uint32_t valid, pref;

		if (ip6_addr_isinvalid(st))
			continue;
		sbuf_printf(b, "    inet6 %s/%d scope %s %s", ipfmt6(ip, a),
			    ip6_addr_isloopback(ip) ? 128 : 64,
			    ip6_addr_islinklocal(ip) ? "link" :
			    ip6_addr_isloopback(ip) ? "host" : "global",
			    ip6_addr_isloopback(ip) ? "preferred" : events_addr6_state_name(st));
		if (slaac_addr_info(n, ip, &info)) {    /* lwIP holds it as static */
			sbuf_printf(b, " %s", info.kind);
			time_left(b, "valid_lft", info.valid_left);
			time_left(b, "preferred_lft", info.pref_left);
		} else if (dhcp6c_addr_lifetimes(n, ip, &valid, &pref)) {
			sbuf_printf(b, " dynamic");
			time_left(b, "valid_lft", valid);
			time_left(b, "preferred_lft", pref);
		} else {
			lifetime(b, "valid_lft", netif_ip6_addr_valid_life(n, i));
			lifetime(b, "preferred_lft", netif_ip6_addr_pref_life(n, i));
		}
		sbuf_printf(b, "\n");
	}
}

/* iface_dhcp6() - the DHCPv6 client's state and lease, if it runs */
static void iface_dhcp6(struct sbuf *b, struct netif *n)
{
	struct dhcp6c_info d;
	char a[IPFMT_LEN];

	if (dhcp6c_get_info(n, &d))
		return;
	sbuf_printf(b, "    dhcp6 %s", d.state);
	if (d.leased) {
		sbuf_printf(b, " %s server %s", inet_ntop(AF_INET6, &d.addr, a, sizeof(a)),
			    d.server);
		time_left(b, "t1", d.t1);
		time_left(b, "t2", d.t2);
		time_left(b, "preferred_lft", d.pref);
		time_left(b, "valid_lft", d.valid);
	}
	sbuf_printf(b, "\n");
}

/* iface_groups() - joined multicast groups */
static void iface_groups(struct sbuf *b, struct netif *n)
{
	char a[IPFMT_LEN];

	sbuf_printf(b, "    groups");
	for (struct igmp_group *g = netif_igmp_data(n); g; g = g->next)
		sbuf_printf(b, " %s", ipfmt4(&g->group_address, a));
	for (struct mld_group *m = netif_mld6_data(n); m; m = m->next)
		sbuf_printf(b, " %s", ipfmt6(&m->group_address, a));
	sbuf_printf(b, "\n");
}

/* iface_link() - back end, MAC filter and counters of one of our links */
static void iface_link(struct sbuf *b, const struct link *l)
{
	char m[18], st[128];

	link_state(l, st, sizeof(st));
	sbuf_printf(b, "    link %s\n", st);
	sbuf_printf(b, "    macfilter%s", l->filter.promisc_multicast ? " promisc-multicast" : "");
	for (int i = 0; i < l->filter.n; i++)
		sbuf_printf(b, " %s", mac_str(l->filter.e[i].mac, m));
	sbuf_printf(b, "\n    rx frames %llu bytes %llu errors %llu nomem %llu "
		    "filtered multicast %llu unicast %llu\n"
		    "    tx frames %llu bytes %llu errors %llu dropped %llu gso %llu segments %llu\n",
		    (unsigned long long)l->c.rx_frames, (unsigned long long)l->c.rx_bytes,
		    (unsigned long long)l->c.rx_errors, (unsigned long long)l->c.rx_nomem,
		    (unsigned long long)l->filter.drops_multicast,
		    (unsigned long long)l->filter.drops_unicast,
		    (unsigned long long)l->c.tx_frames, (unsigned long long)l->c.tx_bytes,
		    (unsigned long long)l->c.tx_errors, (unsigned long long)l->c.tx_dropped,
		    (unsigned long long)l->gso.frames, (unsigned long long)l->gso.segs);
}

/* render_interfaces() - like `ip addr`, plus groups, filter and counters */
static void render_interfaces(struct sbuf *b)
{
	struct netif *n;
	char m[18];

	NETIF_FOREACH(n) {
		bool lo = !link_is_ours(n);
		struct link *l = lo ? NULL : link_of(n);

		sbuf_printf(b, "%u: %s: <%s%s%s> mtu %u state %s\n", netif_get_index(n),
			    link_netif_name(n),
			    lo ? "LOOPBACK" : "BROADCAST,MULTICAST",
			    netif_is_up(n) ? ",UP" : "",
			    netif_is_link_up(n) ? ",LOWER_UP" : "",
			    n->mtu, netif_is_up(n) && netif_is_link_up(n) ? "UP" : "DOWN");
		if (!lo)
			sbuf_printf(b, "    link/ether %s brd ff:ff:ff:ff:ff:ff\n", mac_str(n->hwaddr, m));
		iface_ipv4(b, n);
		iface_ipv6(b, n);
		if (!lo)
			iface_dhcp6(b, n);
		if (!lo)
			iface_groups(b, n);
		if (l)
			iface_link(b, l);
	}
}

/* render_routes() - IPv4 routes from addresses, IPv6 routers and prefixes
 * from router advertisements
 */
static void render_routes(struct sbuf *b)
{
	char a[IPFMT_LEN], s[IPFMT_LEN];
	struct netif *n;

	NETIF_FOREACH(n) {
		ip4_addr_t net;

		if (ip4_addr_isany_val(*netif_ip4_addr(n)) || !link_is_ours(n))
			continue;
		if (!ip4_addr_isany_val(*netif_ip4_gw(n)))
			sbuf_printf(b, "default via %s dev %s%s\n", ipfmt4(netif_ip4_gw(n), a),
				    link_netif_name(n), n == netif_default ? "" : " (not default netif)");
		ip4_addr_set_u32(&net, ip4_addr_get_u32(netif_ip4_addr(n)) &
				 ip4_addr_get_u32(netif_ip4_netmask(n)));
		sbuf_printf(b, "%s/%d dev %s src %s\n", ipfmt4(&net, a),
			    __builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n))),
			    link_netif_name(n), ipfmt4(netif_ip4_addr(n), s));
	}
	for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++) {
		struct nd6_router_list_entry *r = &default_router_list[i];

		if (!r->neighbor_entry)
			continue;
		sbuf_printf(b, "default via %s dev %s proto ra lifetime %us\n",
			    ipfmt6(&r->neighbor_entry->next_hop_address, a),
			    link_netif_name(r->neighbor_entry->netif), (unsigned)r->invalidation_timer);
	}
	for (int i = 0; i < LWIP_ND6_NUM_PREFIXES; i++) {
		struct nd6_prefix_list_entry *p = &prefix_list[i];

		if (!p->netif || !p->invalidation_timer)
			continue;
		sbuf_printf(b, "%s/64 dev %s proto ra valid %us\n", ipfmt6(&p->prefix, a),
			    link_netif_name(p->netif), (unsigned)p->invalidation_timer);
	}
}

/* render_neighbours() - like `ip neigh`: the ND cache, then ARP */
static void render_neighbours(struct sbuf *b)
{
	static const char *const nd_state[] = {
		"NONE", "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE"
	};
	char a[IPFMT_LEN], m[18];

	for (int i = 0; i < LWIP_ND6_NUM_NEIGHBORS; i++) {
		struct nd6_neighbor_cache_entry *e = &neighbor_cache[i];

		if (e->state == ND6_NO_ENTRY || e->state > ND6_PROBE)
			continue;
		sbuf_printf(b, "%s dev %s", ipfmt6(&e->next_hop_address, a), link_netif_name(e->netif));
		if (e->state != ND6_INCOMPLETE)
			sbuf_printf(b, " lladdr %s", mac_str(e->lladdr, m));
		sbuf_printf(b, "%s %s\n", e->isrouter ? " router" : "", nd_state[e->state]);
	}
	for (size_t i = 0; i < ARP_TABLE_SIZE; i++) {
		ip4_addr_t *ip;
		struct netif *n;
		struct eth_addr *eth;

		if (!etharp_get_entry(i, &ip, &n, &eth))
			continue;
		sbuf_printf(b, "%s dev %s lladdr %s REACHABLE\n", ipfmt4(ip, a), link_netif_name(n),
			    mac_str(eth->addr, m));
	}
}

/* tcp_state_name() - the /proc/net/tcp state names */
static const char *tcp_state_name(const struct sock *s)
{
	static const char *const names[] = {
		"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED",
		"FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"
	};

	if (s->state == SS_FAILED)
		return "FAILED";
	if (!s->pcb.tcp)
		return "CLOSED";
	return s->pcb.tcp->state <= TIME_WAIT ? names[s->pcb.tcp->state] : "?";
}

/* addr_port() - "[v6]:port" or "v4:port" */
static const char *addr_port(const ip_addr_t *ip, u16_t port, char buf[IPFMT_LEN + 8])
{
	char a[IPFMT_LEN];

	if (IP_IS_ANY_TYPE_VAL(*ip))
		snprintf(buf, IPFMT_LEN + 8, "*:%u", port);
	else if (IP_IS_V6(ip))
		snprintf(buf, IPFMT_LEN + 8, "[%s]:%u", ipfmt(ip, a), port);
	else
		snprintf(buf, IPFMT_LEN + 8, "%s:%u", ipfmt(ip, a), port);
	return buf;
}

/* render_sockets() - one line per emulated socket */
static void render_sockets(struct sbuf *b)
{
	char l[IPFMT_LEN + 8], r[IPFMT_LEN + 8];

	sbuf_printf(b, "proto local peer state send-q recv-q pid id\n");
	for (struct sock *s = sock_first(); s; s = s->next) {
		unsigned long rxq = (unsigned long)s->rx_len, txq = 0;
		const char *proto = s->type == SOCK_STREAM ? "tcp" : "udp";

		if (s->type == SOCK_STREAM && s->pcb.tcp && s->pcb.tcp->state != LISTEN)
			txq = TCP_SND_BUF - tcp_sndbuf(s->pcb.tcp) + s->stash_len;
		if (s->type == SOCK_STREAM && s->pcb.tcp) {
			addr_port(&s->pcb.tcp->local_ip, s->pcb.tcp->local_port, l);
			if (s->pcb.tcp->state == LISTEN)
				snprintf(r, sizeof(r), "*:*");
			else
				addr_port(&s->pcb.tcp->remote_ip, s->pcb.tcp->remote_port, r);
		} else if (s->type == SOCK_DGRAM && s->pcb.udp) {
			addr_port(&s->pcb.udp->local_ip, s->pcb.udp->local_port, l);
			if (s->pcb.udp->flags & UDP_FLAGS_CONNECTED)
				addr_port(&s->pcb.udp->remote_ip, s->pcb.udp->remote_port, r);
			else
				snprintf(r, sizeof(r), "*:*");
		} else {
			snprintf(l, sizeof(l), "-");
			snprintf(r, sizeof(r), "-");
		}
		sbuf_printf(b, "%s%s %s %s %s %lu %lu %d %llu\n", proto,
			    s->family == AF_INET6 ? "6" : "", l, r,
			    s->type == SOCK_STREAM ? tcp_state_name(s) : "UNCONN",
			    txq, rxq, (int)s->pid, (unsigned long long)s->id);
	}
}

/* proto_stats() - one line of a struct stats_proto */
static void proto_stats(struct sbuf *b, const char *name, const struct stats_proto *p)
{
	sbuf_printf(b, "%-8s xmit %u recv %u fw %u drop %u chkerr %u lenerr %u memerr %u "
		    "rterr %u proterr %u opterr %u err %u\n", name,
		    p->xmit, p->recv, p->fw, p->drop, p->chkerr, p->lenerr, p->memerr,
		    p->rterr, p->proterr, p->opterr, p->err);
}

/* impair_stats() - one line per direction of each impaired link */
static void impair_stats(struct sbuf *b)
{
	for (struct iface *i = iface_first(); i; i = iface_next(i)) {
		const struct impair *im = &i->link.impair;
		const struct impair_counters *c[2] = { &im->rx.c, &im->tx.c };

		if (!im->ever)
			continue;
		for (int d = 0; d < 2; d++)
			sbuf_printf(b, "%-8s dev %s dir %s frames %llu dropped %llu duplicated %llu "
				    "reordered %llu delayed %llu corrupted %llu overflow %llu\n",
				    "impair", i->cfg.name, d ? "tx" : "rx",
				    (unsigned long long)c[d]->frames, (unsigned long long)c[d]->dropped,
				    (unsigned long long)c[d]->duplicated,
				    (unsigned long long)c[d]->reordered,
				    (unsigned long long)c[d]->delayed,
				    (unsigned long long)c[d]->corrupted,
				    (unsigned long long)c[d]->overflow);
	}
}

/* render_stats() - lwIP's own counters, then the link impairment's */
static void render_stats(struct sbuf *b)
{
	proto_stats(b, "link", &lwip_stats.link);
	proto_stats(b, "etharp", &lwip_stats.etharp);
	proto_stats(b, "ip", &lwip_stats.ip);
	proto_stats(b, "ipfrag", &lwip_stats.ip_frag);
	proto_stats(b, "icmp", &lwip_stats.icmp);
	proto_stats(b, "udp", &lwip_stats.udp);
	proto_stats(b, "tcp", &lwip_stats.tcp);
	sbuf_printf(b, "%-8s insegs %u outsegs %u retranssegs %u inerrs %u outrsts %u "
		    "activeopens %u passiveopens %u estabresets %u\n", "tcpmib",
		    lwip_stats.mib2.tcpinsegs, lwip_stats.mib2.tcpoutsegs,
		    lwip_stats.mib2.tcpretranssegs, lwip_stats.mib2.tcpinerrs,
		    lwip_stats.mib2.tcpoutrsts, lwip_stats.mib2.tcpactiveopens,
		    lwip_stats.mib2.tcppassiveopens, lwip_stats.mib2.tcpestabresets);
	proto_stats(b, "ip6", &lwip_stats.ip6);
	proto_stats(b, "ip6frag", &lwip_stats.ip6_frag);
	proto_stats(b, "icmp6", &lwip_stats.icmp6);
	proto_stats(b, "nd6", &lwip_stats.nd6);
	sbuf_printf(b, "%-8s xmit %u recv %u drop %u rx_report %u tx_join %u tx_leave %u tx_report %u\n",
		    "igmp", lwip_stats.igmp.xmit, lwip_stats.igmp.recv, lwip_stats.igmp.drop,
		    lwip_stats.igmp.rx_report, lwip_stats.igmp.tx_join,
		    lwip_stats.igmp.tx_leave, lwip_stats.igmp.tx_report);
	sbuf_printf(b, "%-8s xmit %u recv %u drop %u rx_report %u tx_join %u tx_leave %u tx_report %u\n",
		    "mld6", lwip_stats.mld6.xmit, lwip_stats.mld6.recv, lwip_stats.mld6.drop,
		    lwip_stats.mld6.rx_report, lwip_stats.mld6.tx_join,
		    lwip_stats.mld6.tx_leave, lwip_stats.mld6.tx_report);
	sbuf_printf(b, "%-8s reopened %llu dropped %llu parked %llu\n", "timewait",
		    (unsigned long long)timewait_counters()->reopened,
		    (unsigned long long)timewait_counters()->dropped,
		    (unsigned long long)timewait_counters()->parked);
	sbuf_printf(b, "%-8s used %lu max %lu err %u\n", "heap",
		    (unsigned long)lwip_stats.mem.used, (unsigned long)lwip_stats.mem.max,
		    (unsigned)lwip_stats.mem.err);
	for (int i = 0; i < MEMP_MAX; i++) {
		const struct stats_mem *m = lwip_stats.memp[i];

		if (m)
			sbuf_printf(b, "memp%-4d used %lu max %lu err %u\n", i,
				    (unsigned long)m->used, (unsigned long)m->max, (unsigned)m->err);
	}
	impair_stats(b);
}

/* render_status() - version, uptime, counts */
static void render_status(struct sbuf *b)
{
	int n = 0;

	for (struct iface *i = iface_first(); i; i = iface_next(i))
		n++;
	sbuf_printf(b, "version %s\nlwip %s\npid %d\nuptime %lds\ninterfaces %d\nsockets %d\n",
		    LWIPD_VERSION, LWIP_VERSION_STRING, (int)getpid(),
		    (long)(time(NULL) - started), n, sock_count());
}

/* render_file() - render file @file into @out; 0 or -errno */
int render_file(int file, struct sbuf *out)
{
	char tmp[4096];

	switch (file) {
	case RF_INTERFACES: render_interfaces(out); break;
	case RF_ROUTES:     render_routes(out); break;
	case RF_NEIGHBOURS: render_neighbours(out); break;
	case RF_SOCKETS:    render_sockets(out); break;
	case RF_STATS:      render_stats(out); break;
	case RF_STATUS:     render_status(out); break;
	case RF_RESOLV:
		dns_store_resolv_conf(tmp, sizeof(tmp));
		sbuf_printf(out, "%s", tmp);
		break;
	case RF_OPTIONS: {
		/* paths and eight interfaces' addresses can pass 4 KiB */
		char *big = malloc(RENDER_OPTIONS_MAX);

		if (!big)
			return -ENOMEM;
		options_format(reconfig_running(), big, RENDER_OPTIONS_MAX);
		sbuf_printf(out, "%s", big);
		free(big);
		break;
	}
	default:
		return -ENOENT;
	}
	return out->oom ? -ENOMEM : 0;
}
