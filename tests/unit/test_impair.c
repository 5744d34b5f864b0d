/* test_impair.c - link impairment: the spec parser, determinism, rates,
 * corruption, reordering, the delay queue and its limits
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "impair.h"

static char err[256];

/* spec() - parse @s or fail the test */
static struct impair_spec spec(const char *s)
{
	struct impair_spec sp;

	cr_assert_eq(impair_spec_parse(s, &sp, err, sizeof(err)), 0, "%s: %s", s, err);
	return sp;
}

/* bad() - @s must be refused with a message containing @why */
static void bad(const char *s, const char *why)
{
	struct impair_spec sp = { .loss_ppm = 123 };

	cr_assert_eq(impair_spec_parse(s, &sp, err, sizeof(err)), -1, "%s accepted", s);
	cr_assert(strstr(err, why), "%s: \"%s\" lacks \"%s\"", s, err, why);
	cr_assert_eq(sp.loss_ppm, 123, "%s: a refused spec changed the output", s);
}

Test(impair_spec, good_specs)
{
	struct impair_spec s = spec("loss=5%,dup=1%,reorder=2%,delay=10ms,corrupt=0.1%,seed=42");
	char buf[IMPAIR_SPEC_LEN];

	cr_assert_eq(s.loss_ppm, 50000);
	cr_assert_eq(s.dup_ppm, 10000);
	cr_assert_eq(s.reorder_ppm, 20000);
	cr_assert_eq(s.delay_ms, 10);
	cr_assert_eq(s.corrupt_ppm, 1000);
	cr_assert(s.have_seed);
	cr_assert_eq(s.seed, 42);
	impair_spec_format(&s, buf, sizeof(buf));
	cr_assert_str_eq(buf, "loss=5%,dup=1%,reorder=2%,delay=10ms,corrupt=0.1%,seed=42");

	s = spec("delay=2s,loss=100%,corrupt=0.0001%,seed=0x10");
	cr_assert_eq(s.delay_ms, 2000);
	cr_assert_eq(s.loss_ppm, IMPAIR_PPM_MAX);
	cr_assert_eq(s.corrupt_ppm, 1);
	cr_assert_eq(s.seed, 16);
	impair_spec_format(&s, buf, sizeof(buf));
	cr_assert_str_eq(buf, "loss=100%,delay=2000ms,corrupt=0.0001%,seed=16");

	s = spec("loss=12.5%");
	cr_assert_eq(s.loss_ppm, 125000);
	cr_assert(!s.have_seed);
	cr_assert_eq(impair_spec_seed(&s), IMPAIR_DEFAULT_SEED);
	impair_spec_format(&s, buf, sizeof(buf));
	cr_assert_str_eq(buf, "loss=12.5%");
	cr_assert(impair_spec_on(&s));

	s = spec("off");
	cr_assert(!impair_spec_on(&s));
	impair_spec_format(&s, buf, sizeof(buf));
	cr_assert_str_eq(buf, "off");
	s = spec("loss=0%");
	cr_assert(!impair_spec_on(&s));
}

Test(impair_spec, round_trip)
{
	const char *in[] = { "loss=0.25%", "dup=100%", "reorder=3.0001%,delay=1ms",
			     "corrupt=99.9999%,seed=18446744073709551615" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct impair_spec a = spec(in[i]), b;
		char buf[IMPAIR_SPEC_LEN];

		impair_spec_format(&a, buf, sizeof(buf));
		b = spec(buf);
		cr_assert(impair_spec_equal(&a, &b), "%s -> %s", in[i], buf);
	}
}

