/* dhcp6_msg.c - build and parse DHCPv6 messages (RFC 8415)
 *
 * dhcp6_parse() reads an untrusted server message: every option's length is
 * checked against what encloses it (the message, an IA_NA, an IAADDR), the
 * nesting is fixed (message > IA_NA > IAADDR > status code) so no input can
 * make it recurse, and text (status messages, domain names) is kept only as
 * printable ASCII.  It never reads outside [buf, buf + len).
 * dhcp6_build() writes the few messages a client sends.  Nothing here knows
 * lwIP, sockets or time: the unit tests and a fuzzer call it directly.
 */
#include <stdio.h>
#include <string.h>

#include "dhcp6_msg.h"

#define DHCP6_HDR_LEN     4     /* type and 24-bit transaction id */
#define DHCP6_OPT_HDR_LEN 4     /* code and length */
#define IA_NA_FIXED_LEN   12    /* IAID, T1, T2 */
#define IAADDR_FIXED_LEN  24    /* address, preferred, valid */
#define DOMAIN_LABEL_MAX  63

/* A window on bytes being read: options are taken from its front. */
struct cursor {
	const uint8_t *p;
	size_t len;
};

/* get16(), get32() - big-endian integers at @p (caller checked the length) */
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* next_opt() - take the next option off @c: 1 with its code and body, 0 at
 * the end, -1 if a header or body runs past the window
 */
static int next_opt(struct cursor *c, uint16_t *code, struct cursor *body)
{
	size_t olen;

	if (c->len == 0)
		return 0;
	if (c->len < DHCP6_OPT_HDR_LEN)
		return -1;
	*code = get16(c->p);
	olen = get16(c->p + 2);
	if (olen > c->len - DHCP6_OPT_HDR_LEN)
		return -1;
	body->p = c->p + DHCP6_OPT_HDR_LEN;
	body->len = olen;
	c->p += DHCP6_OPT_HDR_LEN + olen;
	c->len -= DHCP6_OPT_HDR_LEN + olen;
	return 1;
}

/* printable() - copy @len bytes of text as printable ASCII ('?' for the
 * rest) into @out of @outlen bytes, truncating; always terminated
 */
static void printable(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[i] = '\0';
}

/* parse_status() - a Status Code option body into @s; -1 if too short */
static int parse_status(const struct cursor *b, struct dhcp6_status *s)
{
	if (b->len < 2)
		return -1;
	s->present = true;
	s->code = get16(b->p);
	printable(b->p + 2, b->len - 2, s->msg, sizeof(s->msg));
	return 0;
}

/* parse_iaaddr() - an IAADDR option body (with its nested options) */
static int parse_iaaddr(struct cursor b, struct dhcp6_iaaddr *a, const char **why)
{
	struct cursor o;
	uint16_t code;
	int r;

	if (b.len < IAADDR_FIXED_LEN) {
		*why = "IA address option shorter than 24 bytes";
		return -1;
	}
	memcpy(&a->addr, b.p, 16);
	a->pref = get32(b.p + 16);
	a->valid = get32(b.p + 20);
	b.p += IAADDR_FIXED_LEN;
	b.len -= IAADDR_FIXED_LEN;
	while ((r = next_opt(&b, &code, &o)) > 0)
		if (code == DHCP6_OPT_STATUS_CODE && parse_status(&o, &a->status)) {
			*why = "status code option shorter than 2 bytes";
			return -1;
		}
	if (r < 0) {
		*why = "option overruns its IA address option";
		return -1;
	}
	return 0;
}

