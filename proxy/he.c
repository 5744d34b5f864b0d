/* lwip-proxy: the connect planner (Happy Eyeballs v2 scheduler), see he.h */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "he.h"

/* he_family_index() - 0 for AF_INET6, 1 for AF_INET, -1 otherwise */
int he_family_index(int family)
{
	return family == AF_INET6 ? 0 : family == AF_INET ? 1 : -1;
}

/* other_family() - The other address family */
static int other_family(int family)
{
	return family == AF_INET6 ? AF_INET : AF_INET6;
}

/* he_init() - Start a plan at @now.  @forward_deadline bounds everything
 * (forward_timeout); @allow_v6/@allow_v4 say which families have a usable
 * outgoing address.  Assumes @budget outlives the plan. */
void he_init(struct he_plan *pl, const struct he_params *p,
	     struct he_budget *budget, uint64_t now, uint64_t forward_deadline,
	     bool allow_v6, bool allow_v4)
{
	memset(pl, 0, sizeof(*pl));
	pl->p = *p;
	if (pl->p.prefer_family != AF_INET)
		pl->p.prefer_family = AF_INET6;
	pl->budget = budget;
	pl->forward_deadline = forward_deadline;
	pl->allowed[0] = allow_v6;
	pl->allowed[1] = allow_v4;
	pl->dns[0] = pl->dns[1] = HE_DNS_NONE;
	pl->primary = -1;
	pl->winner = -1;
	pl->spare_ok_at = now;
}

/* he_expect_dns() - Note that an answer for @family is still to come */
void he_expect_dns(struct he_plan *pl, int family)
{
	int fi = he_family_index(family);

	if (fi >= 0)
		pl->dns[fi] = HE_DNS_PENDING;
}

/* same_addr() - Whether two socket addresses have equal address and port */
static bool same_addr(const struct he_dest *d, const struct sockaddr *sa,
		      socklen_t len)
{
	return d->salen == len && !memcmp(&d->sa, sa, len);
}

/* rebuild_order() - Recompute the untried part of the attempt order:
 * interleaved by family (or grouped if limit is 0), each family in
 * arrival order, continuing with the family after the last started one.
 * Assumes the prime family is known. */
static void rebuild_order(struct he_plan *pl)
{
	int fam[2][PX_MAX_DESTS], nf[2] = { 0, 0 }, k[2] = { 0, 0 };
	int first, pos = pl->next, i, f;

	first = pl->prime_family;
	if (pl->next && pl->p.limit != 0)
		first = other_family(pl->d[pl->order[pl->next - 1]].family);
	for (i = 0; i < pl->n; i++) {
		if (pl->d[i].state != HE_UNTRIED)
			continue;
		f = pl->d[i].family == first ? 0 : 1;
		fam[f][nf[f]++] = i;
	}
	if (pl->p.limit == 0) {
		for (f = 0; f < 2; f++)
			for (i = 0; i < nf[f]; i++)
				pl->order[pos++] = fam[f][i];
		return;
	}
	for (f = 0; k[0] < nf[0] || k[1] < nf[1]; f ^= 1)
		if (k[f] < nf[f])
			pl->order[pos++] = fam[f][k[f]++];
}

/* he_add() - Add a resolved destination (address and port set).
 * Return: 0 added, 1 skipped (family has no outgoing address, or a
 * duplicate), -1 table full or bad family. */
int he_add(struct he_plan *pl, const struct sockaddr *sa, socklen_t len,
	   uint64_t now)
{
	int fi = he_family_index(sa->sa_family), i;
	struct he_dest *d;

	if (fi < 0 || len > sizeof(d->sa))
		return -1;
	if (!pl->answered[fi]) {
		pl->answered[fi] = true;
		pl->answered_at[fi] = now;
	}
	if (!pl->allowed[fi]) {
		pl->filtered++;
		return 1;
	}
	for (i = 0; i < pl->n; i++)
		if (same_addr(&pl->d[i], sa, len))
			return 1;
	if (pl->n >= PX_MAX_DESTS) {
		pl->dropped++;
		return -1;
	}
	d = &pl->d[pl->n];
	memset(d, 0, sizeof(*d));
	memcpy(&d->sa, sa, len);
	d->salen = len;
	d->family = sa->sa_family;
	d->state = HE_UNTRIED;
	pl->order[pl->n] = pl->n;
	pl->n++;
	if (pl->prime_family)
		rebuild_order(pl);
	return 0;
}

/* he_dns_done() - The answer for @family is complete (addresses, if any,
 * were added before this call). */
void he_dns_done(struct he_plan *pl, int family, enum he_dns status,
		 uint64_t now)
{
	int fi = he_family_index(family);

	if (fi < 0)
		return;
	pl->dns[fi] = status;
	if (!pl->answered[fi]) {
		pl->answered[fi] = true;
		pl->answered_at[fi] = now;
	}
}

/* has_untried() - Count untried destinations of @family (0: any) */
static int has_untried(const struct he_plan *pl, int family)
{
	int i, c = 0;

	for (i = 0; i < pl->n; i++)
		if (pl->d[i].state == HE_UNTRIED &&
		    (!family || pl->d[i].family == family))
			c++;
	return c;
}

