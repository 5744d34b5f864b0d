/* sbuf.c - growable text buffer, bounded by SBUF_MAX */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sbuf.h"

/* grow() - make room for @need more bytes; 0 or -1 */
static int grow(struct sbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	while (cap < b->len + need + 1)
		cap *= 2;
	if (cap > SBUF_MAX)
		return -1;
	if (cap == b->cap)
		return 0;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* sbuf_printf() - append formatted text; on overflow set b->oom */
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n)) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* sbuf_free() - release the text */
void sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
