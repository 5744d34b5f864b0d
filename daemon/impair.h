/* impair.h - lwipd impairs its own link: loss, duplication, reordering,
 * delay and corruption of frames in both directions (--impair), seeded and
 * reproducible, for testing without `tc netem`
 */
#ifndef LWIPD_IMPAIR_H
#define LWIPD_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define IMPAIR_PPM_MAX          1000000u        /* 100% in parts per million */
#define IMPAIR_MAX_DELAY_MS     10000u          /* delay=10s at most */
#define IMPAIR_DEFAULT_SEED     0x6c77697064ULL /* "lwipd": fixed, logged */
#define IMPAIR_SPEC_LEN         160             /* longest formatted spec */
#define IMPAIR_QUEUE_MAX_FRAMES 4096            /* held copies per direction */
#define IMPAIR_QUEUE_MAX_BYTES  (8u << 20)      /* bytes held per direction */
#define IMPAIR_REORDER_HOLD_MS  5               /* a held frame waits at most */
#define IMPAIR_ETH_HDR          14              /* corruption starts after it */

/* What --impair asked for; all zero means off. */
struct impair_spec {
	uint32_t loss_ppm, dup_ppm, reorder_ppm, corrupt_ppm;
	uint32_t delay_ms;
	bool have_seed;                 /* seed= given (else the default) */
	uint64_t seed;
};

/* The verdict on one frame, drawn from the direction's PRNG. */
struct impair_decision {
	bool drop, dup, reorder, corrupt;
	uint64_t bit;                   /* corrupt: bit index, reduced mod the
					 * bits after the Ethernet header */
};

struct impair_counters {
	uint64_t frames;                /* frames offered */
	uint64_t dropped, duplicated, reordered, delayed, corrupted;
	uint64_t overflow;              /* dropped: the queue was full */
};

/* Continue the normal path with one frame; 0, or -1 on a send error. */
typedef int (*impair_emit_fn)(void *arg, const struct iovec *iov, int n,
			      size_t len);

struct impair_frame;                    /* a held copy (impair.c) */

/* One direction of a link: its PRNG, its queue and its counters. */
struct impair_dir {
	uint64_t prng;
	struct impair_frame *head, *tail;       /* due-time order */
	struct impair_frame *held;              /* reordered: after the next */
	size_t queued_frames, queued_bytes;
	bool timer_armed;
	impair_emit_fn emit;
	void *arg;
	struct impair_counters c;
};

/* The impairment of one link: both directions under one spec. */
struct impair {
	struct impair_spec spec;
	bool ever;                      /* was ever on: log counters at close */
	struct impair_dir rx, tx;
};

/* The spec (impairspec.c): parse, format, test */
int impair_spec_parse(const char *s, struct impair_spec *out,
		      char *err, size_t errlen);
size_t impair_spec_format(const struct impair_spec *s, char *buf, size_t len);
bool impair_spec_on(const struct impair_spec *s);
bool impair_spec_equal(const struct impair_spec *a, const struct impair_spec *b);
uint64_t impair_spec_seed(const struct impair_spec *s);

/* The pure core (impair.c): decisions, the queue at a given time */
uint64_t impair_prng_next(uint64_t *state);
void impair_dir_init(struct impair_dir *d, uint64_t seed);
void impair_decide(uint64_t *prng, const struct impair_spec *s, size_t len,
		   struct impair_decision *out);
int impair_dir_input(struct impair_dir *d, const struct impair_spec *s,
		     uint32_t now, const struct iovec *iov, int n, size_t len);
void impair_dir_release(struct impair_dir *d, uint32_t now);
bool impair_dir_next_due(const struct impair_dir *d, uint32_t now,
			 uint32_t *in_ms);
void impair_dir_flush(struct impair_dir *d, bool emit);

/* The link's side (impair.c): lwIP's clock and timers */
void impair_set(struct impair *im, const struct impair_spec *s,
		const char *name);
int impair_rx(struct impair *im, const struct iovec *iov, int n, size_t len,
	      impair_emit_fn emit, void *arg);
int impair_tx(struct impair *im, const struct iovec *iov, int n, size_t len,
	      impair_emit_fn emit, void *arg);
void impair_stop(struct impair *im, const char *name);

#endif
