/* test_dhcp6.c - the DHCPv6 message parser and builder (dhcp6_msg.c) and
 * the retransmission timing (dhcp6_rt.c)
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6_msg.h"
#include "dhcp6_rt.h"

/* ---- a tiny message writer for the tests ----------------------------------- */

struct tb {
	uint8_t b[4096];
	size_t n;
	size_t open[8];         /* offsets of options being written */
	int depth;
};

static void tb_bytes(struct tb *t, const void *p, size_t len)
{
	memcpy(t->b + t->n, p, len);
	t->n += len;
}

static void tb_u8(struct tb *t, uint8_t v) { tb_bytes(t, &v, 1); }
static void tb_u16(struct tb *t, uint16_t v) { tb_u8(t, v >> 8); tb_u8(t, v & 0xff); }
static void tb_u32(struct tb *t, uint32_t v) { tb_u16(t, v >> 16); tb_u16(t, v & 0xffff); }

static void tb_hdr(struct tb *t, uint8_t type, uint32_t xid)
{
	t->n = 0;
	t->depth = 0;
	tb_u8(t, type);
	tb_u8(t, xid >> 16);
	tb_u8(t, xid >> 8);
	tb_u8(t, xid);
}

/* tb_begin()/tb_end() - an option whose length is filled in at the end */
static void tb_begin(struct tb *t, uint16_t code)
{
	tb_u16(t, code);
	t->open[t->depth++] = t->n;
	tb_u16(t, 0);
}

static void tb_end(struct tb *t)
{
	size_t at = t->open[--t->depth], len = t->n - at - 2;

	t->b[at] = len >> 8;
	t->b[at + 1] = len & 0xff;
}

static void tb_opt(struct tb *t, uint16_t code, const void *p, size_t len)
{
	tb_u16(t, code);
	tb_u16(t, len);
	tb_bytes(t, p, len);
}

static void tb_addr(struct tb *t, const char *a)
{
	struct in6_addr x;

	cr_assert_eq(inet_pton(AF_INET6, a, &x), 1);
	tb_bytes(t, &x, 16);
}

static void tb_status(struct tb *t, uint16_t code, const char *msg)
{
	tb_begin(t, DHCP6_OPT_STATUS_CODE);
	tb_u16(t, code);
	tb_bytes(t, msg, strlen(msg));
	tb_end(t);
}

static const uint8_t client_duid[10] = { 0, 3, 0, 1, 0x02, 0, 0, 0, 0xd6, 0x01 };
static const uint8_t server_duid[14] = { 0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d,
					 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

/* good_reply() - a Reply as dnsmasq sends it: client and server ids, an
 * IA_NA with one address and a success status, DNS servers, search list
 */
static void good_reply(struct tb *t)
{
	static const uint8_t domains[] = "\x03lab\x07" "example\x00\x04" "corp\x07" "example\x00";

	tb_hdr(t, DHCP6_REPLY, 0xabcdef);
	tb_opt(t, DHCP6_OPT_CLIENTID, client_duid, sizeof(client_duid));
	tb_opt(t, DHCP6_OPT_SERVERID, server_duid, sizeof(server_duid));
	tb_begin(t, DHCP6_OPT_IA_NA);
	tb_u32(t, 0x0000d601);
	tb_u32(t, 60);
	tb_u32(t, 105);
	tb_begin(t, DHCP6_OPT_IAADDR);
	tb_addr(t, "fd09::1a5");
	tb_u32(t, 120);
	tb_u32(t, 240);
	tb_end(t);
	tb_status(t, DHCP6_SUCCESS, "success");
	tb_end(t);
	tb_begin(t, DHCP6_OPT_DNS_SERVERS);
	tb_addr(t, "fd09::53");
	tb_addr(t, "fd09::54");
	tb_end(t);
	tb_opt(t, DHCP6_OPT_DOMAIN_LIST, domains, sizeof(domains) - 1);
	tb_begin(t, DHCP6_OPT_INFO_REFRESH_TIME);
	tb_u32(t, 7200);
	tb_end(t);
}

static void addr_eq(const struct in6_addr *a, const char *want)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	cr_assert_str_eq(s, want);
}

