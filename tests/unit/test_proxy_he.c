/* Unit tests: the connect planner (Happy Eyeballs v2 scheduler) with a
 * fake clock and fake connect results. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../../proxy/he.h"

static struct he_budget budget;
static struct he_params prm;

/* setup() - Defaults as lwip-proxy has them */
static void setup(void)
{
	memset(&budget, 0, sizeof(budget));
	prm.prefer_family = AF_INET6;
	prm.spare_delay_ms = 250;
	prm.gap_ms = 0;
	prm.limit = -1;
	prm.connect_timeout_ms = 60000;
	prm.resolution_delay_ms = 50;
}

TestSuite(he, .init = setup);

/* add6()/add4() - Add 2001:db8::N or 192.0.2.N, port 80 */
static void add6(struct he_plan *pl, int n, uint64_t now)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6,
				  .sin6_port = htons(80) };
	char a[32];

	snprintf(a, sizeof(a), "2001:db8::%d", n);
	inet_pton(AF_INET6, a, &s.sin6_addr);
	he_add(pl, (struct sockaddr *)&s, sizeof(s), now);
}

static void add4(struct he_plan *pl, int n, uint64_t now)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(80) };
	char a[32];

	snprintf(a, sizeof(a), "192.0.2.%d", n);
	inet_pton(AF_INET, a, &s.sin_addr);
	he_add(pl, (struct sockaddr *)&s, sizeof(s), now);
}

/* last_octet() - N of the destination's address, for readable asserts */
static int last_octet(const struct he_plan *pl, int i)
{
	const struct he_dest *d = &pl->d[i];

	if (d->family == AF_INET6)
		return ((const struct sockaddr_in6 *)&d->sa)->sin6_addr.s6_addr[15];
	return (int)(ntohl(((const struct sockaddr_in *)&d->sa)->sin_addr.s_addr) & 0xff);
}

/* both() - A plan with @n6 IPv6 and @n4 IPv4 addresses answered at 0 */
static void both(struct he_plan *pl, int n6, int n4)
{
	int i;

	he_init(pl, &prm, &budget, 0, 240000, true, true);
	he_expect_dns(pl, AF_INET6);
	he_expect_dns(pl, AF_INET);
	for (i = 1; i <= n6; i++)
		add6(pl, i, 0);
	he_dns_done(pl, AF_INET6, n6 ? HE_DNS_OK : HE_DNS_NODATA, 0);
	for (i = 1; i <= n4; i++)
		add4(pl, i, 0);
	he_dns_done(pl, AF_INET, n4 ? HE_DNS_OK : HE_DNS_NODATA, 0);
}

/* expect_start() - he_next() at @now must start a destination of
 * @family; returns its index */
static int expect_start(struct he_plan *pl, uint64_t now, int family)
{
	struct he_action a;

	he_next(pl, now, &a);
	cr_assert_eq(a.kind, HE_ACT_START, "at %llu: expected a start, got %d",
		     (unsigned long long)now, a.kind);
	cr_assert_eq(pl->d[a.idx].family, family, "at %llu: wrong family",
		     (unsigned long long)now);
	cr_assert_eq(pl->d[a.idx].started, now);
	return a.idx;
}

/* expect_wait() - he_next() at @now must wait until @until */
static void expect_wait(struct he_plan *pl, uint64_t now, uint64_t until)
{
	struct he_action a;

	he_next(pl, now, &a);
	cr_assert_eq(a.kind, HE_ACT_WAIT, "at %llu: expected a wait, got %d",
		     (unsigned long long)now, a.kind);
	cr_assert_eq(a.when, until, "at %llu: wait until %llu, expected %llu",
		     (unsigned long long)now, (unsigned long long)a.when,
		     (unsigned long long)until);
}

/* expect_done() - he_next() at @now must finish with @o */
static void expect_done(struct he_plan *pl, uint64_t now, enum he_outcome o)
{
	struct he_action a;

	he_next(pl, now, &a);
	cr_assert_eq(a.kind, HE_ACT_DONE, "at %llu: expected done, got %d",
		     (unsigned long long)now, a.kind);
	cr_assert_eq(a.outcome, o, "outcome %s, expected %s",
		     he_outcome_str(a.outcome), he_outcome_str(o));
}

Test(he, ipv6_first_then_ipv4_spare_after_250ms)
{
	struct he_plan pl;
	int a, b;

	both(&pl, 1, 1);
	a = expect_start(&pl, 0, AF_INET6);
	cr_assert_not(pl.d[a].spare);
	expect_wait(&pl, 0, 250);
	expect_wait(&pl, 249, 250);
	b = expect_start(&pl, 250, AF_INET);
	cr_assert(pl.d[b].spare);
	cr_assert_eq(budget.spares_inflight, 1);
}

