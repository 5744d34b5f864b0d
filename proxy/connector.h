/* lwip-proxy: the connector: resolved destinations in, a NEW connected
 * socket out.
 *
 * The Lusca seed's "correct fix": the API takes no descriptor.  Each
 * attempt gets a socket of its own, created for the destination's family
 * and bound to that family's outgoing address; the winner's descriptor is
 * handed to the caller, every other one is closed.  Nothing is ever
 * dup2()ed into place.  The schedule is he.c's; this file adds sockets,
 * the event loop, the clock and DNS (dns.c).  Only socket(), bind(),
 * non-blocking connect(), readiness for writing, getsockopt(SO_ERROR) and
 * close() are used, so it works unchanged over an LD_PRELOAD shim.
 */
#ifndef PROXY_CONNECTOR_H
#define PROXY_CONNECTOR_H

#include "dns.h"
#include "he.h"
#include "loop.h"
#include "policy.h"

struct connector;

/* Result: @fd >= 0 is the connected socket, now the caller's; @pl tells
 * which destination won (pl->winner) or why it failed (pl->outcome,
 * pl->last_err).  The connector must not be used after this returns
 * except for connector_free(). */
typedef void (*connector_cb)(void *arg, int fd, const struct he_plan *pl);

struct connector_req {
	const char *host;		/* name or IP literal */
	int literal_family;		/* AF_INET/AF_INET6 if literal, else 0 */
	uint16_t port;
	const struct outgoing *out;
	const struct he_params *params;
	struct he_budget *budget;
	uint64_t forward_deadline;
	uint32_t dns_timeout_ms;
};

struct connector *connector_start(const struct connector_req *r,
				  connector_cb cb, void *arg);
void connector_free(struct connector *c);

#endif /* PROXY_CONNECTOR_H */
