/* lwip-proxy: idle persistent server connections.
 *
 * After a response is complete and both sides allow it, the server socket
 * is parked here under a key (destination host:port and the outgoing
 * addresses in use) for server_idle_pconn_timeout.  A parked socket that
 * becomes readable (the server closed it, or sent bytes nobody asked for)
 * is closed at once.  Bounded: PX_POOL_MAX in all, PX_POOL_PER_KEY per key;
 * the oldest goes first.
 */
#ifndef PROXY_POOL_H
#define PROXY_POOL_H

#include <stdint.h>
#include <sys/socket.h>

void pool_put(int fd, const char *key, const struct sockaddr *peer,
	      socklen_t len, uint32_t idle_ms);
int pool_get(const char *key, struct sockaddr_storage *peer, socklen_t *len);
unsigned pool_count(void);
void pool_clear(void);

#endif /* PROXY_POOL_H */
