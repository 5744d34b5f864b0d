/* impair.c - loss, duplication, reordering, delay and corruption of the
 * frames of one link, in both directions (--impair)
 *
 * Each direction has its own PRNG (splitmix64, seeded from the spec's seed,
 * so each direction's decisions depend only on the seed and on how many
 * frames it has seen), its own queue and its own counters.  For each frame
 * five numbers are drawn whatever the spec, so one seed gives one sequence
 * of decisions: drop it; flip one bit after the Ethernet header; send it
 * twice; hold it back until after the next frame (or IMPAIR_REORDER_HOLD_MS);
 * delay it by the spec's delay.  A frame that needs none of that goes on at
 * once, without a copy; the others are copied into a queue bounded by
 * IMPAIR_QUEUE_MAX_FRAMES and IMPAIR_QUEUE_MAX_BYTES (beyond: dropped and
 * counted as overflow) and released by an lwIP timer (sys_timeout()).
 *
 * The core (impair_decide(), impair_dir_*()) takes the time as an argument
 * and calls no lwIP function: the unit tests drive it with their own clock.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/sys.h"
#include "lwip/timeouts.h"

#include "impair.h"
#include "log.h"

#define SEED_TX_XOR 0xd1b54a32d192ed03ULL   /* the tx stream differs from rx */

/* A held copy of a frame. */
struct impair_frame {
	struct impair_frame *next;
	uint32_t due;                   /* sys_now() time to release it */
	bool reorder;                   /* hold it until after the next one */
	size_t len;
	uint8_t data[];
};

/* impair_prng_next() - splitmix64: the next 64 random bits of @state */
uint64_t impair_prng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* chance() - true with probability @ppm / 1e6 (one draw from @prng) */
static bool chance(uint64_t *prng, uint32_t ppm)
{
	uint64_t r = impair_prng_next(prng) >> 32;

	return ((r * IMPAIR_PPM_MAX) >> 32) < ppm;
}

/* impair_decide() - the verdict on one frame of @len bytes under @s; always
 * draws five numbers, so the sequence depends on the seed alone
 */
void impair_decide(uint64_t *prng, const struct impair_spec *s, size_t len,
		   struct impair_decision *out)
{
	uint64_t bit;

	out->drop = chance(prng, s->loss_ppm);
	out->corrupt = chance(prng, s->corrupt_ppm);
	out->dup = chance(prng, s->dup_ppm);
	out->reorder = chance(prng, s->reorder_ppm);
	bit = impair_prng_next(prng);
	if (len <= IMPAIR_ETH_HDR)
		out->corrupt = false;
	out->bit = out->corrupt ? bit % ((uint64_t)(len - IMPAIR_ETH_HDR) * 8) : 0;
}

/* impair_dir_init() - an empty direction drawing from @seed */
void impair_dir_init(struct impair_dir *d, uint64_t seed)
{
	memset(d, 0, sizeof(*d));
	d->prng = seed;
}

/* before_eq() - is sys_now() time @a at or before @b (wrap-safe)? */
static bool before_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* frame_copy() - a queue entry holding the bytes of @iov; NULL if out of
 * memory
 */
static struct impair_frame *frame_copy(const struct iovec *iov, int n, size_t len)
{
	struct impair_frame *f = malloc(sizeof(*f) + len);
	size_t off = 0;

	if (!f)
		return NULL;
	for (int i = 0; i < n && off < len; i++) {
		size_t k = iov[i].iov_len < len - off ? iov[i].iov_len : len - off;

		memcpy(f->data + off, iov[i].iov_base, k);
		off += k;
	}
	f->next = NULL;
	f->len = len;
	f->reorder = false;
	return f;
}

/* frame_free() - forget a queue entry, with its share of the limits */
static void frame_free(struct impair_dir *d, struct impair_frame *f)
{
	d->queued_frames--;
	d->queued_bytes -= f->len;
	free(f);
}

/* frame_emit() - continue the normal path with @f, then free it */
static void frame_emit(struct impair_dir *d, struct impair_frame *f)
{
	struct iovec iov = { .iov_base = f->data, .iov_len = f->len };

	d->emit(d->arg, &iov, 1, f->len);
	frame_free(d, f);
}

/* release_held() - the frame held back for reordering goes now */
static void release_held(struct impair_dir *d)
{
	struct impair_frame *f = d->held;

	if (!f)
		return;
	d->held = NULL;
	frame_emit(d, f);
}

/* frame_out() - @f leaves the queue at @now: held back if it is to be
 * reordered (and nothing else is held), else sent, followed by any frame
 * held back before it
 */
