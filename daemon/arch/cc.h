/* arch/cc.h - lwIP's compiler and platform glue for Linux hosts
 *
 * Assumes glibc: lwIP takes its integer types, errno values and byte order
 * from the C library.  LWIP_RAND comes from sys_arch.c (getrandom).
 */
#ifndef LWIPD_ARCH_CC_H
#define LWIPD_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <errno.h>
#include <arpa/inet.h>  /* htonl() and friends, which lwIP then uses */

#define LWIP_ERRNO_STDINCLUDE     1  /* use <errno.h>, not lwIP's copy */
#define LWIP_TIMEVAL_PRIVATE      0  /* struct timeval from the C library */

unsigned int lwipd_rand(void);
void lwipd_lwip_assert(const char *msg, const char *file, int line);

#define LWIP_RAND()               lwipd_rand()
#define LWIP_PLATFORM_DIAG(x)     do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)   lwipd_lwip_assert((x), __FILE__, __LINE__)

#endif /* LWIPD_ARCH_CC_H */
