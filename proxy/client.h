/* lwip-proxy: client connections and HTTP transactions.
 *
 * One struct client per accepted connection carries at most one
 * transaction at a time: read a request head, check policy, get a server
 * connection (pool or connector), relay the request body and the response
 * both ways through bounded buffers, then either wait for the next request
 * (persistent) or close gracefully.  CONNECT turns the connection into a
 * tunnel.  Everything runs from the event loop; nothing blocks.
 */
#ifndef PROXY_CLIENT_H
#define PROXY_CLIENT_H

#include <sys/socket.h>

#include "config.h"

#define PROXY_VERSION	"0.1"

int client_setup(const struct config *cfg);
void client_accept(int fd, const struct sockaddr *peer, socklen_t len);
unsigned client_count(void);
void client_shutdown(void);

#endif /* PROXY_CLIENT_H */
