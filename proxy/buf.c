/* lwip-proxy: bounded byte buffers, see buf.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define BUF_MIN_CAP	4096

/* buf_init() - Empty buffer that may hold up to @max bytes; no allocation */
void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->off = b->len = b->cap = 0;
	b->max = max;
}

/* buf_free() - Release storage; the buffer stays usable (empty) */
void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->off = b->len = b->cap = 0;
}

/* buf_release_if_empty() - Give back storage of an empty buffer */
void buf_release_if_empty(struct buf *b)
{
	if (!b->len)
		buf_free(b);
}

/* buf_space() - Bytes that may still be appended before reaching @max */
size_t buf_space(const struct buf *b)
{
	return b->max > b->len ? b->max - b->len : 0;
}

/* buf_reserve() - Make room for @want more bytes at the tail, compacting
 * and growing (up to @max) as needed.  Return: 0, or -1 if it cannot fit
 * (ENOBUFS) or memory ran out (ENOMEM). */
int buf_reserve(struct buf *b, size_t want)
{
	size_t need = b->len + want, ncap;
	char *n;

	if (need > b->max) {
		errno = ENOBUFS;
		return -1;
	}
	if (b->off + need <= b->cap)
		return 0;
	if (b->off && need <= b->cap) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
		return 0;
	}
	ncap = b->cap ? b->cap : BUF_MIN_CAP;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max)
		ncap = b->max;
	if (b->off) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	n = realloc(b->data, ncap);
	if (!n) {
		errno = ENOMEM;
		return -1;
	}
	b->data = n;
	b->cap = ncap;
	return 0;
}

/* buf_append() - Append @n bytes.  Return: 0, or -1 (nothing appended) */
int buf_append(struct buf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->off + b->len, p, n);
	b->len += n;
	return 0;
}

/* buf_printf() - Append formatted text.  Return: 0, or -1 if it does not
 * fit (nothing appended). */
int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n + 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->off + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* buf_consume() - Drop @n bytes (at most len) from the head */
void buf_consume(struct buf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	b->off += n;
	b->len -= n;
	if (!b->len)
		b->off = 0;
}

/* buf_read_fd() - read() from non-blocking @fd into the tail, at most
 * @limit bytes and never beyond @max.
 * Return: bytes read, 0 on EOF, -1 with errno (EAGAIN: nothing now). */
ssize_t buf_read_fd(struct buf *b, int fd, size_t limit)
{
	size_t room = buf_space(b);
	ssize_t n;

	if (limit < room)
		room = limit;
	if (!room) {
		errno = ENOBUFS;
		return -1;
	}
	if (buf_reserve(b, room) < 0)
		return -1;
	do
		n = read(fd, b->data + b->off + b->len, room);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		b->len += (size_t)n;
	return n;
}

/* buf_write_fd() - write() as much of the buffer as @fd takes now.
 * Assumes SIGPIPE is ignored.  Return: bytes written (maybe 0 if empty),
 * -1 with errno (EAGAIN: try later). */
ssize_t buf_write_fd(struct buf *b, int fd)
{
	ssize_t n;

	if (!b->len)
		return 0;
	do
		n = write(fd, buf_head(b), b->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		buf_consume(b, (size_t)n);
	return n;
}