Test(impair_spec, bad_specs)
{
	bad("", "empty");
	bad("los=5%", "unknown key los");
	bad("loss", "\"loss\": not KEY=VALUE");
	bad("loss=5", "loss=5: missing unit %");
	bad("loss=101%", "more than 100%");
	bad("loss=100.5%", "more than 100%");
	bad("loss=99999999999999999999%", "more than 100%");
	bad("loss=5%%", "not a percentage");
	bad("loss=-1%", "not a percentage");
	bad("loss=abc", "not a percentage");
	bad("loss=.5%", "not a percentage");
	bad("loss=5.%", "not a percentage");
	bad("loss=0.00001%", "at most 4 decimals");
	bad("loss=5%,loss=6%", "loss given twice");
	bad("loss=5%,,dup=1%", "empty item");
	bad("loss=5%,", "empty item");
	bad("delay=10", "delay=10: missing unit ms or s");
	bad("delay=10us", "unit must be ms or s");
	bad("delay=11s", "more than 10000ms");
	bad("delay=ms", "not a time");
	bad("seed=x", "not a number");
	bad("seed=99999999999999999999999", "not a 64-bit number");
	bad("seed=5ms", "not a 64-bit number");
	bad("dup=1%;reorder=2%", "not a percentage");
}

/* A recording emit callback: frame lengths and first payload bytes. */
#define REC_MAX 200000
struct rec {
	size_t n;
	uint32_t id[REC_MAX];           /* bytes 14..17 of each frame */
	uint8_t last[256];
	size_t last_len;
};

static int record(void *arg, const struct iovec *iov, int n, size_t len)
{
	struct rec *r = arg;
	size_t off = 0;

	cr_assert_lt(r->n, REC_MAX);
	for (int i = 0; i < n; i++) {
		size_t k = iov[i].iov_len;

		if (off < sizeof(r->last))
			memcpy(r->last + off, iov[i].iov_base,
			       k < sizeof(r->last) - off ? k : sizeof(r->last) - off);
		off += k;
	}
	cr_assert_eq(off, len);
	memcpy(&r->id[r->n++], r->last + 14, 4);
	r->last_len = len;
	return 0;
}

/* offer() - a 100-byte frame numbered @id, in two iovecs, into @d at @now */
static void offer(struct impair_dir *d, const struct impair_spec *s, uint32_t now,
		  uint32_t id)
{
	static uint8_t buf[100];
	struct iovec iov[2] = { { buf, 20 }, { buf + 20, 80 } };

	memset(buf, 0xaa, sizeof(buf));
	memcpy(buf + 14, &id, 4);
	impair_dir_input(d, s, now, iov, 2, sizeof(buf));
}

static struct rec r1, r2;

/* recording() - @d freshly set up with seed @seed, emitting to r1 (emptied) */
static void recording(struct impair_dir *d, uint32_t seed)
{
	memset(&r1, 0, sizeof(r1));
	impair_dir_init(d, seed);
	d->emit = record;
	d->arg = &r1;
}

/* same() - two decisions alike */
static bool same(const struct impair_decision *a, const struct impair_decision *b)
{
	return a->drop == b->drop && a->dup == b->dup && a->reorder == b->reorder &&
	       a->corrupt == b->corrupt && a->bit == b->bit;
}

Test(impair, same_seed_same_decisions)
{
	struct impair_spec s = spec("loss=5%,dup=1%,reorder=2%,corrupt=1%,seed=99");
	struct impair_dir a, b, c;
	struct impair_decision x, y;
	uint64_t pa = 1, pb = 1, pc = 2;
	int differ = 0;

	for (int i = 0; i < 10000; i++) {
		impair_decide(&pa, &s, 1500, &x);
		impair_decide(&pb, &s, 1500, &y);
		cr_assert(same(&x, &y), "decision %d differs", i);
		impair_decide(&pc, &s, 1500, &y);
		differ += !same(&x, &y);
	}
	cr_assert_gt(differ, 100, "another seed gives other decisions");

	/* whole runs through the queue: same frames out, in the same order */
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	impair_dir_init(&a, 99);
	impair_dir_init(&b, 99);
	a.emit = b.emit = record;
	a.arg = &r1;
	b.arg = &r2;
	for (uint32_t i = 0; i < 20000; i++) {
		offer(&a, &s, i / 4, i);
		offer(&b, &s, i / 4, i);
	}
	impair_dir_flush(&a, true);
	impair_dir_flush(&b, true);
	cr_assert_eq(r1.n, r2.n);
	cr_assert(!memcmp(r1.id, r2.id, r1.n * sizeof(r1.id[0])));
	cr_assert(!memcmp(&a.c, &b.c, sizeof(a.c)));
	impair_dir_init(&c, 100);
	cr_assert_neq(c.prng, a.prng);
}

