/* lwip-proxy: access log in Squid's native format, see accesslog.h */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "accesslog.h"

#define ACCESSLOG_MAX_LINE	4500

static int log_fd = -1;

/* accesslog_open() - Open (append) @path, "-" for stdout, "" for none.
 * Return: 0, or -1 with errno set */
int accesslog_open(const char *path)
{
	if (!path || !*path)
		return 0;
	if (!strcmp(path, "-")) {
		log_fd = STDOUT_FILENO;
		return 0;
	}
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return log_fd < 0 ? -1 : 0;
}

/* accesslog_close() - Close the log file (not stdout) */
void accesslog_close(void)
{
	if (log_fd > STDOUT_FILENO)
		close(log_fd);
	log_fd = -1;
}

/* sockaddr_str() - Text form of an address without port; IPv4-mapped
 * IPv6 addresses are shown as IPv4.  "-" for NULL. */
void sockaddr_str(const struct sockaddr *sa, char *out, size_t size)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;

	snprintf(out, size, "-");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)size);
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, out,
				  (socklen_t)size);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, out,
				  (socklen_t)size);
	}
}

/* accesslog_write() - Append one line; a no-op when logging is off.
 * One write() per line so concurrent readers see whole lines. */
void accesslog_write(const struct access_entry *e)
{
	char line[ACCESSLOG_MAX_LINE], client[64], peer[64];
	struct timeval tv;
	int n;

	if (log_fd < 0)
		return;
	gettimeofday(&tv, NULL);
	sockaddr_str(e->client, client, sizeof(client));
	sockaddr_str(e->peer, peer, sizeof(peer));
	n = snprintf(line, sizeof(line),
		     "%ld.%03ld %6llu %s %s/%03d %llu %s %.4000s - %s/%s %s\n",
		     (long)tv.tv_sec, (long)tv.tv_usec / 1000,
		     (unsigned long long)e->elapsed_ms, client, e->code,
		     e->status, (unsigned long long)e->bytes,
		     e->method ? e->method : "-", e->url ? e->url : "-",
		     e->peer ? "HIER_DIRECT" : "HIER_NONE", peer,
		     e->type && *e->type ? e->type : "-");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	while (write(log_fd, line, (size_t)n) < 0 && errno == EINTR)
		;
}
