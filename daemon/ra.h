/* ra.h - read the prefix information options of a router advertisement */
#ifndef LWIPD_RA_H
#define LWIPD_RA_H

#include <stddef.h>
#include <stdint.h>

#define RA_PREFIX_FLAG_ONLINK 0x80
#define RA_PREFIX_FLAG_AUTO   0x40

struct ra_prefix {
	uint8_t prefix[16];
	uint8_t plen;
	uint8_t flags;                  /* RA_PREFIX_FLAG_* */
	uint32_t valid, preferred;      /* seconds; 0xffffffff: forever */
};

typedef void (*ra_prefix_fn)(const struct ra_prefix *p, void *arg);

int ra_parse(const uint8_t *pkt, size_t len, ra_prefix_fn fn, void *arg);

#endif
