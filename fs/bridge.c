/* bridge.c - one request at a time from the FUSE thread to the loop
 *
 * The FUSE thread never calls lwIP.  It fills in the request, wakes the
 * loop with an eventfd and waits on a condition variable; the loop thread
 * renders the file (or applies the option line) and signals back.  So a
 * read blocks the stack only for as long as rendering takes.  After
 * bridge_shutdown() requests fail with ESHUTDOWN instead of waiting on a
 * loop that no longer runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bridge.h"
#include "loop.h"
#include "reconfig.h"
#include "render.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int efd = -1;
static struct loop_watch watch;
static int stopped;

static struct {
	int pending, done;
	enum bridge_kind kind;
	int file;
	const char *line;
	struct sbuf *out;
	char *err;
	size_t errlen;
	int rc;
} req;

/* serve() - loop thread: the eventfd fired, do the pending request */
static void serve(void *arg, uint32_t events)
{
	uint64_t v;

	(void)arg;
	(void)events;
	if (read(efd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&lock);
	if (req.pending && !req.done) {
		if (req.kind == BR_RENDER)
			req.rc = render_file(req.file, req.out);
		else
			req.rc = reconfig_line(req.line, req.err, req.errlen) ? -EINVAL : 0;
		req.done = 1;
		pthread_cond_broadcast(&cond);
	}
	pthread_mutex_unlock(&lock);
}

/* bridge_init() - loop thread: create the eventfd and watch it */
int bridge_init(void)
{
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		return -1;
	return loop_add(&watch, efd, EPOLLIN, serve, NULL);
}

/* bridge_call() - FUSE thread: run a request on the loop and wait for it;
 * returns its result (0 or -errno)
 */
int bridge_call(enum bridge_kind kind, int file, const char *line,
		struct sbuf *out, char *err, size_t errlen)
{
	uint64_t one = 1;
	int rc;

	pthread_mutex_lock(&lock);
	if (stopped) {
		pthread_mutex_unlock(&lock);
		return -ESHUTDOWN;
	}
	req.pending = 1;
	req.done = 0;
	req.kind = kind;
	req.file = file;
	req.line = line;
	req.out = out;
	req.err = err;
	req.errlen = errlen;
	if (write(efd, &one, sizeof(one)) < 0) {
		req.pending = 0;
		pthread_mutex_unlock(&lock);
		return -EIO;
	}
	while (!req.done && !stopped)
		pthread_cond_wait(&cond, &lock);
	rc = req.done ? req.rc : -ESHUTDOWN;
	req.pending = 0;
	pthread_mutex_unlock(&lock);
	return rc;
}

/* bridge_shutdown() - loop thread, on exit: fail current and later calls */
void bridge_shutdown(void)
{
	pthread_mutex_lock(&lock);
	stopped = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}