Test(impair, rates_within_tolerance)
{
	struct impair_spec s = spec("loss=5%,dup=1%,reorder=2%,corrupt=0.1%");
	struct impair_decision d;
	uint64_t prng = impair_spec_seed(&s);
	unsigned long drop = 0, dup = 0, reo = 0, cor = 0;
	const unsigned long n = 1000000;

	for (unsigned long i = 0; i < n; i++) {
		impair_decide(&prng, &s, 1514, &d);
		drop += d.drop;
		dup += d.dup;
		reo += d.reorder;
		cor += d.corrupt;
		if (d.corrupt)
			cr_assert_lt(d.bit, (1514 - 14) * 8);
	}
	/* 1e6 draws: about 5 standard deviations of slack */
	cr_assert(drop > 48900 && drop < 51100, "loss %lu", drop);
	cr_assert(dup > 9500 && dup < 10500, "dup %lu", dup);
	cr_assert(reo > 19300 && reo < 20700, "reorder %lu", reo);
	cr_assert(cor > 840 && cor < 1160, "corrupt %lu", cor);

	s = spec("loss=100%");
	impair_decide(&prng, &s, 60, &d);
	cr_assert(d.drop);
	s = spec("off");
	for (int i = 0; i < 1000; i++) {
		impair_decide(&prng, &s, 60, &d);
		cr_assert(!d.drop && !d.dup && !d.reorder && !d.corrupt);
	}
}

Test(impair, loss_dup_counted_through_the_path)
{
	struct impair_spec s = spec("loss=10%,dup=10%");
	struct impair_dir d;

	recording(&d, 5);
	for (uint32_t i = 0; i < 10000; i++)
		offer(&d, &s, 0, i);
	cr_assert_eq(d.c.frames, 10000);
	cr_assert_eq(r1.n, 10000 - d.c.dropped + d.c.duplicated);
	cr_assert(d.c.dropped > 800 && d.c.dropped < 1200, "%llu", (unsigned long long)d.c.dropped);
	cr_assert(d.c.duplicated > 700 && d.c.duplicated < 1100);
	cr_assert_eq(d.queued_frames, 0, "no copy kept without delay or reordering");
}

Test(impair, corrupt_flips_one_bit_after_the_ethernet_header)
{
	struct impair_spec s = spec("corrupt=100%");
	struct impair_dir d;
	uint8_t want[100];

	memset(want, 0xaa, sizeof(want));
	recording(&d, 1);
	for (uint32_t i = 0; i < 2000; i++) {
		int flipped = 0;

		memset(&r1, 0, sizeof(r1));
		offer(&d, &s, 0, 0xaaaaaaaa);
		cr_assert_eq(r1.n, 1);
		cr_assert_eq(r1.last_len, 100);
		cr_assert(!memcmp(r1.last, want, 14), "the Ethernet header is never touched");
		for (int k = 14; k < 100; k++)
			flipped += __builtin_popcount(r1.last[k] ^ 0xaa);
		cr_assert_eq(flipped, 1);
	}
	cr_assert_eq(d.c.corrupted, 2000);
}