static int parse(const struct tb *t, struct dhcp6_msg *m, const char **why)
{
	return dhcp6_parse(t->b, t->n, m, why);
}

/* ---- good messages ------------------------------------------------------- */

Test(dhcp6_parse, reply_with_lease_dns_and_domains)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	good_reply(&t);
	cr_assert_eq(parse(&t, &m, &why), 0, "rejected: %s", why);
	cr_assert_eq(m.type, DHCP6_REPLY);
	cr_assert_eq(m.xid, 0xabcdef);
	cr_assert_eq(m.client_id_len, sizeof(client_duid));
	cr_assert_eq(memcmp(m.client_id, client_duid, sizeof(client_duid)), 0);
	cr_assert_eq(m.server_id_len, sizeof(server_duid));
	cr_assert_eq(memcmp(m.server_id, server_duid, sizeof(server_duid)), 0);
	cr_assert_eq(m.n_ia, 1);
	cr_assert_eq(m.ia[0].iaid, 0xd601);
	cr_assert_eq(m.ia[0].t1, 60);
	cr_assert_eq(m.ia[0].t2, 105);
	cr_assert(m.ia[0].status.present);
	cr_assert_eq(m.ia[0].status.code, DHCP6_SUCCESS);
	cr_assert_str_eq(m.ia[0].status.msg, "success");
	cr_assert_eq(m.ia[0].n_addrs, 1);
	addr_eq(&m.ia[0].addrs[0].addr, "fd09::1a5");
	cr_assert_eq(m.ia[0].addrs[0].pref, 120);
	cr_assert_eq(m.ia[0].addrs[0].valid, 240);
	cr_assert_eq(m.n_dns, 2);
	addr_eq(&m.dns[0], "fd09::53");
	addr_eq(&m.dns[1], "fd09::54");
	cr_assert_str_eq(m.domains, "lab.example corp.example");
	cr_assert_eq(m.info_refresh, 7200);
	cr_assert(!m.status.present);
	cr_assert(!m.have_pref);
	cr_assert_eq(dhcp6_find_ia(&m, 0xd601), &m.ia[0]);
	cr_assert_null(dhcp6_find_ia(&m, 0xd602));
}

Test(dhcp6_parse, advertise_with_preference_and_unknown_options)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_ADVERTISE, 1);
	tb_opt(&t, 0x1234, "whatever", 8);     /* unknown: skipped */
	tb_opt(&t, DHCP6_OPT_PREFERENCE, "\xff", 1);
	tb_opt(&t, DHCP6_OPT_SERVERID, server_duid, sizeof(server_duid));
	tb_begin(&t, DHCP6_OPT_SOL_MAX_RT);
	tb_u32(&t, 120);
	tb_end(&t);
	tb_opt(&t, DHCP6_OPT_DOMAIN_LIST, "", 0);
	cr_assert_eq(parse(&t, &m, &why), 0, "rejected: %s", why);
	cr_assert(m.have_pref);
	cr_assert_eq(m.pref, 255);
	cr_assert_eq(m.sol_max_rt, 120);
	cr_assert_eq(m.client_id_len, 0);
	cr_assert_str_eq(m.domains, "");
}

Test(dhcp6_parse, header_only_is_a_message)
{
	const uint8_t b[4] = { DHCP6_REPLY, 0, 0, 7 };
	struct dhcp6_msg m;
	const char *why;

	cr_assert_eq(dhcp6_parse(b, 4, &m, &why), 0);
	cr_assert_eq(m.xid, 7);
	cr_assert_eq(m.n_ia, 0);
}

/* ---- truncated and oversize ------------------------------------------------ */

