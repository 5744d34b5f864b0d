/* lwip-proxy: error responses, see errpage.h */
#include <stdio.h>
#include <string.h>

#include "errpage.h"

static const struct perr_info infos[PERR_COUNT] = {
	[PERR_NONE] = { 500, "ERR_NONE", "No error" },
	[PERR_INVALID_REQ] = { 400, "ERR_INVALID_REQ", "Invalid request" },
	[PERR_INVALID_URL] = { 400, "ERR_INVALID_URL", "Invalid URL" },
	[PERR_TOO_BIG] = { 431, "ERR_TOO_BIG", "Request header too large" },
	[PERR_VERSION] = { 505, "ERR_UNSUP_HTTPVERSION",
			   "Unsupported HTTP version" },
	[PERR_UNSUPPORTED_TE] = { 501, "ERR_UNSUP_REQ",
				  "Unsupported transfer coding" },
	[PERR_ACCESS_DENIED] = { 403, "ERR_ACCESS_DENIED", "Access denied" },
	[PERR_CONNECT_PORT] = { 403, "ERR_ACCESS_DENIED",
				"CONNECT to this port is not allowed" },
	[PERR_LOOP] = { 403, "ERR_LOOP_DETECTED", "Forwarding loop detected" },
	[PERR_DNS_NXDOMAIN] = { 503, "ERR_DNS_FAIL",
				"DNS: the name does not exist (NXDOMAIN)" },
	[PERR_DNS_SERVFAIL] = { 503, "ERR_DNS_FAIL",
				"DNS: the name server failed (SERVFAIL)" },
	[PERR_DNS_TIMEOUT] = { 503, "ERR_DNS_FAIL",
			       "DNS: no answer from the name server (timeout)" },
	[PERR_DNS_NODATA] = { 503, "ERR_DNS_FAIL",
			      "DNS: the name has no IPv6 or IPv4 address" },
	[PERR_DNS_FAIL] = { 503, "ERR_DNS_FAIL",
			    "DNS: lookup failed (name server unreachable or refused)" },
	[PERR_NO_OUTGOING] = { 503, "ERR_CONNECT_FAIL",
			       "No usable outgoing address for the "
			       "destination's address families" },
	[PERR_CONNECT_FAIL] = { 503, "ERR_CONNECT_FAIL",
				"Connection to the server failed" },
	[PERR_CONNECT_TIMEOUT] = { 504, "ERR_CONNECT_FAIL",
				   "Connection to the server timed out" },
	[PERR_READ_TIMEOUT] = { 504, "ERR_READ_TIMEOUT",
				"The server did not answer in time" },
	[PERR_INVALID_RESP] = { 502, "ERR_INVALID_RESP",
				"Invalid response from the server" },
	[PERR_ZERO_RESP] = { 502, "ERR_ZERO_SIZE_OBJECT",
			     "The server closed the connection without "
			     "a response" },
	[PERR_REQUEST_TIMEOUT] = { 408, "ERR_LIFETIME_EXP",
				   "Request not received in time" },
	[PERR_OVERLOAD] = { 503, "ERR_CONNECT_FAIL",
			    "Too many connections to the proxy" },
};

/* perr_info() - Status, Squid name and title of @e */
const struct perr_info *perr_info(enum perr e)
{
	if ((int)e < 0 || e >= PERR_COUNT)
		e = PERR_NONE;
	return &infos[e];
}

/* perr_from_outcome() - The error for a failed connect plan */
enum perr perr_from_outcome(enum he_outcome o)
{
	switch (o) {
	case HE_OUT_NO_OUTGOING:	return PERR_NO_OUTGOING;
	case HE_OUT_DNS_NXDOMAIN:	return PERR_DNS_NXDOMAIN;
	case HE_OUT_DNS_SERVFAIL:	return PERR_DNS_SERVFAIL;
	case HE_OUT_DNS_TIMEOUT:	return PERR_DNS_TIMEOUT;
	case HE_OUT_DNS_NODATA:		return PERR_DNS_NODATA;
	case HE_OUT_DNS_ERROR:		return PERR_DNS_FAIL;
	case HE_OUT_CONNECT_TIMEOUT:	return PERR_CONNECT_TIMEOUT;
	case HE_OUT_CONNECT_FAILED:
	case HE_OUT_CANCELLED:		return PERR_CONNECT_FAIL;
	case HE_OUT_NONE:
	case HE_OUT_CONNECTED:		break;
	}
	return PERR_NONE;
}

/* perr_from_parse() - The error for a request the parser rejected */
enum perr perr_from_parse(enum hp_error e)
{
	switch (e) {
	case HPE_TOO_BIG:		return PERR_TOO_BIG;
	case HPE_VERSION_UNSUPPORTED:	return PERR_VERSION;
	case HPE_TRANSFER_ENCODING:	return PERR_UNSUPPORTED_TE;
	case HPE_URL:
	case HPE_SCHEME:		return PERR_INVALID_URL;
	default:			return PERR_INVALID_REQ;
	}
}

/* http_reason() - Standard reason phrase of the statuses we generate */
const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default:  return "Error";
	}
}

/* html_escape() - Copy @s into @out (size @n) with <>&" escaped,
 * truncating safely */
static void html_escape(char *out, size_t n, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 7 < n; s++) {
		const char *r = NULL;

		switch (*s) {
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '&': r = "&amp;"; break;
		case '"': r = "&quot;"; break;
		}
		if (r) {
			memcpy(out + o, r, strlen(r));
			o += strlen(r);
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* perr_render() - Append a complete error response for @e to @out:
 * status line, X-Squid-Error, Content-Length, Connection per @keepalive
 * and an HTML body naming @url, @detail (may be NULL) and @xerrno (0:
 * none).  Return: 0, or -1 if it does not fit */
int perr_render(struct buf *out, enum perr e, int xerrno, const char *url,
		const char *detail, const char *host, bool keepalive)
{
	const struct perr_info *i = perr_info(e);
	char eu[1024], ed[512], body[3072], err[160] = "";
	int n;

	html_escape(eu, sizeof(eu), url ? url : "");
	html_escape(ed, sizeof(ed), detail ? detail : "");
	if (xerrno)
		snprintf(err, sizeof(err), "<p>System error: errno %d (%s)</p>\n",
			 xerrno, strerror(xerrno));
	n = snprintf(body, sizeof(body),
		     "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>"
		     "<body>\n<h1>%s</h1>\n<p>While trying to retrieve "
		     "<code>%s</code>: %s%s%s</p>\n%s<hr><address>lwip-proxy on "
		     "%s</address>\n</body></html>\n",
		     i->status, http_reason(i->status), i->title, eu, i->title,
		     ed[0] ? ": " : "", ed, err, host);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)strlen(body);
	return buf_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: text/html; "
			  "charset=utf-8\r\nContent-Length: %d\r\n"
			  "X-Squid-Error: %s %d\r\nConnection: %s\r\n\r\n%s",
			  i->status, http_reason(i->status), n, i->tag, xerrno,
			  keepalive ? "keep-alive" : "close", body);
}
