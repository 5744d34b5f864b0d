/* ifaddrs.c - lwipd's interfaces, as the program sees them
 *
 * getifaddrs/freeifaddrs, if_nameindex/if_freenameindex, if_nametoindex,
 * if_indextoname and the SIOCGIF* ioctls on our sockets answer from the
 * daemon's interface list (IFINFO, docs/protocol.md), never from the
 * host's kernel: a program under the shim lives on lwipd's network and
 * must not see, bind to or advertise the host's addresses.  With no lwipd
 * reachable they fail with ENETDOWN, as socket() does (docs/sockets.md).
 *
 * Which free gets called: the program's freeifaddrs() is ours (we export
 * it).  Our lists are one malloc'd block that starts with the first
 * struct ifaddrs, and we remember each one we hand out (ifa_lists), so our
 * freeifaddrs frees ours and gives any other list (one glibc made before
 * our constructor ran, say) to glibc's.  glibc's freeifaddrs is free() of
 * the first entry, so even a list that escapes the registry is freed
 * right.  if_nameindex arrays are laid out as glibc lays them out (one
 * array, one strdup'd name per entry), so either if_freenameindex frees
 * either kind; ours does exactly what glibc's does.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define IF_MAX        16        /* interfaces we take from lwipd (it has at most 9) */
#define IFA_LISTS_MAX 64        /* getifaddrs lists a process may hold at once, tracked */

/* One getifaddrs entry with the storage its pointers point into. */
struct ifa_node {
	struct ifaddrs ifa;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_ll ll;
	} addr, mask, brd;
	struct rtnl_link_stats stats;   /* AF_PACKET entries: zero, as ifa_data */
	char name[IFNAMSIZ];
};

static pthread_mutex_t ifa_lock = PTHREAD_MUTEX_INITIALIZER;
static void *ifa_lists[IFA_LISTS_MAX];

/* if_fetch() - lwipd's interfaces into @v (at most @max), in index order.
 * Returns the count, or a negative errno (ENETDOWN: no lwipd). */
static int if_fetch(struct proto_ifinfo *v, int max)
{
	struct proto_ifinfo_req r = { 0, 0 };
	int n = 0, e;

	while (n < max) {
		e = shim_request(AF_INET, OP_IFINFO, &r, sizeof(r), &v[n], sizeof(v[n]), NULL);
		if (e == ENXIO)
			break;
		if (e)
			return -e;
		if (v[n].index <= r.after)
			return -EPROTO;         /* the daemon must move forward */
		v[n].name[sizeof(v[n].name) - 1] = '\0';
		r.after = v[n].index;
		n++;
	}
	return n;
}

/* if_find() - fetch the list and find @name (or, if @name is NULL, index
 * @index) into @out; 0 or a positive errno (ENODEV if not there) */
static int if_find(const char *name, unsigned index, struct proto_ifinfo *out)
{
	struct proto_ifinfo v[IF_MAX];
	int n = if_fetch(v, IF_MAX);

	if (n < 0)
		return -n;
	for (int i = 0; i < n; i++) {
		if (name ? !strncmp(v[i].name, name, IFNAMSIZ) : v[i].index == index) {
			*out = v[i];
			return 0;
		}
	}
	return ENODEV;
}

/* ifa_register() - remember list @p as ours; false if the table is full
 * (it is then freed by glibc's freeifaddrs, which is free() as well) */
static void ifa_register(void *p)
{
	pthread_mutex_lock(&ifa_lock);
	for (int i = 0; i < IFA_LISTS_MAX; i++)
		if (!ifa_lists[i]) {
			ifa_lists[i] = p;
			break;
		}
	pthread_mutex_unlock(&ifa_lock);
}

/* ifa_unregister() - forget @p; true if it was one of our lists */
static bool ifa_unregister(void *p)
{
	bool ours = false;

	pthread_mutex_lock(&ifa_lock);
	for (int i = 0; i < IFA_LISTS_MAX; i++)
		if (ifa_lists[i] == p) {
			ifa_lists[i] = NULL;
			ours = true;
			break;
		}
	pthread_mutex_unlock(&ifa_lock);
	return ours;
}

