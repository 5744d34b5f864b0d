/* dhcp6_rt.h - DHCPv6 retransmission timing (RFC 8415 section 15), pure */
#ifndef LWIPD_DHCP6_RT_H
#define LWIPD_DHCP6_RT_H

#include <stdbool.h>
#include <stdint.h>

#define DHCP6_RAND_RANGE 100    /* RAND is in [-100, +100] thousandths */

/* The parameters of one kind of exchange, in milliseconds (0: no limit) */
struct dhcp6_rt_params {
	uint32_t irt;           /* initial retransmission time */
	uint32_t mrt;           /* maximum retransmission time */
	unsigned mrc;           /* maximum transmissions */
	uint32_t mrd;           /* maximum duration of the exchange */
	bool first_positive;    /* Solicit: the first RAND must be > 0 */
};

uint32_t dhcp6_rt_next(const struct dhcp6_rt_params *p, uint32_t prev,
		       unsigned sent, uint64_t elapsed, int rand);
int dhcp6_rt_rand(uint32_t random32);

#endif
