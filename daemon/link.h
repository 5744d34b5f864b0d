/* link.h - one Ethernet link under an lwIP netif, over one of several
 * back ends (a TAP, a TAP in a private namespace, passt, a stream socket)
 */
#ifndef LWIPD_LINK_H
#define LWIPD_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "lwip/netif.h"

#include "link_spec.h"
#include "link_gso.h"
#include "impair.h"
#include "loop.h"
#include "macfilter.h"

#define LINK_MAX_FRAME  (65535 + 18)    /* largest TAP MTU plus header and VLAN tag */
#define LINK_MAX_IOV    64              /* pbufs in one transmitted frame */
#define LINK_MIN_FRAME  60              /* Ethernet minimum without FCS: shorter
					 * frames are padded with zeros, as a NIC
					 * does (lwIP's ARP reads 28 bytes unchecked) */

struct link_counters {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_errors;     /* runt or oversize frames, read and protocol errors */
	uint64_t rx_nomem;      /* no pbuf for a frame */
	uint64_t tx_errors;     /* write errors */
	uint64_t tx_dropped;    /* no peer, or the peer did not read (queue full) */
	uint64_t connects;      /* connections made (stream back ends) */
};

/* What a back end did with one outgoing frame. */
enum link_tx { LINK_TX_SENT, LINK_TX_DROPPED, LINK_TX_ERROR };

struct link;
struct virtio_net_hdr;

/* A back end.  open() prepares (opens fds, sets l->mtu) without calling
 * lwIP; start() runs once the netif exists and may call link_set_carrier();
 * send() takes one frame and never blocks; state() describes the back end
 * in a few words for the `interfaces` file; close() undoes open() and
 * start().  All run on the loop thread. */
struct link_ops {
	int (*open)(struct link *l, const char *arg, char *err, size_t errlen);
	int (*start)(struct link *l, char *err, size_t errlen);
	enum link_tx (*send)(struct link *l, const struct iovec *iov, int n, size_t len);
	/* optional: a frame with a virtio_net_hdr asking for checksum and
	 * segmentation offload (link_gso.c); only called while l->gso.on */
	enum link_tx (*send_vnet)(struct link *l, const struct virtio_net_hdr *vh,
				  const struct iovec *iov, int n, size_t len);
	void (*state)(const struct link *l, char *buf, size_t len);
	void (*close)(struct link *l);
	void (*offload)(struct link *l, bool on);     /* optional (link_tap.c) */
};

struct link {
	struct netif netif;             /* first: container of the netif */
	char name[LINK_NAME_MAX];       /* the -i word, canonical */
	enum link_kind kind;
	const struct link_ops *ops;
	void *priv;                     /* the back end's state */
	int fd;                         /* the TAP (tap, tap-ns); -1 otherwise */
	uint16_t mtu;
	uint8_t mac[6];
	bool carrier;                   /* the back end has a working peer */
	bool admin_up;                  /* not --down */
	bool vnet;                      /* TAP frames carry a virtio_net_hdr (link_tap.c) */
	struct loop_watch watch;        /* the TAP or the stream connection */
	struct loop_watch listen_watch; /* stream-listen's listening socket */
	struct macfilter filter;
	struct impair impair;           /* --impair, both directions */
	struct link_gso gso;            /* TCP segments joined for the TAP */
	struct link_counters c;
};

extern const struct link_ops link_tap_ops, link_tapns_ops, link_stream_ops;

int link_open(struct link *l, const char *name, const uint8_t mac[6],
	      int promisc_multicast, char *err, size_t errlen);
void link_close(struct link *l);
void link_input(struct link *l, const uint8_t *frame, size_t len);
void link_input_csum(struct link *l, const uint8_t *frame, size_t len, bool csum_ok);
void link_set_carrier(struct link *l, bool on);
void link_set_admin(struct link *l, bool up);
void link_set_impair(struct link *l, const struct impair_spec *spec);
void link_state(const struct link *l, char *buf, size_t len);
void link_log_counters(const struct link *l);
err_t link_send_pbuf(struct link *l, struct pbuf *p);
int link_write_vnet(struct link *l, const struct virtio_net_hdr *vh,
		    const struct iovec *iov, int n, size_t len);
struct link *link_of(struct netif *netif);
bool link_is_ours(const struct netif *netif);
const char *link_netif_name(struct netif *netif);

#endif
