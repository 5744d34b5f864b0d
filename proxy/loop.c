/* lwip-proxy: single-threaded event loop (epoll) with timers.
 *
 * One epoll instance, level-triggered.  Each iteration: wait until the
 * earliest timer (or an optional hook's deadline), dispatch the fetched
 * events, run expired timers, then free what was deferred.  Only ordinary
 * descriptor calls are used, so the loop works on any fd a socket() call
 * returned, including AF_UNIX socketpair ends handed out by an LD_PRELOAD
 * shim.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_BATCH	256

static int epfd = -1;
static uint64_t cached_now;

/* Timer heap: array of pointers, grown by doubling */
static struct timer **heap;
static size_t heap_len, heap_cap;

/* Deferred frees, run after each batch */
struct deferred {
	void (*fn)(void *);
	void *p;
};
static struct deferred *defer_q;
static size_t defer_len, defer_cap;

/* Optional hook: returns a timeout in ms (or -1), e.g. c-ares' next timeout,
 * and a function called after each batch (process expired DNS timeouts) */
static int (*hook_timeout)(void);
static void (*hook_after)(void);

/* now_ms() - Read the monotonic clock in milliseconds.
 * Assumes CLOCK_MONOTONIC is available (Linux). */
uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* loop_now() - The time cached at the start of the current iteration, ms.
 * Assumes loop_init() ran. */
uint64_t loop_now(void)
{
	return cached_now;
}

/* loop_init() - Create the epoll instance and prime the clock.
 * Return: 0 on success, -1 with errno set. */
int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	cached_now = now_ms();
	return epfd < 0 ? -1 : 0;
}

/* watcher_init() - Mark a watcher as not watching anything. */
void watcher_init(struct watcher *w)
{
	w->fd = -1;
	w->events = 0;
	w->fn = NULL;
}

/* loop_watch() - Start watching @fd for @events, calling @fn on readiness.
 * Assumes @w is not already watching.  Return: 0, or -1 with errno set. */
int loop_watch(struct watcher *w, int fd, uint32_t events, watcher_fn fn)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	return 0;
}

/* loop_modify() - Change the event mask of a watching watcher; a no-op if
 * unchanged.  Return: 0, or -1 with errno set. */
int loop_modify(struct watcher *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->fd < 0 || w->events == events)
		return 0;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -1;
	w->events = events;
	return 0;
}

/* loop_unwatch() - Stop watching; call before close().  Safe if not
 * watching.  Events already fetched for @w in this batch are dropped. */
void loop_unwatch(struct watcher *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
	w->events = 0;
}

/* heap_swap() - Swap two heap slots, keeping each timer's index right */
static void heap_swap(size_t a, size_t b)
{
	struct timer *t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->idx = a;
	heap[b]->idx = b;
}

/* heap_up() - Restore heap order upwards from slot @i */
static void heap_up(size_t i)
{
	while (i > 0 && heap[(i - 1) / 2]->when > heap[i]->when) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

/* heap_down() - Restore heap order downwards from slot @i */
static void heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < heap_len && heap[l]->when < heap[m]->when)
			m = l;
		if (r < heap_len && heap[r]->when < heap[m]->when)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

/* timer_init() - Prepare an unarmed timer calling @fn when it expires. */
void timer_init(struct timer *t, timer_fn fn)
{
	t->when = 0;
	t->idx = SIZE_MAX;
	t->fn = fn;
}

/* timer_armed() - Whether @t is armed */
int timer_armed(const struct timer *t)
{
	return t->idx != SIZE_MAX;
}

/* timer_arm() - (Re)arm @t for absolute time @when (ms, monotonic).
 * Return: 0, or -1 if memory ran out (timer left unarmed). */
int timer_arm(struct timer *t, uint64_t when)
{
	if (t->idx != SIZE_MAX) {
		uint64_t old = t->when;

		t->when = when;
		if (when < old)
			heap_up(t->idx);
		else
			heap_down(t->idx);
		return 0;
	}
	if (heap_len == heap_cap) {
		size_t ncap = heap_cap ? heap_cap * 2 : 256;
		struct timer **n = realloc(heap, ncap * sizeof(*n));

		if (!n)
			return -1;
		heap = n;
		heap_cap = ncap;
	}
	t->when = when;
	t->idx = heap_len;
	heap[heap_len++] = t;
	heap_up(t->idx);
	return 0;
}

/* timer_stop() - Disarm @t; safe if not armed. */
void timer_stop(struct timer *t)
{
	size_t i = t->idx;

	if (i == SIZE_MAX)
		return;
	t->idx = SIZE_MAX;
	if (i == --heap_len)
		return;
	heap[i] = heap[heap_len];
	heap[i]->idx = i;
	heap_up(i);
	heap_down(heap[i]->idx);
}

/* loop_defer() - Call @fn(@p) once the current batch of events is done.
 * Use it to free objects whose watchers may still have fetched events.
 * Return: 0, or -1 if memory ran out (then @fn ran immediately). */
int loop_defer(void (*fn)(void *), void *p)
{
	if (defer_len == defer_cap) {
		size_t ncap = defer_cap ? defer_cap * 2 : 64;
		struct deferred *n = realloc(defer_q, ncap * sizeof(*n));

		if (!n) {
			fn(p);
			return -1;
		}
		defer_q = n;
		defer_cap = ncap;
	}
	defer_q[defer_len].fn = fn;
	defer_q[defer_len++].p = p;
	return 0;
}

/* loop_set_hook() - Register the DNS resolver's timeout and after-batch
 * functions (NULL to clear). */
void loop_set_hook(int (*fn)(void), void (*after)(void))
{
	hook_timeout = fn;
	hook_after = after;
}

/* run_deferred() - Run every deferred function queued so far */
static void run_deferred(void)
{
	size_t i;

	for (i = 0; i < defer_len; i++)
		defer_q[i].fn(defer_q[i].p);
	defer_len = 0;
}

/* run_timers() - Fire every timer due at the cached time; a callback may
 * re-arm its own timer or others. */
static void run_timers(void)
{
	while (heap_len && heap[0]->when <= cached_now) {
		struct timer *t = heap[0];

		timer_stop(t);
		t->fn(t);
	}
}

/* wait_timeout() - Milliseconds until the next timer or hook deadline,
 * -1 for none; capped at 60 s so a clock oddity never stalls us. */
static int wait_timeout(void)
{
	int64_t ms = 60000;

	if (heap_len) {
		int64_t d = (int64_t)heap[0]->when - (int64_t)now_ms();

		if (d < ms)
			ms = d < 0 ? 0 : d;
	}
	if (hook_timeout) {
		int h = hook_timeout();

		if (h >= 0 && h < ms)
			ms = h;
	}
	return (int)ms;
}

/* loop_run() - Dispatch events and timers until *@stop becomes non-zero.
 * Return: 0 when stopped, -1 if epoll_wait failed other than by EINTR. */
int loop_run(volatile sig_atomic_t *stop)
{
	struct epoll_event ev[LOOP_BATCH];

	while (!*stop) {
		int n = epoll_wait(epfd, ev, LOOP_BATCH, wait_timeout());
		int i;

		if (n < 0 && errno != EINTR)
			return -1;
		cached_now = now_ms();
		for (i = 0; i < n; i++) {
			struct watcher *w = ev[i].data.ptr;

			if (w->fd >= 0 && w->fn)
				w->fn(w, ev[i].events);
		}
		run_deferred();
		cached_now = now_ms();
		run_timers();
		if (hook_after)
			hook_after();
		run_deferred();
	}
	return 0;
}
