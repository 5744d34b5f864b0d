/* fuzz_link_frame.c - the stream links' framing (daemon/link_frame.c):
 * reassembly of a byte stream read in arbitrary pieces, and the transmit
 * queue
 *
 * An input is a header and a stream:
 *   byte 0  the largest frame taken: 1 + 37 * byte (1..9436)
 *   byte 1  receive buffer slack beyond FRAME_HDR_LEN + max (0..255)
 *   byte 2  transmit queue size: 1 + 29 * byte (1..7396)
 *   byte 3  K, how many read sizes follow (0..255; 0 means one byte a read)
 *   K bytes read sizes, used in turn: 1 + byte each (a read also stops at
 *           the room frame_rx_space() gives, as stream_read() does)
 *   rest    the stream the peer sends
 * The receiver must deliver exactly the frames a one-pass reading of the
 * stream finds, in order, each 1..max bytes, stop with FRAME_EMPTY or
 * FRAME_TOO_BIG and the length word at the first bad length, always have
 * room for a read, and hold at most one partial frame between reads.
 * Every delivered frame then goes through the transmit queue as
 * stream_send() sends it (length word, the frame cut in two iovecs, some
 * bytes "already written"), drained in pieces through frame_txq_iov(): a
 * push must be all or nothing, and the bytes that come out must be the
 * bytes pushed, in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_frame.h"

#define MODEL_MAX (8 * 1024)    /* above the largest transmit queue */

/* What the receiver is expected to do: the frames of a one-pass reading. */
struct expect {
	const uint8_t *stream;
	size_t len;
	size_t next;            /* offset of the next frame's length word */
	size_t max;
	int delivered;
};

/* What the transmit side holds: the queue and a plain copy of its bytes. */
struct tx {
	struct frame_txq q;
	uint8_t model[MODEL_MAX];
	size_t mlen;
	uint8_t salt;           /* varies the iovec cut, skip and drain sizes */
};

static struct tx tx;

/* fail() - a property does not hold: say which, abort (libFuzzer keeps the input) */
static void fail(const char *what)
{
	fprintf(stderr, "fuzz_link_frame: %s\n", what);
	abort();
}

/* be32() - the big-endian length word at @p */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* drain() - take up to @want queued bytes out through frame_txq_iov() and
 * frame_txq_consume(), checking they are the model's first bytes
 */
static void drain(size_t want)
{
	struct iovec iov[2];
	size_t got = 0, take;
	int n = frame_txq_iov(&tx.q, iov);

	if (n < 0 || n > 2 || (n == 0) != (tx.q.len == 0))
		fail("frame_txq_iov() count wrong");
	for (int i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;

		if (!iov[i].iov_len || p < tx.q.buf || p + iov[i].iov_len > tx.q.buf + tx.q.cap)
			fail("frame_txq_iov() points outside the queue");
		if (memcmp(p, tx.model + got, iov[i].iov_len))
			fail("queued bytes differ from the bytes pushed");
		got += iov[i].iov_len;
	}
	if (got != tx.q.len || got != tx.mlen)
		fail("frame_txq_iov() does not cover the queue");
	take = want < got ? want : got;
	frame_txq_consume(&tx.q, take);
	memmove(tx.model, tx.model + take, tx.mlen - take);
	tx.mlen -= take;
	if (tx.q.len != tx.mlen)
		fail("frame_txq_consume() took a different count");
}

/* queue_frame() - queue one frame as stream_send() does: the length word, then
 * the frame cut in two iovecs, after @skip bytes the socket took
 */
static void queue_frame(const uint8_t *frame, size_t len)
{
	uint8_t hdr[FRAME_HDR_LEN];
	struct iovec v[3];
	size_t cut = len ? (size_t)(tx.salt * 13u) % (len + 1) : 0;
	size_t total = FRAME_HDR_LEN + len, skip = (size_t)(tx.salt * 7u) % (total + 2);
	size_t qlen = tx.q.len, head = tx.q.head;
	int r;

	frame_hdr(hdr, (uint32_t)len);
	if (be32(hdr) != len)
		fail("frame_hdr() does not round-trip");
	v[0] = (struct iovec){ .iov_base = hdr, .iov_len = sizeof(hdr) };
	v[1] = (struct iovec){ .iov_base = (void *)frame, .iov_len = cut };
	v[2] = (struct iovec){ .iov_base = (void *)(frame + cut), .iov_len = len - cut };
	r = frame_txq_push(&tx.q, v, 3, skip);
	if (skip > total || total - skip > tx.q.cap - qlen) {
		if (r != -1 || tx.q.len != qlen || tx.q.head != head)
			fail("a push that does not fit changed the queue");
	} else {
		if (r != 0 || tx.q.len != qlen + total - skip)
			fail("a push that fits was refused or queued a wrong count");
		for (size_t i = skip; i < total; i++)
			tx.model[tx.mlen++] = i < FRAME_HDR_LEN ? hdr[i] : frame[i - FRAME_HDR_LEN];
	}
	tx.salt = (uint8_t)(tx.salt * 5u + 1 + (len ? frame[0] : 0));
	drain((size_t)tx.salt * 11u);
}

