/* gso.h - consecutive TCP segments of one connection joined into one
 * large frame, for a back end that cuts it again (a TAP with offloads)
 *
 * Pure functions over frame bytes; link_gso.c holds the segments.
 */
#ifndef LWIPD_GSO_H
#define LWIPD_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSO_HDR_MAX     (14 + 40 + 60)  /* Ethernet, IPv6, TCP with options */
#define GSO_MAX_PAYLOAD (65535 - 40 - 60) /* IP length field, largest headers */

/* What gso_parse_tcp() found in a frame: a TCP segment. */
struct gso_seg {
	uint16_t l4;            /* offset of the TCP header */
	uint16_t hdr_len;       /* Ethernet + IP + TCP headers */
	uint32_t payload;       /* TCP payload bytes */
	uint32_t seq;           /* host order */
	uint8_t flags;          /* TCP flags */
	bool v6;
};

int gso_parse_tcp(const uint8_t *f, size_t avail, size_t len, struct gso_seg *s);
bool gso_may_join(const struct gso_seg *s);
bool gso_joinable(const uint8_t *h0, const struct gso_seg *s0, uint32_t held,
		  uint32_t last, const uint8_t *h, const struct gso_seg *s);
void gso_finish(uint8_t *h, const struct gso_seg *s0, uint32_t payload, bool psh);
uint16_t gso_pseudo_sum(const uint8_t *h, const struct gso_seg *s, uint32_t payload);
void gso_csum_partial(uint8_t *h, const struct gso_seg *s);

#endif
