/* lwip-proxy: access log in Squid's native format.
 *
 *   time.ms elapsed client code/status bytes method URL ident hier/peer type
 *
 * e.g. "1700000000.123     12 ::1 TCP_MISS/200 512 GET http://a.test/ -
 * HIER_DIRECT/2001:db8::1 text/html".  peer is the address the connector
 * actually used, so the log shows which family won.
 */
#ifndef PROXY_ACCESSLOG_H
#define PROXY_ACCESSLOG_H

#include <stdint.h>
#include <sys/socket.h>

struct access_entry {
	uint64_t elapsed_ms;
	const struct sockaddr *client;
	const char *code;		/* TCP_MISS, TCP_TUNNEL, TCP_DENIED... */
	int status;
	uint64_t bytes;			/* bytes sent to the client */
	const char *method;
	const char *url;
	const struct sockaddr *peer;	/* NULL: HIER_NONE */
	const char *type;		/* Content-Type, or NULL */
};

int accesslog_open(const char *path);
void accesslog_write(const struct access_entry *e);
void accesslog_close(void);
void sockaddr_str(const struct sockaddr *sa, char *out, size_t size);

#endif /* PROXY_ACCESSLOG_H */
