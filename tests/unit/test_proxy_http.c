/* Unit tests: HTTP head parser, URL parser, head rewriting and body
 * framing (Content-Length, chunked pass-through and decoding). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../proxy/body.h"
#include "../../proxy/http.h"

static struct http_msg m;

/* req() - Parse @s as a request; returns the verdict, error in *@e */
static enum hp_result req(const char *s, enum hp_error *e)
{
	return http_parse_request(s, strlen(s), &m, e);
}

/* resp() - Parse @s as a response */
static enum hp_result resp(const char *s, enum hp_error *e)
{
	return http_parse_response(s, strlen(s), &m, e);
}

/* req_err() - Assert @s is rejected with @want */
static void req_err(const char *s, enum hp_error want)
{
	enum hp_error e;

	cr_assert_eq(req(s, &e), HP_ERROR, "accepted: %s", s);
	cr_assert_eq(e, want, "for %s: got %s, want %s", s,
		     http_error_text(e), http_error_text(want));
}

Test(http, simple_get)
{
	enum hp_error e;
	const char *s = "GET http://a.test/x?y HTTP/1.1\r\nHost: a.test\r\n"
			"User-Agent: t\r\n\r\nNEXT";

	cr_assert_eq(req(s, &e), HP_OK);
	cr_assert_eq(m.head_len, strlen(s) - 4);
	cr_assert(http_method_is(&m, "GET"));
	cr_assert_eq(m.tlen, strlen("http://a.test/x?y"));
	cr_assert_eq(m.minor, 1);
	cr_assert_eq(m.nf, 2);
	cr_assert_not(m.has_length);
	cr_assert_not(m.chunked);
	cr_assert(http_request_persistent(&m));
}

Test(http, incomplete_until_empty_line)
{
	enum hp_error e;

	cr_assert_eq(req("GET http://a/ HTTP/1.1\r\nHost: a\r\n", &e),
		     HP_INCOMPLETE);
	cr_assert_eq(req("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r", &e),
		     HP_INCOMPLETE);
	cr_assert_eq(req("", &e), HP_INCOMPLETE);
}

Test(http, bare_lf_and_leading_crlf_accepted)
{
	enum hp_error e;

	cr_assert_eq(req("\r\n\r\nGET http://a/ HTTP/1.0\nHost: a\n\n", &e),
		     HP_OK);
	cr_assert_eq(m.minor, 0);
	cr_assert_not(http_request_persistent(&m));
}

Test(http, framing_fields)
{
	enum hp_error e;

	cr_assert_eq(req("POST http://a/ HTTP/1.1\r\nContent-Length: 12\r\n\r\n",
			 &e), HP_OK);
	cr_assert(m.has_length);
	cr_assert_eq(m.length, 12);
	cr_assert_eq(req("POST http://a/ HTTP/1.1\r\nContent-Length: 5, 5\r\n"
			 "Content-Length: 5\r\n\r\n", &e), HP_OK);
	cr_assert_eq(m.length, 5);
	cr_assert_eq(req("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: "
			 "Chunked\r\n\r\n", &e), HP_OK);
	cr_assert(m.chunked);
	cr_assert_eq(req("GET http://a/ HTTP/1.1\r\nConnection: close, Foo\r\n"
			 "Expect: 100-continue\r\n\r\n", &e), HP_OK);
	cr_assert(m.conn_close);
	cr_assert_eq(m.nconn_tok, 1);
	cr_assert(m.expect_continue);
	cr_assert_not(http_request_persistent(&m));
	cr_assert_eq(req("GET http://a/ HTTP/1.0\r\nProxy-Connection: "
			 "keep-alive\r\n\r\n", &e), HP_OK);
	cr_assert(http_request_persistent(&m));
}