static void frame_out(struct impair_dir *d, struct impair_frame *f, uint32_t now)
{
	if (f->reorder && !d->held) {
		f->due = now + IMPAIR_REORDER_HOLD_MS;
		d->held = f;
		d->c.reordered++;
		return;
	}
	frame_emit(d, f);
	release_held(d);
}

/* enqueue() - append @f (due at @due) within the limits; false (and @f
 * freed, counted as overflow) when they are reached
 */
static bool enqueue(struct impair_dir *d, struct impair_frame *f, uint32_t due)
{
	if (d->queued_frames >= IMPAIR_QUEUE_MAX_FRAMES ||
	    d->queued_bytes + f->len > IMPAIR_QUEUE_MAX_BYTES) {
		d->c.overflow++;
		free(f);
		return false;
	}
	f->due = due;
	d->queued_frames++;
	d->queued_bytes += f->len;
	if (d->tail)
		d->tail->next = f;
	else
		d->head = f;
	d->tail = f;
	return true;
}

/* queue_copy() - copy the frame (corrupted if @dec says so) into the queue,
 * twice if duplicated; the delay applies to both copies
 */
static void queue_copy(struct impair_dir *d, const struct impair_spec *s,
		       const struct impair_decision *dec, uint32_t now,
		       const struct iovec *iov, int n, size_t len)
{
	struct impair_frame *f = frame_copy(iov, n, len), *g;

	if (!f) {
		d->c.overflow++;
		return;
	}
	if (dec->corrupt) {
		f->data[IMPAIR_ETH_HDR + dec->bit / 8] ^= (uint8_t)(1u << (dec->bit % 8));
		d->c.corrupted++;
	}
	f->reorder = dec->reorder;
	if (s->delay_ms)
		d->c.delayed++;
	g = dec->dup ? frame_copy(&(struct iovec){ f->data, len }, 1, len) : NULL;
	if (!enqueue(d, f, now + s->delay_ms)) {
		free(g);
		return;
	}
	if (g) {
		g->reorder = false;
		if (enqueue(d, g, now + s->delay_ms))
			d->c.duplicated++;
	}
}

/* impair_dir_input() - one frame offered at @now: dropped, sent at once
 * through d->emit, or queued.  Returns d->emit's result when the frame was
 * sent at once, else 0.
 */
int impair_dir_input(struct impair_dir *d, const struct impair_spec *s,
		     uint32_t now, const struct iovec *iov, int n, size_t len)
{
	struct impair_decision dec;
	int rc;

	d->c.frames++;
	impair_decide(&d->prng, s, len, &dec);
	if (dec.drop) {
		d->c.dropped++;
		return 0;
	}
	if (d->head || s->delay_ms || dec.reorder || dec.corrupt) {
		queue_copy(d, s, &dec, now, iov, n, len);
		impair_dir_release(d, now);
		return 0;
	}
	rc = d->emit(d->arg, iov, n, len);
	if (dec.dup) {
		d->c.duplicated++;
		d->emit(d->arg, iov, n, len);
	}
	release_held(d);
	return rc;
}

/* impair_dir_release() - send every queued frame due at @now, and the
 * held-back one if it waited long enough
 */
void impair_dir_release(struct impair_dir *d, uint32_t now)
{
	while (d->head && before_eq(d->head->due, now)) {
		struct impair_frame *f = d->head;

		d->head = f->next;
		if (!d->head)
			d->tail = NULL;
		f->next = NULL;
		frame_out(d, f, now);
	}
	if (d->held && before_eq(d->held->due, now))
		release_held(d);
}

/* impair_dir_next_due() - false if nothing waits; else true and @in_ms set
 * to the milliseconds from @now until something is due (0: overdue)
 */
bool impair_dir_next_due(const struct impair_dir *d, uint32_t now, uint32_t *in_ms)
{
	uint32_t due;

	if (!d->head && !d->held)
		return false;
	if (d->head && d->held)
		due = before_eq(d->head->due, d->held->due) ? d->head->due : d->held->due;
	else
		due = d->head ? d->head->due : d->held->due;
	*in_ms = before_eq(due, now) ? 0 : due - now;
	return true;
}

/* impair_dir_flush() - empty the queue: send everything in order (@emit)
 * or just free it
 */
void impair_dir_flush(struct impair_dir *d, bool emit)
{
	struct impair_frame *f;

	while ((f = d->head) != NULL) {
		d->head = f->next;
		if (emit)
			frame_emit(d, f);
		else
			frame_free(d, f);
	}
	d->tail = NULL;
	if (d->held && emit)
		release_held(d);
	else if (d->held)
		frame_free(d, d->held);
	d->held = NULL;
}

