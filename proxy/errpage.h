/* lwip-proxy: error responses, as Squid gives them.
 *
 * Every failure the proxy reports to a client is one enum perr; this file
 * maps it to the status code, Squid's error name (for the X-Squid-Error
 * field and the access log) and a short HTML page naming the cause and
 * the last errno.
 */
#ifndef PROXY_ERRPAGE_H
#define PROXY_ERRPAGE_H

#include <stdbool.h>

#include "buf.h"
#include "he.h"
#include "http.h"

enum perr {
	PERR_NONE = 0,
	PERR_INVALID_REQ,	/* 400 malformed request */
	PERR_INVALID_URL,	/* 400 not an absolute http URL */
	PERR_TOO_BIG,		/* 431 request head too large */
	PERR_VERSION,		/* 505 */
	PERR_UNSUPPORTED_TE,	/* 501 */
	PERR_ACCESS_DENIED,	/* 403 http_access */
	PERR_CONNECT_PORT,	/* 403 CONNECT to a port not allowed */
	PERR_LOOP,		/* 403 request came through us already */
	PERR_DNS_NXDOMAIN,	/* 503 */
	PERR_DNS_SERVFAIL,	/* 503 */
	PERR_DNS_TIMEOUT,	/* 503 */
	PERR_DNS_NODATA,	/* 503 */
	PERR_DNS_FAIL,		/* 503 other resolver error */
	PERR_NO_OUTGOING,	/* 503 family filter left nothing */
	PERR_CONNECT_FAIL,	/* 503 every attempt failed */
	PERR_CONNECT_TIMEOUT,	/* 504 every attempt timed out */
	PERR_READ_TIMEOUT,	/* 504 origin went silent */
	PERR_INVALID_RESP,	/* 502 malformed response */
	PERR_ZERO_RESP,		/* 502 origin closed without a response */
	PERR_REQUEST_TIMEOUT,	/* 408 request head not received in time */
	PERR_OVERLOAD,		/* 503 max_connections reached */
	PERR_COUNT
};

struct perr_info {
	int status;
	const char *tag;	/* Squid's error name */
	const char *title;	/* one-line cause */
};

const struct perr_info *perr_info(enum perr e);
enum perr perr_from_outcome(enum he_outcome o);
enum perr perr_from_parse(enum hp_error e);
const char *http_reason(int status);
int perr_render(struct buf *out, enum perr e, int xerrno, const char *url,
		const char *detail, const char *host, bool keepalive);

#endif /* PROXY_ERRPAGE_H */
