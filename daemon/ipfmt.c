/* ipfmt.c - format lwIP addresses with inet_ntop(3), so logs and files
 * read like `ip addr` (lower case, "::" compression, no zone suffix)
 */
#include <string.h>

#include "ipfmt.h"

/* ipfmt6() - an IPv6 address as text in @buf */
const char *ipfmt6(const ip6_addr_t *a, char buf[IPFMT_LEN])
{
	struct in6_addr in;

	memcpy(&in, a->addr, sizeof(in));
	return inet_ntop(AF_INET6, &in, buf, IPFMT_LEN);
}

/* ipfmt4() - an IPv4 address as text in @buf */
const char *ipfmt4(const ip4_addr_t *a, char buf[IPFMT_LEN])
{
	struct in_addr in = { .s_addr = ip4_addr_get_u32(a) };

	return inet_ntop(AF_INET, &in, buf, IPFMT_LEN);
}

/* ipfmt() - either family */
const char *ipfmt(const ip_addr_t *a, char buf[IPFMT_LEN])
{
	return IP_IS_V6(a) ? ipfmt6(ip_2_ip6(a), buf) : ipfmt4(ip_2_ip4(a), buf);
}