Test(he, dns_v4_first_puts_ipv4_first)
{
	struct he_plan pl;

	prm.prefer_family = AF_INET;
	both(&pl, 1, 1);
	expect_start(&pl, 0, AF_INET);
	expect_wait(&pl, 0, 250);
	expect_start(&pl, 250, AF_INET6);
}

Test(he, winner_cancels_losers)
{
	struct he_plan pl;
	int a, b;

	both(&pl, 1, 1);
	a = expect_start(&pl, 0, AF_INET6);
	b = expect_start(&pl, 250, AF_INET);
	he_result(&pl, b, 0, 260);
	cr_assert_eq(pl.outcome, HE_OUT_CONNECTED);
	cr_assert_eq(pl.winner, b);
	cr_assert_eq(pl.d[a].state, HE_CANCELLED);
	cr_assert_eq(pl.inflight, 0);
	cr_assert_eq(budget.spares_inflight, 0);
	expect_done(&pl, 260, HE_OUT_CONNECTED);
}

Test(he, immediate_failure_moves_on_at_once)
{
	struct he_plan pl;
	int a;

	both(&pl, 1, 1);
	a = expect_start(&pl, 0, AF_INET6);
	he_result(&pl, a, ECONNREFUSED, 3);
	expect_start(&pl, 3, AF_INET);
}

Test(he, interleaves_families)
{
	struct he_plan pl;
	int i, fam[] = { AF_INET6, AF_INET, AF_INET6, AF_INET };
	int oct[] = { 1, 1, 2, 2 };

	both(&pl, 2, 2);
	for (i = 0; i < 4; i++) {
		int k = expect_start(&pl, (uint64_t)i * 250, fam[i]);

		cr_assert_eq(last_octet(&pl, k), oct[i]);
		if (i < 3)
			expect_wait(&pl, (uint64_t)i * 250, (uint64_t)(i + 1) * 250);
	}
	cr_assert_eq(pl.inflight, 4);
}

Test(he, same_family_spare_when_other_family_absent)
{
	struct he_plan pl;
	int b;

	both(&pl, 2, 0);
	expect_start(&pl, 0, AF_INET6);
	b = expect_start(&pl, 250, AF_INET6);
	cr_assert_eq(last_octet(&pl, b), 2);
}

Test(he, strict_groups_with_limit_zero)
{
	struct he_plan pl;
	struct he_action a;
	int i;

	prm.limit = 0;
	prm.connect_timeout_ms = 1000;
	both(&pl, 2, 1);
	i = expect_start(&pl, 0, AF_INET6);
	/* no spare: the only wait is the attempt's own deadline */
	expect_wait(&pl, 250, 1000);
	he_next(&pl, 1000, &a);
	cr_assert_eq(a.kind, HE_ACT_TIMEOUT);
	cr_assert_eq(a.idx, i);
	i = expect_start(&pl, 1000, AF_INET6);
	cr_assert_eq(last_octet(&pl, i), 2);
	he_result(&pl, i, ECONNREFUSED, 1001);
	expect_start(&pl, 1001, AF_INET);
}

Test(he, strict_groups_ipv4_group_first_with_dns_v4_first)
{
	struct he_plan pl;

	prm.limit = 0;
	prm.prefer_family = AF_INET;
	both(&pl, 1, 2);
	he_result(&pl, expect_start(&pl, 0, AF_INET), ECONNREFUSED, 0);
	he_result(&pl, expect_start(&pl, 0, AF_INET), ECONNREFUSED, 0);
	he_result(&pl, expect_start(&pl, 0, AF_INET6), ECONNREFUSED, 0);
	expect_done(&pl, 0, HE_OUT_CONNECT_FAILED);
}

Test(he, limit_caps_concurrent_spares)
{
	struct he_plan pl;
	int p;

	prm.limit = 1;
	both(&pl, 2, 2);
	p = expect_start(&pl, 0, AF_INET6);
	expect_start(&pl, 250, AF_INET);
	/* a second spare would exceed the limit: wait for events only */
	expect_wait(&pl, 500, 60000);
	he_result(&pl, p, ECONNREFUSED, 600);
	/* the primary failed: its replacement is a primary, not a spare */
	cr_assert_not(pl.d[expect_start(&pl, 600, AF_INET6)].spare);
}

