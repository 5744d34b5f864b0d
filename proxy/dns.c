/* lwip-proxy: asynchronous name resolution with c-ares, see dns.h */
#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "log.h"
#include "loop.h"

/* One c-ares socket watched by the loop */
struct dns_sock {
	struct watcher w;
	int fd;
	struct dns_sock *next;
};

/* One family's query; @l is NULL once reported or abandoned */
struct dns_query {
	struct dns_lookup *l;
	int family;
	bool done;
};

struct dns_lookup {
	dns_cb cb;		/* NULL once cancelled */
	void *arg;
	uint16_t port;
	int refs;		/* owner + outstanding c-ares queries */
	struct dns_query q[2];	/* [0] AAAA, [1] A */
	struct timer t;		/* dns_timeout */
};

static ares_channel channel;
static bool channel_ok;
static struct dns_sock *socks;

/* lookup_unref() - Drop a reference; free the lookup at zero */
static void lookup_unref(struct dns_lookup *l)
{
	if (--l->refs)
		return;
	timer_stop(&l->t);
	free(l);
}

/* sock_event() - Readiness of a c-ares socket: let c-ares process it */
static void sock_event(struct watcher *w, uint32_t ev)
{
	struct dns_sock *s = container_of(w, struct dns_sock, w);
	int fd = s->fd;

	ares_process_fd(channel,
			ev & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
			ev & EPOLLOUT ? fd : ARES_SOCKET_BAD);
}

/* sock_state() - c-ares' ARES_OPT_SOCK_STATE_CB: start, change or stop
 * watching @fd.  Assumes the loop is initialised. */
static void sock_state(void *data, ares_socket_t fd, int readable,
		       int writable)
{
	struct dns_sock **pp, *s;
	uint32_t ev = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);

	(void)data;
	for (pp = &socks; *pp && (*pp)->fd != fd; pp = &(*pp)->next)
		;
	s = *pp;
	if (!readable && !writable) {
		if (!s)
			return;
		*pp = s->next;
		loop_unwatch(&s->w);
		loop_defer(free, s);
		return;
	}
	if (s) {
		loop_modify(&s->w, ev);
		return;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return;
	watcher_init(&s->w);
	s->fd = fd;
	if (loop_watch(&s->w, fd, ev, sock_event) < 0) {
		free(s);
		return;
	}
	s->next = socks;
	socks = s;
}

/* hook_timeout() - Loop hook: ms until c-ares' next timeout, or -1 */
static int hook_timeout(void)
{
	struct timeval tv, *tp;

	if (!channel_ok)
		return -1;
	tp = ares_timeout(channel, NULL, &tv);
	if (!tp)
		return -1;
	return (int)(tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000);
}

