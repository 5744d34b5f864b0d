/* render.h - the filesystem's text files, rendered on the loop thread */
#ifndef LWIPD_RENDER_H
#define LWIPD_RENDER_H

#include "sbuf.h"

enum render_file {
	RF_INTERFACES, RF_ROUTES, RF_NEIGHBOURS, RF_RESOLV, RF_SOCKETS,
	RF_STATS, RF_STATUS, RF_OPTIONS, RF_COUNT
};

extern const char *const render_names[RF_COUNT];

void render_init(void);
int render_file(int file, struct sbuf *out);

#endif