/* parse_ia_na() - an IA_NA option body with its IAADDR and status options */
static int parse_ia_na(struct cursor b, struct dhcp6_ia_na *ia, const char **why)
{
	struct dhcp6_iaaddr a;
	struct cursor o;
	uint16_t code;
	int r;

	if (b.len < IA_NA_FIXED_LEN) {
		*why = "IA_NA option shorter than 12 bytes";
		return -1;
	}
	ia->iaid = get32(b.p);
	ia->t1 = get32(b.p + 4);
	ia->t2 = get32(b.p + 8);
	b.p += IA_NA_FIXED_LEN;
	b.len -= IA_NA_FIXED_LEN;
	while ((r = next_opt(&b, &code, &o)) > 0) {
		if (code == DHCP6_OPT_STATUS_CODE) {
			if (parse_status(&o, &ia->status)) {
				*why = "status code option shorter than 2 bytes";
				return -1;
			}
		} else if (code == DHCP6_OPT_IAADDR) {
			memset(&a, 0, sizeof(a));
			if (parse_iaaddr(o, &a, why))
				return -1;
			if (ia->n_addrs < DHCP6_MAX_IAADDR)
				ia->addrs[ia->n_addrs++] = a;
		}
	}
	if (r < 0) {
		*why = "option overruns its IA_NA option";
		return -1;
	}
	return 0;
}

/* label_ok() - letters, digits, '-' and '_' only: a name that reaches
 * resolv.conf can carry no space, newline or other syntax
 */
