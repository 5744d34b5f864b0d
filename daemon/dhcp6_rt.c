/* dhcp6_rt.c - DHCPv6 retransmission timing (RFC 8415 section 15)
 *
 * The client asks dhcp6_rt_next() before every transmission how long to
 * wait for an answer, giving the previous timeout, how many times it sent
 * already and how long ago the first transmission was; 0 means the
 * exchange is over (MRC transmissions made, or MRD passed).  The random
 * factor comes in as an argument, so the function is pure and testable.
 */
#include "dhcp6_rt.h"

/* jitter() - @t * @rand / 1000, @rand in thousandths */
static int64_t jitter(uint32_t t, int rand)
{
	return (int64_t)t * rand / 1000;
}

/* dhcp6_rt_next() - the retransmission timeout (ms) to use for the next
 * transmission of an exchange with parameters @p; @prev is the last one
 * (0 before the first transmission), @sent the transmissions so far,
 * @elapsed the ms since the first, @rand in [-DHCP6_RAND_RANGE,
 * +DHCP6_RAND_RANGE].  Returns 0 if no transmission may follow.
 *   RT = IRT + RAND*IRT first (RAND > 0 for Solicit), then 2*RTprev +
 *   RAND*RTprev, then MRT + RAND*MRT once past MRT; never past MRD.
 */
uint32_t dhcp6_rt_next(const struct dhcp6_rt_params *p, uint32_t prev,
		       unsigned sent, uint64_t elapsed, int rand)
{
	int64_t rt;

	if (rand > DHCP6_RAND_RANGE)
		rand = DHCP6_RAND_RANGE;
	if (rand < -DHCP6_RAND_RANGE)
		rand = -DHCP6_RAND_RANGE;
	if (p->mrc && sent >= p->mrc)
		return 0;
	if (p->mrd && elapsed >= p->mrd)
		return 0;
	if (sent == 0 || prev == 0) {
		if (p->first_positive && rand <= 0)
			rand = rand == 0 ? 1 : -rand;
		rt = p->irt + jitter(p->irt, rand);
	} else {
		rt = 2 * (int64_t)prev + jitter(prev, rand);
	}
	if (p->mrt && rt > p->mrt)
		rt = p->mrt + jitter(p->mrt, rand);
	if (p->mrd && (uint64_t)rt > p->mrd - elapsed)
		rt = (int64_t)(p->mrd - elapsed);
	if (rt < 1)
		rt = 1;
	if (rt > UINT32_MAX)
		rt = UINT32_MAX;
	return (uint32_t)rt;
}

/* dhcp6_rt_rand() - a RAND in [-DHCP6_RAND_RANGE, +DHCP6_RAND_RANGE]
 * from a uniform 32-bit random number
 */
int dhcp6_rt_rand(uint32_t random32)
{
	return (int)(random32 % (2 * DHCP6_RAND_RANGE + 1)) - DHCP6_RAND_RANGE;
}
