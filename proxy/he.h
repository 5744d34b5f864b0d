/* lwip-proxy: the connect planner (Happy Eyeballs v2 scheduler).
 *
 * Pure logic, no sockets and no clock: the caller passes the time in
 * every call and performs the actions the planner returns.  This is what
 * the unit tests drive with a fake clock and fake connect results; the
 * connector (connector.c) drives it with real sockets.
 *
 * Model (RFC 8305 with Squid's knobs, see docs/proxy.md):
 * - Destinations arrive per family (DNS answers, possibly late), are
 *   filtered by family (a family without a usable outgoing address is
 *   skipped, counted as "filtered") and ordered interleaved by family,
 *   starting with the prime family: the preferred one (IPv6 unless
 *   dns_v4_first) if it has addresses once resolution is far enough along.
 *   With connect_limit 0 they are grouped instead (prime family first).
 * - Resolution delay: while the preferred family is unanswered and only
 *   the other one has addresses, wait up to resolution_delay_ms after the
 *   other family's answer.
 * - At most one "primary" attempt is in flight; when none is, the next
 *   destination starts at once (so an immediate failure moves on at once).
 * - While a primary is in flight, a "spare" attempt (the next destination)
 *   starts spare_delay_ms after the latest start, or at once after any
 *   failure, if gap_ms has passed since the latest spare start anywhere and
 *   fewer than limit spares are in flight anywhere (struct he_budget is
 *   shared by all requests, as Squid's are).  limit 0: no spares at all.
 * - Each attempt ends at min(start + connect_timeout, forward_deadline).
 * - The first success wins; every other attempt in flight is cancelled.
 */
#ifndef PROXY_HE_H
#define PROXY_HE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "limits.h"

enum he_state {
	HE_UNTRIED, HE_INFLIGHT, HE_FAILED, HE_TIMEDOUT, HE_WON, HE_CANCELLED,
};

/* Outcome of resolving one family */
enum he_dns {
	HE_DNS_PENDING = 0, HE_DNS_OK, HE_DNS_NODATA, HE_DNS_NXDOMAIN,
	HE_DNS_SERVFAIL, HE_DNS_TIMEOUT, HE_DNS_ERROR, HE_DNS_NONE,
};

/* Outcome of the whole plan */
enum he_outcome {
	HE_OUT_NONE = 0,		/* still running */
	HE_OUT_CONNECTED,		/* an attempt won */
	HE_OUT_NO_OUTGOING,		/* family filter left nothing */
	HE_OUT_DNS_NXDOMAIN,
	HE_OUT_DNS_SERVFAIL,
	HE_OUT_DNS_TIMEOUT,
	HE_OUT_DNS_NODATA,		/* name exists, no A/AAAA */
	HE_OUT_DNS_ERROR,
	HE_OUT_CONNECT_FAILED,		/* every attempt failed, not all by timeout */
	HE_OUT_CONNECT_TIMEOUT,		/* every attempt timed out */
	HE_OUT_CANCELLED,		/* he_abort() */
};

struct he_params {
	int prefer_family;		/* AF_INET6, or AF_INET (dns_v4_first) */
	uint32_t spare_delay_ms;	/* happy_eyeballs_connect_timeout */
	uint32_t gap_ms;		/* happy_eyeballs_connect_gap, 0: none */
	int limit;			/* happy_eyeballs_connect_limit, -1: none */
	uint32_t connect_timeout_ms;	/* connect_timeout */
	uint32_t resolution_delay_ms;	/* RFC 8305: 50 */
};

/* Spare attempt accounting shared by every plan (Squid's are global) */
struct he_budget {
	bool any_spare;
	uint64_t last_spare_start;
	int spares_inflight;
};

struct he_dest {
	struct sockaddr_storage sa;
	socklen_t salen;
	int family;
	enum he_state state;
	bool spare;
	uint64_t started, deadline, ended;
	int err;
};

enum he_act_kind {
	HE_ACT_START,		/* start attempt @idx now */
	HE_ACT_TIMEOUT,		/* attempt @idx timed out: close its socket */
	HE_ACT_WAIT,		/* nothing to do before @when (or an event) */
	HE_ACT_DONE,		/* plan finished: see @outcome */
};

struct he_action {
	enum he_act_kind kind;
	int idx;
	uint64_t when;		/* HE_ACT_WAIT: UINT64_MAX = only events */
	enum he_outcome outcome;
};

struct he_plan {
	struct he_params p;
	struct he_budget *budget;
	uint64_t forward_deadline;
	bool allowed[2];		/* [0] IPv6, [1] IPv4 */
	enum he_dns dns[2];
	bool answered[2];		/* first address or final answer seen */
	uint64_t answered_at[2];
	unsigned filtered, dropped;
	struct he_dest d[PX_MAX_DESTS];
	int n;
	int order[PX_MAX_DESTS];	/* [0, next) started, [next, n) to try */
	int next;
	int prime_family;		/* 0 until the first start */
	int primary;			/* in-flight primary index, or -1 */
	int inflight;
	uint64_t spare_ok_at;
	int ntried, ntimedout, last_err;
	int winner;
	enum he_outcome outcome;
};

int he_family_index(int family);
void he_init(struct he_plan *pl, const struct he_params *p,
	     struct he_budget *budget, uint64_t now, uint64_t forward_deadline,
	     bool allow_v6, bool allow_v4);
void he_expect_dns(struct he_plan *pl, int family);
int he_add(struct he_plan *pl, const struct sockaddr *sa, socklen_t len,
	   uint64_t now);
void he_dns_done(struct he_plan *pl, int family, enum he_dns status,
		 uint64_t now);
void he_next(struct he_plan *pl, uint64_t now, struct he_action *a);
void he_result(struct he_plan *pl, int idx, int err, uint64_t now);
void he_abort(struct he_plan *pl, uint64_t now);
const char *he_outcome_str(enum he_outcome o);

#endif /* PROXY_HE_H */
