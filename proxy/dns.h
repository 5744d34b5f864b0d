/* lwip-proxy: asynchronous name resolution with c-ares (1.18 API).
 *
 * One lookup asks AAAA and A at once (two ares_getaddrinfo() calls, one
 * per family) and reports each family separately as it completes, so the
 * connector can start on the first answer (RFC 8305).  c-ares' sockets are
 * watched by the event loop; its timeouts run from the loop's hook.  Each
 * lookup also has its own deadline (dns_timeout): families still
 * unanswered then are reported as HE_DNS_TIMEOUT.
 */
#ifndef PROXY_DNS_H
#define PROXY_DNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "he.h"

struct dns_lookup;

/* Called once per requested family: addresses (port set) and status */
typedef void (*dns_cb)(void *arg, int family, enum he_dns status,
		       const struct sockaddr_storage *addrs, int n);

int dns_init(const struct config *c, char *err, size_t len);
void dns_shutdown(void);
struct dns_lookup *dns_lookup_start(const char *host, uint16_t port,
				    bool want_v6, bool want_v4,
				    uint32_t timeout_ms, dns_cb cb, void *arg);
void dns_lookup_cancel(struct dns_lookup *l);

#endif /* PROXY_DNS_H */