Test(http, malformed_requests)
{
	req_err("GET http://a/\r\n\r\n", HPE_REQUEST_LINE);
	req_err("GET  http://a/ HTTP/1.1\r\n\r\n", HPE_REQUEST_LINE);
	req_err("GET http://a/ HTTP/1.1 x\r\n\r\n", HPE_REQUEST_LINE);
	req_err("G(T http://a/ HTTP/1.1\r\n\r\n", HPE_METHOD);
	req_err("GET http://a/\x01 HTTP/1.1\r\n\r\n", HPE_TARGET);
	req_err("GET http://a/ HTTP/1.x\r\n\r\n", HPE_VERSION);
	req_err("GET http://a/ http/1.1\r\n\r\n", HPE_VERSION);
	req_err("GET http://a/ HTTP/2.0\r\n\r\n", HPE_VERSION_UNSUPPORTED);
	req_err("GET http://a/ HTTP/1.1\r\nNoColon\r\n\r\n", HPE_HEADER);
	req_err("GET http://a/ HTTP/1.1\r\nName : v\r\n\r\n", HPE_HEADER);
	req_err("GET http://a/ HTTP/1.1\r\n: v\r\n\r\n", HPE_HEADER);
	req_err("GET http://a/ HTTP/1.1\r\nA: b\x7f\r\n\r\n", HPE_HEADER);
	req_err("GET http://a/ HTTP/1.1\r\nA: b\rc\r\n\r\n", HPE_HEADER);
	req_err("GET http://a/ HTTP/1.1\r\nA: b\r\n c\r\n\r\n", HPE_OBS_FOLD);
	req_err("POST http://a/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		HPE_CONTENT_LENGTH);
	req_err("POST http://a/ HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
		HPE_CONTENT_LENGTH);
	req_err("POST http://a/ HTTP/1.1\r\nContent-Length: \r\n\r\n",
		HPE_CONTENT_LENGTH);
	req_err("POST http://a/ HTTP/1.1\r\nContent-Length: 1\r\n"
		"Content-Length: 2\r\n\r\n", HPE_CONTENT_LENGTH);
	req_err("POST http://a/ HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n",
		HPE_CONTENT_LENGTH);
	req_err("POST http://a/ HTTP/1.1\r\nContent-Length: "
		"99999999999999999999999\r\n\r\n", HPE_CONTENT_LENGTH);
	req_err("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		HPE_TRANSFER_ENCODING);
	req_err("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked, "
		"chunked\r\n\r\n", HPE_TRANSFER_ENCODING);
	req_err("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 3\r\n\r\n", HPE_LENGTH_AND_CHUNKED);
	req_err("GET http://a/ HTTP/1.1\r\nConnection: a,b,c,d,e,f,g,h,i,j,"
		"k,l,m,n,o,p,q\r\n\r\n", HPE_CONNECTION);
}

Test(http, too_many_headers)
{
	char *s = malloc(PX_MAX_HEADERS * 8 + 64);
	int i;

	strcpy(s, "GET http://a/ HTTP/1.1\r\n");
	for (i = 0; i <= PX_MAX_HEADERS; i++)
		strcat(s, "A: b\r\n");
	strcat(s, "\r\n");
	req_err(s, HPE_TOO_MANY_HEADERS);
	free(s);
}

Test(http, oversized_head)
{
	size_t n = PX_MAX_HEAD + 100;
	char *s = malloc(n + 1);
	enum hp_error e;

	memset(s, 'a', n);
	memcpy(s, "GET http://a/ HTTP/1.1\r\nX: ", 27);
	s[n] = '\0';
	cr_assert_eq(http_parse_request(s, n, &m, &e), HP_ERROR);
	cr_assert_eq(e, HPE_TOO_BIG);
	cr_assert_eq(http_error_status(e), 431);
	/* just under the limit but incomplete: wait for more */
	cr_assert_eq(http_parse_request(s, PX_MAX_HEAD - 1, &m, &e),
		     HP_INCOMPLETE);
	free(s);
}

Test(http, responses)
{
	enum hp_error e;

	cr_assert_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", &e),
		     HP_OK);
	cr_assert_eq(m.status, 200);
	cr_assert_eq(m.rlen, 2);
	cr_assert(m.has_length);
	cr_assert_eq(resp("HTTP/1.1 204\r\n\r\n", &e), HP_OK);
	cr_assert_eq(m.status, 204);
	cr_assert_eq(resp("HTTP/1.0 200 OK\r\n\r\n", &e), HP_OK);
	cr_assert_not(http_response_persistent(&m));
	/* chunked wins over Content-Length in a response */
	cr_assert_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
			  "Transfer-Encoding: chunked\r\n\r\n", &e), HP_OK);
	cr_assert(m.chunked);
	cr_assert_not(m.has_length);
}

