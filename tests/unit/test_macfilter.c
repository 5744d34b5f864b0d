/* test_macfilter.c - the software multicast MAC filter */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "macfilter.h"

static const uint8_t own[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static const uint8_t other[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xef };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t sn[6] = { 0x33, 0x33, 0xff, 0x00, 0x01, 0x78 };
static const uint8_t sn2[6] = { 0x33, 0x33, 0xff, 0x12, 0x34, 0x56 };

Test(macfilter, unicast_broadcast_and_counts)
{
	struct macfilter f;

	macfilter_init(&f, own, false);
	cr_assert_eq(macfilter_check(&f, own), MF_ACCEPT_UNICAST);
	cr_assert_eq(macfilter_check(&f, bcast), MF_ACCEPT_BROADCAST);
	cr_assert_eq(macfilter_check(&f, other), MF_DROP_UNICAST);
	cr_assert_eq(macfilter_check(&f, sn), MF_DROP_MULTICAST);
	cr_assert_eq(f.drops_unicast, 1);
	cr_assert_eq(f.drops_multicast, 1);
}

Test(macfilter, joined_groups_only)
{
	struct macfilter f;

	macfilter_init(&f, own, false);
	cr_assert_eq(macfilter_add(&f, sn), 0);
	cr_assert_eq(macfilter_check(&f, sn), MF_ACCEPT_MULTICAST);
	cr_assert_eq(macfilter_check(&f, sn2), MF_DROP_MULTICAST);
	cr_assert_eq(macfilter_del(&f, sn), 0);
	cr_assert_eq(macfilter_check(&f, sn), MF_DROP_MULTICAST);
	cr_assert_eq(macfilter_del(&f, sn), -ENOENT);
}

Test(macfilter, shared_mac_is_reference_counted)
{
	struct macfilter f;

	/* Two addresses with the same low 24 bits share a solicited-node group. */
	macfilter_init(&f, own, false);
	macfilter_add(&f, sn);
	macfilter_add(&f, sn);
	macfilter_del(&f, sn);
	cr_assert_eq(macfilter_check(&f, sn), MF_ACCEPT_MULTICAST, "one group still joined");
	macfilter_del(&f, sn);
	cr_assert_eq(macfilter_check(&f, sn), MF_DROP_MULTICAST);
}

Test(macfilter, promiscuous_multicast)
{
	struct macfilter f;

	macfilter_init(&f, own, true);
	cr_assert_eq(macfilter_check(&f, sn2), MF_ACCEPT_MULTICAST);
	cr_assert_eq(macfilter_check(&f, other), MF_DROP_UNICAST, "unicast still filtered");
}

Test(macfilter, limits)
{
	struct macfilter f;
	uint8_t m[6] = { 0x33, 0x33, 0, 0, 0, 0 };

	macfilter_init(&f, own, false);
	cr_assert_eq(macfilter_add(&f, own), -EINVAL, "unicast is not a group");
	for (int i = 0; i < MACFILTER_MAX; i++) {
		m[5] = (uint8_t)i;
		m[4] = (uint8_t)(i >> 8);
		cr_assert_eq(macfilter_add(&f, m), 0);
	}
	m[3] = 1;
	cr_assert_eq(macfilter_add(&f, m), -ENOSPC);
	m[3] = 0;
	m[5] = 5;
	cr_assert_eq(macfilter_del(&f, m), 0);
	cr_assert_eq(macfilter_check(&f, m), MF_DROP_MULTICAST, "swap-remove keeps the others");
	m[5] = MACFILTER_MAX - 1;
	cr_assert_eq(macfilter_check(&f, m), MF_ACCEPT_MULTICAST);
}
