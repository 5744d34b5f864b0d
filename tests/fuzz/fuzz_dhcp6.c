/* fuzz_dhcp6.c - the DHCPv6 client's message parser and builder
 * (daemon/dhcp6_msg.c), as dhcp6c.c uses them
 *
 * One input is one DHCPv6 message as a server would send it to port 546.
 * dhcp6_parse() must refuse it with a reason or accept it into a struct
 * that keeps its own limits: counts within DHCP6_MAX_*, DUIDs of 3 to 130
 * bytes, status messages printable and terminated, the domain list only
 * "name name" of letters, digits, '-', '_' and dots.  An accepted message
 * then goes where dhcp6c.c sends its fields: the Server Identifier and the
 * first IA_NA's address into each message the client builds (Solicit,
 * Request, Renew, Rebind, Release, Decline, Information-request), which
 * must fit DHCP6_MSG_MAX, not be written into a buffer one byte short, and
 * parse back to the same identifiers, IAID, address and lifetimes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6_msg.h"

static struct dhcp6_msg m, back;

/* fail() - a property does not hold: say which, abort (libFuzzer keeps the input) */
static void fail(const char *what)
{
	fprintf(stderr, "fuzz_dhcp6: %s\n", what);
	abort();
}

/* check_text() - @s (of @size bytes) is terminated and printable ASCII */
static void check_text(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		fail("text not terminated");
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			fail("text not printable");
}

/* check_domains() - names of label characters and dots, one space apart,
 * none longer than DHCP6_DOMAIN_NAME_MAX
 */
