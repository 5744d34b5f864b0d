/* lwip-proxy: bounded byte buffers.
 *
 * A buffer holds bytes [off, off+len) of a heap block of @cap bytes and
 * never grows beyond @max.  Storage is allocated on first use and can be
 * released when empty, so an idle connection costs no buffer memory.
 */
#ifndef PROXY_BUF_H
#define PROXY_BUF_H

#include <stddef.h>
#include <sys/types.h>

struct buf {
	char *data;
	size_t off, len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_release_if_empty(struct buf *b);
static inline char *buf_head(const struct buf *b) { return b->data + b->off; }
size_t buf_space(const struct buf *b);
int buf_reserve(struct buf *b, size_t want);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_consume(struct buf *b, size_t n);
ssize_t buf_read_fd(struct buf *b, int fd, size_t limit);
ssize_t buf_write_fd(struct buf *b, int fd);

#endif /* PROXY_BUF_H */
