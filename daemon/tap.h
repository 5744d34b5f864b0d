/* tap.h - open an existing TAP device */
#ifndef LWIPD_TAP_H
#define LWIPD_TAP_H

#include <stddef.h>

int tap_open(const char *name, char *err, size_t errlen);
int tap_mtu(const char *name);
int tap_is_up(const char *name);

#endif