Test(dhcp6_parse, every_truncation_is_rejected_or_ends_on_an_option)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;
	size_t ends[16];
	int n_ends = 0;

	good_reply(&t);
	/* top-level option boundaries: where a cut still leaves a message */
	for (size_t off = 4; off < t.n; off += 4 + (size_t)(t.b[off + 2] << 8 | t.b[off + 3]))
		ends[n_ends++] = off;
	for (size_t len = 0; len < t.n; len++) {
		/* a copy of exactly @len bytes: ASan sees any read past it */
		uint8_t *cut = malloc(len ? len : 1);
		bool boundary = false;
		int r;

		memcpy(cut, t.b, len);
		r = dhcp6_parse(cut, len, &m, &why);
		for (int k = 0; k < n_ends; k++)
			boundary |= ends[k] == len;
		if (boundary)
			cr_assert_eq(r, 0, "cut at option boundary %zu rejected: %s", len, why);
		else
			cr_assert_eq(r, -1, "cut at %zu accepted", len);
		if (r)
			cr_assert_not_null(why);
		free(cut);
	}
}

Test(dhcp6_parse, short_header)
{
	struct dhcp6_msg m;
	const char *why;

	cr_assert_eq(dhcp6_parse((const uint8_t *)"\x07\x00\x00", 3, &m, &why), -1);
	cr_assert_str_eq(why, "shorter than the 4-byte header");
	cr_assert_eq(dhcp6_parse(NULL, 0, &m, &why), -1);
}

Test(dhcp6_parse, option_longer_than_the_message)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_u16(&t, DHCP6_OPT_SERVERID);
	tb_u16(&t, 0xffff);
	tb_bytes(&t, server_duid, sizeof(server_duid));
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "option overruns the message");
}

Test(dhcp6_parse, oversize_message)
{
	static uint8_t big[DHCP6_MSG_MAX + 1];
	struct dhcp6_msg m;
	const char *why;

	big[0] = DHCP6_REPLY;
	cr_assert_eq(dhcp6_parse(big, sizeof(big), &m, &why), -1);
	cr_assert_str_eq(why, "longer than 1500 bytes");
	cr_assert_eq(dhcp6_parse(big, DHCP6_MSG_MAX, &m, &why), 0, "%s", why);
}

/* ---- nested IA options --------------------------------------------------- */

Test(dhcp6_parse, iaaddr_overrunning_its_ia_na)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_u16(&t, DHCP6_OPT_IA_NA);
	tb_u16(&t, 12 + 4 + 10);                /* IA_NA holds 10 bytes of IAADDR */
	tb_u32(&t, 1);
	tb_u32(&t, 0);
	tb_u32(&t, 0);
	tb_u16(&t, DHCP6_OPT_IAADDR);
	tb_u16(&t, 24);                         /* ... which claims 24 */
	tb_addr(&t, "fd09::1");                 /* the bytes exist in the message */
	tb_u32(&t, 1);
	tb_u32(&t, 1);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "option overruns its IA_NA option");
}

Test(dhcp6_parse, status_overrunning_its_iaaddr)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_begin(&t, DHCP6_OPT_IA_NA);
	tb_u32(&t, 1);
	tb_u32(&t, 0);
	tb_u32(&t, 0);
	tb_u16(&t, DHCP6_OPT_IAADDR);
	tb_u16(&t, 24 + 4 + 2);
	tb_addr(&t, "fd09::1");
	tb_u32(&t, 1);
	tb_u32(&t, 1);
	tb_u16(&t, DHCP6_OPT_STATUS_CODE);
	tb_u16(&t, 40);                         /* past the IAADDR's 30 bytes */
	tb_u16(&t, 0);
	tb_status(&t, 0, "padding so the message is long enough....");
	tb_end(&t);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "option overruns its IA address option");
}

Test(dhcp6_parse, short_ia_na_and_iaaddr)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_IA_NA, "\0\0\0\1\0\0\0\0\0\0\0", 11);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "IA_NA option shorter than 12 bytes");

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_begin(&t, DHCP6_OPT_IA_NA);
	tb_u32(&t, 1);
	tb_u32(&t, 0);
	tb_u32(&t, 0);
	tb_begin(&t, DHCP6_OPT_IAADDR);
	tb_addr(&t, "fd09::1");
	tb_u32(&t, 1);                          /* no valid lifetime: 20 bytes */
	tb_end(&t);
	tb_end(&t);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "IA address option shorter than 24 bytes");
}

