/* fuzz_proxy_http.c - lwip-proxy's HTTP head parsers, head rewriting and
 * body framing, as client.c uses them
 *
 * The first byte picks the direction (bit 0: a response from an origin,
 * else a request from a client), whether an HTTP/1.0 client gets a
 * chunked body decoded (bit 1), and the size of the pieces the body is fed
 * in (bits 2-7); the rest is the message.  A parsed head is rewritten
 * (http_write_request/response) and the rewritten head must parse again;
 * the bytes after the head go through the body framer, which must never
 * consume more than it is given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../proxy/body.h"
#include "../../proxy/http.h"

#define VIA "1.1 fuzz (lwip-proxy)"
#define OUT_MAX (PX_MAX_HEAD + 2048)   /* as client.c's HEAD_BUF_MAX */

static struct http_msg m, again;

/* reparse_failed() - a rewritten head does not parse: show it, abort;
 * unless it only went over our own parser's limits with the fields the
 * proxy adds (Via, Connection), which a peer's parser need not share
 */
static void reparse_failed(const struct buf *out, enum hp_error err)
{
	if (err == HPE_TOO_MANY_HEADERS || err == HPE_TOO_BIG)
		return;
	fprintf(stderr, "rewritten head does not parse (%s):\n%.*s\n",
		http_error_text(err), (int)out->len, buf_head(out));
	abort();
}

/* feed_body() - run the framer over @p in pieces of @step bytes */
static void feed_body(struct body *b, const char *p, size_t len, size_t step)
{
	struct buf out;

	buf_init(&out, PX_RELAY_BUF * 4);
	while (len && !b->done && !b->error) {
		size_t n = len < step ? len : step, used;

		used = body_feed(b, p, n, &out);
		if (used > n)
			abort();
		if (!used && out.len == 0)
			break;          /* nothing taken, nothing to flush: stuck */
		p += used;
		len -= used;
		buf_consume(&out, out.len);
	}
	buf_free(&out);
}

/* request() - a client's request head, as handle_request_head() sees it */
static void request(const char *p, size_t len, size_t step)
{
	enum hp_error err;
	struct http_url u;
	struct buf out;
	struct body b;
	bool connect;

	if (http_parse_request(p, len, &m, &err) != HP_OK)
		return;
	if (m.head_len > len)
		abort();
	connect = http_method_is(&m, "CONNECT");
	http_request_persistent(&m);
	http_method_idempotent(&m);
	http_has_via(&m, VIA);
	if (http_parse_url(m.target, m.tlen, connect, &u, &err) < 0 || connect)
		return;
	buf_init(&out, OUT_MAX);
	if (http_write_request(&out, &m, &u, VIA) == 0 &&
	    http_parse_request(buf_head(&out), out.len, &again, &err) != HP_OK)
		reparse_failed(&out, err);      /* an origin could not parse it */
	buf_free(&out);
	body_init(&b, m.chunked ? BODY_CHUNKED : BODY_LENGTH,
		  m.has_length ? m.length : 0, false);
	feed_body(&b, p + m.head_len, len - m.head_len, step);
}

/* response() - an origin's response head to a GET (or HEAD) */
static void response(const char *p, size_t len, size_t step, bool client_10)
{
	static struct http_msg req;
	static const char get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	enum hp_error err;
	struct buf out;
	struct body b;

	if (!req.head_len && http_parse_request(get, sizeof(get) - 1, &req, &err) != HP_OK)
		abort();
	if (http_parse_response(p, len, &m, &err) != HP_OK)
		return;
	if (m.head_len > len)
		abort();
	http_response_persistent(&m);
	buf_init(&out, OUT_MAX);
	if (http_write_response(&out, &m, client_10 ? 0 : 1, m.chunked && client_10, VIA) == 0 &&
	    http_parse_response(buf_head(&out), out.len, &again, &err) != HP_OK)
		reparse_failed(&out, err);      /* a client could not parse it */
	buf_free(&out);
	if (!http_response_has_body(&req, &m))
		body_init(&b, BODY_NONE, 0, false);
	else if (m.chunked)
		body_init(&b, BODY_CHUNKED, 0, client_10);
	else if (m.has_length)
		body_init(&b, BODY_LENGTH, m.length, false);
	else
		body_init(&b, BODY_EOF, 0, false);
	feed_body(&b, p + m.head_len, len - m.head_len, step);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p;
	size_t step;

	if (size < 1 || size > PX_MAX_HEAD * 2)
		return 0;
	step = (size_t)(data[0] >> 2) * 37 + 1;
	p = malloc(size - 1 ? size - 1 : 1);   /* exact size: ASan sees overreads */
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	if (data[0] & 1)
		response(p, size - 1, step, data[0] & 2);
	else
		request(p, size - 1, step);
	free(p);
	return 0;
}
