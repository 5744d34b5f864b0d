/* sockaddr.c - addresses between the control protocol and lwIP
 *
 * The dual-stack rules: an AF_INET6 socket that is not IPV6_V6ONLY takes
 * IPv4 peers as ::ffff:a.b.c.d, and "::" means any address of either
 * family.  An AF_INET socket takes IPv4 only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "lwip/netif.h"

#include "sock.h"

/* is_v4mapped() - ::ffff:0:0/96 */
static bool is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pfx, sizeof(pfx));
}

/* is_zero() - all 16 bytes zero */
static bool is_zero(const uint8_t a[16])
{
	static const uint8_t z[16];

	return !memcmp(a, z, 16);
}

/* sockaddr_to_ip() - @a as lwIP's address for socket @s; -EAFNOSUPPORT
 * for the wrong family, -EINVAL for a malformed one
 */
int sockaddr_to_ip(const struct sock *s, const struct proto_addr *a,
		   ip_addr_t *ip, uint16_t *port)
{
	uint32_t v4;

	*port = lwip_ntohs(a->port);
	if (a->family == 4) {
		if (s->family != AF_INET)
			return -EAFNOSUPPORT;
		memcpy(&v4, a->addr, 4);
		ip_addr_set_ip4_u32_val(*ip, v4);
		return 0;
	}
	if (a->family != 6)
		return -EINVAL;
	if (s->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (is_v4mapped(a->addr)) {
		if (s->v6only)
			return -ENETUNREACH;
		memcpy(&v4, a->addr + 12, 4);
		ip_addr_set_ip4_u32_val(*ip, v4);
		return 0;
	}
	if (is_zero(a->addr) && !s->v6only) {
		*ip = *IP_ANY_TYPE;
		return 0;
	}
	memset(ip, 0, sizeof(*ip));
	IP_SET_TYPE_VAL(*ip, IPADDR_TYPE_V6);
	memcpy(ip_2_ip6(ip)->addr, a->addr, 16);
	if (ip6_addr_has_scope(ip_2_ip6(ip), IP6_UNKNOWN)) {
		struct netif *n = a->scope ? netif_get_by_index((u8_t)a->scope) : netif_default;

		if (!n)
			return -ENODEV;
		ip6_addr_assign_zone(ip_2_ip6(ip), IP6_UNKNOWN, n);
	}
	return 0;
}

/* sockaddr_from_ip() - lwIP's address and host-order port to the wire */
void sockaddr_from_ip(const ip_addr_t *ip, uint16_t port, struct proto_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = lwip_htons(port);
	if (IP_IS_ANY_TYPE_VAL(*ip) || IP_IS_V6(ip)) {
		a->family = 6;
		if (!IP_IS_ANY_TYPE_VAL(*ip)) {
			memcpy(a->addr, ip_2_ip6(ip)->addr, 16);
#if LWIP_IPV6_SCOPES
			a->scope = ip6_addr_zone(ip_2_ip6(ip));
#endif
		}
		return;
	}
	a->family = 4;
	memcpy(a->addr, &ip_2_ip4(ip)->addr, 4);
}

/* sockaddr_is_local() - is @ip "any" or one of our interfaces' addresses? */
bool sockaddr_is_local(const ip_addr_t *ip)
{
	struct netif *n;

	if (ip_addr_isany(ip))
		return true;
	NETIF_FOREACH(n) {
		if (IP_IS_V4(ip) && ip4_addr_eq(ip_2_ip4(ip), netif_ip4_addr(n)))
			return true;
		if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	}
	return false;
}
