/* test_v6addr.c - SHA-256, RFC 7217 stable-privacy identifiers, RFC 5453
 * reserved identifiers, RFC 6724 source address selection, and reading
 * router advertisements' prefix options
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "iid.h"
#include "ra.h"
#include "sha256.h"
#include "srcsel.h"

/* hex() - @n bytes as lower-case hex into @out */
static char *hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return out;
}

static void digest_of(const char *msg, size_t len, char out[65])
{
	uint8_t d[SHA256_LEN];
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, msg, len);
	sha256_final(&s, d);
	hex(d, sizeof(d), out);
}

Test(sha256, fips_180_examples)
{
	char out[65];

	digest_of("", 0, out);
	cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_of("abc", 3, out);
	cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	cr_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, million_a_in_uneven_pieces)
{
	static char buf[1000];
	uint8_t d[SHA256_LEN];
	struct sha256 s;
	char out[65];
	size_t done = 0, step = 1;

	memset(buf, 'a', sizeof(buf));
	sha256_init(&s);
	while (done < 1000000) {
		size_t n = step % 997 + 1;

		if (n > 1000000 - done)
			n = 1000000 - done;
		sha256_update(&s, buf, n);
		done += n;
		step = step * 31 + 7;
	}
	sha256_final(&s, d);
	cr_assert_str_eq(hex(d, sizeof(d), out),
			 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- RFC 7217 ---------------------------------------------------------- */

static const uint8_t secret_a[16] = "0123456789abcdef";
static const uint8_t secret_b[16] = "0123456789abcdeF";

static struct iid_stable_in input(const char *prefix, const uint8_t *secret)
{
	struct iid_stable_in in = { .net_iface = "tap0", .secret = secret,
				    .secret_len = 16 };
	struct in6_addr a;

	inet_pton(AF_INET6, prefix, &a);
	memcpy(in.prefix, a.s6_addr, 8);
	return in;
}

Test(iid, stable_is_deterministic)
{
	struct iid_stable_in in = input("2001:db8:1::", secret_a);
	uint8_t x[8], y[8];

	iid_stable_f(&in, 0, x);
	iid_stable_f(&in, 0, y);
	cr_assert_eq(memcmp(x, y, 8), 0);
}

Test(iid, stable_is_sha256_of_the_documented_fields)
{
	struct iid_stable_in in = input("2001:db8:1::", secret_a);
	uint8_t x[8], d[SHA256_LEN], msg[64];
	struct sha256 s;
	size_t n = 0;

	/* prefix, len+Net_Iface, len+Network_ID (none), DAD_Counter, key */
	memcpy(msg, in.prefix, 8), n = 8;
	msg[n++] = 4;
	memcpy(msg + n, "tap0", 4), n += 4;
	msg[n++] = 0;
	msg[n++] = 2;
	memcpy(msg + n, secret_a, 16), n += 16;
	sha256_init(&s);
	sha256_update(&s, msg, n);
	sha256_final(&s, d);
	iid_stable_f(&in, 2, x);
	cr_assert_eq(memcmp(x, d, 8), 0, "IID = first 64 bits of SHA-256(fields)");
}

Test(iid, stable_differs_by_prefix_secret_counter_iface_netid)
{
	struct iid_stable_in in = input("2001:db8:1::", secret_a);
	struct iid_stable_in other_prefix = input("2001:db8:2::", secret_a);
	struct iid_stable_in other_secret = input("2001:db8:1::", secret_b);
	struct iid_stable_in other_iface = in, with_netid = in;
	uint8_t base[8], x[8];

	other_iface.net_iface = "tap1";
	with_netid.network_id = (const uint8_t *)"ssid";
	with_netid.network_id_len = 4;
	iid_stable_f(&in, 0, base);
	iid_stable_f(&other_prefix, 0, x);
	cr_assert_neq(memcmp(base, x, 8), 0, "another prefix");
	iid_stable_f(&other_secret, 0, x);
	cr_assert_neq(memcmp(base, x, 8), 0, "another secret");
	iid_stable_f(&in, 1, x);
	cr_assert_neq(memcmp(base, x, 8), 0, "another DAD_Counter");
	iid_stable_f(&other_iface, 0, x);
	cr_assert_neq(memcmp(base, x, 8), 0, "another interface");
	iid_stable_f(&with_netid, 0, x);
	cr_assert_neq(memcmp(base, x, 8), 0, "a Network_ID");
}

Test(iid, reserved_identifiers_of_rfc5453)
{
	static const uint8_t reserved[][8] = {
		{ 0 },                                                  /* subnet-router anycast */
		{ 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80 },     /* RFC 2526 range start */
		{ 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },     /* ... and end */
		{ 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x00, 0x00 },     /* IANA Ethernet block */
		{ 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x52, 0x13 },     /* proxy mobile IPv6 */
		{ 0x02, 0x00, 0x5e, 0xff, 0xfe, 0xff, 0xff, 0xff },
	};
	static const uint8_t fine[][8] = {
		{ 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
		{ 0x02, 0x00, 0x5e, 0xff, 0xfd, 0xff, 0xff, 0xff },
		{ 0x02, 0x00, 0x5e, 0x10, 0x00, 0x2a, 0x00, 0x00 },
	};

	for (size_t i = 0; i < sizeof(reserved) / 8; i++)
		cr_assert(iid_is_reserved(reserved[i]), "reserved #%zu", i);
	for (size_t i = 0; i < sizeof(fine) / 8; i++)
		cr_assert_not(iid_is_reserved(fine[i]), "acceptable #%zu", i);
}

/* A "taken" predicate that refuses the identifiers in a list. */
struct refuse { const uint8_t (*iid)[8]; int n; int asked; };

static bool refuse_listed(const uint8_t iid[8], void *arg)
{
	struct refuse *r = arg;

	r->asked++;
	for (int i = 0; i < r->n; i++)
		if (!memcmp(iid, r->iid[i], 8))
			return true;
	return false;
}

Test(iid, unacceptable_identifier_moves_the_counter_on)
{
	struct iid_stable_in in = input("2001:db8:1::", secret_a);
	uint8_t first[2][8], got[8], want[8], counter = 0;
	struct refuse r = { first, 2, 0 };

	iid_stable_f(&in, 0, first[0]);
	iid_stable_f(&in, 1, first[1]);
	iid_stable_f(&in, 2, want);
	cr_assert_eq(iid_stable(&in, &counter, refuse_listed, &r, got), 0);
	cr_assert_eq(counter, 2, "counters 0 and 1 gave used identifiers");
	cr_assert_eq(memcmp(got, want, 8), 0, "the identifier of counter 2");
	cr_assert_eq(r.asked, 3);

	counter = 5;
	cr_assert_eq(iid_stable(&in, &counter, NULL, NULL, got), 0);
	iid_stable_f(&in, 5, want);
	cr_assert_eq(counter, 5, "a DAD retry starts at its own counter");
	cr_assert_eq(memcmp(got, want, 8), 0);
}

Test(iid, random_identifiers_differ_and_skip_taken)
{
	uint8_t a[8], b[8];
	struct refuse r = { NULL, 0, 0 };

	cr_assert_eq(iid_random(refuse_listed, &r, a), 0);
	cr_assert_eq(iid_random(refuse_listed, &r, b), 0);
	cr_assert_neq(memcmp(a, b, 8), 0);
	cr_assert_not(iid_is_reserved(a));
}

/* ---- RFC 6724 ------------------------------------------------------------ */

static struct srcsel_cand cand(const char *a, bool deprecated, bool temporary,
			       uint32_t pref_left)
{
	struct srcsel_cand c = { .plen = 64, .deprecated = deprecated,
				 .temporary = temporary, .pref_left = pref_left };

	cr_assert_eq(inet_pton(AF_INET6, a, &c.addr), 1, "%s", a);
	return c;
}

static int pick(const struct srcsel_cand *c, int n, const char *dst, bool temp)
{
	struct in6_addr d;

	cr_assert_eq(inet_pton(AF_INET6, dst, &d), 1);
	return srcsel_pick(c, n, &d, temp);
}

Test(srcsel, rule1_same_address_wins_even_deprecated)
{
	struct srcsel_cand c[] = {
		cand("2001:db8:1::10", false, true, 100),
		cand("2001:db8:1::20", true, false, 0),
	};

	cr_assert_eq(pick(c, 2, "2001:db8:1::20", true), 1);
}

Test(srcsel, rule2_scope)
{
	struct srcsel_cand c[] = {
		cand("fe80::1", false, false, 100),
		cand("2001:db8:1::10", false, false, 100),
	};

	cr_assert_eq(pick(c, 2, "2001:db8:9::1", false), 1, "global for a global destination");
	cr_assert_eq(pick(c, 2, "fe80::99", false), 0, "link-local for a link-local one");
	cr_assert_eq(pick(c, 2, "ff02::1", false), 0, "link scope multicast");
	cr_assert_eq(pick(c, 2, "ff0e::1", false), 1, "global scope multicast");
	/* only a link-local: still chosen for a global destination */
	cr_assert_eq(pick(c, 1, "2001:db8:9::1", false), 0);
}

Test(srcsel, rule3_avoid_deprecated_before_temporary)
{
	struct srcsel_cand c[] = {
		cand("2001:db8:1::aaaa", true, true, 0),        /* deprecated temporary */
		cand("2001:db8:1::10", false, false, 3600),     /* preferred public */
	};

	cr_assert_eq(pick(c, 2, "2001:db8:9::1", true), 1);
}

Test(srcsel, rule6_matching_label)
{
	/* ULA (label 13) vs global (label 1): to a ULA destination, the ULA */
	struct srcsel_cand c[] = {
		cand("2001:db8:1::10", false, false, 100),
		cand("fd00:1::10", false, false, 100),
	};

	cr_assert_eq(pick(c, 2, "fd00:2::1", false), 1);
	cr_assert_eq(pick(c, 2, "2a00:1::1", false), 0);
	cr_assert_eq(srcsel_label(&c[1].addr), 13);
	cr_assert_eq(srcsel_label(&c[0].addr), 1, "2001:db8::/32 falls under ::/0");
	struct srcsel_cand t = cand("2001:0:1::1", false, false, 0);
	cr_assert_eq(srcsel_label(&t.addr), 5, "2001::/32 is Teredo's label 5");
}

Test(srcsel, rule7_temporary_when_enabled)
{
	struct srcsel_cand c[] = {
		cand("2001:db8:1::10", false, false, 3600),
		cand("2001:db8:1:0:1234:5678:9abc:def0", false, true, 600),
	};

	cr_assert_eq(pick(c, 2, "2001:db8:9::1", true), 1, "temporary preferred");
	cr_assert_eq(pick(c, 2, "2001:db8:9::1", false), 0, "public when not enabled");
}

Test(srcsel, rule7_before_rule8)
{
	/* the public one shares a longer prefix with the destination, but a
	 * temporary wins first */
	struct srcsel_cand c[] = {
		cand("2001:db8:1::10", false, false, 3600),
		cand("2001:db8:1:0:8000::1", false, true, 600),
	};

	cr_assert_eq(pick(c, 2, "2001:db8:1::11", true), 1);
}

Test(srcsel, rule8_longest_matching_prefix_within_the_prefix_length)
{
	struct srcsel_cand c[] = {
		cand("2001:db8:1::10", false, false, 100),
		cand("2001:db8:2::10", false, false, 100),
	};

	cr_assert_eq(pick(c, 2, "2001:db8:2::99", false), 1);
	cr_assert_eq(pick(c, 2, "2001:db8:1::99", false), 0);
	/* bits past /64 do not count: equal up to 64, tie -> first */
	struct srcsel_cand d[] = {
		cand("2001:db8:1::8000:0:0:1", false, false, 100),
		cand("2001:db8:1::1", false, false, 100),
	};
	cr_assert_eq(pick(d, 2, "2001:db8:1::2", false), 0);
	cr_assert_eq(srcsel_common_prefix(&d[1].addr, &c[0].addr), 123);
}

Test(srcsel, tie_goes_to_the_newer_temporary)
{
	struct srcsel_cand c[] = {
		cand("2001:db8:1:0:1111::1", false, true, 4),   /* about to be replaced */
		cand("2001:db8:1:0:2222::1", false, true, 14),  /* its successor */
		cand("2001:db8:1::10", false, false, 3600),
	};

	cr_assert_eq(pick(c, 3, "2001:db8:9::1", true), 1);
}

Test(srcsel, a_full_set)
{
	/* link-local, deprecated temporary, current temporary, public,
	 * manual ULA: each destination gets the RFC's answer */
	struct srcsel_cand c[] = {
		cand("fe80::1234", false, false, 0xffffffff),
		cand("2001:db8:1:0:aaaa::1", true, true, 0),
		cand("2001:db8:1:0:bbbb::1", false, true, 500),
		cand("2001:db8:1::abcd", false, false, 3000),
		cand("fd00:5::2", false, false, 0xffffffff),
	};

	cr_assert_eq(pick(c, 5, "2606:4700::1111", true), 2);
	cr_assert_eq(pick(c, 5, "2606:4700::1111", false), 3);
	cr_assert_eq(pick(c, 5, "fd00:5::1", true), 4);
	cr_assert_eq(pick(c, 5, "fe80::1", true), 0);
	cr_assert_eq(pick(c, 5, "2001:db8:1:0:aaaa::1", true), 1);
	cr_assert_eq(pick(c, 0, "fe80::1", true), -1);
}

/* ---- router advertisements ------------------------------------------------ */

struct seen { int n; struct ra_prefix p[4]; };

static void collect(const struct ra_prefix *p, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4)
		s->p[s->n++] = *p;
}

/* ra() - an RA from fe80::1 with one prefix option; returns its length */
static size_t ra(uint8_t *pkt, uint8_t flags, uint32_t valid, uint32_t pref)
{
	struct in6_addr src, dst, pfx;
	size_t plen = 16 + 32;
	uint32_t sum = 0;

	memset(pkt, 0, 40 + plen);
	inet_pton(AF_INET6, "fe80::1", &src);
	inet_pton(AF_INET6, "ff02::1", &dst);
	inet_pton(AF_INET6, "2001:db8:7::", &pfx);
	pkt[0] = 0x60;
	pkt[5] = (uint8_t)plen;
	pkt[6] = 58;
	pkt[7] = 255;
	memcpy(pkt + 8, &src, 16);
	memcpy(pkt + 24, &dst, 16);
	uint8_t *icmp = pkt + 40, *o = icmp + 16;
	icmp[0] = 134;
	o[0] = 3, o[1] = 4, o[2] = 64, o[3] = flags;
	for (int i = 0; i < 4; i++) {
		o[4 + i] = (uint8_t)(valid >> (24 - 8 * i));
		o[8 + i] = (uint8_t)(pref >> (24 - 8 * i));
	}
	memcpy(o + 16, &pfx, 16);
	for (int i = 8; i < 40; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	sum += (uint32_t)plen + 58;
	for (size_t i = 0; i < plen; i += 2)
		sum += (uint32_t)icmp[i] << 8 | icmp[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	icmp[2] = (uint8_t)(~sum >> 8);
	icmp[3] = (uint8_t)~sum;
	return 40 + plen;
}

Test(ra, prefix_option_read)
{
	uint8_t pkt[128];
	struct seen s = { 0 };
	size_t len = ra(pkt, RA_PREFIX_FLAG_ONLINK | RA_PREFIX_FLAG_AUTO, 3600, 1800);

	cr_assert_eq(ra_parse(pkt, len, collect, &s), 1);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.p[0].plen, 64);
	cr_assert_eq(s.p[0].flags, 0xc0);
	cr_assert_eq(s.p[0].valid, 3600);
	cr_assert_eq(s.p[0].preferred, 1800);
	cr_assert_eq(s.p[0].prefix[5], 7);
}

Test(ra, invalid_advertisements_refused)
{
	uint8_t pkt[128];
	struct seen s = { 0 };
	size_t len = ra(pkt, 0xc0, 3600, 1800);

	pkt[len - 1] ^= 1;
	cr_assert_eq(ra_parse(pkt, len, collect, &s), -1, "bad checksum");
	len = ra(pkt, 0xc0, 3600, 1800);
	pkt[7] = 64;
	cr_assert_eq(ra_parse(pkt, len, collect, &s), -1, "hop limit not 255");
	len = ra(pkt, 0xc0, 3600, 1800);
	cr_assert_eq(ra_parse(pkt, len - 1, collect, &s), -1, "truncated");
	len = ra(pkt, 0xc0, 3600, 1800);
	pkt[8] = 0x20;
	cr_assert_eq(ra_parse(pkt, len, collect, &s), -1, "source not link-local");
	cr_assert_eq(s.n, 0);
}
