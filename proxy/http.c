/* lwip-proxy: HTTP/1.x message head parsing and rewriting, see http.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "http.h"

/* is_tchar() - Whether @c may appear in a token (RFC 9110 5.6.2) */
static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* is_ows() - Optional whitespace: SP or HTAB */
static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* eq_ci() - Case-insensitive comparison of a counted string to @s */
static bool eq_ci(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && !strncasecmp(p, s, n);
}

/* http_find_head_end() - Find the end of a message head: the empty line,
 * looking from offset @from on (a caller that looked at @from bytes
 * before passes @from - 2: the line end may have begun there).  Accepts
 * CRLF and bare LF line ends.  Return: offset just past the empty line,
 * or 0 if not yet present in @len bytes. */
size_t http_find_head_end(const char *p, size_t len, size_t from)
{
	size_t i;

	for (i = from; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* next_line() - Split off the line starting at *@pos (before @end).
 * Sets @line/@n to the line without CR LF, advances *@pos past the LF.
 * Assumes the head is complete (a LF exists before @end).
 * Return: false if a bare CR or NUL appears inside the line. */
static bool next_line(const char *p, size_t end, size_t *pos,
		      const char **line, size_t *n)
{
	size_t s = *pos, i = s;

	while (i < end && p[i] != '\n')
		i++;
	*line = p + s;
	*n = i - s;
	*pos = i + 1;
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return !memchr(*line, '\r', *n) && !memchr(*line, '\0', *n);
}

/* parse_version() - Parse "HTTP/d.d" into @m.  Return: HPE_NONE or why */
static enum hp_error parse_version(const char *v, size_t n,
				   struct http_msg *m)
{
	if (n != 8 || strncmp(v, "HTTP/", 5) || !isdigit((unsigned char)v[5]) ||
	    v[6] != '.' || !isdigit((unsigned char)v[7]))
		return HPE_VERSION;
	m->major = v[5] - '0';
	m->minor = v[7] - '0';
	if (m->major != 1 || m->minor > 1)
		return HPE_VERSION_UNSUPPORTED;
	return HPE_NONE;
}

/* parse_length() - Parse a Content-Length value, which may be a list of
 * identical values; merge with an earlier one.  Return: HPE_NONE or why */
static enum hp_error parse_length(const char *v, size_t n, struct http_msg *m)
{
	size_t i = 0;

	while (i < n) {
		uint64_t x = 0;
		size_t digits = 0;

		while (i < n && is_ows(v[i]))
			i++;
		while (i < n && isdigit((unsigned char)v[i])) {
			if (x > (UINT64_MAX >> 2) / 10)
				return HPE_CONTENT_LENGTH;
			x = x * 10 + (uint64_t)(v[i++] - '0');
			digits++;
		}
		while (i < n && is_ows(v[i]))
			i++;
		if (!digits || (i < n && v[i] != ','))
			return HPE_CONTENT_LENGTH;
		if (m->has_length && m->length != x)
			return HPE_CONTENT_LENGTH;
		m->has_length = true;
		m->length = x;
		i++;
	}
	return m->has_length ? HPE_NONE : HPE_CONTENT_LENGTH;
}

/* for_each_token() - Call @fn for each comma-separated, OWS-trimmed,
 * non-empty element of a list value.  Stops at the first error. */
static enum hp_error for_each_token(const char *v, size_t n,
				    enum hp_error (*fn)(const char *, size_t,
							struct http_msg *),
				    struct http_msg *m)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;
		enum hp_error err;

		while (i < n && (is_ows(v[i]) || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && is_ows(v[e - 1]))
			e--;
		if (e > s && (err = fn(v + s, e - s, m)))
			return err;
	}
	return HPE_NONE;
}

/* te_token() - One Transfer-Encoding coding: only a single "chunked" is
 * supported; anything after chunked, or any other coding, is an error. */
static enum hp_error te_token(const char *t, size_t n, struct http_msg *m)
{
	if (!eq_ci(t, n, "chunked") || m->chunked)
		return HPE_TRANSFER_ENCODING;
	m->chunked = true;
	return HPE_NONE;
}

/* conn_token() - One Connection option: close, keep-alive, or the name
 * of a further hop-by-hop field (remembered, bounded).  The fields that
 * frame the message or name its host are never dropped for it: the body
 * is relayed by them, and an upstream that did not see them would take
 * the body for a second request (smuggling past the access rules). */
static enum hp_error conn_token(const char *t, size_t n, struct http_msg *m)
{
	if (eq_ci(t, n, "close"))
		m->conn_close = true;
	else if (eq_ci(t, n, "keep-alive"))
		m->conn_keepalive = true;
	else if (eq_ci(t, n, "content-length") || eq_ci(t, n, "transfer-encoding") ||
		 eq_ci(t, n, "host"))
		;                       /* ignored, see above */
	else if (m->nconn_tok >= HTTP_MAX_CONN_TOKENS)
		return HPE_CONNECTION;
	else {
		m->conn_tok[m->nconn_tok].p = t;
		m->conn_tok[m->nconn_tok++].n = n;
	}
	return HPE_NONE;
}

/* expect_token() - One Expect value; notes 100-continue */
static enum hp_error expect_token(const char *t, size_t n, struct http_msg *m)
{
	if (eq_ci(t, n, "100-continue"))
		m->expect_continue = true;
	return HPE_NONE;
}

/* parse_field() - Parse one "name: value" line into the next slot and
 * note framing and persistence fields.  @request: Proxy-Connection
 * counts as Connection.  Return: HPE_NONE or why */
static enum hp_error parse_field(const char *l, size_t n, struct http_msg *m,
				 bool request)
{
	struct http_field *f;
	size_t i = 0, vs, ve;

	if (is_ows(l[0]))
		return HPE_OBS_FOLD;
	while (i < n && is_tchar((unsigned char)l[i]))
		i++;
	if (!i || i >= n || l[i] != ':')
		return HPE_HEADER;
	if (m->nf >= PX_MAX_HEADERS)
		return HPE_TOO_MANY_HEADERS;
	f = &m->f[m->nf++];
	f->name = l;
	f->nlen = i;
	vs = i + 1;
	while (vs < n && is_ows(l[vs]))
		vs++;
	ve = n;
	while (ve > vs && is_ows(l[ve - 1]))
		ve--;
	for (i = vs; i < ve; i++) {
		unsigned char c = (unsigned char)l[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return HPE_HEADER;
	}
	f->value = l + vs;
	f->vlen = ve - vs;

	if (eq_ci(f->name, f->nlen, "Content-Length"))
		return parse_length(f->value, f->vlen, m);
	if (eq_ci(f->name, f->nlen, "Transfer-Encoding"))
		return for_each_token(f->value, f->vlen, te_token, m);
	if (eq_ci(f->name, f->nlen, "Connection") ||
	    (request && eq_ci(f->name, f->nlen, "Proxy-Connection")))
		return for_each_token(f->value, f->vlen, conn_token, m);
	if (request && eq_ci(f->name, f->nlen, "Expect"))
		return for_each_token(f->value, f->vlen, expect_token, m);
	return HPE_NONE;
}

/* parse_fields() - Parse header lines from *@pos up to the empty line */
static enum hp_error parse_fields(const char *p, size_t end, size_t *pos,
				  struct http_msg *m, bool request)
{
	for (;;) {
		const char *l;
		size_t n;
		enum hp_error e;

		if (!next_line(p, end, pos, &l, &n))
			return HPE_HEADER;
		if (!n)
			return HPE_NONE;
		if ((e = parse_field(l, n, m, request)))
			return e;
	}
}

/* http_skip_empty_lines() - Leading CRLFs before a request line are
 * ignored (RFC 9112 2.2).  Return: their length. */
size_t http_skip_empty_lines(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/* head_bounds() - Common start of both parsers: locate the head.
 * Return: HP_OK with the start and end offsets set, HP_INCOMPLETE, or HP_ERROR. */
static enum hp_result head_bounds(const char *p, size_t len, size_t *start,
				  size_t *end, enum hp_error *err)
{
	size_t lead = http_skip_empty_lines(p, len), e;

	*err = HPE_NONE;
	e = http_find_head_end(p + lead, len - lead, 0);
	if (!e || lead + e > PX_MAX_HEAD) {
		if (len >= PX_MAX_HEAD || (e && lead + e > PX_MAX_HEAD)) {
			*err = HPE_TOO_BIG;
			return HP_ERROR;
		}
		return HP_INCOMPLETE;
	}
	*start = lead;
	*end = lead + e;
	return HP_OK;
}

/* parse_request_line() - "METHOD SP target SP HTTP/1.x" into @m */
static enum hp_error parse_request_line(const char *l, size_t n,
					struct http_msg *m)
{
	const char *sp1 = memchr(l, ' ', n), *sp2;
	size_t i;

	if (!sp1)
		return HPE_REQUEST_LINE;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l));
	if (!sp2 || memchr(sp2 + 1, ' ', n - (size_t)(sp2 + 1 - l)))
		return HPE_REQUEST_LINE;
	m->method = l;
	m->mlen = (size_t)(sp1 - l);
	if (!m->mlen || m->mlen > PX_MAX_METHOD)
		return HPE_METHOD;
	for (i = 0; i < m->mlen; i++)
		if (!is_tchar((unsigned char)l[i]))
			return HPE_METHOD;
	m->target = sp1 + 1;
	m->tlen = (size_t)(sp2 - m->target);
	if (!m->tlen || m->tlen > PX_MAX_URL)
		return HPE_TARGET;
	for (i = 0; i < m->tlen; i++) {
		unsigned char c = (unsigned char)m->target[i];

		if (c <= 0x20 || c >= 0x7f)
			return HPE_TARGET;
	}
	return parse_version(sp2 + 1, n - (size_t)(sp2 + 1 - l), m);
}

/* http_parse_request() - Parse a request head at the start of @p.
 * Assumes @p holds @len bytes received so far.  On HP_OK, @m describes the
 * head (m->head_len bytes); on HP_ERROR *@err says why. */
enum hp_result http_parse_request(const char *p, size_t len,
				  struct http_msg *m, enum hp_error *err)
{
	size_t start, end, pos;
	enum hp_result r;
	const char *l;
	size_t n;

	memset(m, 0, sizeof(*m));
	if ((r = head_bounds(p, len, &start, &end, err)) != HP_OK)
		return r;
	pos = start;
	if (!next_line(p, end, &pos, &l, &n))
		*err = HPE_REQUEST_LINE;
	else
		*err = parse_request_line(l, n, m);
	if (!*err)
		*err = parse_fields(p, end, &pos, m, true);
	if (!*err && m->chunked && m->has_length)
		*err = HPE_LENGTH_AND_CHUNKED;
	if (*err)
		return HP_ERROR;
	m->head_len = end;
	return HP_OK;
}

/* parse_status_line() - "HTTP/1.x SP 3DIGIT [SP reason]" into @m */
static enum hp_error parse_status_line(const char *l, size_t n,
				       struct http_msg *m)
{
	enum hp_error e;
	size_t i;

	if (n < 12 || l[8] != ' ')
		return HPE_STATUS_LINE;
	if ((e = parse_version(l, 8, m)))
		return e == HPE_VERSION ? HPE_STATUS_LINE : e;
	for (i = 9; i < 12; i++)
		if (!isdigit((unsigned char)l[i]))
			return HPE_STATUS_LINE;
	if (n > 12 && l[12] != ' ')
		return HPE_STATUS_LINE;
	m->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (m->status < 100 || m->status > 599)
		return HPE_STATUS_LINE;
	m->reason = n > 13 ? l + 13 : "";
	m->rlen = n > 13 ? n - 13 : 0;
	for (i = 0; i < m->rlen; i++) {
		unsigned char c = (unsigned char)m->reason[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return HPE_STATUS_LINE;
	}
	return HPE_NONE;
}

/* http_parse_response() - Parse a response head at the start of @p.
 * Transfer-Encoding chunked overrides Content-Length (RFC 9112 6.3).
 * Return and outputs as http_parse_request(). */
enum hp_result http_parse_response(const char *p, size_t len,
				   struct http_msg *m, enum hp_error *err)
{
	size_t start, end, pos;
	enum hp_result r;
	const char *l;
	size_t n;

	memset(m, 0, sizeof(*m));
	if ((r = head_bounds(p, len, &start, &end, err)) != HP_OK)
		return r;
	if (start) {		/* no leading empty lines in responses */
		*err = HPE_STATUS_LINE;
		return HP_ERROR;
	}
	pos = 0;
	if (!next_line(p, end, &pos, &l, &n))
		*err = HPE_STATUS_LINE;
	else
		*err = parse_status_line(l, n, m);
	if (!*err)
		*err = parse_fields(p, end, &pos, m, false);
	if (*err)
		return HP_ERROR;
	if (m->chunked)
		m->has_length = false;
	m->head_len = end;
	return HP_OK;
}

/* parse_host() - Parse and normalise a host (reg-name, IPv4 literal or
 * bracketed IPv6 literal) of @n bytes into @u.  Return: 0 or -1 */
static int parse_host(const char *h, size_t n, struct http_url *u)
{
	unsigned char tmp[sizeof(struct in6_addr)];
	size_t i;

	if (n && h[0] == '[') {
		if (n < 4 || h[n - 1] != ']' || n - 2 > INET6_ADDRSTRLEN - 1)
			return -1;
		memcpy(u->host, h + 1, n - 2);
		u->host[n - 2] = '\0';
		if (inet_pton(AF_INET6, u->host, tmp) != 1)
			return -1;
		u->ip_family = AF_INET6;
		return 0;
	}
	if (n > 1 && h[n - 1] == '.')
		n--;                    /* "a.test." is a.test (the ACLs match it) */
	if (!n || n > PX_MAX_HOST)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return -1;
		u->host[i] = (char)tolower(c);
	}
	u->host[n] = '\0';
	if (inet_pton(AF_INET, u->host, tmp) == 1)
		u->ip_family = AF_INET;
	return 0;
}

/* parse_authority() - "host[:port]" into @u; @need_port for CONNECT.
 * Userinfo is refused.  Return: 0 or -1 */
static int parse_authority(const char *a, size_t n, bool need_port,
			   struct http_url *u)
{
	const char *colon = NULL;
	size_t hlen, i;
	unsigned long port = 0;

	if (memchr(a, '@', n))
		return -1;
	if (n && a[0] == '[') {
		const char *rb = memchr(a, ']', n);

		if (!rb)
			return -1;
		if ((size_t)(rb + 1 - a) < n) {
			if (rb[1] != ':')
				return -1;
			colon = rb + 1;
		}
	} else {
		colon = memchr(a, ':', n);
	}
	hlen = colon ? (size_t)(colon - a) : n;
	if (parse_host(a, hlen, u) < 0)
		return -1;
	if (!colon || colon + 1 == a + n) {
		if (need_port)
			return -1;
		u->port = 80;
		return 0;
	}
	for (i = hlen + 1; i < n; i++) {
		if (!isdigit((unsigned char)a[i]) || port > 65535)
			return -1;
		port = port * 10 + (unsigned long)(a[i] - '0');
	}
	if (!port || port > 65535)
		return -1;
	u->port = (uint16_t)port;
	return 0;
}

/* http_parse_url() - Parse a request-target: authority-form for CONNECT,
 * otherwise an absolute "http://" URI.  The path (and query) stays in the
 * target; a fragment is dropped.  Return: 0, or -1 with *@err set */
int http_parse_url(const char *t, size_t tlen, bool connect,
		   struct http_url *u, enum hp_error *err)
{
	const char *a, *e;
	size_t i;

	memset(u, 0, sizeof(*u));
	*err = HPE_URL;
	if (connect)
		return parse_authority(t, tlen, true, u) < 0 ? -1 : 0;
	for (i = 0; i < tlen && t[i] != ':' && t[i] != '/'; i++)
		;
	if (i + 3 > tlen || strncmp(t + i, "://", 3))
		return -1;
	if (!eq_ci(t, i, "http")) {
		*err = i ? HPE_SCHEME : HPE_URL;
		return -1;
	}
	a = t + i + 3;
	e = t + tlen;
	for (i = 0; a + i < e && !strchr("/?#", a[i]); i++)
		;
	if (parse_authority(a, i, false, u) < 0)
		return -1;
	u->path = a + i;
	u->plen = (size_t)(e - u->path);
	if (memchr(u->path, '#', u->plen))
		u->plen = (size_t)((const char *)memchr(u->path, '#', u->plen) -
				   u->path);
	*err = HPE_NONE;
	return 0;
}

/* http_method_is() - Whether the request method is exactly @method */
bool http_method_is(const struct http_msg *m, const char *method)
{
	return m->mlen == strlen(method) && !memcmp(m->method, method, m->mlen);
}

/* http_method_idempotent() - Safe to retry on a fresh connection (RFC 9110
 * 9.2.2) when no body was sent */
bool http_method_idempotent(const struct http_msg *m)
{
	static const char *const idem[] = { "GET", "HEAD", "OPTIONS", "TRACE",
					    "PUT", "DELETE" };
	size_t i;

	for (i = 0; i < sizeof(idem) / sizeof(idem[0]); i++)
		if (http_method_is(m, idem[i]))
			return true;
	return false;
}

/* http_request_persistent() - Whether the client wants the connection
 * kept after this request: HTTP/1.1 unless "close", HTTP/1.0 only with
 * "keep-alive" */
bool http_request_persistent(const struct http_msg *m)
{
	if (m->conn_close)
		return false;
	return m->minor >= 1 || m->conn_keepalive;
}

/* http_response_persistent() - Same rule for a response.  A response
 * without framing (read until close) is never persistent; the caller
 * checks that separately. */
bool http_response_persistent(const struct http_msg *m)
{
	return http_request_persistent(m);
}

/* http_response_has_body() - RFC 9112 6.3: HEAD responses, 1xx, 204 and
 * 304 have no body; a 2xx to CONNECT neither */
bool http_response_has_body(const struct http_msg *req,
			    const struct http_msg *resp)
{
	if (http_method_is(req, "HEAD"))
		return false;
	if (resp->status < 200 || resp->status == 204 || resp->status == 304)
		return false;
	return true;
}

/* http_find() - First field named @name (case-insensitive), or NULL */
const struct http_field *http_find(const struct http_msg *m, const char *name)
{
	int i;

	for (i = 0; i < m->nf; i++)
		if (eq_ci(m->f[i].name, m->f[i].nlen, name))
			return &m->f[i];
	return NULL;
}

/* http_has_via() - Whether any Via field contains @token: used to detect
 * a request that already went through this proxy (a loop) */
bool http_has_via(const struct http_msg *m, const char *token)
{
	size_t tl = strlen(token);
	int i;

	for (i = 0; i < m->nf; i++) {
		const struct http_field *f = &m->f[i];
		size_t j;

		if (!eq_ci(f->name, f->nlen, "Via") || f->vlen < tl)
			continue;
		for (j = 0; j + tl <= f->vlen; j++)
			if (!memcmp(f->value + j, token, tl))
				return true;
	}
	return false;
}

/* is_hop_by_hop() - Whether a field must not be forwarded: the fixed
 * hop-by-hop set plus names listed in Connection.  Transfer-Encoding is
 * kept here: chunked bodies are relayed as they are. */
static bool is_hop_by_hop(const struct http_msg *m, const struct http_field *f)
{
	static const char *const hop[] = {
		"Connection", "Proxy-Connection", "Keep-Alive", "TE",
		"Trailer", "Upgrade", "Proxy-Authorization",
		"Proxy-Authenticate",
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (eq_ci(f->name, f->nlen, hop[i]))
			return true;
	for (k = 0; k < m->nconn_tok; k++)
		if (f->nlen == m->conn_tok[k].n &&
		    !strncasecmp(f->name, m->conn_tok[k].p, f->nlen))
			return true;
	return false;
}

/* http_format_authority() - "host[:port]" with brackets for IPv6; port
 * omitted when 80 unless @always_port.  Return: length, or -1 if truncated */
int http_format_authority(char *out, size_t size, const struct http_url *u,
			  bool always_port)
{
	int n;
	const char *l = u->ip_family == AF_INET6 ? "[" : "";
	const char *r = u->ip_family == AF_INET6 ? "]" : "";

	if (u->port == 80 && !always_port)
		n = snprintf(out, size, "%s%s%s", l, u->host, r);
	else
		n = snprintf(out, size, "%s%s%s:%u", l, u->host, r, u->port);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* write_fields() - Append all forwardable fields of @m, skipping Host
 * (requests get it from the URL), Content-Length of a chunked message and,
 * if @drop_te, Transfer-Encoding */
static int write_fields(struct buf *out, const struct http_msg *m,
			bool drop_host, bool drop_te)
{
	int i;

	for (i = 0; i < m->nf; i++) {
		const struct http_field *f = &m->f[i];

		if (is_hop_by_hop(m, f) ||
		    (drop_host && eq_ci(f->name, f->nlen, "Host")) ||
		    (m->chunked && eq_ci(f->name, f->nlen, "Content-Length")) ||
		    (drop_te && eq_ci(f->name, f->nlen, "Transfer-Encoding")))
			continue;
		if (buf_printf(out, "%.*s: %.*s\r\n", (int)f->nlen, f->name,
			       (int)f->vlen, f->value) < 0)
			return -1;
	}
	return 0;
}

/* http_write_request() - Append the request head to send upstream:
 * origin-form request line in HTTP/1.1, Host from the URL, hop-by-hop
 * fields removed, our Via added.  Return: 0, or -1 if @out is too small */
int http_write_request(struct buf *out, const struct http_msg *m,
		       const struct http_url *u, const char *via)
{
	char auth[PX_MAX_HOST + 16];

	if (http_format_authority(auth, sizeof(auth), u, false) < 0)
		return -1;
	/* origin-form starts with "/": "http://a?q" asks for "/?q" */
	if (buf_printf(out, "%.*s %s%.*s HTTP/1.1\r\nHost: %s\r\n",
		       (int)m->mlen, m->method,
		       u->plen && u->path[0] == '/' ? "" : "/",
		       (int)u->plen, u->plen ? u->path : "",
		       auth) < 0)
		return -1;
	if (write_fields(out, m, true, false) < 0)
		return -1;
	return buf_printf(out, "Via: %d.%d %s\r\n\r\n", m->major, m->minor,
			  via);
}

/* http_write_response() - Append the response head to send to the client:
 * HTTP/1.1 status line, hop-by-hop fields removed, Via added, and
 * "Connection: keep-alive/close" per @keepalive (-1: none, for 1xx).
 * @dechunk drops Transfer-Encoding (body is de-chunked for an HTTP/1.0
 * client).  Return: 0, or -1 if @out is too small */
int http_write_response(struct buf *out, const struct http_msg *m,
			int keepalive, bool dechunk, const char *via)
{
	if (buf_printf(out, "HTTP/1.1 %03d %.*s\r\n", m->status, (int)m->rlen,
		       m->reason) < 0)
		return -1;
	if (write_fields(out, m, false, dechunk) < 0)
		return -1;
	if (buf_printf(out, "Via: %d.%d %s\r\n", m->major, m->minor, via) < 0)
		return -1;
	if (keepalive >= 0 &&
	    buf_printf(out, "Connection: %s\r\n",
		       keepalive ? "keep-alive" : "close") < 0)
		return -1;
	return buf_append(out, "\r\n", 2);
}

/* http_error_status() - HTTP status to answer a client whose request was
 * rejected for @e */
int http_error_status(enum hp_error e)
{
	switch (e) {
	case HPE_TOO_BIG:
		return 431;
	case HPE_VERSION_UNSUPPORTED:
		return 505;
	case HPE_TRANSFER_ENCODING:
		return 501;
	default:
		return 400;
	}
}

/* http_error_text() - One line describing @e, for error pages and logs */
const char *http_error_text(enum hp_error e)
{
	switch (e) {
	case HPE_NONE:			return "no error";
	case HPE_TOO_BIG:		return "message head too large";
	case HPE_REQUEST_LINE:		return "malformed request line";
	case HPE_METHOD:		return "invalid method";
	case HPE_TARGET:		return "invalid request target";
	case HPE_VERSION:		return "invalid HTTP version";
	case HPE_VERSION_UNSUPPORTED:	return "unsupported HTTP version";
	case HPE_HEADER:		return "malformed header field";
	case HPE_OBS_FOLD:		return "obsolete header line folding";
	case HPE_TOO_MANY_HEADERS:	return "too many header fields";
	case HPE_CONTENT_LENGTH:	return "invalid Content-Length";
	case HPE_TRANSFER_ENCODING:	return "unsupported Transfer-Encoding";
	case HPE_LENGTH_AND_CHUNKED:	return "both Content-Length and chunked";
	case HPE_STATUS_LINE:		return "malformed status line";
	case HPE_URL:			return "invalid URL";
	case HPE_SCHEME:		return "unsupported URL scheme";
	case HPE_CONNECTION:		return "too many Connection options";
	}
	return "unknown error";
}
