/* ra.c - find the prefix information options of a router advertisement
 *
 * lwIP processes router advertisements itself (routers, on-link prefixes,
 * MTU, RDNSS) but keeps neither a prefix's preferred lifetime nor its A
 * flag, which address formation needs; slaac.c hands each advertisement
 * here too.  The packet comes from the wire: every length is checked, and
 * the checks of RFC 4861 section 6.1.2 are made (hop limit 255, link-local
 * source, ICMPv6 checksum, code 0, option lengths not zero).
 */
#include <string.h>

#include "ra.h"

#define IP6_HLEN        40
#define NEXTH_ICMP6     58
#define ICMP6_RA       134
#define RA_HLEN         16      /* ICMPv6 header and the RA's fixed fields */
#define OPT_PREFIX       3
#define OPT_PREFIX_LEN  32

/* get32() - big-endian 32-bit value at @p */
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* checksum_ok() - does the ICMPv6 checksum of @icmp (@len bytes, under the
 * IPv6 header @ip) verify?
 */
static int checksum_ok(const uint8_t *ip, const uint8_t *icmp, size_t len)
{
	uint32_t sum = (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + NEXTH_ICMP6;

	for (int i = 8; i < 40; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)icmp[i] << 8 | icmp[i + 1];
	if (len & 1)
		sum += (uint32_t)icmp[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* ra_parse() - check that @pkt (@len bytes from the IPv6 header on) is a
 * valid router advertisement and call @fn for each prefix information
 * option.  Returns the number of prefix options, or -1 if the packet is not
 * a valid router advertisement (then @fn was not called).
 */
int ra_parse(const uint8_t *pkt, size_t len, ra_prefix_fn fn, void *arg)
{
	const uint8_t *icmp = pkt + IP6_HLEN, *o;
	size_t plen, off;
	int n = 0;

	if (len < IP6_HLEN + RA_HLEN || (pkt[0] >> 4) != 6 || pkt[6] != NEXTH_ICMP6 ||
	    pkt[7] != 255 || pkt[8] != 0xfe || (pkt[9] & 0xc0) != 0x80)
		return -1;
	plen = (size_t)pkt[4] << 8 | pkt[5];
	if (plen < RA_HLEN || plen > len - IP6_HLEN)
		return -1;
	if (icmp[0] != ICMP6_RA || icmp[1] != 0 || !checksum_ok(pkt, icmp, plen))
		return -1;
	for (off = RA_HLEN; off + 2 <= plen; off += (size_t)o[1] * 8) {
		o = icmp + off;
		if (o[1] == 0 || off + (size_t)o[1] * 8 > plen)
			return -1;
	}
	for (off = RA_HLEN; off + 2 <= plen; off += (size_t)o[1] * 8) {
		struct ra_prefix p;

		o = icmp + off;
		if (o[0] != OPT_PREFIX || o[1] * 8 < OPT_PREFIX_LEN)
			continue;
		p.plen = o[2];
		p.flags = o[3];
		p.valid = get32(o + 4);
		p.preferred = get32(o + 8);
		memcpy(p.prefix, o + 16, 16);
		if (p.plen > 128)
			continue;
		fn(&p, arg);
		n++;
	}
	return n;
}