/* --- the link's side: lwIP's clock and timers ------------------------- */

static void dir_timer(void *arg);

/* dir_arm() - make sure the timer of @d fires when its next frame is due */
static void dir_arm(struct impair_dir *d)
{
	uint32_t in_ms;

	if (d->timer_armed) {
		sys_untimeout(dir_timer, d);
		d->timer_armed = false;
	}
	if (!impair_dir_next_due(d, sys_now(), &in_ms))
		return;
	sys_timeout(in_ms, dir_timer, d);
	d->timer_armed = true;
}

/* dir_timer() - lwIP timer: release what is due, wait for the rest */
static void dir_timer(void *arg)
{
	struct impair_dir *d = arg;

	d->timer_armed = false;
	impair_dir_release(d, sys_now());
	dir_arm(d);
}

/* dir_stop() - cancel the timer of @d and empty its queue */
static void dir_stop(struct impair_dir *d, bool emit)
{
	if (d->timer_armed)
		sys_untimeout(dir_timer, d);
	d->timer_armed = false;
	impair_dir_flush(d, emit);
}

/* dir_input() - one frame into @d under @im's spec, timer rearmed as needed */
static int dir_input(struct impair *im, struct impair_dir *d,
		     const struct iovec *iov, int n, size_t len,
		     impair_emit_fn emit, void *arg)
{
	uint32_t in_ms;
	int rc;

	if (!impair_spec_on(&im->spec))
		return emit(arg, iov, n, len);
	d->emit = emit;
	d->arg = arg;
	rc = impair_dir_input(d, &im->spec, sys_now(), iov, n, len);
	/* Frames are due in order: rearm only when the timer is idle or a
	 * held frame needs it sooner. */
	if (!d->timer_armed || (d->held && impair_dir_next_due(d, sys_now(), &in_ms) &&
				in_ms < IMPAIR_REORDER_HOLD_MS))
		dir_arm(d);
	return rc;
}

/* impair_rx() - a frame read from the device: on to @emit (lwIP's input),
 * impaired as the spec says; returns @emit's result if it ran at once
 */
int impair_rx(struct impair *im, const struct iovec *iov, int n, size_t len,
	      impair_emit_fn emit, void *arg)
{
	return dir_input(im, &im->rx, iov, n, len, emit, arg);
}

/* impair_tx() - a frame from lwIP: on to @emit (the device write),
 * impaired as the spec says; returns @emit's result if it ran at once
 */
int impair_tx(struct impair *im, const struct iovec *iov, int n, size_t len,
	      impair_emit_fn emit, void *arg)
{
	return dir_input(im, &im->tx, iov, n, len, emit, arg);
}

/* impair_set() - apply spec @s to link @name: reseed both directions on a
 * change; turning it off sends what is queued.  Counters are kept.
 */
void impair_set(struct impair *im, const struct impair_spec *s, const char *name)
{
	char buf[IMPAIR_SPEC_LEN];
	uint64_t seed = impair_spec_seed(s);

	if (impair_spec_equal(&im->spec, s))
		return;
	if (!impair_spec_on(s)) {
		dir_stop(&im->rx, true);
		dir_stop(&im->tx, true);
		im->spec = *s;
		if (im->ever)
			log_info("%s: link impairment off", name);
		return;
	}
	im->rx.prng = seed;
	im->tx.prng = seed ^ SEED_TX_XOR;
	im->spec = *s;
	im->ever = true;
	impair_spec_format(s, buf, sizeof(buf));
	log_info("%s: impairing the link both ways: %s (seed %" PRIu64 "%s)", name,
		 buf, seed, s->have_seed ? "" : ", the default; set it with seed=N");
}

/* log_dir() - one direction's counters */
static void log_dir(const char *name, const char *dir, const struct impair_counters *c)
{
	log_info("%s: impair %s: frames %llu dropped %llu duplicated %llu reordered %llu "
		 "delayed %llu corrupted %llu overflow %llu", name, dir,
		 (unsigned long long)c->frames, (unsigned long long)c->dropped,
		 (unsigned long long)c->duplicated, (unsigned long long)c->reordered,
		 (unsigned long long)c->delayed, (unsigned long long)c->corrupted,
		 (unsigned long long)c->overflow);
}

/* impair_stop() - the link closes: cancel timers, drop what is queued, log
 * the counters if impairment was ever on
 */
void impair_stop(struct impair *im, const char *name)
{
	dir_stop(&im->rx, false);
	dir_stop(&im->tx, false);
	if (im->ever) {
		log_dir(name, "rx", &im->rx.c);
		log_dir(name, "tx", &im->tx.c);
	}
}
