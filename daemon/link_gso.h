/* link_gso.h - a link's batch of TCP segments to send as one GSO frame */
#ifndef LWIPD_LINK_GSO_H
#define LWIPD_LINK_GSO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "gso.h"

#define GSO_MAX_SEGS    64                      /* segments in one frame */
#define GSO_MAX_IOV     (2 * GSO_MAX_SEGS)      /* their payload pieces */

struct pbuf;
struct link;

struct link_gso {
	bool on;                        /* the back end takes GSO frames */
	int n;                          /* segments held */
	struct pbuf *seg[GSO_MAX_SEGS]; /* held (pbuf_ref'd) until the flush */
	uint8_t hdr[GSO_HDR_MAX];       /* the first segment's headers */
	struct gso_seg s0;              /* ...as gso_parse_tcp() read them */
	uint32_t held;                  /* payload bytes held */
	uint32_t last;                  /* payload of the last segment */
	bool psh;                       /* some segment had PSH */
	int niov;                       /* payload pieces in iov[1...] */
	struct iovec iov[1 + GSO_MAX_IOV]; /* [0]: the headers at the flush */
	uint64_t frames, segs;          /* joined frames sent, segments in them */
};

bool link_gso_hold(struct link *l, struct pbuf *p);
void link_gso_flush(struct link *l);
void link_gso_flush_all(void);
void link_gso_enable(struct link *l, bool on);

#endif
