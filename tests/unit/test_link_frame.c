/* test_link_frame.c - the QEMU stream framing: reassembly of frames split
 * at every byte, bad lengths rejected, the transmit queue all-or-nothing
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "link_frame.h"

#define MAX_FRAME  1600
#define CAP        (FRAME_HDR_LEN + MAX_FRAME)
#define MAX_SEEN   16

/* What the callback saw: frames in order, copied. */
struct seen {
	int n;
	size_t len[MAX_SEEN];
	uint8_t data[MAX_SEEN][MAX_FRAME];
};

static void collect(void *arg, const uint8_t *frame, size_t len)
{
	struct seen *s = arg;

	cr_assert_lt(s->n, MAX_SEEN);
	cr_assert_leq(len, MAX_FRAME);
	memcpy(s->data[s->n], frame, len);
	s->len[s->n++] = len;
}

/* put_frame() - append one framed frame of @len bytes (byte i = seed + i) */
static size_t put_frame(uint8_t *out, size_t len, uint8_t seed)
{
	frame_hdr(out, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		out[FRAME_HDR_LEN + i] = (uint8_t)(seed + i);
	return FRAME_HDR_LEN + len;
}

/* feed() - give @len bytes of @in to @r in chunks cut at @cuts (sorted,
 * ascending), as reads would; returns the first non-OK status
 */
static enum frame_status feed(struct frame_rx *r, const uint8_t *in, size_t len,
			      const size_t *cuts, int ncuts, struct seen *s)
{
	size_t off = 0;

	for (int c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : len;

		while (off < end) {
			size_t room, n;
			uint8_t *p = frame_rx_space(r, &room);
			enum frame_status st;

			cr_assert_gt(room, 0, "no room with %zu bytes held", r->len);
			n = end - off < room ? end - off : room;
			memcpy(p, in + off, n);
			off += n;
			st = frame_rx_commit(r, n, collect, s);
			if (st != FRAME_OK)
				return st;
		}
	}
	return FRAME_OK;
}

static const size_t sizes[] = { 60, 1, 1514, MAX_FRAME };
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

/* check_frames() - @s holds exactly the frames of sizes[] */
static void check_frames(const struct seen *s, const char *how)
{
	cr_assert_eq(s->n, (int)N_SIZES, "%s: %d frames", how, s->n);
	for (size_t k = 0; k < N_SIZES; k++) {
		cr_assert_eq(s->len[k], sizes[k], "%s: frame %zu length", how, k);
		for (size_t i = 0; i < sizes[k]; i++)
			cr_assert_eq(s->data[k][i], (uint8_t)(k * 7 + i),
				     "%s: frame %zu byte %zu", how, k, i);
	}
}

Test(link_frame, split_at_every_byte)
{
	static uint8_t stream[N_SIZES * CAP], buf[CAP];
	static struct seen s;
	struct frame_rx r;
	size_t len = 0;

	for (size_t k = 0; k < N_SIZES; k++)
		len += put_frame(stream + len, sizes[k], (uint8_t)(k * 7));
	for (size_t cut = 0; cut <= len; cut++) {
		char how[32];

		snprintf(how, sizeof(how), "cut at %zu", cut);
		memset(&s, 0, sizeof(s));
		frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
		cr_assert_eq(feed(&r, stream, len, &cut, 1, &s), FRAME_OK, "%s", how);
		check_frames(&s, how);
		cr_assert_eq(r.len, 0, "%s: bytes left over", how);
	}
}

Test(link_frame, split_twice_around_headers)
{
	static uint8_t stream[N_SIZES * CAP], buf[CAP];
	static struct seen s;
	struct frame_rx r;
	size_t len = 0, cuts[2];

	for (size_t k = 0; k < N_SIZES; k++)
		len += put_frame(stream + len, sizes[k], (uint8_t)(k * 7));
	/* every pair of cuts within the first two frames' headers and the
	 * first bytes after them: a length word in three pieces */
	for (cuts[0] = 0; cuts[0] < 80; cuts[0]++)
		for (cuts[1] = cuts[0]; cuts[1] < 80; cuts[1]++) {
			memset(&s, 0, sizeof(s));
			frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
			cr_assert_eq(feed(&r, stream, len, cuts, 2, &s), FRAME_OK);
			check_frames(&s, "two cuts");
		}
}

Test(link_frame, byte_by_byte)
{
	static uint8_t stream[N_SIZES * CAP], buf[CAP];
	static struct seen s;
	static size_t cuts[N_SIZES * CAP];
	struct frame_rx r;
	size_t len = 0;

	for (size_t k = 0; k < N_SIZES; k++)
		len += put_frame(stream + len, sizes[k], (uint8_t)(k * 7));
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	memset(&s, 0, sizeof(s));
	frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
	cr_assert_eq(feed(&r, stream, len, cuts, (int)len, &s), FRAME_OK);
	check_frames(&s, "byte by byte");
}

Test(link_frame, partial_frame_is_held_not_delivered)
{
	uint8_t stream[CAP], buf[CAP];
	static struct seen s;
	struct frame_rx r;
	size_t len = put_frame(stream, 100, 3);

	memset(&s, 0, sizeof(s));
	frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
	cr_assert_eq(feed(&r, stream, len - 1, NULL, 0, &s), FRAME_OK);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(r.len, len - 1);
}

Test(link_frame, zero_length_rejected_at_every_split)
{
	uint8_t stream[2 * CAP], buf[CAP];
	static struct seen s;
	struct frame_rx r;
	size_t len = put_frame(stream, 60, 0);

	frame_hdr(stream + len, 0);
	len += FRAME_HDR_LEN;
	for (size_t cut = 0; cut <= len; cut++) {
		memset(&s, 0, sizeof(s));
		frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
		cr_assert_eq(feed(&r, stream, len, &cut, 1, &s), FRAME_EMPTY, "cut %zu", cut);
		cr_assert_eq(s.n, 1, "the good frame before it is delivered (cut %zu)", cut);
		cr_assert_eq(r.bad_len, 0);
		cr_assert_eq(r.len, 0, "the buffer is emptied");
	}
}

Test(link_frame, oversize_rejected_max_accepted)
{
	uint8_t stream[CAP], buf[CAP];
	static struct seen s;
	struct frame_rx r;
	size_t len;

	memset(&s, 0, sizeof(s));
	frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
	len = put_frame(stream, MAX_FRAME, 0);
	cr_assert_eq(feed(&r, stream, len, NULL, 0, &s), FRAME_OK);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.len[0], MAX_FRAME);

	/* one more than the maximum: refused from the length word alone,
	 * before any of the frame arrives */
	frame_hdr(stream, MAX_FRAME + 1);
	for (size_t cut = 0; cut <= FRAME_HDR_LEN; cut++) {
		memset(&s, 0, sizeof(s));
		frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
		cr_assert_eq(feed(&r, stream, FRAME_HDR_LEN, &cut, 1, &s), FRAME_TOO_BIG);
		cr_assert_eq(r.bad_len, MAX_FRAME + 1);
		cr_assert_eq(s.n, 0);
	}
	stream[0] = 0xff;               /* 4 GiB - something */
	frame_rx_init(&r, buf, sizeof(buf), MAX_FRAME);
	cr_assert_eq(feed(&r, stream, FRAME_HDR_LEN, NULL, 0, &s), FRAME_TOO_BIG);
	cr_assert_eq(r.bad_len >> 24, 0xff);
}

