/* bridge.h - the FUSE thread asks the event loop, and waits */
#ifndef LWIPD_BRIDGE_H
#define LWIPD_BRIDGE_H

#include "sbuf.h"

enum bridge_kind { BR_RENDER, BR_OPTIONS };

int bridge_init(void);
int bridge_call(enum bridge_kind kind, int file, const char *line,
		struct sbuf *out, char *err, size_t errlen);
void bridge_shutdown(void);

#endif