/* dns_pending() - Whether any family's answer is outstanding */
static bool dns_pending(const struct he_plan *pl)
{
	return pl->dns[0] == HE_DNS_PENDING || pl->dns[1] == HE_DNS_PENDING;
}

/* dns_outcome() - Combine both families' DNS results when no address was
 * found: NXDOMAIN, then SERVFAIL, timeout, other errors, no data */
static enum he_outcome dns_outcome(const struct he_plan *pl)
{
	static const struct { enum he_dns d; enum he_outcome o; } rank[] = {
		{ HE_DNS_NXDOMAIN, HE_OUT_DNS_NXDOMAIN },
		{ HE_DNS_SERVFAIL, HE_OUT_DNS_SERVFAIL },
		{ HE_DNS_TIMEOUT, HE_OUT_DNS_TIMEOUT },
		{ HE_DNS_PENDING, HE_OUT_DNS_TIMEOUT },
		{ HE_DNS_ERROR, HE_OUT_DNS_ERROR },
	};
	size_t i;

	for (i = 0; i < sizeof(rank) / sizeof(rank[0]); i++)
		if (pl->dns[0] == rank[i].d || pl->dns[1] == rank[i].d)
			return rank[i].o;
	return HE_OUT_DNS_NODATA;
}

/* fail_outcome() - Why the plan failed, once nothing is left to do */
static enum he_outcome fail_outcome(const struct he_plan *pl)
{
	if (!pl->allowed[0] && !pl->allowed[1])
		return HE_OUT_NO_OUTGOING;
	if (pl->ntried)
		return pl->ntimedout == pl->ntried ? HE_OUT_CONNECT_TIMEOUT
						   : HE_OUT_CONNECT_FAILED;
	if (pl->filtered)
		return HE_OUT_NO_OUTGOING;
	return dns_outcome(pl);
}

/* end_attempt() - Take attempt @i out of flight with final @state */
static void end_attempt(struct he_plan *pl, int i, enum he_state state,
			int err, uint64_t now)
{
	struct he_dest *d = &pl->d[i];

	d->state = state;
	d->err = err;
	d->ended = now;
	pl->inflight--;
	if (d->spare)
		pl->budget->spares_inflight--;
	if (pl->primary == i)
		pl->primary = -1;
}

/* start_attempt() - Mark the next destination in order as started */
static int start_attempt(struct he_plan *pl, bool spare, uint64_t now)
{
	int i = pl->order[pl->next++];
	struct he_dest *d = &pl->d[i];
	uint64_t dl = now + pl->p.connect_timeout_ms;

	d->state = HE_INFLIGHT;
	d->spare = spare;
	d->started = now;
	d->deadline = dl < pl->forward_deadline ? dl : pl->forward_deadline;
	pl->inflight++;
	pl->ntried++;
	pl->spare_ok_at = now + pl->p.spare_delay_ms;
	if (spare) {
		pl->budget->spares_inflight++;
		pl->budget->last_spare_start = now;
		pl->budget->any_spare = true;
	} else {
		pl->primary = i;
	}
	return i;
}

/* choose_prime() - Before the first start: decide the prime family, or
 * say how long to wait (resolution delay).  Return: 0 when ready, else
 * the time to wait until. */
static uint64_t choose_prime(struct he_plan *pl, uint64_t now)
{
	int pf = pl->p.prefer_family, of = other_family(pf);
	int pfi = he_family_index(pf), ofi = he_family_index(of);

	if (has_untried(pl, pf)) {
		pl->prime_family = pf;
	} else {
		if (pl->dns[pfi] == HE_DNS_PENDING && pl->allowed[pfi]) {
			uint64_t ready = pl->answered_at[ofi] +
					 pl->p.resolution_delay_ms;

			if (!pl->answered[ofi])
				ready = now;
			if (now < ready)
				return ready;
		}
		pl->prime_family = of;
	}
	rebuild_order(pl);
	return 0;
}

/* spare_time() - Earliest time a spare may start, or UINT64_MAX if the
 * limit forbids one until something ends */
static uint64_t spare_time(const struct he_plan *pl)
{
	uint64_t t = pl->spare_ok_at;

	if (pl->p.limit == 0 || pl->inflight >= PX_MAX_INFLIGHT)
		return UINT64_MAX;
	if (pl->p.limit > 0 && pl->budget->spares_inflight >= pl->p.limit)
		return UINT64_MAX;
	if (pl->p.gap_ms && pl->budget->any_spare &&
	    pl->budget->last_spare_start + pl->p.gap_ms > t)
		t = pl->budget->last_spare_start + pl->p.gap_ms;
	return t;
}

/* earliest_deadline() - Earliest deadline among attempts in flight */
static uint64_t earliest_deadline(const struct he_plan *pl)
{
	uint64_t t = UINT64_MAX;
	int i;

	for (i = 0; i < pl->n; i++)
		if (pl->d[i].state == HE_INFLIGHT && pl->d[i].deadline < t)
			t = pl->d[i].deadline;
	return t;
}

