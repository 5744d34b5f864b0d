/* sha256.h - SHA-256 (FIPS 180-4), for stable-privacy interface identifiers */
#ifndef LWIPD_SHA256_H
#define LWIPD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32   /* digest bytes */

struct sha256 {
	uint32_t h[8];
	uint64_t len;           /* bytes hashed so far */
	uint8_t buf[64];        /* partial block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);

#endif
