/* ifaddrs_dump - print the interfaces a program sees, through every libc
 * call and ioctl the shim answers (tests/integration/shim_ifaddrs.sh)
 *
 *   ifaddrs_dump        one line per finding:
 *     ifa NAME inet|inet6|packet ADDR/PLEN [scope N] flags 0xF
 *     nameindex INDEX NAME
 *     nametoindex NAME INDEX / indextoname INDEX NAME
 *     ioctl NAME index I flags 0xF mtu M hwaddr MAC addr A netmask N name-of-index NAME
 *     ioctl NAME addr error ERRNO-NAME   (no IPv4 address)
 *     ifconf NAME ADDR
 *   Exits 1 (with a line "error CALL: message") when a call fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* plen() - prefix length of netmask @sa */
static int plen(const struct sockaddr *sa)
{
	const unsigned char *p;
	int n = 0, len;

	if (!sa)
		return -1;
	if (sa->sa_family == AF_INET) {
		p = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		len = 4;
	} else {
		p = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		len = 16;
	}
	for (int i = 0; i < len; i++)
		n += __builtin_popcount(p[i]);
	return n;
}

/* dump_getifaddrs() - every entry of getifaddrs() */
static int dump_getifaddrs(void)
{
	struct ifaddrs *l, *a;
	char s[INET6_ADDRSTRLEN];

	if (getifaddrs(&l) < 0) {
		printf("error getifaddrs: %s\n", strerror(errno));
		return -1;
	}
	for (a = l; a; a = a->ifa_next) {
		int f = a->ifa_addr ? a->ifa_addr->sa_family : -1;

		if (f == AF_INET) {
			inet_ntop(f, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, s, sizeof(s));
			printf("ifa %s inet %s/%d flags 0x%x\n", a->ifa_name, s,
			       plen(a->ifa_netmask), a->ifa_flags);
		} else if (f == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)a->ifa_addr;

			inet_ntop(f, &in6->sin6_addr, s, sizeof(s));
			printf("ifa %s inet6 %s/%d scope %u flags 0x%x\n", a->ifa_name, s,
			       plen(a->ifa_netmask), in6->sin6_scope_id, a->ifa_flags);
		} else if (f == AF_PACKET) {
			struct sockaddr_ll *ll = (struct sockaddr_ll *)a->ifa_addr;
			unsigned char *m = ll->sll_addr;

			printf("ifa %s packet %02x:%02x:%02x:%02x:%02x:%02x index %d flags 0x%x\n",
			       a->ifa_name, m[0], m[1], m[2], m[3], m[4], m[5],
			       ll->sll_ifindex, a->ifa_flags);
		}
	}
	freeifaddrs(l);
	return 0;
}

/* dump_ioctls() - the SIOCGIF* answers for @name on socket @fd */
static void dump_ioctls(int fd, const char *name)
{
	struct ifreq r;
	char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN], byidx[IFNAMSIZ] = "?";
	int index, flags, mtu;
	unsigned char *h;

	memset(&r, 0, sizeof(r));
	snprintf(r.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, SIOCGIFINDEX, &r) < 0) {
		printf("error SIOCGIFINDEX %s: %s\n", name, strerror(errno));
		return;
	}
	index = r.ifr_ifindex;
	ioctl(fd, SIOCGIFFLAGS, &r);
	flags = r.ifr_flags & 0xffff;
	ioctl(fd, SIOCGIFMTU, &r);
	mtu = r.ifr_mtu;
	ioctl(fd, SIOCGIFHWADDR, &r);
	h = (unsigned char *)r.ifr_hwaddr.sa_data;
	printf("ioctl %s index %d flags 0x%x mtu %d hwaddr %02x:%02x:%02x:%02x:%02x:%02x",
	       name, index, flags, mtu, h[0], h[1], h[2], h[3], h[4], h[5]);
	r.ifr_ifindex = index;
	if (ioctl(fd, SIOCGIFNAME, &r) == 0)
		snprintf(byidx, sizeof(byidx), "%s", r.ifr_name);
	snprintf(r.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, SIOCGIFADDR, &r) < 0) {
		printf(" name-of-index %s addr error %s\n", byidx,
		       errno == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : strerror(errno));
		return;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_addr)->sin_addr, a, sizeof(a));
	ioctl(fd, SIOCGIFNETMASK, &r);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_netmask)->sin_addr, m, sizeof(m));
	printf(" name-of-index %s addr %s netmask %s\n", byidx, a, m);
}

/* dump_ifconf() - SIOCGIFCONF: size query, then the list */
static void dump_ifconf(int fd)
{
	struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
	char a[INET_ADDRSTRLEN];

	if (ioctl(fd, SIOCGIFCONF, &c) < 0) {
		printf("error SIOCGIFCONF: %s\n", strerror(errno));
		return;
	}
	c.ifc_buf = calloc(1, (size_t)c.ifc_len + 1);
	if (!c.ifc_buf || ioctl(fd, SIOCGIFCONF, &c) < 0)
		return;
	for (int off = 0; off + (int)sizeof(struct ifreq) <= c.ifc_len; off += sizeof(struct ifreq)) {
		struct ifreq *r = (struct ifreq *)(c.ifc_buf + off);

		inet_ntop(AF_INET, &((struct sockaddr_in *)&r->ifr_addr)->sin_addr, a, sizeof(a));
		printf("ifconf %s %s\n", r->ifr_name, a);
	}
	free(c.ifc_buf);
}

int main(void)
{
	struct if_nameindex *ni, *p;
	char buf[IF_NAMESIZE];
	unsigned index;
	int fd;

	if (dump_getifaddrs() < 0)
		return 1;
	ni = if_nameindex();
	if (!ni) {
		printf("error if_nameindex: %s\n", strerror(errno));
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		printf("error socket: %s\n", strerror(errno));
		return 1;
	}
	for (p = ni; p->if_index; p++) {
		printf("nameindex %u %s\n", p->if_index, p->if_name);
		printf("nametoindex %s %u\n", p->if_name, if_nametoindex(p->if_name));
		printf("indextoname %u %s\n", p->if_index,
		       if_indextoname(p->if_index, buf) ? buf : "(none)");
		dump_ioctls(fd, p->if_name);
	}
	if_freenameindex(ni);
	dump_ifconf(fd);
	errno = 0;
	index = if_nametoindex("nosuch0");
	printf("nametoindex nosuch %u %s\n", index, errno == ENODEV ? "ENODEV" : strerror(errno));
	close(fd);
	return 0;
}
