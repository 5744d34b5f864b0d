/* stack.c - lwIP, the loop and the interfaces of lwipd with fake TAPs, a
 * fake clock and fixed random numbers (see stack.h)
 *
 * Linked into the control and frames fuzzers in place of daemon/tap.c and
 * daemon/sys_arch.c.  Set LWIPD_FUZZ_LOG=1 to see the daemon's log.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/sys.h"

#include "events.h"
#include "iface.h"
#include "log.h"
#include "loop.h"
#include "stack.h"
#include "tap.h"


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

/* tap_open() - a fake TAP: the daemon's end of a new datagram pair */
int tap_open(const char *name, char *err, size_t errlen)
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
	return p[0];
}

/* tap_mtu() - every fake TAP has the usual MTU */
int tap_mtu(const char *name)
{
	return 1500;
}

/* tap_is_up() - every fake TAP is up */
int tap_is_up(const char *name)
{
	return 1;
}

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
