/* link_frame.c - cut a byte stream into frames and queue frames for a
 * stream that may not take them yet
 *
 * The QEMU stream protocol (passt's socket, QEMU's -netdev stream and
 * -netdev socket) sends each Ethernet frame as a 32-bit big-endian length
 * and the frame.  Reads and writes may end anywhere, in the length too.
 * A length of 0 or above the largest frame we take is a protocol error:
 * the caller drops the connection, since nothing after it can be trusted
 * to be in step.  Everything here is pure (no I/O), so the unit test
 * splits streams at every byte and a fuzzer can drive it.
 */
#include <string.h>

#include "link_frame.h"

/* frame_next() - look at the start of @buf (@len bytes): FRAME_OK with
 * *@frame_len set when a length word is there (*@frame_len is 0 if not even
 * that is complete); FRAME_EMPTY or FRAME_TOO_BIG, with *@bad_len, if the
 * length is not 1..@max.  Whether the frame itself is complete is the
 * caller's test: @len >= FRAME_HDR_LEN + *@frame_len.
 */
enum frame_status frame_next(const uint8_t *buf, size_t len, size_t max,
			     size_t *frame_len, uint32_t *bad_len)
{
	uint32_t n;

	*frame_len = 0;
	if (len < FRAME_HDR_LEN)
		return FRAME_OK;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (n == 0 || n > max) {
		*bad_len = n;
		return n ? FRAME_TOO_BIG : FRAME_EMPTY;
	}
	*frame_len = n;
	return FRAME_OK;
}

/* frame_rx_init() - an empty receive buffer over @buf (@cap bytes, at
 * least FRAME_HDR_LEN + @max) for frames up to @max bytes
 */
void frame_rx_init(struct frame_rx *r, uint8_t *buf, size_t cap, size_t max)
{
	r->buf = buf;
	r->cap = cap;
	r->len = 0;
	r->max = max;
	r->bad_len = 0;
}

/* frame_rx_space() - where the next read goes and, in *@room, how much it
 * may read; never 0, since at most one partial frame is ever held
 */
uint8_t *frame_rx_space(struct frame_rx *r, size_t *room)
{
	*room = r->cap - r->len;
	return r->buf + r->len;
}

/* frame_rx_commit() - @n bytes were read into frame_rx_space(): call
 * @fn(@arg, frame, len) for every frame now complete, in order, and keep
 * the partial rest.  On FRAME_EMPTY/FRAME_TOO_BIG the frames before the
 * bad length were delivered, r->bad_len holds it, and the buffer is
 * emptied: the stream is out of step and must be dropped.
 */
enum frame_status frame_rx_commit(struct frame_rx *r, size_t n, frame_fn fn, void *arg)
{
	size_t off = 0, flen;
	enum frame_status st;

	r->len += n;
	for (;;) {
		st = frame_next(r->buf + off, r->len - off, r->max, &flen, &r->bad_len);
		if (st != FRAME_OK) {
			r->len = 0;
			return st;
		}
		if (!flen || r->len - off < FRAME_HDR_LEN + flen)
			break;
		fn(arg, r->buf + off + FRAME_HDR_LEN, flen);
		off += FRAME_HDR_LEN + flen;
	}
	if (off) {
		memmove(r->buf, r->buf + off, r->len - off);
		r->len -= off;
	}
	return FRAME_OK;
}

/* frame_hdr() - the length word for a frame of @len bytes */
void frame_hdr(uint8_t hdr[FRAME_HDR_LEN], uint32_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

/* frame_txq_init() - an empty queue over @buf (@cap bytes) */
void frame_txq_init(struct frame_txq *q, uint8_t *buf, size_t cap)
{
	q->buf = buf;
	q->cap = cap;
	q->head = 0;
	q->len = 0;
}

/* frame_txq_push() - append the bytes of @iov (@n entries) after the first
 * @skip of them (those were already written).  All or nothing: returns 0,
 * or -1 if they do not fit (the caller drops the frame and counts it).
 */
int frame_txq_push(struct frame_txq *q, const struct iovec *iov, int n, size_t skip)
{
	size_t total = 0, tail;

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (skip > total || total - skip > q->cap - q->len)
		return -1;
	tail = (q->head + q->len) % q->cap;
	for (int i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t l = iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		p += skip;
		l -= skip;
		skip = 0;
		while (l) {
			size_t chunk = q->cap - tail < l ? q->cap - tail : l;

			memcpy(q->buf + tail, p, chunk);
			tail = (tail + chunk) % q->cap;
			p += chunk;
			l -= chunk;
			q->len += chunk;
		}
	}
	return 0;
}

/* frame_txq_iov() - the queued bytes as up to two iovecs (the ring may
 * wrap); returns how many
 */
int frame_txq_iov(const struct frame_txq *q, struct iovec iov[2])
{
	size_t first;

	if (!q->len)
		return 0;
	first = q->cap - q->head < q->len ? q->cap - q->head : q->len;
	iov[0].iov_base = q->buf + q->head;
	iov[0].iov_len = first;
	if (first == q->len)
		return 1;
	iov[1].iov_base = q->buf;
	iov[1].iov_len = q->len - first;
	return 2;
}

/* frame_txq_consume() - @n queued bytes were written */
void frame_txq_consume(struct frame_txq *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	q->head = (q->head + n) % q->cap;
	q->len -= n;
	if (!q->len)
		q->head = 0;
}