/* set_wait() - Fill @a with a wait until the earliest of @t, the attempt
 * deadlines and the forward deadline */
static void set_wait(const struct he_plan *pl, struct he_action *a,
		     uint64_t t)
{
	uint64_t e = earliest_deadline(pl);

	if (e < t)
		t = e;
	if (pl->forward_deadline < t)
		t = pl->forward_deadline;
	a->kind = HE_ACT_WAIT;
	a->when = t;
}

/* expire() - Time out the first in-flight attempt past its deadline.
 * Return: its index, or -1 if none */
static int expire(struct he_plan *pl, uint64_t now)
{
	int i;

	for (i = 0; i < pl->n; i++) {
		if (pl->d[i].state != HE_INFLIGHT || now < pl->d[i].deadline)
			continue;
		end_attempt(pl, i, HE_TIMEDOUT, ETIMEDOUT, now);
		pl->ntimedout++;
		pl->last_err = ETIMEDOUT;
		pl->spare_ok_at = now;
		return i;
	}
	return -1;
}

/* he_next() - What to do now.  Call repeatedly until HE_ACT_WAIT or
 * HE_ACT_DONE; after HE_ACT_START the caller starts the attempt and
 * reports immediate failures with he_result() before calling again. */
void he_next(struct he_plan *pl, uint64_t now, struct he_action *a)
{
	bool more;
	uint64_t t;

	memset(a, 0, sizeof(*a));
	a->idx = -1;
	if (pl->outcome) {
		a->kind = HE_ACT_DONE;
		a->outcome = pl->outcome;
		return;
	}
	if ((a->idx = expire(pl, now)) >= 0) {
		a->kind = HE_ACT_TIMEOUT;
		return;
	}
	more = pl->next < pl->n;
	if (!pl->inflight &&
	    ((!more && !dns_pending(pl)) || now >= pl->forward_deadline ||
	     (!pl->allowed[0] && !pl->allowed[1]))) {
		pl->outcome = fail_outcome(pl);
		a->kind = HE_ACT_DONE;
		a->outcome = pl->outcome;
		return;
	}
	if (!more || now >= pl->forward_deadline) {
		set_wait(pl, a, UINT64_MAX);
		return;
	}
	if (!pl->prime_family && (t = choose_prime(pl, now))) {
		set_wait(pl, a, t);
		return;
	}
	if (pl->primary < 0) {
		a->kind = HE_ACT_START;
		a->idx = start_attempt(pl, false, now);
		return;
	}
	t = spare_time(pl);
	if (now >= t) {
		a->kind = HE_ACT_START;
		a->idx = start_attempt(pl, true, now);
		return;
	}
	set_wait(pl, a, t);
}

/* he_result() - Report the end of attempt @idx: @err 0 means connected
 * (it wins and every other attempt in flight is marked cancelled; the
 * caller closes their sockets), otherwise the errno it failed with. */
void he_result(struct he_plan *pl, int idx, int err, uint64_t now)
{
	int i;

	if (idx < 0 || idx >= pl->n || pl->d[idx].state != HE_INFLIGHT)
		return;
	if (err) {
		end_attempt(pl, idx, HE_FAILED, err, now);
		pl->last_err = err;
		pl->spare_ok_at = now;
		return;
	}
	end_attempt(pl, idx, HE_WON, 0, now);
	pl->winner = idx;
	pl->outcome = HE_OUT_CONNECTED;
	for (i = 0; i < pl->n; i++)
		if (pl->d[i].state == HE_INFLIGHT)
			end_attempt(pl, i, HE_CANCELLED, ECANCELED, now);
}

/* he_abort() - Give up (client went away): cancel everything in flight */
void he_abort(struct he_plan *pl, uint64_t now)
{
	int i;

	for (i = 0; i < pl->n; i++)
		if (pl->d[i].state == HE_INFLIGHT)
			end_attempt(pl, i, HE_CANCELLED, ECANCELED, now);
	if (!pl->outcome)
		pl->outcome = HE_OUT_CANCELLED;
}

/* he_outcome_str() - Short name of an outcome, for logs */
const char *he_outcome_str(enum he_outcome o)
{
	switch (o) {
	case HE_OUT_NONE:		return "running";
	case HE_OUT_CONNECTED:		return "connected";
	case HE_OUT_NO_OUTGOING:	return "no-outgoing-address";
	case HE_OUT_DNS_NXDOMAIN:	return "dns-nxdomain";
	case HE_OUT_DNS_SERVFAIL:	return "dns-servfail";
	case HE_OUT_DNS_TIMEOUT:	return "dns-timeout";
	case HE_OUT_DNS_NODATA:		return "dns-nodata";
	case HE_OUT_DNS_ERROR:		return "dns-error";
	case HE_OUT_CONNECT_FAILED:	return "connect-failed";
	case HE_OUT_CONNECT_TIMEOUT:	return "connect-timeout";
	case HE_OUT_CANCELLED:		return "cancelled";
	}
	return "?";
}