Test(http, malformed_responses)
{
	static const char *const bad[] = {
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 099 X\r\n\r\n",
		"HTTP/1.1 600 X\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1200 OK\r\n\r\n",
		"\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: br\r\n\r\n",
	};
	enum hp_error e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(resp(bad[i], &e), HP_ERROR, "accepted: %s", bad[i]);
}

Test(http, body_presence)
{
	struct http_msg r, s;
	enum hp_error e;

	http_parse_request("HEAD http://a/ HTTP/1.1\r\n\r\n", 27, &r, &e);
	http_parse_response("HTTP/1.1 200 OK\r\n\r\n", 19, &s, &e);
	cr_assert_not(http_response_has_body(&r, &s));
	http_parse_request("GET http://a/ HTTP/1.1\r\n\r\n", 26, &r, &e);
	cr_assert(http_response_has_body(&r, &s));
	http_parse_response("HTTP/1.1 304 NM\r\n\r\n", 19, &s, &e);
	cr_assert_not(http_response_has_body(&r, &s));
}

/* url() - Parse @t; returns 0/-1 */
static int url(const char *t, bool connect, struct http_url *u)
{
	enum hp_error e;

	return http_parse_url(t, strlen(t), connect, u, &e);
}

Test(http, urls)
{
	struct http_url u;

	cr_assert_eq(url("http://WWW.Test:8080/a/b?c#frag", false, &u), 0);
	cr_assert_str_eq(u.host, "www.test");
	cr_assert_eq(u.port, 8080);
	cr_assert_eq(u.plen, strlen("/a/b?c"));
	cr_assert_eq(u.ip_family, 0);
	cr_assert_eq(url("HTTP://a.test", false, &u), 0);
	cr_assert_eq(u.port, 80);
	cr_assert_eq(u.plen, 0);
	cr_assert_eq(url("http://[::1]:81/", false, &u), 0);
	cr_assert_str_eq(u.host, "::1");
	cr_assert_eq(u.ip_family, AF_INET6);
	cr_assert_eq(url("http://127.0.0.1/", false, &u), 0);
	cr_assert_eq(u.ip_family, AF_INET);
	cr_assert_eq(url("a.test:443", true, &u), 0);
	cr_assert_eq(u.port, 443);
	cr_assert_eq(url("[2001:db8::1]:443", true, &u), 0);
	cr_assert_eq(u.ip_family, AF_INET6);
}

Test(http, bad_urls)
{
	static const char *const bad[] = {
		"/origin-form", "*", "http://", "http:///x", "http://a b/",
		"http://user@a/", "http://a:0/", "http://a:65536/",
		"http://a:8x/", "http://[::1/", "http://[zz::1]/",
		"http://[::1]x/", "ftp//a/", "http://a%2f/",
	};
	struct http_url u;
	enum hp_error e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(url(bad[i], false, &u), -1, "accepted %s", bad[i]);
	cr_assert_eq(url("a.test", true, &u), -1);
	cr_assert_eq(url("a.test:", true, &u), -1);
	cr_assert_eq(http_parse_url("https://a/", 10, false, &u, &e), -1);
	cr_assert_eq(e, HPE_SCHEME);
}

/* check_rewrite() - Parse request @s, write it upstream with @via and
 * assert the head is @want; @host, if set, is the URL's host parsed */
