/* lwip-proxy: message body framing, see body.h */
#include <ctype.h>
#include <string.h>

#include "body.h"
#include "limits.h"

/* body_init() - Start framing a body of @kind; @length for BODY_LENGTH;
 * @decode removes chunk framing (BODY_CHUNKED only). */
void body_init(struct body *b, enum body_kind kind, uint64_t length,
	       bool decode)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->decode = decode && kind == BODY_CHUNKED;
	b->remaining = kind == BODY_LENGTH ? length : 0;
	b->cs = CK_SIZE;
	b->done = kind == BODY_NONE || (kind == BODY_LENGTH && !length);
}

/* hexval() - Value of hex digit @c, or -1 */
static int hexval(unsigned char c)
{
	if (isdigit(c))
		return c - '0';
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* chunk_byte() - Advance the chunk parser by one framing byte @c (any
 * state but CK_DATA).  Return: false on malformed framing. */
static bool chunk_byte(struct body *b, unsigned char c)
{
	int h;

	switch (b->cs) {
	case CK_SIZE:
		if ((h = hexval(c)) >= 0) {
			if (++b->digits > 15)
				return false;
			b->remaining = b->remaining * 16 + (uint64_t)h;
			return true;
		}
		if (!b->digits)
			return false;
		if (c == '\r') {
			b->cs = CK_SIZE_LF;
			return true;
		}
		if (c != ';' && c != ' ' && c != '\t')
			return false;
		b->cs = CK_EXT;
		return true;
	case CK_EXT:
		if (++b->linelen > PX_MAX_CHUNK_LINE)
			return false;
		if (c == '\r')
			b->cs = CK_SIZE_LF;
		else if (c == '\n' || (c < 0x20 && c != '\t') || c == 0x7f)
			return false;
		return true;
	case CK_SIZE_LF:
		if (c != '\n')
			return false;
		b->digits = 0;
		b->linelen = 0;
		b->cs = b->remaining ? CK_DATA : CK_TRAILER;
		return true;
	case CK_DATA_CR:
		b->cs = CK_DATA_LF;
		return c == '\r';
	case CK_DATA_LF:
		b->cs = CK_SIZE;
		return c == '\n';
	case CK_TRAILER:
		if (c == '\r') {
			b->cs = CK_END_LF;
			return true;
		}
		b->cs = CK_TRAILER_LINE;
		/* fall through */
	case CK_TRAILER_LINE:
		if (++b->trailer > PX_MAX_TRAILER)
			return false;
		if (c == '\r')
			b->cs = CK_TRAILER_LF;
		else if (c == '\n')
			return false;
		return true;
	case CK_TRAILER_LF:
		b->cs = CK_TRAILER;
		return c == '\n';
	case CK_END_LF:
		if (c != '\n')
			return false;
		b->done = true;
		return true;
	case CK_DATA:
		break;
	}
	return false;
}

/* feed_chunked() - Consume chunked input, at most what fits in @out.
 * Return: bytes of @in consumed; sets b->done or b->error. */
static size_t feed_chunked(struct body *b, const char *in, size_t len,
			   struct buf *out)
{
	size_t i = 0, room = buf_space(out);

	while (i < len && !b->done && !b->error && room) {
		if (b->cs == CK_DATA) {
			size_t n = len - i;

			if (n > b->remaining)
				n = (size_t)b->remaining;
			if (n > room)
				n = room;
			if (b->decode && buf_append(out, in + i, n) < 0) {
				b->error = true;
				break;
			}
			room -= n;
			i += n;
			b->remaining -= n;
			b->total += n;
			if (!b->remaining)
				b->cs = CK_DATA_CR;
			continue;
		}
		if (!chunk_byte(b, (unsigned char)in[i])) {
			b->error = true;
			break;
		}
		i++;
		if (!b->decode)
			room--;
	}
	if (!b->decode && i && buf_append(out, in, i) < 0) {
		b->error = true;
		return 0;
	}
	return i;
}

/* body_feed() - Take body bytes from @in (@len available), appending what
 * is to be forwarded to @out without exceeding its limit.
 * Return: bytes of @in that belong to the body and were consumed; the rest
 * (next message, or what did not fit) stays with the caller. */
size_t body_feed(struct body *b, const char *in, size_t len, struct buf *out)
{
	size_t n;

	if (b->done || b->error || !len)
		return 0;
	switch (b->kind) {
	case BODY_LENGTH:
		n = len < b->remaining ? len : (size_t)b->remaining;
		if (n > buf_space(out))
			n = buf_space(out);
		if (buf_append(out, in, n) < 0)
			return 0;
		b->remaining -= n;
		b->total += n;
		b->done = !b->remaining;
		return n;
	case BODY_EOF:
		n = len < buf_space(out) ? len : buf_space(out);
		if (buf_append(out, in, n) < 0)
			return 0;
		b->total += n;
		return n;
	case BODY_CHUNKED:
		return feed_chunked(b, in, len, out);
	case BODY_NONE:
		break;
	}
	return 0;
}
