/* sbuf.h - a growable text buffer for rendering files */
#ifndef LWIPD_SBUF_H
#define LWIPD_SBUF_H

#include <stddef.h>

#define SBUF_MAX (16 * 1024 * 1024)    /* largest file we render */

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;                /* a write did not fit */
};

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_free(struct sbuf *b);

#endif