/* node_init() - the common part of an entry for interface @f */
static struct ifa_node *node_init(struct ifa_node *x, const struct proto_ifinfo *f)
{
	memcpy(x->name, f->name, IFNAMSIZ);
	x->ifa.ifa_name = x->name;
	x->ifa.ifa_flags = f->flags;
	x->ifa.ifa_addr = &x->addr.sa;
	return x;
}

/* node_packet() - the AF_PACKET entry of @f: MAC, hardware type, zero
 * statistics (glibc's lists have one per interface) */
static void node_packet(struct ifa_node *x, const struct proto_ifinfo *f)
{
	node_init(x, f);
	x->addr.ll.sll_family = AF_PACKET;
	x->addr.ll.sll_ifindex = (int)f->index;
	x->addr.ll.sll_hatype = f->hwtype;
	x->addr.ll.sll_halen = 6;
	memcpy(x->addr.ll.sll_addr, f->mac, 6);
	if (f->flags & IFF_BROADCAST) {
		x->brd.ll = x->addr.ll;
		memset(x->brd.ll.sll_addr, 0xff, 6);
		x->ifa.ifa_broadaddr = &x->brd.sa;
	}
	x->ifa.ifa_data = &x->stats;
}

/* node_inet() - the AF_INET entry of @f */
static void node_inet(struct ifa_node *x, const struct proto_ifinfo *f)
{
	node_init(x, f);
	x->addr.in.sin_family = AF_INET;
	memcpy(&x->addr.in.sin_addr, f->addr4, 4);
	x->mask.in.sin_family = AF_INET;
	memcpy(&x->mask.in.sin_addr, f->mask4, 4);
	x->ifa.ifa_netmask = &x->mask.sa;
	if (f->flags & IFF_BROADCAST) {
		x->brd.in.sin_family = AF_INET;
		memcpy(&x->brd.in.sin_addr, f->brd4, 4);
		x->ifa.ifa_broadaddr = &x->brd.sa;
	}
}

/* node_inet6() - the AF_INET6 entry of @f's address @a; link-local
 * addresses carry the interface index as scope id, as glibc's do */
static void node_inet6(struct ifa_node *x, const struct proto_ifinfo *f,
		       const struct proto_ifaddr6 *a)
{
	node_init(x, f);
	x->addr.in6.sin6_family = AF_INET6;
	memcpy(&x->addr.in6.sin6_addr, a->addr, 16);
	if (IN6_IS_ADDR_LINKLOCAL(&x->addr.in6.sin6_addr))
		x->addr.in6.sin6_scope_id = f->index;
	x->mask.in6.sin6_family = AF_INET6;
	for (int b = 0; b < a->plen && b < 128; b++)
		x->mask.in6.sin6_addr.s6_addr[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	x->ifa.ifa_netmask = &x->mask.sa;
}

/* build_list() - one block of entries for @n interfaces @v: first every
 * interface's AF_PACKET entry, then the IPv4, then the IPv6 addresses (the
 * order glibc's netlink dumps give).  NULL with errno ENOMEM on failure;
 * *@count gets the number of entries. */
static struct ifa_node *build_list(const struct proto_ifinfo *v, int n, size_t *count)
{
	struct ifa_node *x;
	size_t k = 0, total = (size_t)n;

	for (int i = 0; i < n; i++)
		total += (v[i].has4 ? 1 : 0) +
			 (v[i].n_addr6 < PROTO_IF_ADDR6_MAX ? v[i].n_addr6 : PROTO_IF_ADDR6_MAX);
	*count = total;
	x = calloc(total ? total : 1, sizeof(*x));
	if (!x)
		return NULL;
	for (int i = 0; i < n; i++)
		node_packet(&x[k++], &v[i]);
	for (int i = 0; i < n; i++)
		if (v[i].has4)
			node_inet(&x[k++], &v[i]);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < v[i].n_addr6 && j < PROTO_IF_ADDR6_MAX; j++)
			node_inet6(&x[k++], &v[i], &v[i].addr6[j]);
	for (size_t i = 0; i + 1 < total; i++)
		x[i].ifa.ifa_next = &x[i + 1].ifa;
	return x;
}

