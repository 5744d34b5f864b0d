/* macfilter.c - software multicast MAC filter
 *
 * The seed's bug was a NIC filter nobody programmed: neighbour solicitations
 * to solicited-node groups never reached the stack.  A TAP has no filter at
 * all, so we keep one in software and let lwIP program it through its
 * igmp_mac_filter/mld_mac_filter hooks.  Several groups can map to one MAC
 * (32 IPv4 groups share one; two addresses with the same low 24 bits share
 * a solicited-node group), so entries are reference counted.
 */
#include <errno.h>
#include <string.h>

#include "ethaddr.h"
#include "macfilter.h"

/* macfilter_init() - a filter accepting @own, broadcast, and no group yet */
void macfilter_init(struct macfilter *f, const uint8_t own[6], bool promisc)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->own, own, 6);
	f->promisc_multicast = promisc;
}

/* find() - index of @mac in the filter, or -1 */
static int find(const struct macfilter *f, const uint8_t mac[6])
{
	for (int i = 0; i < f->n; i++)
		if (!memcmp(f->e[i].mac, mac, 6))
			return i;
	return -1;
}

/* macfilter_add() - accept @mac (one more reference); -ENOSPC when full,
 * -EINVAL for a unicast MAC
 */
int macfilter_add(struct macfilter *f, const uint8_t mac[6])
{
	int i;

	if (!ethaddr_is_multicast(mac))
		return -EINVAL;
	i = find(f, mac);
	if (i >= 0) {
		if (f->e[i].refs == UINT16_MAX)
			return -ENOSPC;
		f->e[i].refs++;
		return 0;
	}
	if (f->n == MACFILTER_MAX)
		return -ENOSPC;
	memcpy(f->e[f->n].mac, mac, 6);
	f->e[f->n].refs = 1;
	f->n++;
	return 0;
}

/* macfilter_del() - drop one reference to @mac; -ENOENT if not there */
int macfilter_del(struct macfilter *f, const uint8_t mac[6])
{
	int i = find(f, mac);

	if (i < 0)
		return -ENOENT;
	if (--f->e[i].refs == 0)
		f->e[i] = f->e[--f->n];
	return 0;
}

/* macfilter_check() - verdict for a frame to @dst; counts drops */
enum macfilter_verdict macfilter_check(struct macfilter *f, const uint8_t dst[6])
{
	if (!ethaddr_is_multicast(dst)) {
		if (!memcmp(dst, f->own, 6))
			return MF_ACCEPT_UNICAST;
		f->drops_unicast++;
		return MF_DROP_UNICAST;
	}
	if (ethaddr_is_broadcast(dst))
		return MF_ACCEPT_BROADCAST;
	if (f->promisc_multicast || find(f, dst) >= 0)
		return MF_ACCEPT_MULTICAST;
	f->drops_multicast++;
	return MF_DROP_MULTICAST;
}