static void check_rewrite(const char *s, const char *via, const char *want,
			  const char *host)
{
	struct http_url u;
	enum hp_error e;
	struct buf b;
	char *out;

	cr_assert_eq(req(s, &e), HP_OK);
	cr_assert_eq(http_parse_url(m.target, m.tlen, false, &u, &e), 0);
	if (host)
		cr_assert_str_eq(u.host, host);
	buf_init(&b, 4096);
	cr_assert_eq(http_write_request(&b, &m, &u, via), 0);
	out = strndup(buf_head(&b), b.len);
	cr_assert_str_eq(out, want);
	free(out);
	buf_free(&b);
}

Test(http, request_rewrite)
{
	check_rewrite("GET http://a.test:8080/p?q HTTP/1.1\r\nHost: evil\r\n"
		      "Proxy-Connection: keep-alive\r\nConnection: X-Hop\r\n"
		      "X-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
		      "Proxy-Authorization: x\r\nAccept: */*\r\n"
		      "Via: 1.1 other\r\n\r\n", "me (lwip-proxy/0)",
		      "GET /p?q HTTP/1.1\r\nHost: a.test:8080\r\n"
		      "Accept: */*\r\nVia: 1.1 other\r\n"
		      "Via: 1.1 me (lwip-proxy/0)\r\n\r\n", NULL);
	cr_assert(http_has_via(&m, " other"));
	cr_assert_not(http_has_via(&m, " me (lwip-proxy/"));
}

Test(http, connection_cannot_drop_framing)
{
	/* Connection naming Content-Length must not strip it upstream: the
	 * body would reach the origin as a second request */
	check_rewrite("POST http://a.test/ HTTP/1.1\r\nContent-Length: 4\r\n"
		      "Connection: Content-Length, Host, Transfer-Encoding, X-Hop\r\n"
		      "X-Hop: 1\r\n\r\n", "me",
		      "POST / HTTP/1.1\r\nHost: a.test\r\n"
		      "Content-Length: 4\r\nVia: 1.1 me\r\n\r\n", NULL);
}

Test(http, query_without_path_and_trailing_dot)
{
	check_rewrite("GET http://a.test.?q=1 HTTP/1.1\r\n\r\n", "me",
		      "GET /?q=1 HTTP/1.1\r\nHost: a.test\r\n"
		      "Via: 1.1 me\r\n\r\n", "a.test");
}

Test(http, response_rewrite)
{
	const char *s = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
			"Transfer-Encoding: chunked\r\nContent-Length: 9\r\n"
			"Content-Type: text/plain\r\n\r\n";
	enum hp_error e;
	struct buf b;
	char *out;

	cr_assert_eq(resp(s, &e), HP_OK);
	buf_init(&b, 4096);
	cr_assert_eq(http_write_response(&b, &m, 1, false, "me"), 0);
	out = strndup(buf_head(&b), b.len);
	cr_assert_str_eq(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			 "Content-Type: text/plain\r\nVia: 1.1 me\r\n"
			 "Connection: keep-alive\r\n\r\n");
	free(out);
	buf_free(&b);
	buf_init(&b, 4096);
	cr_assert_eq(http_write_response(&b, &m, 0, true, "me"), 0);
	out = strndup(buf_head(&b), b.len);
	cr_assert_str_eq(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			 "Via: 1.1 me\r\nConnection: close\r\n\r\n");
	free(out);
	buf_free(&b);
}

/* feed_all() - Feed @in in pieces of @step bytes; returns consumed */
static size_t feed_all(struct body *bd, const char *in, size_t len,
		       size_t step, struct buf *out)
{
	size_t pos = 0;

	while (pos < len && !bd->done && !bd->error) {
		size_t n = len - pos < step ? len - pos : step;
		size_t k = body_feed(bd, in + pos, n, out);

		if (!k)
			break;
		pos += k;
	}
	return pos;
}