/* getifaddrs() - lwipd's interfaces and addresses (see the file comment) */
SHIM_EXPORT int getifaddrs(struct ifaddrs **ifap)
{
	struct proto_ifinfo v[IF_MAX];
	struct ifa_node *x;
	size_t count;
	int n;

	if (!shim_ready)
		return REAL(getifaddrs)(ifap);
	n = if_fetch(v, IF_MAX);
	if (n < 0) {
		errno = -n;
		return -1;
	}
	x = build_list(v, n, &count);
	if (!x) {
		errno = ENOMEM;
		return -1;
	}
	if (!count) {
		free(x);
		*ifap = NULL;
		return 0;
	}
	ifa_register(x);
	*ifap = &x->ifa;
	return 0;
}

/* freeifaddrs() - free one of our lists, or hand glibc's its own */
SHIM_EXPORT void freeifaddrs(struct ifaddrs *ifa)
{
	if (!ifa)
		return;
	if (ifa_unregister(ifa)) {
		free(ifa);
		return;
	}
	if (REAL(freeifaddrs))
		REAL(freeifaddrs)(ifa);
}

/* if_nameindex() - lwipd's interfaces as (index, name) pairs, ended by
 * {0, NULL}; laid out as glibc's (see the file comment) */
SHIM_EXPORT struct if_nameindex *if_nameindex(void)
{
	struct proto_ifinfo v[IF_MAX];
	struct if_nameindex *r;
	int n;

	if (!shim_ready)
		return REAL(if_nameindex)();
	n = if_fetch(v, IF_MAX);
	if (n < 0) {
		errno = -n;
		return NULL;
	}
	r = calloc((size_t)n + 1, sizeof(*r));
	if (!r) {
		errno = ENOBUFS;
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		r[i].if_index = v[i].index;
		r[i].if_name = strdup(v[i].name);
		if (!r[i].if_name) {
			if_freenameindex(r);
			errno = ENOBUFS;
			return NULL;
		}
	}
	return r;
}

/* if_freenameindex() - free an if_nameindex() array, ours or glibc's
 * (the same layout; this is what glibc's does) */
SHIM_EXPORT void if_freenameindex(struct if_nameindex *ptr)
{
	if (!ptr)
		return;
	for (struct if_nameindex *p = ptr; p->if_name || p->if_index; p++)
		free(p->if_name);
	free(ptr);
}

/* if_nametoindex() - lwipd's index of interface @name; 0 with errno
 * ENODEV if it has none by that name, ENETDOWN without lwipd */
SHIM_EXPORT unsigned int if_nametoindex(const char *name)
{
	struct proto_ifinfo f;
	int e;

	if (!shim_ready)
		return REAL(if_nametoindex)(name);
	if (!name) {
		errno = ENODEV;
		return 0;
	}
	e = if_find(name, 0, &f);
	if (e) {
		errno = e;
		return 0;
	}
	return f.index;
}

/* if_indextoname() - the name of lwipd's interface @index into @buf
 * (IF_NAMESIZE bytes); NULL with errno ENXIO if there is none */
SHIM_EXPORT char *if_indextoname(unsigned int index, char buf[IF_NAMESIZE])
{
	struct proto_ifinfo f;
	int e;

	if (!shim_ready)
		return REAL(if_indextoname)(index, buf);
	e = if_find(NULL, index, &f);
	if (e) {
		errno = e == ENODEV ? ENXIO : e;
		return NULL;
	}
	memcpy(buf, f.name, IF_NAMESIZE);
	buf[IF_NAMESIZE - 1] = '\0';
	return buf;
}

