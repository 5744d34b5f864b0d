/* loop.c - one epoll loop over every fd, with lwIP's timers
 *
 * The thread that calls loop_run() is the only one that ever calls lwIP.
 * The epoll timeout is sys_timeouts_sleeptime(), so lwIP's timers (TCP,
 * ARP, ND, DHCP, MLD...) and our own sys_timeout()s fire on time; after
 * every wake the loopback netif is polled and the "after input" hooks run,
 * and before every wait the "before wait" hooks (frames held to be joined
 * go out, link_gso.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lwip/netif.h"
#include "lwip/timeouts.h"

#include "log.h"
#include "loop.h"

#define LOOP_MAX_EVENTS 64
#define LOOP_MAX_HOOKS  8

static int epfd = -1;
static int running;
static int exit_status;
static void (*hooks[LOOP_MAX_HOOKS])(void);
static int n_hooks;
static void (*wait_hooks[LOOP_MAX_HOOKS])(void);
static int n_wait_hooks;

/* loop_init() - create the epoll instance; -1 on error */
int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		log_err("epoll_create1: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* loop_add() - watch @fd for @events; @fn(@arg, events) runs on each */
int loop_add(struct loop_watch *w, int fd, uint32_t events, loop_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = fd;
	w->fn = fn;
	w->arg = arg;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_err("epoll_ctl add fd %d: %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

/* loop_mod() - change the events watched on a registered fd */
int loop_mod(struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

/* loop_del() - stop watching; the fd itself is the caller's to close.
 * Events already fetched for @w in this batch are skipped, so the caller
 * may free @w once the batch is over (see loop_after_input()).
 */
void loop_del(struct loop_watch *w)
{
	if (!w->fn)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fn = NULL;
}

/* loop_after_input() - run @fn after each batch of events (e.g. to notice
 * state lwIP changed while handling input)
 */
void loop_after_input(void (*fn)(void))
{
	if (n_hooks < LOOP_MAX_HOOKS)
		hooks[n_hooks++] = fn;
}

/* loop_before_wait() - run @fn each time before the loop may sleep (e.g.
 * to send what was held back to be sent in one go)
 */
void loop_before_wait(void (*fn)(void))
{
	if (n_wait_hooks < LOOP_MAX_HOOKS)
		wait_hooks[n_wait_hooks++] = fn;
}

/* timeout_ms() - how long epoll may sleep before lwIP's next timer */
static int timeout_ms(void)
{
	u32_t t = sys_timeouts_sleeptime();

	if (t == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

/* poll_loopback() - netif_poll_all() with the checksum checks off: what
 * lwIP loops back (to its own addresses, 127.0.0.1, ::1) it made itself,
 * and on a link that leaves TCP checksums to the kernel (link_gso.c) it
 * made them without one, so a check would drop every TCP segment a
 * program sends to the stack's own address (Linux does not check looped
 * packets either).  Assumes lwIP's checksum control per netif.
 */
static void poll_loopback(void)
{
	struct netif *n;

	NETIF_FOREACH(n) {
		u16_t base = n->chksum_flags;

		NETIF_SET_CHECKSUM_CTRL(n, base & ~LWIPD_CHECKSUM_CHECKS);
		netif_poll(n);
		NETIF_SET_CHECKSUM_CTRL(n, base);
	}
}

/* loop_once() - run the before wait hooks, wait up to @timeout ms (-1:
 * until lwIP's next timer) for events, dispatch them, then poll loopback,
 * run due timers and the after input hooks; -1 if epoll failed
 */
int loop_once(int timeout)
{
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int n;

	for (int i = 0; i < n_wait_hooks; i++)
		wait_hooks[i]();
	n = epoll_wait(epfd, ev, LOOP_MAX_EVENTS, timeout < 0 ? timeout_ms() : timeout);

	if (n < 0 && errno != EINTR) {
		log_err("epoll_wait: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = ev[i].data.ptr;

		if (w->fn)
			w->fn(w->arg, ev[i].events);
	}
	poll_loopback();
	sys_check_timeouts();
	for (int i = 0; i < n_hooks; i++)
		hooks[i]();
	return 0;
}

/* loop_run() - dispatch events and timers until loop_stop(); returns the
 * status given to loop_stop()
 */
int loop_run(void)
{
	running = 1;
	while (running)
		if (loop_once(-1))
			return 1;
	return exit_status;
}

/* loop_stop() - make loop_run() return @status after this iteration */
void loop_stop(int status)
{
	exit_status = status;
	running = 0;
}
