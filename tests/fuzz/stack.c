/* stack.c - lwIP, the loop and the interfaces of lwipd with fake TAPs, a
 * fake clock and fixed random numbers (see stack.h)
 *
 * Linked into the control and frames fuzzers in place of daemon/link_tap.c
 * (a TAP is a datagram socketpair here: one frame per datagram) and
 * daemon/sys_arch.c.  Set LWIPD_FUZZ_LOG=1 to see the daemon's log.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/sys.h"

#include "events.h"
#include "iface.h"
#include "log.h"
#include "loop.h"
#include "stack.h"
#include "link_tap.h"


static uint32_t now_ms = 1000;
static uint32_t rand_state = 0x2545f491;
static int taps[FUZZ_MAX_TAPS][2]; /* [daemon end, harness end] per open */
static int n_taps;                 /* open, in the order of -i */
static struct config cfg, none;

/* sys_now() - the fake clock, in milliseconds */
u32_t sys_now(void)
{
	return now_ms;
}

/* lwipd_rand() - a fixed xorshift sequence */
unsigned int lwipd_rand(void)
{
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 17;
	rand_state ^= rand_state << 5;
	return rand_state;
}

/* lwipd_lwip_assert() - lwIP's assertion failed: a finding, abort */
void lwipd_lwip_assert(const char *msg, const char *file, int line)
{
	fprintf(stderr, "lwIP assertion failed: %s (%s:%d)\n", msg, file, line);
	abort();
}

/* fake_open() - link_ops.open: a fake TAP, the daemon's end of a new
 * datagram pair, MTU 1500
 */
static int fake_open(struct link *l, const char *name, char *err, size_t errlen)
{
	int *p = taps[n_taps];
	int sz = 1 << 20;

	if (n_taps == FUZZ_MAX_TAPS ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p) < 0) {
		snprintf(err, errlen, "%s: socketpair failed", name);
		return -1;
	}
	setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(p[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	n_taps++;
	l->fd = p[0];
	l->mtu = 1500;
	return 0;
}

/* fake_readable() - every datagram waiting is one frame for link_input() */
static void fake_readable(void *arg, uint32_t events)
{
	static uint8_t frame[LINK_MAX_FRAME];
	struct link *l = arg;
	ssize_t n;

	(void)events;
	while ((n = recv(l->fd, frame, sizeof(frame), MSG_DONTWAIT)) >= 0)
		link_input(l, frame, (size_t)n);
}

/* link_tap_start() - watch the fake TAP; the carrier is on */
int link_tap_start(struct link *l, char *err, size_t errlen)
{
	if (loop_add(&l->watch, l->fd, EPOLLIN, fake_readable, l)) {
		snprintf(err, errlen, "%s: cannot watch the fake TAP", l->name);
		return -1;
	}
	link_set_carrier(l, true);
	return 0;
}

/* link_tap_send() - one frame, one datagram */
enum link_tx link_tap_send(struct link *l, const struct iovec *iov, int n, size_t len)
{
	return writev(l->fd, iov, n) == (ssize_t)len ? LINK_TX_SENT : LINK_TX_DROPPED;
}

/* link_tap_stop() - stop watching and close the daemon's end */
void link_tap_stop(struct link *l)
{
	loop_del(&l->watch);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* fake_state() - "fuzz" */
static void fake_state(const struct link *l, char *buf, size_t len)
{
	(void)l;
	snprintf(buf, len, "fuzz");
}

const struct link_ops link_tap_ops = {
	.open = fake_open,
	.start = link_tap_start,
	.send = link_tap_send,
	.state = fake_state,
	.close = link_tap_stop,
};

/* fuzz_stack_tap() - the harness end of interface @k's TAP (in the order
 * of -i in the options), or -1
 */
int fuzz_stack_tap(int k)
{
	return k >= 0 && k < n_taps ? taps[k][1] : -1;
}

/* fuzz_stack_drain() - throw away every frame the daemon sent */
void fuzz_stack_drain(void)
{
	static char b[70000];

	for (int t = 0; t < n_taps; t++)
		while (recv(taps[t][1], b, sizeof(b), MSG_DONTWAIT) >= 0)
			;
}

/* fuzz_stack_run() - let @ms of fake time pass in ticks of @tick ms,
 * running the loop (input, timers, hooks) at each; lwIP's timers fire at
 * most once per tick, so a tick longer than a timer's period slows it
 */
void fuzz_stack_run(uint32_t ms, uint32_t tick)
{
	do {
		uint32_t step = ms < tick ? ms : tick;

		now_ms += step;
		ms -= step;
		loop_once(0);
		fuzz_stack_drain();
	} while (ms);
}

/* fuzz_stack_config() - the configuration the interfaces were made from */
const struct config *fuzz_stack_config(void)
{
	return &cfg;
}

/* fuzz_stack_reset() - take every interface down and bring it up again
 * from the options, so that each input starts from the same state
 */
void fuzz_stack_reset(void)
{
	char err[512];

	ifaces_apply(&none, err, sizeof(err));  /* closes the daemon's ends */
	for (int t = 0; t < n_taps; t++)
		close(taps[t][1]);
	n_taps = 0;
	if (ifaces_apply(&cfg, err, sizeof(err))) {
		fprintf(stderr, "fuzz stack: %s\n", err);
		abort();
	}
	fuzz_stack_drain();
}

/* fuzz_stack_init() - bring lwIP and the loop up with interfaces from
 * @options (lwipd's command-line syntax); aborts on any error
 */
void fuzz_stack_init(const char *options)
{
	char err[512], text[1024], *w[64];
	int n = 0;

	log_set_level(getenv("LWIPD_FUZZ_LOG") ? LOG_DEBUG : LOG_ERR);
	snprintf(text, sizeof(text), "%s", options);
	for (char *t = strtok(text, " "); t && n < 64; t = strtok(NULL, " "))
		w[n++] = t;
	options_defaults(&cfg);
	options_defaults(&none);
	if (options_parse(&cfg, n, w, err, sizeof(err))) {
		fprintf(stderr, "fuzz stack: %s: %s\n", options, err);
		abort();
	}
	lwip_init();
	if (loop_init()) {
		fprintf(stderr, "fuzz stack: no epoll\n");
		abort();
	}
	events_init();
	if (ifaces_apply(&cfg, err, sizeof(err))) {
		fprintf(stderr, "fuzz stack: %s\n", err);
		abort();
	}
	fuzz_stack_drain();
}