/* shim_if_ioctl_req() - is @req an interface or routing ioctl, which the
 * shim answers (or refuses) on its own sockets instead of the kernel? */
bool shim_if_ioctl_req(unsigned long req)
{
	return (req >= SIOCADDRT && req <= SIOCDEVPRIVATE + 15) ||
	       (req >= 0x8b00 && req <= 0x8bff);        /* wireless extensions */
}

/* set_sin() - @sa becomes the AF_INET address @a */
static void set_sin(struct sockaddr *sa, const uint8_t a[4])
{
	struct sockaddr_in in = { .sin_family = AF_INET };

	memcpy(&in.sin_addr, a, 4);
	memcpy(sa, &in, sizeof(in));
}

/* ifconf() - SIOCGIFCONF: one struct ifreq per interface with an IPv4
 * address, as many as fit; a NULL buffer asks for the size needed */
static int ifconf(struct ifconf *c)
{
	struct proto_ifinfo v[IF_MAX];
	int n = if_fetch(v, IF_MAX), used = 0;

	if (n < 0)
		return -n;
	for (int i = 0; i < n; i++) {
		struct ifreq r;

		if (!v[i].has4)
			continue;
		if (c->ifc_buf) {
			if (used + (int)sizeof(r) > c->ifc_len)
				break;
			memset(&r, 0, sizeof(r));
			memcpy(r.ifr_name, v[i].name, IFNAMSIZ);
			set_sin(&r.ifr_addr, v[i].addr4);
			memcpy(c->ifc_buf + used, &r, sizeof(r));
		}
		used += (int)sizeof(r);
	}
	c->ifc_len = used;
	return 0;
}

/* ifreq_get() - the SIOCGIF* requests that name an interface in @r */
static int ifreq_get(unsigned long req, struct ifreq *r)
{
	struct proto_ifinfo f;
	char name[IFNAMSIZ];
	int e;

	if (req == SIOCGIFNAME) {
		e = if_find(NULL, (unsigned)r->ifr_ifindex, &f);
		if (!e)
			memcpy(r->ifr_name, f.name, IFNAMSIZ);
		return e;
	}
	memcpy(name, r->ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	if ((e = if_find(name, 0, &f)))
		return e;
	switch (req) {
	case SIOCGIFINDEX:
		r->ifr_ifindex = (int)f.index;
		return 0;
	case SIOCGIFFLAGS:
		r->ifr_flags = (short)(f.flags & 0xffff);
		return 0;
	case SIOCGIFMTU:
		r->ifr_mtu = (int)f.mtu;
		return 0;
	case SIOCGIFHWADDR:
		memset(&r->ifr_hwaddr, 0, sizeof(r->ifr_hwaddr));
		r->ifr_hwaddr.sa_family = f.hwtype;
		memcpy(r->ifr_hwaddr.sa_data, f.mac, 6);
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (!f.has4)
			return EADDRNOTAVAIL;
		set_sin(&r->ifr_addr, req == SIOCGIFADDR ? f.addr4 :
			req == SIOCGIFNETMASK ? f.mask4 : f.brd4);
		return 0;
	}
	return EOPNOTSUPP;
}

/* shim_if_ioctl() - answer interface ioctl @req on one of our sockets
 * from lwipd's list; 0 or a positive errno.  Requests we do not answer
 * (every set, the routing table, ethtool, wireless) get EOPNOTSUPP: they
 * would otherwise read or change the host's interfaces. */
int shim_if_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case SIOCGIFCONF:
		return ifconf(arg);
	case SIOCGIFNAME: case SIOCGIFINDEX: case SIOCGIFFLAGS: case SIOCGIFMTU:
	case SIOCGIFHWADDR: case SIOCGIFADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR:
		return ifreq_get(req, arg);
	}
	return EOPNOTSUPP;
}