Test(he, gap_spaces_spares_across_requests)
{
	struct he_plan p1, p2;

	prm.gap_ms = 1000;
	both(&p1, 1, 1);
	expect_start(&p1, 0, AF_INET6);
	expect_start(&p1, 250, AF_INET);
	both(&p2, 1, 1);
	expect_start(&p2, 300, AF_INET6);
	/* 250 ms after its primary, but the shared gap says 250 + 1000 */
	expect_wait(&p2, 550, 1250);
	expect_start(&p2, 1250, AF_INET);
}

Test(he, resolution_delay_waits_50ms_for_aaaa)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, true, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	add4(&pl, 1, 10);
	he_dns_done(&pl, AF_INET, HE_DNS_OK, 10);
	expect_wait(&pl, 10, 60);
	expect_wait(&pl, 59, 60);
	expect_start(&pl, 60, AF_INET);
	/* the late AAAA answer joins the list and gets the next slot */
	add6(&pl, 1, 100);
	he_dns_done(&pl, AF_INET6, HE_DNS_OK, 100);
	expect_wait(&pl, 100, 310);
	expect_start(&pl, 310, AF_INET6);
}

Test(he, aaaa_within_resolution_delay_goes_first)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, true, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	add4(&pl, 1, 0);
	he_dns_done(&pl, AF_INET, HE_DNS_OK, 0);
	expect_wait(&pl, 0, 50);
	add6(&pl, 1, 30);
	he_dns_done(&pl, AF_INET6, HE_DNS_OK, 30);
	expect_start(&pl, 30, AF_INET6);
	expect_start(&pl, 280, AF_INET);
}

Test(he, nodata_for_preferred_family_starts_at_once)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, true, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	add4(&pl, 1, 0);
	he_dns_done(&pl, AF_INET, HE_DNS_OK, 0);
	he_dns_done(&pl, AF_INET6, HE_DNS_NODATA, 20);
	expect_start(&pl, 20, AF_INET);
}

Test(he, waits_for_dns_before_anything)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 5000, true, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	expect_wait(&pl, 0, 5000);
	expect_done(&pl, 5000, HE_OUT_DNS_TIMEOUT);
}

Test(he, outgoing_filter_skips_family)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, false, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	add6(&pl, 1, 0);
	add4(&pl, 1, 0);
	cr_assert_eq(pl.n, 1);
	cr_assert_eq(pl.filtered, 1);
	he_dns_done(&pl, AF_INET6, HE_DNS_OK, 0);
	/* IPv6 unusable: no resolution delay for it either */
	he_dns_done(&pl, AF_INET, HE_DNS_OK, 0);
	expect_start(&pl, 0, AF_INET);
}

Test(he, outgoing_filter_no_resolution_delay_for_skipped_family)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, false, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	add4(&pl, 1, 0);
	he_dns_done(&pl, AF_INET, HE_DNS_OK, 0);
	expect_start(&pl, 0, AF_INET);
}

Test(he, outgoing_filter_leaving_nothing_fails_specifically)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, false, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	add6(&pl, 1, 0);
	he_dns_done(&pl, AF_INET6, HE_DNS_OK, 0);
	he_dns_done(&pl, AF_INET, HE_DNS_NODATA, 5);
	expect_done(&pl, 5, HE_OUT_NO_OUTGOING);
	cr_assert_eq(pl.ntried, 0);
}

Test(he, no_family_usable_fails_at_once)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, false, false);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	expect_done(&pl, 0, HE_OUT_NO_OUTGOING);
}

Test(he, every_attempt_timed_out_is_connect_timeout)
{
	struct he_plan pl;
	struct he_action a;
	int n = 0;

	prm.connect_timeout_ms = 1000;
	both(&pl, 1, 1);
	expect_start(&pl, 0, AF_INET6);
	expect_start(&pl, 250, AF_INET);
	for (;;) {
		he_next(&pl, 2000, &a);
		if (a.kind != HE_ACT_TIMEOUT)
			break;
		n++;
	}
	cr_assert_eq(n, 2);
	cr_assert_eq(a.kind, HE_ACT_DONE);
	cr_assert_eq(a.outcome, HE_OUT_CONNECT_TIMEOUT);
}

Test(he, mixed_failures_are_connect_failed)
{
	struct he_plan pl;
	struct he_action a;
	int i;

	prm.connect_timeout_ms = 1000;
	both(&pl, 1, 1);
	i = expect_start(&pl, 0, AF_INET6);
	expect_start(&pl, 250, AF_INET);
	he_result(&pl, i, ENETUNREACH, 300);
	he_next(&pl, 1250, &a);
	cr_assert_eq(a.kind, HE_ACT_TIMEOUT);
	expect_done(&pl, 1250, HE_OUT_CONNECT_FAILED);
	cr_assert_eq(pl.last_err, ETIMEDOUT);
}