static bool label_ok(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = p[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

/* append_name() - add @name to the space-separated list @out if it fits */
static void append_name(char *out, const char *name)
{
	size_t used = strlen(out), n = strlen(name);

	if (!n || used + (used ? 1 : 0) + n + 1 > DHCP6_DOMAINS_MAX)
		return;
	if (used)
		out[used++] = ' ';
	memcpy(out + used, name, n + 1);
}

/* parse_domains() - a Domain Search List option: uncompressed DNS names
 * (RFC 1035 3.1, RFC 8415 10).  A name with characters outside label_ok()
 * is skipped; a label running past the option rejects the message.
 */
static int parse_domains(struct cursor b, char *out, const char **why)
{
	char name[DHCP6_DOMAIN_NAME_MAX + 2];

	while (b.len > 0) {
		size_t nlen = 0;
		bool ok = true;

		for (;;) {
			size_t l;

			if (b.len == 0) {
				*why = "domain name not terminated in its option";
				return -1;
			}
			l = b.p[0];
			b.p++;
			b.len--;
			if (l == 0)
				break;
			if (l > DOMAIN_LABEL_MAX) {
				*why = "domain label longer than 63 bytes (or compressed)";
				return -1;
			}
			if (l > b.len) {
				*why = "domain label overruns its option";
				return -1;
			}
			if (!label_ok(b.p, l) || nlen + l + 1 > DHCP6_DOMAIN_NAME_MAX + 1)
				ok = false;
			if (ok) {
				if (nlen)
					name[nlen++] = '.';
				memcpy(name + nlen, b.p, l);
				nlen += l;
			}
			b.p += l;
			b.len -= l;
		}
		name[nlen] = '\0';
		if (ok)
			append_name(out, name);
	}
	return 0;
}

/* parse_duid() - a Client or Server Identifier option into @dst; refuses a
 * second one and lengths outside DHCP6_DUID_MIN..MAX
 */
static int parse_duid(const struct cursor *o, uint8_t *dst, size_t *dlen,
		      const char **why)
{
	if (*dlen) {
		*why = "identifier option repeated";
		return -1;
	}
	if (o->len < DHCP6_DUID_MIN || o->len > DHCP6_DUID_MAX) {
		*why = "DUID shorter than 3 or longer than 130 bytes";
		return -1;
	}
	memcpy(dst, o->p, o->len);
	*dlen = o->len;
	return 0;
}

/* parse_u32() - a 4-byte option value */
static int parse_u32(const struct cursor *o, uint32_t *v, const char **why)
{
	if (o->len != 4) {
		*why = "32-bit option not 4 bytes long";
		return -1;
	}
	*v = get32(o->p);
	return 0;
}

/* parse_option() - one top-level option into @m */
static int parse_option(uint16_t code, const struct cursor *o,
			struct dhcp6_msg *m, const char **why)
{
	struct dhcp6_ia_na ia;

	switch (code) {
	case DHCP6_OPT_CLIENTID:
		return parse_duid(o, m->client_id, &m->client_id_len, why);
	case DHCP6_OPT_SERVERID:
		return parse_duid(o, m->server_id, &m->server_id_len, why);
	case DHCP6_OPT_PREFERENCE:
		if (o->len != 1) {
			*why = "preference option not 1 byte long";
			return -1;
		}
		m->have_pref = true;
		m->pref = o->p[0];
		return 0;
	case DHCP6_OPT_STATUS_CODE:
		if (parse_status(o, &m->status)) {
			*why = "status code option shorter than 2 bytes";
			return -1;
		}
		return 0;
	case DHCP6_OPT_IA_NA:
		memset(&ia, 0, sizeof(ia));
		if (parse_ia_na(*o, &ia, why))
			return -1;
		if (m->n_ia < DHCP6_MAX_IA)
			m->ia[m->n_ia++] = ia;
		return 0;
	case DHCP6_OPT_DNS_SERVERS:
		if (o->len % 16) {
			*why = "DNS servers option not a multiple of 16 bytes";
			return -1;
		}
		for (size_t i = 0; i < o->len && m->n_dns < DHCP6_MAX_DNS; i += 16)
			memcpy(&m->dns[m->n_dns++], o->p + i, 16);
		return 0;
	case DHCP6_OPT_DOMAIN_LIST:
		return parse_domains(*o, m->domains, why);
	case DHCP6_OPT_INFO_REFRESH_TIME:
		return parse_u32(o, &m->info_refresh, why);
	case DHCP6_OPT_SOL_MAX_RT:
		return parse_u32(o, &m->sol_max_rt, why);
	case DHCP6_OPT_INF_MAX_RT:
		return parse_u32(o, &m->inf_max_rt, why);
	default:
		return 0;               /* unknown options are skipped */
	}
}

/* dhcp6_parse() - parse the DHCPv6 message in @buf (@len bytes, untrusted)
 * into @m.  Returns 0, or -1 with a static reason in *@why.  Relay messages
 * are refused: they never reach a client.
 */
int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *m,
		const char **why)
{
	struct cursor c, o;
	uint16_t code;
	int r;

	memset(m, 0, sizeof(*m));
	*why = NULL;
	if (!buf || len < DHCP6_HDR_LEN) {
		*why = "shorter than the 4-byte header";
		return -1;
	}
	if (len > DHCP6_MSG_MAX) {
		*why = "longer than 1500 bytes";
		return -1;
	}
	m->type = buf[0];
	m->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (m->type == DHCP6_RELAY_FORW || m->type == DHCP6_RELAY_REPL) {
		*why = "a relay message";
		return -1;
	}
	c.p = buf + DHCP6_HDR_LEN;
	c.len = len - DHCP6_HDR_LEN;
	while ((r = next_opt(&c, &code, &o)) > 0)
		if (parse_option(code, &o, m, why))
			return -1;
	if (r < 0) {
		*why = "option overruns the message";
		return -1;
	}
	return 0;
}

/* dhcp6_find_ia() - the IA_NA of @m with @iaid, or NULL */
const struct dhcp6_ia_na *dhcp6_find_ia(const struct dhcp6_msg *m, uint32_t iaid)
{
	for (int i = 0; i < m->n_ia; i++)
		if (m->ia[i].iaid == iaid)
			return &m->ia[i];
	return NULL;
}

/* A write window: put_*() stop writing once it is full and set @full. */
struct writer {
	uint8_t *p;
	size_t cap, off;
	bool full;
};

/* put() - append @len bytes */
static void put(struct writer *w, const void *data, size_t len)
{
	if (w->full || len > w->cap - w->off) {
		w->full = true;
		return;
	}
	memcpy(w->p + w->off, data, len);
	w->off += len;
}

/* put16(), put32() - append a big-endian integer */
static void put16(struct writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void put32(struct writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 4);
}

/* put_opt() - append an option header and body */
static void put_opt(struct writer *w, uint16_t code, const void *body, size_t len)
{
	put16(w, code);
	put16(w, (uint16_t)len);
	put(w, body, len);
}

/* put_ia_na() - append an IA_NA (T1 = T2 = 0: the server decides) with an
 * optional IAADDR
 */
static void put_ia_na(struct writer *w, const struct dhcp6_out *o)
{
	put16(w, DHCP6_OPT_IA_NA);
	put16(w, (uint16_t)(IA_NA_FIXED_LEN + (o->have_addr ? DHCP6_OPT_HDR_LEN + IAADDR_FIXED_LEN : 0)));
	put32(w, o->iaid);
	put32(w, 0);
	put32(w, 0);
	if (o->have_addr) {
		put16(w, DHCP6_OPT_IAADDR);
		put16(w, IAADDR_FIXED_LEN);
		put(w, &o->addr, 16);
		put32(w, o->pref);
		put32(w, o->valid);
	}
}

/* dhcp6_build() - write the client message @o into @buf; returns its
 * length, or 0 if it does not fit @cap.  Options: Client Identifier, Server
 * Identifier (if given), Elapsed Time, Option Request (DNS servers, domain
 * list, and the information refresh time if asked), IA_NA (if asked).
 */
size_t dhcp6_build(const struct dhcp6_out *o, uint8_t *buf, size_t cap)
{
	struct writer w = { .p = buf, .cap = cap };
	uint8_t oro[6] = { 0, DHCP6_OPT_DNS_SERVERS, 0, DHCP6_OPT_DOMAIN_LIST,
			   0, DHCP6_OPT_INFO_REFRESH_TIME };
	uint8_t hdr[4] = { o->type, (uint8_t)(o->xid >> 16), (uint8_t)(o->xid >> 8),
			   (uint8_t)o->xid };
	uint8_t el[2] = { (uint8_t)(o->elapsed >> 8), (uint8_t)o->elapsed };

	put(&w, hdr, sizeof(hdr));
	put_opt(&w, DHCP6_OPT_CLIENTID, o->client_id, o->client_id_len);
	if (o->server_id)
		put_opt(&w, DHCP6_OPT_SERVERID, o->server_id, o->server_id_len);
	put_opt(&w, DHCP6_OPT_ELAPSED_TIME, el, sizeof(el));
	if (o->type != DHCP6_RELEASE && o->type != DHCP6_DECLINE)
		put_opt(&w, DHCP6_OPT_ORO, oro, o->want_refresh ? 6 : 4);
	if (o->ia_na)
		put_ia_na(&w, o);
	return w.full ? 0 : w.off;
}

/* dhcp6_duid_ll() - DUID-LL (RFC 8415 11.4) of an Ethernet MAC; returns
 * its length.  It depends on the MAC only, so it is the same on every run.
 */
size_t dhcp6_duid_ll(const uint8_t mac[6], uint8_t out[DHCP6_DUID_LL_LEN])
{
	out[0] = 0;
	out[1] = 3;             /* DUID-LL */
	out[2] = 0;
	out[3] = 1;             /* hardware type: Ethernet */
	memcpy(out + 4, mac, 6);
	return DHCP6_DUID_LL_LEN;
}

/* dhcp6_duid_str() - @duid as colon-separated hex in @out ("..." when cut) */
const char *dhcp6_duid_str(const uint8_t *duid, size_t len, char *out, size_t outlen)
{
	size_t off = 0;

	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (off + 3 + 4 > outlen) {
			if (off + 4 <= outlen)
				memcpy(out + off, "...", 4);
			break;
		}
		off += (size_t)snprintf(out + off, outlen - off, "%s%02x", i ? ":" : "", duid[i]);
	}
	return out;
}

/* dhcp6_type_name() - the message type as a word, for logs */
const char *dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		[DHCP6_SOLICIT] = "Solicit", [DHCP6_ADVERTISE] = "Advertise",
		[DHCP6_REQUEST] = "Request", [DHCP6_CONFIRM] = "Confirm",
		[DHCP6_RENEW] = "Renew", [DHCP6_REBIND] = "Rebind",
		[DHCP6_REPLY] = "Reply", [DHCP6_RELEASE] = "Release",
		[DHCP6_DECLINE] = "Decline", [DHCP6_RECONFIGURE] = "Reconfigure",
		[DHCP6_INFO_REQUEST] = "Information-request",
		[DHCP6_RELAY_FORW] = "Relay-forward", [DHCP6_RELAY_REPL] = "Relay-reply",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

/* dhcp6_status_name() - a status code as its RFC name, for logs */
const char *dhcp6_status_name(uint16_t code)
{
	static const char *const names[] = {
		"Success", "UnspecFail", "NoAddrsAvail", "NoBinding",
		"NotOnLink", "UseMulticast",
	};

	if (code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "unknown status";
}