Test(body, content_length_stops_at_end)
{
	struct body bd;
	struct buf out;

	buf_init(&out, 100);
	body_init(&bd, BODY_LENGTH, 5, false);
	cr_assert_eq(body_feed(&bd, "helloGET", 8, &out), 5);
	cr_assert(bd.done);
	cr_assert_eq(out.len, 5);
	body_init(&bd, BODY_LENGTH, 0, false);
	cr_assert(bd.done);
	buf_free(&out);
}

Test(body, respects_output_space)
{
	struct body bd;
	struct buf out;

	buf_init(&out, 4);
	body_init(&bd, BODY_LENGTH, 10, false);
	cr_assert_eq(body_feed(&bd, "0123456789", 10, &out), 4);
	cr_assert_not(bd.done);
	cr_assert_eq(bd.remaining, 6);
	buf_free(&out);
}

static const char chunked[] = "5;ext=1\r\nhello\r\n1A\r\n"
			      "abcdefghijklmnopqrstuvwxyz\r\n0\r\n"
			      "Trailer: x\r\n\r\n";

Test(body, chunked_pass_through_any_split)
{
	size_t step;

	for (step = 1; step < sizeof(chunked); step++) {
		struct body bd;
		struct buf out;
		char extra[sizeof(chunked) + 8];

		snprintf(extra, sizeof(extra), "%sNEXT", chunked);
		buf_init(&out, 1000);
		body_init(&bd, BODY_CHUNKED, 0, false);
		cr_assert_eq(feed_all(&bd, extra, strlen(extra), step, &out),
			     sizeof(chunked) - 1, "step %zu", step);
		cr_assert(bd.done);
		cr_assert_eq(out.len, sizeof(chunked) - 1);
		cr_assert_eq(memcmp(buf_head(&out), chunked, out.len), 0);
		cr_assert_eq(bd.total, 31);
		buf_free(&out);
	}
}

Test(body, chunked_decode)
{
	struct body bd;
	struct buf out;

	buf_init(&out, 1000);
	body_init(&bd, BODY_CHUNKED, 0, true);
	cr_assert_eq(feed_all(&bd, chunked, sizeof(chunked) - 1, 3, &out),
		     sizeof(chunked) - 1);
	cr_assert(bd.done);
	cr_assert_eq(out.len, 31);
	cr_assert_eq(memcmp(buf_head(&out), "helloabcdefghijklmnopqrstuvwxyz",
			    31), 0);
	buf_free(&out);
}

Test(body, chunked_malformed)
{
	static const char *const bad[] = {
		"x\r\n", "\r\n", "5\r\nhelloX\r\n", "5\nhello\r\n",
		"5\r\nhello\r\r", "1234567890123456\r\n", "0\r\nTrailer\n",
		"0\r\n\rX", "5;a\nb\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct body bd;
		struct buf out;

		buf_init(&out, 1000);
		body_init(&bd, BODY_CHUNKED, 0, false);
		feed_all(&bd, bad[i], strlen(bad[i]), 100, &out);
		cr_assert(bd.error, "accepted chunked body %zu", i);
		buf_free(&out);
	}
}

Test(body, chunked_oversized_extension)
{
	char *s = malloc(PX_MAX_CHUNK_LINE + 10);
	struct body bd;
	struct buf out;

	memset(s, 'a', PX_MAX_CHUNK_LINE + 9);
	memcpy(s, "5;", 2);
	buf_init(&out, PX_MAX_CHUNK_LINE * 2);
	body_init(&bd, BODY_CHUNKED, 0, false);
	feed_all(&bd, s, PX_MAX_CHUNK_LINE + 9, 1000, &out);
	cr_assert(bd.error);
	buf_free(&out);
	free(s);
}

Test(body, until_eof)
{
	struct body bd;
	struct buf out;

	buf_init(&out, 100);
	body_init(&bd, BODY_EOF, 0, false);
	cr_assert_eq(body_feed(&bd, "abc", 3, &out), 3);
	cr_assert_not(bd.done);
	buf_free(&out);
}
