/* lwip-proxy: request policy: http_access, CONNECT ports, and the choice
 * of outgoing address per family (tcp_outgoing_address).
 */
#ifndef PROXY_POLICY_H
#define PROXY_POLICY_H

#include <stdbool.h>

#include "acl.h"
#include "config.h"

/* Outgoing address choice for one request */
struct outgoing {
	bool usable[2];			/* [0] IPv6, [1] IPv4 */
	bool bind[2];			/* bind before connect */
	struct sockaddr_storage addr[2];
	socklen_t len[2];
};

bool policy_access(const struct config *c, const struct acl_ctx *x);
bool policy_connect_port(const struct config *c, uint16_t port);
void policy_outgoing(const struct config *c, const struct acl_ctx *x,
		     struct outgoing *o);

#endif /* PROXY_POLICY_H */
