/* lwip-proxy: single-threaded event loop (epoll) with timers.
 *
 * Descriptors are watched level-triggered through a struct watcher embedded
 * in their owner; timers are a binary min-heap of struct timer, also
 * embedded.  Owners are freed with loop_defer() so that events already
 * fetched in the current batch never touch freed memory.
 */
#ifndef PROXY_LOOP_H
#define PROXY_LOOP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct watcher;
typedef void (*watcher_fn)(struct watcher *w, uint32_t events);

/* One watched descriptor: @fd is -1 when not watched */
struct watcher {
	int fd;
	uint32_t events;
	watcher_fn fn;
};

struct timer;
typedef void (*timer_fn)(struct timer *t);

/* One timer: @idx is SIZE_MAX when not armed */
struct timer {
	uint64_t when;
	size_t idx;
	timer_fn fn;
};

int loop_init(void);
uint64_t now_ms(void);
uint64_t loop_now(void);
void watcher_init(struct watcher *w);
int loop_watch(struct watcher *w, int fd, uint32_t events, watcher_fn fn);
int loop_modify(struct watcher *w, uint32_t events);
void loop_unwatch(struct watcher *w);
void timer_init(struct timer *t, timer_fn fn);
int timer_arm(struct timer *t, uint64_t when);
void timer_stop(struct timer *t);
int timer_armed(const struct timer *t);
int loop_defer(void (*fn)(void *), void *p);
void loop_set_hook(int (*fn)(void), void (*after)(void));
int loop_run(volatile sig_atomic_t *stop);

#endif /* PROXY_LOOP_H */
