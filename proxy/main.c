/* lwip-proxy: command line, listeners and the main loop.
 *
 *   lwip-proxy [-f FILE] [-p [ADDR:]PORT] [-t] [-v] [--help] [--version]
 *
 * Exit status: 0 after SIGINT/SIGTERM, 1 on a runtime failure (cannot
 * listen, resolver setup), 2 on a usage or configuration error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accesslog.h"
#include "client.h"
#include "config.h"
#include "dns.h"
#include "log.h"
#include "loop.h"

struct listener {
	struct watcher w;
	struct timer pause;	/* out of descriptors: stop accepting briefly */
	char name[80];
};

#define ACCEPT_PAUSE_MS	100

static volatile sig_atomic_t stop_flag;
static struct listener listeners[PX_MAX_PORTS * 2];
static int nlisteners;

/* usage() - Print the synopsis to @f */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lwip-proxy [OPTION]...\n"
		"HTTP/1.1 forward proxy with CONNECT and Happy Eyeballs.\n\n"
		"  -f, --config FILE    read configuration (squid.conf subset)\n"
		"  -p, --port [ADDR:]PORT  listen here instead of http_port\n"
		"  -t, --test-config    parse the configuration and exit\n"
		"  -v, --verbose        log connect attempts to stderr (twice: more)\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n\n"
		"See lwip-proxy(8) and docs/proxy.md.\n");
}

/* on_signal() - SIGINT/SIGTERM: stop the loop */
static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* resume_accept() - The pause after EMFILE is over: watch again */
static void resume_accept(struct timer *t)
{
	struct listener *l = container_of(t, struct listener, pause);

	loop_modify(&l->w, EPOLLIN);
}

/* accept_event() - Accept every pending connection on a listener.  Out of
 * descriptors, stop watching it for ACCEPT_PAUSE_MS instead of spinning
 * on a connection we cannot take. */
static void accept_event(struct watcher *w, uint32_t ev)
{
	struct listener *l = container_of(w, struct listener, w);

	(void)ev;
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(w->fd, (struct sockaddr *)&peer, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				plog(0, "accept: %s", strerror(errno));
				loop_modify(w, 0);
				timer_arm(&l->pause, loop_now() + ACCEPT_PAUSE_MS);
			}
			return;
		}
		client_accept(fd, (struct sockaddr *)&peer, len);
	}
}

/* open_listener() - Bind and listen on @sa; the wildcard IPv6 listener is
 * dual-stack.  Return: 0, or -1 with a message printed */
static int open_listener(const struct sockaddr *sa, socklen_t len,
			 const char *name)
{
	struct listener *l = &listeners[nlisteners];
	int one = 1, zero = 0, fd;

	fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    bind(fd, sa, len) < 0 || listen(fd, 1024) < 0)
		goto fail;
	watcher_init(&l->w);
	timer_init(&l->pause, resume_accept);
	if (loop_watch(&l->w, fd, EPOLLIN, accept_event) < 0)
		goto fail;
	snprintf(l->name, sizeof(l->name), "%s", name);
	nlisteners++;
	plog(0, "listening on %s", name);
	return 0;
fail:
	plog(0, "cannot listen on %s: %s", name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* open_port() - Listen per one http_port: an address, or the wildcard
 * (IPv6 dual-stack, IPv4 if IPv6 is unavailable).  Return: 0 or -1 */
static int open_port(const struct listen_addr *p)
{
	char name[80], a[64];

	if (!p->any) {
		sockaddr_str((const struct sockaddr *)&p->addr, a, sizeof(a));
		snprintf(name, sizeof(name),
			 p->addr.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 a, p->port);
		return open_listener((const struct sockaddr *)&p->addr, p->len,
				     name);
	} else {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(p->port),
					   .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in s4 = { .sin_family = AF_INET,
					  .sin_port = htons(p->port) };

		snprintf(name, sizeof(name), "[::]:%u", p->port);
		if (!open_listener((struct sockaddr *)&s6, sizeof(s6), name))
			return 0;
		snprintf(name, sizeof(name), "0.0.0.0:%u", p->port);
		return open_listener((struct sockaddr *)&s4, sizeof(s4), name);
	}
}

/* raise_nofile() - Allow as many descriptors as the hard limit permits:
 * each client may hold 1 + PX_MAX_INFLIGHT sockets */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* load_config() - Defaults, the file (if any), the -p override.
 * Return: 0, or -1 after printing the error */
static int load_config(struct config *c, const char *file, const char *port)
{
	char err[512];

	if (config_init(c) < 0) {
		fprintf(stderr, "lwip-proxy: out of memory\n");
		return -1;
	}
	if (file && config_load(c, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "lwip-proxy: %s\n", err);
		return -1;
	}
	if (port) {
		c->nports = 0;
		if (config_parse_listen(port, &c->ports[0]) < 0) {
			fprintf(stderr, "lwip-proxy: bad --port: %s\n", port);
			return -1;
		}
		c->nports = 1;
	}
	if (config_finish(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "lwip-proxy: %s\n", err);
		return -1;
	}
	return 0;
}

/* main() - Parse options, load the configuration, listen, run */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "port", required_argument, NULL, 'p' },
		{ "test-config", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *port = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	bool test_only = false;
	struct config cfg;
	char err[256];
	int o, i;

	while ((o = getopt_long(argc, argv, "f:p:tvhV", opts, NULL)) != -1) {
		switch (o) {
		case 'f': file = optarg; break;
		case 'p': port = optarg; break;
		case 't': test_only = true; break;
		case 'v': plog_level++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("lwip-proxy %s\n", PROXY_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lwip-proxy: unexpected argument: %s\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (load_config(&cfg, file, port) < 0)
		return 2;
	if (test_only) {
		printf("lwip-proxy: configuration OK\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	raise_nofile();
	if (loop_init() < 0) {
		perror("lwip-proxy: epoll");
		return 1;
	}
	if (accesslog_open(cfg.access_log) < 0) {
		fprintf(stderr, "lwip-proxy: access_log %s: %s\n",
			cfg.access_log, strerror(errno));
		return 1;
	}
	if (dns_init(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "lwip-proxy: %s\n", err);
		return 1;
	}
	client_setup(&cfg);
	for (i = 0; i < cfg.nports; i++)
		if (open_port(&cfg.ports[i]) < 0)
			return 1;
	if (loop_run(&stop_flag) < 0) {
		perror("lwip-proxy: epoll_wait");
		return 1;
	}
	plog(0, "stopping");
	client_shutdown();
	dns_shutdown();
	accesslog_close();
	config_free(&cfg);
	return 0;
}