Test(dhcp6_parse, counts_are_capped_not_overflowed)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	for (int i = 0; i < DHCP6_MAX_IA + 1; i++) {
		tb_begin(&t, DHCP6_OPT_IA_NA);
		tb_u32(&t, (uint32_t)i);
		tb_u32(&t, 0);
		tb_u32(&t, 0);
		for (int k = 0; k < DHCP6_MAX_IAADDR + 1; k++) {
			tb_begin(&t, DHCP6_OPT_IAADDR);
			tb_addr(&t, "fd09::1");
			tb_u32(&t, (uint32_t)k);
			tb_u32(&t, 100);
			tb_end(&t);
		}
		tb_end(&t);
	}
	tb_begin(&t, DHCP6_OPT_DNS_SERVERS);
	for (int i = 0; i < DHCP6_MAX_DNS + 5; i++)
		tb_addr(&t, "fd09::53");
	tb_end(&t);
	cr_assert_leq(t.n, DHCP6_MSG_MAX);
	cr_assert_eq(parse(&t, &m, &why), 0, "%s", why);
	cr_assert_eq(m.n_ia, DHCP6_MAX_IA);
	cr_assert_eq(m.ia[DHCP6_MAX_IA - 1].iaid, DHCP6_MAX_IA - 1);
	cr_assert_eq(m.ia[0].n_addrs, DHCP6_MAX_IAADDR);
	cr_assert_eq(m.ia[0].addrs[DHCP6_MAX_IAADDR - 1].pref, DHCP6_MAX_IAADDR - 1);
	cr_assert_eq(m.n_dns, DHCP6_MAX_DNS);
}

/* ---- status codes ---------------------------------------------------------- */

Test(dhcp6_parse, status_codes_at_every_level)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_status(&t, DHCP6_NO_ADDRS_AVAIL, "no addresses\n\x01\xff left");
	tb_begin(&t, DHCP6_OPT_IA_NA);
	tb_u32(&t, 9);
	tb_u32(&t, 0);
	tb_u32(&t, 0);
	tb_status(&t, DHCP6_NO_BINDING, "");
	tb_begin(&t, DHCP6_OPT_IAADDR);
	tb_addr(&t, "fd09::2");
	tb_u32(&t, 0);
	tb_u32(&t, 0);
	tb_status(&t, DHCP6_NOT_ON_LINK, "elsewhere");
	tb_end(&t);
	tb_end(&t);
	cr_assert_eq(parse(&t, &m, &why), 0, "%s", why);
	cr_assert(m.status.present);
	cr_assert_eq(m.status.code, DHCP6_NO_ADDRS_AVAIL);
	cr_assert_str_eq(m.status.msg, "no addresses??? left", "non-printable bytes replaced");
	cr_assert(m.ia[0].status.present);
	cr_assert_eq(m.ia[0].status.code, DHCP6_NO_BINDING);
	cr_assert_str_eq(m.ia[0].status.msg, "");
	cr_assert_eq(m.ia[0].addrs[0].status.code, DHCP6_NOT_ON_LINK);
	cr_assert_str_eq(m.ia[0].addrs[0].status.msg, "elsewhere");
	cr_assert_str_eq(dhcp6_status_name(DHCP6_NO_BINDING), "NoBinding");
	cr_assert_str_eq(dhcp6_status_name(999), "unknown status");
}

Test(dhcp6_parse, long_status_message_is_truncated)
{
	char msg[300];
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_status(&t, DHCP6_UNSPEC_FAIL, msg);
	cr_assert_eq(parse(&t, &m, &why), 0, "%s", why);
	cr_assert_eq(strlen(m.status.msg), DHCP6_STATUS_MSG_MAX - 1);
}

