/* lwip-proxy: HTTP/1.x message head parsing and rewriting.
 *
 * The parser works on a contiguous buffer holding the start of a message
 * and never copies: fields point into that buffer, so it must stay
 * unchanged while the parsed struct http_msg is used.  It is strict where
 * a lax reading would let the proxy and an origin frame a message
 * differently (request smuggling): duplicate or malformed Content-Length,
 * Transfer-Encoding other than a single "chunked", both at once in a
 * request, obsolete line folding, whitespace before the colon.
 */
#ifndef PROXY_HTTP_H
#define PROXY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "limits.h"

/* Parser verdict */
enum hp_result {
	HP_OK = 0,		/* a complete head was parsed */
	HP_INCOMPLETE,		/* need more bytes */
	HP_ERROR,		/* malformed: see enum hp_error */
};

/* Why a message was rejected; http_error_status() maps these to codes */
enum hp_error {
	HPE_NONE = 0,
	HPE_TOO_BIG,		/* head longer than PX_MAX_HEAD */
	HPE_REQUEST_LINE,	/* request line not "METHOD SP target SP version" */
	HPE_METHOD,		/* method not a token, or too long */
	HPE_TARGET,		/* request-target has bad bytes or is too long */
	HPE_VERSION,		/* not "HTTP/d.d" */
	HPE_VERSION_UNSUPPORTED,/* HTTP/d.d but not 1.0 or 1.1 */
	HPE_HEADER,		/* malformed header field */
	HPE_OBS_FOLD,		/* obsolete line folding */
	HPE_TOO_MANY_HEADERS,	/* more than PX_MAX_HEADERS fields */
	HPE_CONTENT_LENGTH,	/* bad or conflicting Content-Length */
	HPE_TRANSFER_ENCODING,	/* a coding other than a single chunked */
	HPE_LENGTH_AND_CHUNKED,	/* request with both framings */
	HPE_STATUS_LINE,	/* response status line malformed */
	HPE_URL,		/* not an absolute http URI / authority */
	HPE_SCHEME,		/* absolute URI of another scheme */
	HPE_CONNECTION,		/* too many Connection tokens */
};

/* One header field; name and value point into the parsed buffer */
struct http_field {
	const char *name;
	size_t nlen;
	const char *value;
	size_t vlen;
};

#define HTTP_MAX_CONN_TOKENS	16

/* A parsed request or response head */
struct http_msg {
	/* request line */
	const char *method;
	size_t mlen;
	const char *target;
	size_t tlen;
	/* status line */
	int status;
	const char *reason;
	size_t rlen;
	/* both */
	int major, minor;
	struct http_field f[PX_MAX_HEADERS];
	int nf;
	size_t head_len;	/* bytes of head, including leading CRLFs */
	/* framing, from Content-Length / Transfer-Encoding */
	bool has_length;
	uint64_t length;
	bool chunked;
	/* persistence, from Connection (and Proxy-Connection in requests) */
	bool conn_close, conn_keepalive;
	bool expect_continue;
	/* other tokens of Connection: names of extra hop-by-hop fields */
	struct { const char *p; size_t n; } conn_tok[HTTP_MAX_CONN_TOKENS];
	int nconn_tok;
	/* Via fields naming this proxy (loop detection), see http_has_via() */
};

/* A parsed request URL (absolute-form) or CONNECT authority */
struct http_url {
	char host[PX_MAX_HOST + 3];	/* lower-case; IPv6 without brackets */
	uint16_t port;
	int ip_family;			/* AF_INET/AF_INET6 if a literal, else 0 */
	const char *path;		/* origin-form path+query, into target */
	size_t plen;			/* 0: use "/" */
};

size_t http_find_head_end(const char *p, size_t len, size_t from);
size_t http_skip_empty_lines(const char *p, size_t len);
enum hp_result http_parse_request(const char *p, size_t len,
				  struct http_msg *m, enum hp_error *err);
enum hp_result http_parse_response(const char *p, size_t len,
				   struct http_msg *m, enum hp_error *err);
int http_parse_url(const char *t, size_t tlen, bool connect,
		   struct http_url *u, enum hp_error *err);
bool http_method_is(const struct http_msg *m, const char *method);
bool http_request_persistent(const struct http_msg *m);
bool http_response_persistent(const struct http_msg *m);
bool http_response_has_body(const struct http_msg *req,
			    const struct http_msg *resp);
bool http_method_idempotent(const struct http_msg *m);
const struct http_field *http_find(const struct http_msg *m,
				   const char *name);
bool http_has_via(const struct http_msg *m, const char *token);
int http_format_authority(char *out, size_t size, const struct http_url *u,
			  bool always_port);
int http_write_request(struct buf *out, const struct http_msg *m,
		       const struct http_url *u, const char *via);
int http_write_response(struct buf *out, const struct http_msg *m,
			int keepalive, bool dechunk, const char *via);
int http_error_status(enum hp_error e);
const char *http_error_text(enum hp_error e);

#endif /* PROXY_HTTP_H */