Test(he, attempt_deadline_capped_by_forward_timeout)
{
	struct he_plan pl;
	int i;

	he_init(&pl, &prm, &budget, 0, 700, true, true);
	add6(&pl, 1, 0);
	i = expect_start(&pl, 0, AF_INET6);
	cr_assert_eq(pl.d[i].deadline, 700);
}

Test(he, forward_timeout_stops_new_attempts)
{
	struct he_plan pl;
	struct he_action a;

	prm.connect_timeout_ms = 400;
	he_init(&pl, &prm, &budget, 0, 500, true, true);
	add6(&pl, 1, 0);
	add6(&pl, 2, 0);
	add6(&pl, 3, 0);
	expect_start(&pl, 0, AF_INET6);
	expect_start(&pl, 250, AF_INET6);
	he_next(&pl, 400, &a);
	cr_assert_eq(a.kind, HE_ACT_TIMEOUT);
	/* the primary timed out: a new one starts, capped at 500 */
	cr_assert_eq(pl.d[expect_start(&pl, 400, AF_INET6)].deadline, 500);
	he_next(&pl, 500, &a);
	cr_assert_eq(a.kind, HE_ACT_TIMEOUT);
	he_next(&pl, 500, &a);
	cr_assert_eq(a.kind, HE_ACT_TIMEOUT);
	expect_done(&pl, 500, HE_OUT_CONNECT_TIMEOUT);
}

Test(he, dns_errors_are_distinct)
{
	static const struct {
		enum he_dns v6, v4;
		enum he_outcome o;
	} cases[] = {
		{ HE_DNS_NXDOMAIN, HE_DNS_NXDOMAIN, HE_OUT_DNS_NXDOMAIN },
		{ HE_DNS_SERVFAIL, HE_DNS_SERVFAIL, HE_OUT_DNS_SERVFAIL },
		{ HE_DNS_SERVFAIL, HE_DNS_NODATA, HE_OUT_DNS_SERVFAIL },
		{ HE_DNS_TIMEOUT, HE_DNS_TIMEOUT, HE_OUT_DNS_TIMEOUT },
		{ HE_DNS_NODATA, HE_DNS_NODATA, HE_OUT_DNS_NODATA },
		{ HE_DNS_ERROR, HE_DNS_NODATA, HE_OUT_DNS_ERROR },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct he_plan pl;

		he_init(&pl, &prm, &budget, 0, 240000, true, true);
		he_expect_dns(&pl, AF_INET6);
		he_expect_dns(&pl, AF_INET);
		he_dns_done(&pl, AF_INET6, cases[k].v6, 1);
		expect_wait(&pl, 1, 240000);
		he_dns_done(&pl, AF_INET, cases[k].v4, 2);
		expect_done(&pl, 2, cases[k].o);
	}
}

Test(he, one_family_failing_goes_on_with_the_other)
{
	struct he_plan pl;

	he_init(&pl, &prm, &budget, 0, 240000, true, true);
	he_expect_dns(&pl, AF_INET6);
	he_expect_dns(&pl, AF_INET);
	he_dns_done(&pl, AF_INET6, HE_DNS_SERVFAIL, 0);
	add4(&pl, 1, 5);
	he_dns_done(&pl, AF_INET, HE_DNS_OK, 5);
	expect_start(&pl, 5, AF_INET);
}

Test(he, abort_releases_spare_budget)
{
	struct he_plan pl;

	both(&pl, 1, 1);
	expect_start(&pl, 0, AF_INET6);
	expect_start(&pl, 250, AF_INET);
	cr_assert_eq(budget.spares_inflight, 1);
	he_abort(&pl, 300);
	cr_assert_eq(budget.spares_inflight, 0);
	cr_assert_eq(pl.inflight, 0);
	expect_done(&pl, 300, HE_OUT_CANCELLED);
}

Test(he, duplicates_ignored_and_table_bounded)
{
	struct he_plan pl;
	int i;

	he_init(&pl, &prm, &budget, 0, 240000, true, true);
	add6(&pl, 1, 0);
	add6(&pl, 1, 0);
	cr_assert_eq(pl.n, 1);
	for (i = 2; i < 100; i++)
		add4(&pl, i, 0);
	cr_assert_eq(pl.n, PX_MAX_DESTS);
	cr_assert_gt(pl.dropped, 0);
}

Test(he, inflight_is_bounded)
{
	struct he_plan pl;
	uint64_t t;

	both(&pl, 12, 12);
	for (t = 0; t < 20 * 250; t += 250) {
		struct he_action a;

		he_next(&pl, t, &a);
	}
	cr_assert_eq(pl.inflight, PX_MAX_INFLIGHT);
}
