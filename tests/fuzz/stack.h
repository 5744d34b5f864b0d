/* stack.h - the daemon's stack without a TAP, for the fuzzers
 *
 * tests/fuzz/stack.c replaces daemon/tap.c and daemon/sys_arch.c: each
 * interface's "TAP" is one end of a Unix datagram socketpair whose other
 * end the harness holds, the clock is a counter the harness advances, and
 * random numbers are a fixed sequence, so an input does the same thing
 * every time it is run.
 */
#ifndef LWIPD_FUZZ_STACK_H
#define LWIPD_FUZZ_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define FUZZ_MAX_TAPS MAX_IFACES

void fuzz_stack_init(const char *options);
void fuzz_stack_reset(void);
#define FUZZ_TICK_MS 100       /* the loop runs at least this often */

void fuzz_stack_run(uint32_t ms, uint32_t tick);
int fuzz_stack_tap(int k);
void fuzz_stack_drain(void);
const struct config *fuzz_stack_config(void);

#endif