Test(impair, reorder_puts_a_frame_after_the_next)
{
	struct impair_spec s = spec("reorder=100%");
	struct impair_dir d;
	uint32_t in_ms;

	recording(&d, 1);
	offer(&d, &s, 0, 1);            /* held */
	cr_assert_eq(r1.n, 0);
	cr_assert(impair_dir_next_due(&d, 0, &in_ms));
	cr_assert_eq(in_ms, IMPAIR_REORDER_HOLD_MS);
	offer(&d, &s, 0, 2);            /* wants holding too: goes, then 1 */
	cr_assert_eq(r1.n, 2);
	cr_assert_eq(r1.id[0], 2);
	cr_assert_eq(r1.id[1], 1);
	offer(&d, &s, 10, 3);           /* held; nothing follows */
	impair_dir_release(&d, 10 + IMPAIR_REORDER_HOLD_MS - 1);
	cr_assert_eq(r1.n, 2);
	impair_dir_release(&d, 10 + IMPAIR_REORDER_HOLD_MS);
	cr_assert_eq(r1.n, 3, "released after the hold time");
	cr_assert_eq(r1.id[2], 3);
	cr_assert_eq(d.c.reordered, 2);
	cr_assert(!impair_dir_next_due(&d, 20, &in_ms));
}

Test(impair, delay_releases_in_order_on_time)
{
	struct impair_spec s = spec("delay=10ms");
	struct impair_dir d;
	uint32_t in_ms;

	recording(&d, 1);
	offer(&d, &s, 0xfffffffa, 1);   /* across the clock's wrap */
	offer(&d, &s, 0xfffffffe, 2);
	cr_assert_eq(r1.n, 0);
	cr_assert(impair_dir_next_due(&d, 0xfffffffe, &in_ms));
	cr_assert_eq(in_ms, 6);
	impair_dir_release(&d, 3);
	cr_assert_eq(r1.n, 0);
	impair_dir_release(&d, 4);
	cr_assert_eq(r1.n, 1);
	impair_dir_release(&d, 100);
	cr_assert_eq(r1.n, 2);
	cr_assert_eq(r1.id[0], 1);
	cr_assert_eq(r1.id[1], 2);
	cr_assert_eq(d.c.delayed, 2);
	cr_assert_eq(d.queued_frames, 0);
	cr_assert_eq(d.queued_bytes, 0);
}

Test(impair, queue_limit_drops_and_counts)
{
	struct impair_spec s = spec("delay=1s");
	struct impair_dir d;
	uint32_t n = IMPAIR_QUEUE_MAX_FRAMES + 100;

	recording(&d, 1);
	for (uint32_t i = 0; i < n; i++)
		offer(&d, &s, 0, i);
	cr_assert_eq(d.queued_frames, IMPAIR_QUEUE_MAX_FRAMES);
	cr_assert_eq(d.queued_bytes, IMPAIR_QUEUE_MAX_FRAMES * 100);
	cr_assert_eq(d.c.overflow, 100);
	impair_dir_release(&d, 1000);
	cr_assert_eq(r1.n, IMPAIR_QUEUE_MAX_FRAMES);
	cr_assert_eq(r1.id[IMPAIR_QUEUE_MAX_FRAMES - 1], IMPAIR_QUEUE_MAX_FRAMES - 1,
		     "the first frames were kept, the late ones dropped");
	cr_assert_eq(d.queued_frames, 0);
}

Test(impair, queue_byte_limit)
{
	struct impair_spec s = spec("delay=1s");
	struct impair_dir d;
	static uint8_t big[65535];
	struct iovec iov = { big, sizeof(big) };
	size_t fit = IMPAIR_QUEUE_MAX_BYTES / sizeof(big);

	recording(&d, 1);
	for (size_t i = 0; i < fit + 5; i++)
		impair_dir_input(&d, &s, 0, &iov, 1, sizeof(big));
	cr_assert_eq(d.queued_frames, fit);
	cr_assert_leq(d.queued_bytes, IMPAIR_QUEUE_MAX_BYTES);
	cr_assert_eq(d.c.overflow, 5);
	impair_dir_flush(&d, false);
	cr_assert_eq(d.queued_frames, 0);
	cr_assert_eq(d.queued_bytes, 0);
}