Test(dhcp6_parse, one_byte_status_is_malformed)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_STATUS_CODE, "\0", 1);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "status code option shorter than 2 bytes");
}

/* ---- other malformed options --------------------------------------------- */

Test(dhcp6_parse, bad_identifiers)
{
	uint8_t longid[DHCP6_DUID_MAX + 1] = { 0 };
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_SERVERID, "\0\1", 2);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "DUID shorter than 3 or longer than 130 bytes");

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_CLIENTID, longid, sizeof(longid));
	cr_assert_eq(parse(&t, &m, &why), -1);

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_SERVERID, server_duid, sizeof(server_duid));
	tb_opt(&t, DHCP6_OPT_SERVERID, client_duid, sizeof(client_duid));
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "identifier option repeated");

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_CLIENTID, longid, DHCP6_DUID_MAX);
	cr_assert_eq(parse(&t, &m, &why), 0, "130 bytes is the longest DUID");
}

Test(dhcp6_parse, bad_fixed_size_options)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_DNS_SERVERS, "0123456789abcdefX", 17);
	cr_assert_eq(parse(&t, &m, &why), -1);
	cr_assert_str_eq(why, "DNS servers option not a multiple of 16 bytes");

	tb_hdr(&t, DHCP6_ADVERTISE, 1);
	tb_opt(&t, DHCP6_OPT_PREFERENCE, "\1\2", 2);
	cr_assert_eq(parse(&t, &m, &why), -1);

	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_INFO_REFRESH_TIME, "\0\0\1", 3);
	cr_assert_eq(parse(&t, &m, &why), -1);
}

Test(dhcp6_parse, relay_messages_are_refused)
{
	uint8_t b[40] = { DHCP6_RELAY_REPL };
	struct dhcp6_msg m;
	const char *why;

	cr_assert_eq(dhcp6_parse(b, sizeof(b), &m, &why), -1);
	cr_assert_str_eq(why, "a relay message");
}

Test(dhcp6_parse, domain_lists)
{
	struct { const char *bytes; size_t len; int ok; const char *want; } cases[] = {
		{ "\x03" "a-b\x02" "c_\x00", 8, 1, "a-b.c_" },
		/* a space or newline in a label: that name is dropped, not the list */
		{ "\x04" "ba d\x00\x03" "net\x00", 11, 1, "net" },
		{ "\x04" "ev\nl\x00", 6, 1, "" },
		{ "\x00", 1, 1, "" },                   /* the root: nothing to search */
		{ "\xc0\x0c", 2, 0, NULL },             /* compression pointer */
		{ "\x05" "abc", 4, 0, NULL },           /* label past the option */
		{ "\x03" "abc", 4, 0, NULL },           /* not terminated */
	};
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tb_hdr(&t, DHCP6_REPLY, 1);
		tb_opt(&t, DHCP6_OPT_DOMAIN_LIST, cases[i].bytes, cases[i].len);
		cr_assert_eq(parse(&t, &m, &why) == 0, cases[i].ok, "case %zu: %s", i, why);
		if (cases[i].ok)
			cr_assert_str_eq(m.domains, cases[i].want, "case %zu", i);
	}
}

Test(dhcp6_parse, long_domain_names_and_lists_stay_bounded)
{
	uint8_t opt[1400];
	size_t n = 0;
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	/* 20 names of 4 labels of 63 bytes (255 with dots: over the limit of
	 * 253, skipped), then names of 60 bytes until the option is full */
	for (int k = 0; k < 4; k++) {
		opt[n++] = 63;
		memset(opt + n, 'a', 63);
		n += 63;
	}
	opt[n++] = 0;
	while (n + 62 < sizeof(opt)) {
		opt[n++] = 60;
		memset(opt + n, 'b', 60);
		n += 60;
		opt[n++] = 0;
	}
	tb_hdr(&t, DHCP6_REPLY, 1);
	tb_opt(&t, DHCP6_OPT_DOMAIN_LIST, opt, n);
	cr_assert_eq(parse(&t, &m, &why), 0, "%s", why);
	cr_assert_lt(strlen(m.domains), DHCP6_DOMAINS_MAX);
	cr_assert_eq(strchr(m.domains, 'a'), NULL, "the 255-byte name is skipped");
	cr_assert_eq(strlen(m.domains), 4 * 61 - 1, "four 60-byte names fit in 256");
}

