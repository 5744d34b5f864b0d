/* ethaddr.c - MAC address arithmetic, no state
 *
 * The rules: a default MAC is locally administered and unicast (RFC 7042
 * 2.1), stable for one interface name and uid so that a restarted daemon
 * keeps its EUI-64 addresses; EUI-64 flips the universal/local bit and puts
 * ff:fe in the middle (RFC 4291 appendix A); the solicited-node group of an
 * address is ff02::1:ffXX:XXXX with its low 24 bits (RFC 4291 2.7.1); IPv6
 * multicast maps to 33:33 and the group's low 32 bits (RFC 2464 7); IPv4
 * multicast to 01:00:5e and the low 23 bits (RFC 1112 6.4).
 */
#include <string.h>

#include "ethaddr.h"

/* fnv1a() - 64-bit FNV-1a over @len bytes, continuing from @h */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ethaddr_default() - a stable locally-administered unicast MAC for
 * interface @ifname used by @uid
 */
void ethaddr_default(const char *ifname, unsigned int uid, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv1a(h, "lwipd", 5);
	h = fnv1a(h, ifname, strlen(ifname));
	h = fnv1a(h, &uid, sizeof(uid));
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);  /* local, unicast */
}

/* ethaddr_eui64() - the modified EUI-64 interface identifier of @mac */
void ethaddr_eui64(const uint8_t mac[6], uint8_t iid[8])
{
	iid[0] = mac[0] ^ 0x02;
	iid[1] = mac[1];
	iid[2] = mac[2];
	iid[3] = 0xff;
	iid[4] = 0xfe;
	iid[5] = mac[3];
	iid[6] = mac[4];
	iid[7] = mac[5];
}

/* ethaddr_solicited_node() - ff02::1:ffXX:XXXX for @addr */
void ethaddr_solicited_node(const struct in6_addr *addr, struct in6_addr *group)
{
	static const uint8_t prefix[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff
	};

	memcpy(group->s6_addr, prefix, sizeof(prefix));
	memcpy(group->s6_addr + 13, addr->s6_addr + 13, 3);
}

/* ethaddr_mcast6() - the Ethernet group address of IPv6 group @group */
void ethaddr_mcast6(const struct in6_addr *group, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group->s6_addr + 12, 4);
}

/* ethaddr_mcast4() - the Ethernet group address of IPv4 group @group */
void ethaddr_mcast4(struct in_addr group, uint8_t mac[6])
{
	const uint8_t *g = (const uint8_t *)&group.s_addr;

	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = g[1] & 0x7f;
	mac[4] = g[2];
	mac[5] = g[3];
}

/* ethaddr_is_multicast() - group bit set (broadcast included) */
bool ethaddr_is_multicast(const uint8_t mac[6])
{
	return mac[0] & 1;
}

/* ethaddr_is_broadcast() - ff:ff:ff:ff:ff:ff */
bool ethaddr_is_broadcast(const uint8_t mac[6])
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return !memcmp(mac, bc, 6);
}
