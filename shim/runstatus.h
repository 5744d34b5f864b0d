/* runstatus.h - lwip-run's look at lwipd (runstatus.c) */
#ifndef LWIPD_RUNSTATUS_H
#define LWIPD_RUNSTATUS_H

#include <limits.h>
#include <stddef.h>

/* what the "no lwipd" messages suggest */
#define RUN_START_UNIT "systemctl --user start lwipd@tap0"
#define RUN_START_CMD  "lwipd -i tap0 --dhcp"

int run_connect(const char *dir, char *why, size_t len);
int run_status(const char *dir, const char *shim);

#endif