/* hook_after() - Loop hook: let c-ares handle expired timeouts */
static void hook_after(void)
{
	if (channel_ok)
		ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* resolv_conf_path() - $LWIPD_SOCKET_DIR/resolv.conf if it exists (the
 * shim publishes lwipd's DNS servers there), else NULL */
static const char *resolv_conf_path(char *buf, size_t size)
{
	const char *dir = getenv("LWIPD_SOCKET_DIR");
	FILE *f;

	if (!dir || !*dir)
		return NULL;
	if (snprintf(buf, size, "%s/resolv.conf", dir) >= (int)size)
		return NULL;
	if (!(f = fopen(buf, "r")))
		return NULL;
	fclose(f);
	return buf;
}

/* dns_init() - Create the c-ares channel: servers from dns_nameservers,
 * else $LWIPD_SOCKET_DIR/resolv.conf, else c-ares' defaults; no search
 * domains (Squid's dns_defnames off); a SERVFAIL answer is final.
 * Return: 0, or -1 with @err set */
int dns_init(const struct config *c, char *err, size_t len)
{
	struct ares_options o;
	char csv[PX_MAX_NAMESERVERS * 66], path[4096];
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_DOMAINS |
		   ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
	int r, i;

	if ((r = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS)
		goto fail;
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state;
	o.domains = NULL;
	o.ndomains = 0;
	o.timeout = 2000;
	o.tries = 3;
	/* Take SERVFAIL/REFUSED answers as final: otherwise c-ares 1.18
	 * reports them as "could not contact DNS servers" and the client
	 * cannot be told SERVFAIL apart from an unreachable server */
	o.flags = ARES_FLAG_NOCHECKRESP;
	if (!c->nnameservers && resolv_conf_path(path, sizeof(path))) {
		o.resolvconf_path = path;
		mask |= ARES_OPT_RESOLVCONF;
	}
	if ((r = ares_init_options(&channel, &o, mask)) != ARES_SUCCESS)
		goto fail;
	channel_ok = true;
	if (c->nnameservers) {
		csv[0] = '\0';
		for (i = 0; i < c->nnameservers; i++) {
			if (i)
				strcat(csv, ",");
			strcat(csv, c->nameservers[i]);
		}
		if ((r = ares_set_servers_ports_csv(channel, csv)) !=
		    ARES_SUCCESS)
			goto fail;
	}
	loop_set_hook(hook_timeout, hook_after);
	return 0;
fail:
	snprintf(err, len, "c-ares: %s", ares_strerror(r));
	return -1;
}

/* dns_shutdown() - Destroy the channel (cancels everything) */
void dns_shutdown(void)
{
	if (!channel_ok)
		return;
	loop_set_hook(NULL, NULL);
	channel_ok = false;
	ares_destroy(channel);
	ares_library_cleanup();
}

/* map_status() - c-ares status to a per-family DNS outcome */
static enum he_dns map_status(int status)
{
	switch (status) {
	case ARES_SUCCESS:	return HE_DNS_OK;
	case ARES_ENODATA:	return HE_DNS_NODATA;
	case ARES_ENOTFOUND:	return HE_DNS_NXDOMAIN;
	case ARES_ESERVFAIL:	return HE_DNS_SERVFAIL;
	case ARES_ETIMEOUT:	return HE_DNS_TIMEOUT;
	default:		return HE_DNS_ERROR;
	}
}

/* collect() - Copy the addresses of family @family from @res (at most
 * PX_MAX_DESTS), setting @port.  Return: count */
static int collect(const struct ares_addrinfo *res, int family, uint16_t port,
		   struct sockaddr_storage *out)
{
	const struct ares_addrinfo_node *nd;
	int n = 0;

	for (nd = res ? res->nodes : NULL; nd && n < PX_MAX_DESTS;
	     nd = nd->ai_next) {
		if (nd->ai_family != family || !nd->ai_addr ||
		    (size_t)nd->ai_addrlen > sizeof(out[0]))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n], nd->ai_addr, (size_t)nd->ai_addrlen);
		if (family == AF_INET6)
			((struct sockaddr_in6 *)&out[n])->sin6_port = htons(port);
		else
			((struct sockaddr_in *)&out[n])->sin_port = htons(port);
		n++;
	}
	return n;
}

/* query_done() - ares_getaddrinfo() callback for one family */
static void query_done(void *arg, int status, int timeouts,
		       struct ares_addrinfo *res)
{
	struct dns_query *q = arg;
	struct dns_lookup *l = q->l;
	struct sockaddr_storage addrs[PX_MAX_DESTS];
	enum he_dns st = map_status(status);
	int n;

	n = collect(res, q->family, l->port, addrs);
	plog(2, "c-ares %s answer: %s, %d address(es), %d timeout(s)",
	     q->family == AF_INET6 ? "AAAA" : "A", ares_strerror(status), n,
	     timeouts);
	if (res)
		ares_freeaddrinfo(res);
	if (st == HE_DNS_OK && !n)
		st = HE_DNS_NODATA;
	if (!q->done && l->cb && status != ARES_ECANCELLED &&
	    status != ARES_EDESTRUCTION) {
		q->done = true;
		l->cb(l->arg, q->family, st, addrs, n);
	}
	lookup_unref(l);
}

/* lookup_timeout() - dns_timeout expired: report pending families as
 * timed out; c-ares' late answers are then ignored */
static void lookup_timeout(struct timer *t)
{
	struct dns_lookup *l = container_of(t, struct dns_lookup, t);
	int i;

	l->refs++;
	for (i = 0; i < 2; i++) {
		if (l->q[i].done || !l->q[i].family)
			continue;
		l->q[i].done = true;
		if (l->cb)
			l->cb(l->arg, l->q[i].family, HE_DNS_TIMEOUT, NULL, 0);
	}
	lookup_unref(l);
}

/* dns_lookup_start() - Resolve @host for the wanted families; @cb runs
 * once per family (possibly before this returns, e.g. from /etc/hosts).
 * Return: the lookup (owned by the caller until dns_lookup_cancel()),
 * or NULL if memory ran out */
struct dns_lookup *dns_lookup_start(const char *host, uint16_t port,
				    bool want_v6, bool want_v4,
				    uint32_t timeout_ms, dns_cb cb, void *arg)
{
	struct dns_lookup *l = calloc(1, sizeof(*l));
	int fams[2] = { want_v6 ? AF_INET6 : 0, want_v4 ? AF_INET : 0 };
	int i;

	if (!l)
		return NULL;
	l->cb = cb;
	l->arg = arg;
	l->port = port;
	l->refs = 1;
	timer_init(&l->t, lookup_timeout);
	timer_arm(&l->t, loop_now() + timeout_ms);
	for (i = 0; i < 2; i++) {
		struct ares_addrinfo_hints h;

		if (!fams[i])
			continue;
		memset(&h, 0, sizeof(h));
		h.ai_family = fams[i];
		h.ai_socktype = SOCK_STREAM;
		h.ai_flags = ARES_AI_NOSORT;
		l->q[i].l = l;
		l->q[i].family = fams[i];
		l->refs++;
		ares_getaddrinfo(channel, host, NULL, &h, query_done, &l->q[i]);
	}
	return l;
}

/* dns_lookup_cancel() - The owner is done with @l: no more callbacks.
 * Memory goes when c-ares has finished with its queries. */
void dns_lookup_cancel(struct dns_lookup *l)
{
	if (!l)
		return;
	l->cb = NULL;
	timer_stop(&l->t);
	lookup_unref(l);
}
