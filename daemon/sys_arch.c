/* sys_arch.c - what lwIP needs from the host with NO_SYS=1: a millisecond
 * clock, random numbers and an assertion handler
 */
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "lwip/sys.h"
#include "log.h"

/* sys_now() - milliseconds on CLOCK_MONOTONIC (wraps, as lwIP expects) */
u32_t sys_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u32_t)((u64_t)ts.tv_sec * 1000u + (u64_t)ts.tv_nsec / 1000000u);
}

/* lwipd_rand() - a random 32-bit value for ISNs, ports, DHCP xids, DAD
 * delays; drawn from getrandom(2) in batches
 */
unsigned int lwipd_rand(void)
{
	static unsigned int pool[64];
	static size_t left;

	if (!left) {
		if (getrandom(pool, sizeof(pool), 0) != sizeof(pool)) {
			log_err("getrandom failed");
			abort();
		}
		left = sizeof(pool) / sizeof(pool[0]);
	}
	return pool[--left];
}

/* lwipd_lwip_assert() - lwIP found its own state inconsistent: log, abort */
void lwipd_lwip_assert(const char *msg, const char *file, int line)
{
	log_err("lwIP assertion failed: %s (%s:%d)", msg, file, line);
	abort();
}
