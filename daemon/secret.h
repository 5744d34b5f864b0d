/* secret.h - the secret key of stable-privacy addresses (RFC 7217) */
#ifndef LWIPD_SECRET_H
#define LWIPD_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_MIN      16      /* bytes: RFC 7217 asks for at least 128 bits */
#define SECRET_MAX     256      /* bytes read from the file */
#define SECRET_NEW_BITS 128     /* random bits a new file gets (hex) */

int secret_default_path(char *path, size_t len);
int secret_load(const char *path, uint8_t *key, size_t *keylen,
		char *err, size_t errlen);

#endif
