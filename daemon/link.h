/* link.h - one Ethernet link: a TAP fd under an lwIP netif */
#ifndef LWIPD_LINK_H
#define LWIPD_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "lwip/netif.h"

#include "impair.h"
#include "loop.h"
#include "macfilter.h"

struct link_counters {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_errors;     /* runt frames, read errors */
	uint64_t rx_nomem;      /* no pbuf for a frame */
	uint64_t tx_errors;     /* write errors */
};

struct link {
	struct netif netif;             /* first: container of the netif */
	char name[IFNAMSIZ];
	int fd;
	uint16_t mtu;
	uint8_t mac[6];
	struct loop_watch watch;
	struct macfilter filter;
	struct link_counters c;
	struct impair impair;           /* --impair: set by iface.c */
};

int link_open(struct link *l, const char *name, const uint8_t mac[6],
	      int promisc_multicast, char *err, size_t errlen);
void link_close(struct link *l);
void link_log_counters(const struct link *l);
struct link *link_of(struct netif *netif);
bool link_is_ours(const struct netif *netif);
const char *link_netif_name(struct netif *netif);

#endif
