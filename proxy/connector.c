/* lwip-proxy: the connector, see connector.h */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accesslog.h"
#include "connector.h"
#include "log.h"

struct attempt {
	struct watcher w;
	struct connector *c;
	int idx;
};

struct connector {
	struct he_plan plan;
	struct outgoing out;
	struct attempt a[PX_MAX_DESTS];
	struct timer t;
	struct dns_lookup *dns;
	connector_cb cb;
	void *arg;
	bool finished;		/* outcome known, callback pending */
	bool stepping;		/* step() is on the stack */
	uint64_t t0;
	char host[PX_MAX_HOST + 3];
};

static void step(struct connector *c);

/* close_attempt() - Stop watching and close attempt @i's socket, if any */
static void close_attempt(struct connector *c, int i)
{
	int fd = c->a[i].w.fd;

	if (fd < 0)
		return;
	loop_unwatch(&c->a[i].w);
	close(fd);
}

/* addr_text() - "addr" of destination @i, for diagnostics */
static const char *addr_text(const struct connector *c, int i, char *buf,
			     size_t size)
{
	sockaddr_str((const struct sockaddr *)&c->plan.d[i].sa, buf, size);
	return buf;
}

/* attempt_event() - Readiness of a connecting socket: confirm with poll()
 * (the event may be stale after slot reuse), then read SO_ERROR */
static void attempt_event(struct watcher *w, uint32_t ev)
{
	struct attempt *a = container_of(w, struct attempt, w);
	struct connector *c = a->c;
	struct pollfd p = { .fd = w->fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;
	char b[64];

	(void)ev;
	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLOUT | POLLERR | POLLHUP)))
		return;
	if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err && (p.revents & (POLLERR | POLLHUP)) && !(p.revents & POLLOUT))
		err = ECONNREFUSED;
	plog(1, "%s: attempt %s %s after %llu ms: %s", c->host,
	     addr_text(c, a->idx, b, sizeof(b)), err ? "failed" : "connected",
	     (unsigned long long)(loop_now() - c->plan.d[a->idx].started),
	     err ? strerror(err) : "ok");
	if (err)
		close_attempt(c, a->idx);
	he_result(&c->plan, a->idx, err, loop_now());
	step(c);
}

/* set_flags() - Make @fd non-blocking and close-on-exec with fcntl(),
 * which works on any descriptor a shim may hand out */
static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* start_attempt() - Create, bind and connect a new socket for
 * destination @i.  Return: 0 in progress or connected (reported to the
 * planner), or the errno of an immediate failure */
static int start_attempt(struct connector *c, int i)
{
	const struct he_dest *d = &c->plan.d[i];
	int fi = he_family_index(d->family), fd, err;
	char b[64];

	plog(1, "%s: attempt %s (%s, %s) at +%llu ms", c->host,
	     addr_text(c, i, b, sizeof(b)),
	     d->family == AF_INET6 ? "IPv6" : "IPv4",
	     d->spare ? "spare" : "primary",
	     (unsigned long long)(loop_now() - c->t0));
	fd = socket(d->family, SOCK_STREAM, 0);
	if (fd < 0)
		return errno;
	if (set_flags(fd) < 0)
		goto fail;
	if (c->out.bind[fi] &&
	    bind(fd, (const struct sockaddr *)&c->out.addr[fi],
		 c->out.len[fi]) < 0)
		goto fail;
	if (connect(fd, (const struct sockaddr *)&d->sa, d->salen) == 0) {
		if (loop_watch(&c->a[i].w, fd, EPOLLOUT, attempt_event) < 0)
			goto fail;
		he_result(&c->plan, i, 0, loop_now());
		return 0;
	}
	if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR)
		goto fail;
	if (loop_watch(&c->a[i].w, fd, EPOLLOUT, attempt_event) < 0)
		goto fail;
	return 0;
fail:
	err = errno;
	close(fd);
	plog(1, "%s: attempt %s failed at once: %s", c->host, b, strerror(err));
	return err;
}

/* deliver() - Timer callback: hand the result to the caller.  Runs from
 * the loop so that callers never see a callback inside their own call. */
static void deliver(struct timer *t)
{
	struct connector *c = container_of(t, struct connector, t);
	int fd = -1, i;

	if (c->plan.outcome == HE_OUT_CONNECTED) {
		i = c->plan.winner;
		fd = c->a[i].w.fd;
		loop_unwatch(&c->a[i].w);
	}
	for (i = 0; i < c->plan.n; i++)
		close_attempt(c, i);
	dns_lookup_cancel(c->dns);
	c->dns = NULL;
	plog(1, "%s: %s after %llu ms", c->host,
	     he_outcome_str(c->plan.outcome),
	     (unsigned long long)(loop_now() - c->t0));
	c->cb(c->arg, fd, &c->plan);
}

