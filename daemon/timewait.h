/* timewait.h - TIME-WAIT reopening and its bound (see timewait.c) */
#ifndef LWIPD_TIMEWAIT_H
#define LWIPD_TIMEWAIT_H

#include <stdint.h>

struct timewait_counters {
	uint64_t reopened;      /* SYNs that reopened a TIME-WAIT connection */
	uint64_t dropped;       /* TIME-WAIT connections ended early (TW_MAX) */
	uint64_t parked;        /* in TIME-WAIT now, parked off lwIP's list */
};

void timewait_init(void);
const struct timewait_counters *timewait_counters(void);

#endif