/* deliver() - frame_rx's callback: the frame the one-pass reading finds next */
static void deliver(void *arg, const uint8_t *frame, size_t len)
{
	struct expect *e = arg;
	size_t n;

	if (len == 0 || len > e->max)
		fail("delivered a frame outside 1..max");
	if (e->len - e->next < FRAME_HDR_LEN)
		fail("delivered a frame the stream does not hold");
	n = be32(e->stream + e->next);
	if (n != len || e->len - e->next - FRAME_HDR_LEN < n ||
	    memcmp(frame, e->stream + e->next + FRAME_HDR_LEN, n))
		fail("delivered frame differs from the stream's next frame");
	e->next += FRAME_HDR_LEN + n;
	e->delivered++;
	queue_frame(frame, len);
}

/* expected_end() - where a one-pass reading of the stream stops: FRAME_OK
 * with *@at the offset of the partial frame left, or the bad length's
 * status with *@at its offset and *@bad the length
 */
static enum frame_status expected_end(const struct expect *e, size_t *at, uint32_t *bad)
{
	size_t off = 0;

	for (;;) {
		uint32_t n;

		*at = off;
		if (e->len - off < FRAME_HDR_LEN)
			return FRAME_OK;
		n = be32(e->stream + off);
		if (n == 0 || n > e->max) {
			*bad = n;
			return n ? FRAME_TOO_BIG : FRAME_EMPTY;
		}
		if (e->len - off - FRAME_HDR_LEN < n)
			return FRAME_OK;
		off += FRAME_HDR_LEN + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect e = { 0 };
	enum frame_status st = FRAME_OK, want;
	const uint8_t *reads;
	size_t cap, txcap, nreads, off = 0, r = 0, at;
	uint32_t bad = 0;
	struct frame_rx rx;
	uint8_t *rxbuf, *txbuf;

	if (size < 4 || size < 4 + (size_t)data[3])
		return 0;
	e.max = 1 + 37u * data[0];
	cap = FRAME_HDR_LEN + e.max + data[1];
	txcap = 1 + 29u * data[2];
	nreads = data[3];
	reads = data + 4;
	e.stream = data + 4 + nreads;
	e.len = size - 4 - nreads;
	rxbuf = malloc(cap);            /* exact sizes: ASan sees overruns */
	txbuf = malloc(txcap);
	if (!rxbuf || !txbuf)
		goto out;
	frame_rx_init(&rx, rxbuf, cap, e.max);
	frame_txq_init(&tx.q, txbuf, txcap);
	tx.mlen = 0;
	tx.salt = data[2];

	while (off < e.len) {
		size_t room, n = nreads ? 1 + (size_t)reads[r++ % nreads] : 1;
		uint8_t *p = frame_rx_space(&rx, &room);

		if (room == 0 || p != rxbuf + rx.len || rx.len + room != cap)
			fail("frame_rx_space() gives no room or the wrong place");
		if (n > room)
			n = room;
		if (n > e.len - off)
			n = e.len - off;
		memcpy(p, e.stream + off, n);
		off += n;
		st = frame_rx_commit(&rx, n, deliver, &e);
		if (st != FRAME_OK)
			break;
		if (rx.len >= FRAME_HDR_LEN + e.max || rx.len != off - e.next)
			fail("more than one partial frame held after a read");
	}
	want = expected_end(&e, &at, &bad);
	if (st != want)
		fail("reassembly ended with a different status than the stream's");
	if (e.next != at)
		fail("reassembly delivered a different number of frames");
	if (st != FRAME_OK && (rx.bad_len != bad || rx.len != 0))
		fail("bad length not reported, or the buffer not emptied");
	if (st == FRAME_OK && rx.len != e.len - at)
		fail("partial frame kept with a wrong length");
	drain(SIZE_MAX);
	if (tx.q.len || tx.mlen)
		fail("queue not empty after draining all");
out:
	free(rxbuf);
	free(txbuf);
	return 0;
}