/* timer_fired() - A planner deadline passed (or a result is ready) */
static void timer_fired(struct timer *t)
{
	struct connector *c = container_of(t, struct connector, t);

	if (c->finished)
		deliver(t);
	else
		step(c);
}

/* step() - Run planner actions until it waits or finishes */
static void step(struct connector *c)
{
	struct he_action a;
	int err;

	if (c->stepping || c->finished)
		return;
	c->stepping = true;
	for (;;) {
		he_next(&c->plan, loop_now(), &a);
		if (a.kind == HE_ACT_START) {
			if ((err = start_attempt(c, a.idx)))
				he_result(&c->plan, a.idx, err, loop_now());
			continue;
		}
		if (a.kind == HE_ACT_TIMEOUT) {
			plog(1, "%s: attempt %d timed out", c->host, a.idx);
			close_attempt(c, a.idx);
			continue;
		}
		break;
	}
	c->stepping = false;
	if (a.kind == HE_ACT_DONE) {
		c->finished = true;
		timer_arm(&c->t, loop_now());
	} else if (a.when == UINT64_MAX) {
		timer_stop(&c->t);
	} else {
		timer_arm(&c->t, a.when);
	}
}

/* dns_answer() - One family resolved: add its addresses, go on */
static void dns_answer(void *arg, int family, enum he_dns status,
		       const struct sockaddr_storage *addrs, int n)
{
	struct connector *c = arg;
	int i;

	plog(1, "%s: %s answer at +%llu ms: %d address(es), status %d",
	     c->host, family == AF_INET6 ? "AAAA" : "A",
	     (unsigned long long)(loop_now() - c->t0), n, status);
	for (i = 0; i < n; i++)
		he_add(&c->plan, (const struct sockaddr *)&addrs[i],
		       family == AF_INET6 ? sizeof(struct sockaddr_in6)
					  : sizeof(struct sockaddr_in),
		       loop_now());
	he_dns_done(&c->plan, family, status, loop_now());
	step(c);
}

/* add_literal() - The host is an IP literal: one destination, no DNS */
static void add_literal(struct connector *c, const struct connector_req *r)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(r->port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_port = htons(r->port) };

	if (r->literal_family == AF_INET6 &&
	    inet_pton(AF_INET6, r->host, &s6.sin6_addr) == 1)
		he_add(&c->plan, (struct sockaddr *)&s6, sizeof(s6), loop_now());
	else if (inet_pton(AF_INET, r->host, &s4.sin_addr) == 1)
		he_add(&c->plan, (struct sockaddr *)&s4, sizeof(s4), loop_now());
}

/* connector_start() - Resolve (unless literal) and connect to @r->host.
 * @cb runs later, from the loop, exactly once unless connector_free()
 * comes first.  Return: the connector, or NULL if memory ran out */
struct connector *connector_start(const struct connector_req *r,
				  connector_cb cb, void *arg)
{
	struct connector *c = calloc(1, sizeof(*c));
	int i;

	if (!c)
		return NULL;
	c->cb = cb;
	c->arg = arg;
	c->out = *r->out;
	c->t0 = loop_now();
	snprintf(c->host, sizeof(c->host), "%s", r->host);
	for (i = 0; i < PX_MAX_DESTS; i++) {
		watcher_init(&c->a[i].w);
		c->a[i].c = c;
		c->a[i].idx = i;
	}
	timer_init(&c->t, timer_fired);
	he_init(&c->plan, r->params, r->budget, loop_now(),
		r->forward_deadline, c->out.usable[0], c->out.usable[1]);
	if (r->literal_family) {
		add_literal(c, r);
	} else if (c->out.usable[0] || c->out.usable[1]) {
		he_expect_dns(&c->plan, AF_INET6);
		he_expect_dns(&c->plan, AF_INET);
		c->stepping = true;	/* answers from /etc/hosts come inline */
		c->dns = dns_lookup_start(r->host, r->port, true, true,
					  r->dns_timeout_ms, dns_answer, c);
		c->stepping = false;
		if (!c->dns) {
			free(c);
			return NULL;
		}
	}
	step(c);
	return c;
}

/* free_later() - loop_defer() helper */
static void free_later(void *p)
{
	free(p);
}

/* connector_free() - Cancel whatever is running (closing every attempt's
 * socket) and release the connector after the current batch */
void connector_free(struct connector *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->plan.n; i++)
		close_attempt(c, i);
	he_abort(&c->plan, loop_now());
	dns_lookup_cancel(c->dns);
	c->dns = NULL;
	timer_stop(&c->t);
	loop_defer(free_later, c);
}