/* random and mutated input: must never crash or read out of bounds (run
 * under ASan with make SAN=1); the same seed every run
 */
Test(dhcp6_parse, random_and_mutated_input)
{
	struct dhcp6_msg m;
	const char *why;
	struct tb t;

	srand(8415);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % 200;
		uint8_t *b = malloc(len ? len : 1);

		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)rand();
		if (dhcp6_parse(b, len, &m, &why))
			cr_assert_not_null(why);
		free(b);
	}
	good_reply(&t);
	for (int i = 0; i < 20000; i++) {
		uint8_t *b = malloc(t.n);

		memcpy(b, t.b, t.n);
		for (int k = 0; k < 3; k++)
			b[4 + (size_t)rand() % (t.n - 4)] = (uint8_t)rand();
		if (dhcp6_parse(b, t.n, &m, &why) == 0) {
			cr_assert_leq(m.n_ia, DHCP6_MAX_IA);
			cr_assert_leq(m.n_dns, DHCP6_MAX_DNS);
			cr_assert_lt(strlen(m.domains), DHCP6_DOMAINS_MAX);
			for (const char *p = m.domains; *p; p++)
				cr_assert(*p == ' ' || *p == '.' || *p == '-' || *p == '_' ||
					  (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
					  (*p >= 'A' && *p <= 'Z'), "bad char %d in domains", *p);
		}
		free(b);
	}
}

/* ---- building ------------------------------------------------------------- */

Test(dhcp6_build, solicit_bytes)
{
	const uint8_t want[] = {
		1, 0x12, 0x34, 0x56,                            /* Solicit, xid */
		0, 1, 0, 10, 0, 3, 0, 1, 0x02, 0, 0, 0, 0xd6, 0x01,     /* client id */
		0, 8, 0, 2, 0, 0,                               /* elapsed 0 */
		0, 6, 0, 4, 0, 23, 0, 24,                       /* ORO: 23, 24 */
		0, 3, 0, 12, 0, 0, 0xd6, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, /* IA_NA */
	};
	struct dhcp6_out o = {
		.type = DHCP6_SOLICIT, .xid = 0x123456, .client_id = client_duid,
		.client_id_len = sizeof(client_duid), .ia_na = true, .iaid = 0xd601,
	};
	uint8_t buf[512];
	size_t n = dhcp6_build(&o, buf, sizeof(buf));

	cr_assert_eq(n, sizeof(want));
	cr_assert_eq(memcmp(buf, want, n), 0);
	cr_assert_eq(dhcp6_build(&o, buf, sizeof(want) - 1), 0, "does not fit: 0");
}

