/* test_ethaddr.c - default MAC, EUI-64, solicited-node groups, group MACs */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "ethaddr.h"

Test(ethaddr, default_mac_is_local_unicast_and_stable)
{
	uint8_t a[6], b[6], c[6], d[6];

	ethaddr_default("tap0", 1000, a);
	ethaddr_default("tap0", 1000, b);
	ethaddr_default("tap1", 1000, c);
	ethaddr_default("tap0", 1001, d);
	cr_assert_eq(a[0] & 0x03, 0x02, "locally administered, unicast");
	cr_assert_eq(memcmp(a, b, 6), 0, "same name and uid, same MAC");
	cr_assert_neq(memcmp(a, c, 6), 0, "another name, another MAC");
	cr_assert_neq(memcmp(a, d, 6), 0, "another uid, another MAC");
}

Test(ethaddr, eui64_flips_universal_local_bit)
{
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	const uint8_t want[8] = { 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56 };
	uint8_t iid[8];

	ethaddr_eui64(mac, iid);
	cr_assert_eq(memcmp(iid, want, 8), 0);
}

Test(ethaddr, solicited_node_of_the_seeds_example)
{
	struct in6_addr a, g, want;
	const uint8_t mac_want[6] = { 0x33, 0x33, 0xff, 0x00, 0x01, 0x78 };
	uint8_t mac[6];

	/* The seed: fc00:124::178 -> ff02::1:ff00:178 -> 33:33:ff:00:01:78 */
	inet_pton(AF_INET6, "fc00:124::178", &a);
	inet_pton(AF_INET6, "ff02::1:ff00:178", &want);
	ethaddr_solicited_node(&a, &g);
	cr_assert_eq(memcmp(&g, &want, 16), 0);
	ethaddr_mcast6(&g, mac);
	cr_assert_eq(memcmp(mac, mac_want, 6), 0);
}

Test(ethaddr, ipv6_all_nodes_mac)
{
	struct in6_addr g;
	const uint8_t want[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t mac[6];

	inet_pton(AF_INET6, "ff02::1", &g);
	ethaddr_mcast6(&g, mac);
	cr_assert_eq(memcmp(mac, want, 6), 0);
}

Test(ethaddr, ipv4_group_mac_keeps_23_bits)
{
	struct in_addr g;
	const uint8_t want[6] = { 0x01, 0x00, 0x5e, 0x7f, 0x00, 0xfb };
	uint8_t mac[6];

	inet_pton(AF_INET, "239.255.0.251", &g);
	ethaddr_mcast4(g, mac);
	cr_assert_eq(memcmp(mac, want, 6), 0, "high bit of the second octet dropped");
}

Test(ethaddr, classify)
{
	const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	const uint8_t uc[6] = { 0x02, 0, 0, 0, 0, 1 };

	cr_assert(ethaddr_is_broadcast(bc));
	cr_assert(ethaddr_is_multicast(bc));
	cr_assert(ethaddr_is_multicast(mc));
	cr_assert(!ethaddr_is_broadcast(mc));
	cr_assert(!ethaddr_is_multicast(uc));
}
