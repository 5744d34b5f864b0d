/* macfilter.h - the software receive filter of one Ethernet link */
#ifndef LWIPD_MACFILTER_H
#define LWIPD_MACFILTER_H

#include <stdbool.h>
#include <stdint.h>

#define MACFILTER_MAX 128   /* distinct multicast MACs joined at once */

enum macfilter_verdict {
	MF_ACCEPT_UNICAST, MF_ACCEPT_BROADCAST, MF_ACCEPT_MULTICAST,
	MF_DROP_UNICAST,     /* unicast to another host */
	MF_DROP_MULTICAST,   /* a group nobody joined */
};

struct macfilter_entry {
	uint8_t mac[6];
	uint16_t refs;      /* groups mapping to this MAC */
};

struct macfilter {
	uint8_t own[6];
	bool promisc_multicast;         /* accept every multicast */
	int n;
	struct macfilter_entry e[MACFILTER_MAX];
	uint64_t drops_unicast, drops_multicast;
};

void macfilter_init(struct macfilter *f, const uint8_t own[6], bool promisc);
int macfilter_add(struct macfilter *f, const uint8_t mac[6]);
int macfilter_del(struct macfilter *f, const uint8_t mac[6]);
enum macfilter_verdict macfilter_check(struct macfilter *f, const uint8_t dst[6]);

static inline bool macfilter_accepts(enum macfilter_verdict v)
{
	return v <= MF_ACCEPT_MULTICAST;
}

#endif
