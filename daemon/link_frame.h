/* link_frame.h - the QEMU stream framing (passt, QEMU -netdev stream,
 * lwipd's stream links): each Ethernet frame is sent as a 32-bit
 * big-endian length, then the frame.  Pure functions: no I/O, no lwIP.
 */
#ifndef LWIPD_LINK_FRAME_H
#define LWIPD_LINK_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define FRAME_HDR_LEN  4

enum frame_status {
	FRAME_OK = 0,           /* all complete frames delivered; a partial one is kept */
	FRAME_EMPTY,            /* the peer sent a length of 0 */
	FRAME_TOO_BIG,          /* the peer sent a length above the maximum */
};

/* Receive side: a buffer that collects bytes as they are read and cuts
 * them into frames.  @cap must be at least FRAME_HDR_LEN + @max. */
struct frame_rx {
	uint8_t *buf;
	size_t cap;             /* bytes in buf */
	size_t len;             /* bytes held: at most one partial frame between calls */
	size_t max;             /* largest frame accepted */
	uint32_t bad_len;       /* the offending length after FRAME_EMPTY/FRAME_TOO_BIG */
};

typedef void (*frame_fn)(void *arg, const uint8_t *frame, size_t len);

enum frame_status frame_next(const uint8_t *buf, size_t len, size_t max,
			     size_t *frame_len, uint32_t *bad_len);
void frame_rx_init(struct frame_rx *r, uint8_t *buf, size_t cap, size_t max);
uint8_t *frame_rx_space(struct frame_rx *r, size_t *room);
enum frame_status frame_rx_commit(struct frame_rx *r, size_t n, frame_fn fn, void *arg);

/* Transmit side: a ring of bytes waiting for the peer to read.  Frames
 * enter it whole or not at all, so a full queue drops frames, never
 * bytes, and the stream stays in step. */
struct frame_txq {
	uint8_t *buf;
	size_t cap;             /* bytes in buf */
	size_t head;            /* offset of the first byte to send */
	size_t len;             /* bytes queued */
};

void frame_hdr(uint8_t hdr[FRAME_HDR_LEN], uint32_t len);
void frame_txq_init(struct frame_txq *q, uint8_t *buf, size_t cap);
int frame_txq_push(struct frame_txq *q, const struct iovec *iov, int n, size_t skip);
int frame_txq_iov(const struct frame_txq *q, struct iovec iov[2]);
void frame_txq_consume(struct frame_txq *q, size_t n);

#endif
