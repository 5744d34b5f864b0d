/* lwip-proxy: explicit limits, in one place.
 *
 * Every buffer, table and list in the proxy is bounded by one of these.
 * They are compile-time constants on purpose: a value here is a promise
 * about worst-case memory per connection, documented in docs/proxy.md.
 */
#ifndef PROXY_LIMITS_H
#define PROXY_LIMITS_H

/* Largest request or response head (request line + headers), bytes:
 * Squid's request_header_max_size / reply_header_max_size default. */
#define PX_MAX_HEAD		65536
/* Most header fields in one message */
#define PX_MAX_HEADERS		128
/* Longest request-target we accept, bytes */
#define PX_MAX_URL		8192
/* Longest host name (RFC 1035 presentation form, no trailing dot) */
#define PX_MAX_HOST		253
/* Longest method token */
#define PX_MAX_METHOD		32
/* Body bytes buffered per direction before we stop reading the sender */
#define PX_RELAY_BUF		16384
/* Resolved destinations considered per request (Squid forward_max_tries) */
#define PX_MAX_DESTS		25
/* Connect attempts in flight at once for one request */
#define PX_MAX_INFLIGHT		8
/* ACL definitions, and names/values per ACL */
#define PX_MAX_ACLS		256
#define PX_MAX_ACL_VALUES	64
/* http_access / tcp_outgoing_address lines, and ACL references per line */
#define PX_MAX_RULES		256
#define PX_MAX_RULE_ACLS	16
/* http_port lines */
#define PX_MAX_PORTS		16
/* DNS servers in dns_nameservers */
#define PX_MAX_NAMESERVERS	8
/* CONNECT ports in connect_ports */
#define PX_MAX_CONNECT_PORTS	64
/* Idle server connections kept in the pool, total and per destination */
#define PX_POOL_MAX		1024
#define PX_POOL_PER_KEY		16
/* Longest configuration line, bytes */
#define PX_MAX_CONF_LINE	4096
/* Longest chunk-size line (size + extensions) and trailer section */
#define PX_MAX_CHUNK_LINE	4096
#define PX_MAX_TRAILER		PX_MAX_HEAD

#endif /* PROXY_LIMITS_H */