Test(dhcp6_build, request_round_trips_through_the_parser)
{
	struct dhcp6_out o = {
		.type = DHCP6_REQUEST, .xid = 0xfedcba, .client_id = client_duid,
		.client_id_len = sizeof(client_duid), .server_id = server_duid,
		.server_id_len = sizeof(server_duid), .elapsed = 150, .ia_na = true,
		.iaid = 77, .have_addr = true, .pref = 1, .valid = 2,
	};
	struct dhcp6_msg m;
	uint8_t buf[512];
	const char *why;
	size_t n;

	inet_pton(AF_INET6, "fd09::1a5", &o.addr);
	n = dhcp6_build(&o, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	cr_assert_eq(dhcp6_parse(buf, n, &m, &why), 0, "%s", why);
	cr_assert_eq(m.type, DHCP6_REQUEST);
	cr_assert_eq(m.xid, 0xfedcba);
	cr_assert_eq(m.client_id_len, sizeof(client_duid));
	cr_assert_eq(memcmp(m.server_id, server_duid, sizeof(server_duid)), 0);
	cr_assert_eq(m.n_ia, 1);
	cr_assert_eq(m.ia[0].iaid, 77);
	addr_eq(&m.ia[0].addrs[0].addr, "fd09::1a5");
	cr_assert_eq(m.ia[0].addrs[0].pref, 1);
	cr_assert_eq(m.ia[0].addrs[0].valid, 2);
}

Test(dhcp6_build, release_has_no_option_request)
{
	struct dhcp6_out o = {
		.type = DHCP6_RELEASE, .xid = 1, .client_id = client_duid,
		.client_id_len = sizeof(client_duid), .server_id = server_duid,
		.server_id_len = sizeof(server_duid), .ia_na = true, .have_addr = true,
	};
	uint8_t buf[512];
	size_t n = dhcp6_build(&o, buf, sizeof(buf));

	cr_assert_eq(n, 4 + 14 + 18 + 6 + 4 + 12 + 28);
	for (size_t off = 4; off < n; off += 4 + (size_t)(buf[off + 2] << 8 | buf[off + 3]))
		cr_assert_neq(buf[off] << 8 | buf[off + 1], DHCP6_OPT_ORO);
}

Test(dhcp6_build, duid_ll_is_stable_and_printed)
{
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	uint8_t a[DHCP6_DUID_LL_LEN], b[DHCP6_DUID_LL_LEN];
	char s[64], tiny[12];

	cr_assert_eq(dhcp6_duid_ll(mac, a), 10);
	dhcp6_duid_ll(mac, b);
	cr_assert_eq(memcmp(a, b, 10), 0);
	cr_assert_str_eq(dhcp6_duid_str(a, 10, s, sizeof(s)),
			 "00:03:00:01:52:54:00:12:34:56");
	cr_assert_str_eq(dhcp6_duid_str(a, 10, tiny, sizeof(tiny)), "00:03:00...");
	cr_assert_str_eq(dhcp6_type_name(DHCP6_DECLINE), "Decline");
	cr_assert_str_eq(dhcp6_type_name(200), "unknown");
}

/* ---- retransmission timing (RFC 8415 section 15) --------------------------- */

static const struct dhcp6_rt_params solicit = { .irt = 1000, .mrt = 3600000, .first_positive = true };
static const struct dhcp6_rt_params request = { .irt = 1000, .mrt = 30000, .mrc = 10 };
static const struct dhcp6_rt_params renew = { .irt = 10000, .mrt = 600000, .mrd = 25000 };

Test(dhcp6_rt, first_timeout_is_irt_plus_rand)
{
	cr_assert_eq(dhcp6_rt_next(&request, 0, 0, 0, 0), 1000);
	cr_assert_eq(dhcp6_rt_next(&request, 0, 0, 0, -100), 900);
	cr_assert_eq(dhcp6_rt_next(&request, 0, 0, 0, 100), 1100);
	cr_assert_eq(dhcp6_rt_next(&renew, 0, 0, 0, 50), 10500);
}

Test(dhcp6_rt, first_solicit_timeout_is_strictly_above_irt)
{
	for (int r = -DHCP6_RAND_RANGE; r <= DHCP6_RAND_RANGE; r++) {
		uint32_t rt = dhcp6_rt_next(&solicit, 0, 0, 0, r);

		cr_assert_gt(rt, 1000, "RAND %d gave %u", r, rt);
		cr_assert_leq(rt, 1100, "RAND %d gave %u", r, rt);
	}
}

Test(dhcp6_rt, doubles_with_rand)
{
	cr_assert_eq(dhcp6_rt_next(&request, 1000, 1, 1000, 0), 2000);
	cr_assert_eq(dhcp6_rt_next(&request, 1000, 1, 1000, 100), 2100);
	cr_assert_eq(dhcp6_rt_next(&request, 1000, 1, 1000, -100), 1900);
	cr_assert_eq(dhcp6_rt_next(&request, 4000, 3, 7000, 25), 8100);
}

Test(dhcp6_rt, capped_at_mrt_plus_rand)
{
	cr_assert_eq(dhcp6_rt_next(&request, 20000, 5, 40000, 0), 30000);
	cr_assert_eq(dhcp6_rt_next(&request, 20000, 5, 40000, 100), 33000);
	cr_assert_eq(dhcp6_rt_next(&request, 20000, 5, 40000, -100), 27000);
	cr_assert_eq(dhcp6_rt_next(&request, 30000, 6, 70000, 0), 30000, "stays at MRT");
}

Test(dhcp6_rt, solicit_sequence_reaches_sol_max_rt_and_never_ends)
{
	uint32_t rt = 0, prev;
	uint64_t elapsed = 0;
	unsigned sent;

	for (sent = 0; sent < 40; sent++) {
		prev = rt;
		rt = dhcp6_rt_next(&solicit, prev, sent, elapsed, 0);
		cr_assert_gt(rt, 0, "Solicit has no MRC or MRD");
		if (sent)
			cr_assert(rt == 2 * prev || rt == solicit.mrt, "sent %u: %u after %u", sent, rt, prev);
		elapsed += rt;
	}
	cr_assert_eq(rt, 3600000);
}

Test(dhcp6_rt, mrc_ends_the_exchange)
{
	cr_assert_gt(dhcp6_rt_next(&request, 16000, 9, 100000, 0), 0);
	cr_assert_eq(dhcp6_rt_next(&request, 16000, 10, 100000, 0), 0);
	cr_assert_eq(dhcp6_rt_next(&request, 16000, 11, 100000, 0), 0);
}

Test(dhcp6_rt, mrd_truncates_then_ends)
{
	/* Renew: 10 s, then 20 s would pass MRD (25 s): only 15 s left */
	cr_assert_eq(dhcp6_rt_next(&renew, 0, 0, 0, 0), 10000);
	cr_assert_eq(dhcp6_rt_next(&renew, 10000, 1, 10000, 0), 15000);
	cr_assert_eq(dhcp6_rt_next(&renew, 15000, 2, 25000, 0), 0);
	cr_assert_eq(dhcp6_rt_next(&renew, 15000, 2, 30000, 0), 0);
}

Test(dhcp6_rt, rand_out_of_range_is_clamped)
{
	cr_assert_eq(dhcp6_rt_next(&request, 1000, 1, 1000, 5000), 2100);
	cr_assert_eq(dhcp6_rt_next(&request, 1000, 1, 1000, -5000), 1900);
}

Test(dhcp6_rt, every_timeout_within_ten_percent)
{
	const uint32_t prevs[] = { 1000, 1500, 7777, 14000, 29000, 30000 };

	for (size_t i = 0; i < sizeof(prevs) / sizeof(prevs[0]); i++)
		for (int r = -DHCP6_RAND_RANGE; r <= DHCP6_RAND_RANGE; r++) {
			uint64_t base = 2 * (uint64_t)prevs[i] > request.mrt ? request.mrt : 2 * (uint64_t)prevs[i];
			uint32_t rt = dhcp6_rt_next(&request, prevs[i], 1, 0, r);

			cr_assert_geq(rt, base * 9 / 10, "prev %u RAND %d: %u", prevs[i], r, rt);
			cr_assert_leq(rt, base * 11 / 10, "prev %u RAND %d: %u", prevs[i], r, rt);
		}
}

Test(dhcp6_rt, rand_from_random_bits_covers_the_range)
{
	int lo = 0, hi = 0;

	for (uint32_t x = 0; x < 100000; x++) {
		int r = dhcp6_rt_rand(x * 2654435761u);

		cr_assert_geq(r, -DHCP6_RAND_RANGE);
		cr_assert_leq(r, DHCP6_RAND_RANGE);
		lo |= r == -DHCP6_RAND_RANGE;
		hi |= r == DHCP6_RAND_RANGE;
	}
	cr_assert(lo && hi, "both ends reached");
}