Test(link_frame, frame_next_is_pure)
{
	uint8_t b[4] = { 0, 0, 0x05, 0xea };
	size_t flen = 99;
	uint32_t bad = 0;

	cr_assert_eq(frame_next(b, 3, 2000, &flen, &bad), FRAME_OK);
	cr_assert_eq(flen, 0, "an incomplete length word is not a length");
	cr_assert_eq(frame_next(b, 4, 2000, &flen, &bad), FRAME_OK);
	cr_assert_eq(flen, 1514);
	cr_assert_eq(frame_next(b, 4, 1513, &flen, &bad), FRAME_TOO_BIG);
	cr_assert_eq(bad, 1514);
}

/* drain() - take everything from @q into @out as writes would */
static size_t drain(struct frame_txq *q, uint8_t *out, size_t chunk)
{
	struct iovec iov[2];
	size_t got = 0;
	int n;

	while ((n = frame_txq_iov(q, iov)) > 0) {
		size_t take = iov[0].iov_len < chunk ? iov[0].iov_len : chunk;

		memcpy(out + got, iov[0].iov_base, take);
		got += take;
		frame_txq_consume(q, take);
	}
	return got;
}

Test(link_frame, txq_all_or_nothing_and_wraps)
{
	uint8_t qbuf[100], out[400], hdr[FRAME_HDR_LEN], payload[60];
	static struct seen s;
	struct frame_txq q;
	struct frame_rx r;
	uint8_t rbuf[CAP];
	struct iovec v[2] = { { hdr, sizeof(hdr) }, { payload, sizeof(payload) } };
	size_t got = 0;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	frame_hdr(hdr, sizeof(payload));
	frame_txq_init(&q, qbuf, sizeof(qbuf));
	cr_assert_eq(frame_txq_push(&q, v, 2, 0), 0);
	cr_assert_eq(q.len, 64);
	cr_assert_eq(frame_txq_push(&q, v, 2, 0), -1, "64 + 64 > 100: dropped whole");
	cr_assert_eq(q.len, 64, "nothing of the dropped frame queued");
	/* a frame of which 10 bytes were already written: the rest fits */
	cr_assert_eq(frame_txq_push(&q, v, 2, 30), 0);
	cr_assert_eq(q.len, 98);
	got += drain(&q, out + got, 7);
	cr_assert_eq(got, 98);
	/* now the ring wraps: head at 0 again after empty, so push, consume
	 * part, push again to cross the end */
	cr_assert_eq(frame_txq_push(&q, v, 2, 0), 0);
	frame_txq_consume(&q, 50);
	cr_assert_eq(frame_txq_push(&q, v, 2, 0), 0, "14 queued + 64 fits in 100");
	{
		struct iovec iov[2];

		cr_assert_eq(frame_txq_iov(&q, iov), 2, "the queue wraps");
	}
	got = drain(&q, out, 5);
	cr_assert_eq(got, 14 + 64);
	/* the bytes read back are the tail of one frame and a whole frame */
	memset(&s, 0, sizeof(s));
	frame_rx_init(&r, rbuf, sizeof(rbuf), MAX_FRAME);
	cr_assert_eq(frame_rx_commit(&r, 0, collect, &s), FRAME_OK);
	memcpy(rbuf, out + 14, 64);
	cr_assert_eq(frame_rx_commit(&r, 64, collect, &s), FRAME_OK);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(memcmp(s.data[0], payload, sizeof(payload)), 0);
	cr_assert_eq(memcmp(out, payload + 46, 14), 0);
}
