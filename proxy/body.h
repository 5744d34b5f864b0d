/* lwip-proxy: message body framing (Content-Length, chunked, until close).
 *
 * A framer is fed the bytes that follow a message head and says how many
 * of them belong to the body, copying them to an output buffer either as
 * they are or, for chunked bodies relayed to an HTTP/1.0 client, with the
 * chunk framing removed.  It never reads past the end of the body, so the
 * next message on a persistent connection is left in place.
 */
#ifndef PROXY_BODY_H
#define PROXY_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

enum body_kind {
	BODY_NONE,	/* no body */
	BODY_LENGTH,	/* Content-Length bytes */
	BODY_CHUNKED,	/* chunked transfer coding */
	BODY_EOF,	/* until the sender closes (responses only) */
};

enum chunk_state {
	CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER, CK_TRAILER_LINE, CK_TRAILER_LF, CK_END_LF,
};

struct body {
	enum body_kind kind;
	bool decode;		/* strip chunk framing from the output */
	bool done;		/* the whole body has been consumed */
	bool error;		/* malformed chunked framing */
	uint64_t remaining;	/* BODY_LENGTH: bytes left; chunked: in chunk */
	uint64_t total;		/* body bytes consumed so far */
	enum chunk_state cs;
	unsigned digits;	/* hex digits of the current chunk size */
	size_t linelen;		/* bytes in current size/trailer line */
	size_t trailer;		/* bytes of trailer section */
};

void body_init(struct body *b, enum body_kind kind, uint64_t length,
	       bool decode);
size_t body_feed(struct body *b, const char *in, size_t len, struct buf *out);

#endif /* PROXY_BODY_H */