static void check_domains(const char *d)
{
	size_t n = strnlen(d, DHCP6_DOMAINS_MAX), name = 0;

	if (n == DHCP6_DOMAINS_MAX)
		fail("domain list not terminated");
	if (n && (d[0] == ' ' || d[n - 1] == ' '))
		fail("domain list starts or ends with a space");
	for (size_t i = 0; i < n; i++) {
		char ch = d[i];

		if (ch == ' ') {
			if (d[i + 1] == ' ')
				fail("empty name in the domain list");
			name = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			fail("character outside a DNS label in the domain list");
		if (++name > DHCP6_DOMAIN_NAME_MAX)
			fail("domain name longer than 253");
	}
}

/* check_duid() - an identifier is absent or 3..130 bytes */
static void check_duid(size_t len)
{
	if (len && (len < DHCP6_DUID_MIN || len > DHCP6_DUID_MAX))
		fail("identifier length outside 3..130");
}

/* check_msg() - what dhcp6_parse() accepted keeps the struct's limits */
static void check_msg(const struct dhcp6_msg *p)
{
	if (p->type == DHCP6_RELAY_FORW || p->type == DHCP6_RELAY_REPL)
		fail("relay message accepted");
	if (p->xid > 0xffffff)
		fail("transaction id wider than 24 bits");
	check_duid(p->client_id_len);
	check_duid(p->server_id_len);
	if (p->n_ia < 0 || p->n_ia > DHCP6_MAX_IA || p->n_dns < 0 || p->n_dns > DHCP6_MAX_DNS)
		fail("IA_NA or DNS count outside its limit");
	check_text(p->status.msg, sizeof(p->status.msg));
	for (int i = 0; i < p->n_ia; i++) {
		const struct dhcp6_ia_na *ia = &p->ia[i];

		if (ia->n_addrs < 0 || ia->n_addrs > DHCP6_MAX_IAADDR)
			fail("address count outside its limit");
		check_text(ia->status.msg, sizeof(ia->status.msg));
		for (int j = 0; j < ia->n_addrs; j++)
			check_text(ia->addrs[j].status.msg, sizeof(ia->addrs[j].status.msg));
		if (!dhcp6_find_ia(p, ia->iaid) || dhcp6_find_ia(p, ia->iaid)->iaid != ia->iaid)
			fail("dhcp6_find_ia() misses an IA_NA the message holds");
	}
	check_domains(p->domains);
	if (!dhcp6_type_name(p->type) || !dhcp6_status_name(p->status.code))
		fail("no name for a type or status");
}

/* check_duid_str() - dhcp6_duid_str() into the client's log buffer and a
 * short one: terminated within the buffer
 */
static void check_duid_str(const uint8_t *duid, size_t len)
{
	char big[3 * DHCP6_DUID_MAX + 4], small[20];

	if (strnlen(dhcp6_duid_str(duid, len, big, sizeof(big)), sizeof(big)) == sizeof(big) ||
	    strnlen(dhcp6_duid_str(duid, len, small, sizeof(small)), sizeof(small)) == sizeof(small))
		fail("dhcp6_duid_str() not terminated");
}

/* build_back() - build the client message of @type from what @p gave (its
 * Server Identifier, its first IA_NA and address, as transmit() does) and
 * parse it back
 */
static void build_back(const struct dhcp6_msg *p, uint8_t type)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t duid[DHCP6_DUID_LL_LEN], *buf, *small;
	struct dhcp6_out o = { .type = type, .xid = p->xid, .elapsed = (uint16_t)p->xid };
	const struct dhcp6_ia_na *ia = p->n_ia ? &p->ia[0] : NULL;
	const char *why;
	size_t len;

	o.client_id_len = dhcp6_duid_ll(mac, duid);
	o.client_id = duid;
	if (type != DHCP6_SOLICIT && type != DHCP6_REBIND && type != DHCP6_INFO_REQUEST &&
	    p->server_id_len) {
		o.server_id = p->server_id;
		o.server_id_len = p->server_id_len;
	}
	o.want_refresh = type == DHCP6_INFO_REQUEST;
	if (type != DHCP6_INFO_REQUEST && ia) {
		o.ia_na = true;
		o.iaid = ia->iaid;
		if (type != DHCP6_SOLICIT && ia->n_addrs) {
			o.have_addr = true;
			o.addr = ia->addrs[0].addr;
			o.pref = ia->addrs[0].pref;
			o.valid = ia->addrs[0].valid;
		}
	}
	buf = malloc(DHCP6_MSG_MAX);    /* exact sizes: ASan sees overruns */
	if (!buf)
		return;
	len = dhcp6_build(&o, buf, DHCP6_MSG_MAX);
	if (!len)
		fail("a client message does not fit DHCP6_MSG_MAX");
	small = malloc(len - 1);
	if (small && dhcp6_build(&o, small, len - 1))
		fail("dhcp6_build() claims to fit a buffer one byte short");
	free(small);
	if (dhcp6_parse(buf, len, &back, &why)) {
		fprintf(stderr, "fuzz_dhcp6: built %s does not parse: %s\n",
			dhcp6_type_name(type), why);
		abort();
	}
	if (back.type != type || back.xid != p->xid ||
	    back.client_id_len != o.client_id_len || memcmp(back.client_id, duid, sizeof(duid)) ||
	    back.server_id_len != o.server_id_len ||
	    (o.server_id_len && memcmp(back.server_id, o.server_id, o.server_id_len)) ||
	    back.n_ia != (o.ia_na ? 1 : 0))
		fail("built message parses back different (header, identifiers, IA_NA count)");
	if (o.ia_na && (back.ia[0].iaid != o.iaid || back.ia[0].n_addrs != (o.have_addr ? 1 : 0) ||
			(o.have_addr && (memcmp(&back.ia[0].addrs[0].addr, &o.addr, 16) ||
					 back.ia[0].addrs[0].pref != o.pref ||
					 back.ia[0].addrs[0].valid != o.valid))))
		fail("built IA_NA parses back different");
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = {
		DHCP6_SOLICIT, DHCP6_REQUEST, DHCP6_RENEW, DHCP6_REBIND,
		DHCP6_RELEASE, DHCP6_DECLINE, DHCP6_INFO_REQUEST,
	};
	const char *why = "unset";

	if (dhcp6_parse(data, size, &m, &why)) {
		if (!why || !why[0])
			fail("message refused without a reason");
		return 0;
	}
	if (why)
		fail("message accepted with a reason set");
	check_msg(&m);
	check_duid_str(m.server_id, m.server_id_len);
	check_duid_str(m.client_id, m.client_id_len);
	for (size_t i = 0; i < sizeof(types); i++)
		build_back(&m, types[i]);
	return 0;
}
