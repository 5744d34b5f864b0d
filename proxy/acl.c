/* lwip-proxy: access control lists, see acl.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

static const char *const type_names[] = {
	[ACL_SRC] = "src", [ACL_DST] = "dst", [ACL_PORT] = "port",
	[ACL_METHOD] = "method", [ACL_DSTDOMAIN] = "dstdomain",
};

/* acl_type_parse() - Map a type name to its enum.  Return: 0 or -1 */
int acl_type_parse(const char *s, enum acl_type *t)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(s, type_names[i])) {
			*t = (enum acl_type)i;
			return 0;
		}
	}
	return -1;
}

/* acl_type_name() - Name of an ACL type */
const char *acl_type_name(enum acl_type t)
{
	return type_names[t];
}

/* cidr_parse() - Parse "ADDR" or "ADDR/LEN" (IPv4 or IPv6); a bare
 * address is a host route.  Return: 0 or -1 */
int cidr_parse(const char *s, struct cidr *c)
{
	char tmp[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	if (alen >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, tmp, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, tmp, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	c->prefix = max;
	if (slash) {
		char *end;
		long p;

		if (!isdigit((unsigned char)slash[1]))
			return -1;
		p = strtol(slash + 1, &end, 10);
		if (*end || p < 0 || p > max)
			return -1;
		c->prefix = (int)p;
	}
	return 0;
}

/* prefix_eq() - Whether the first @bits bits of @a and @b are equal */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full))
		return false;
	if (!rest)
		return true;
	return !((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest)));
}

/* cidr_match() - Whether @sa falls in @c.  An IPv4-mapped IPv6 address
 * matches IPv4 networks (dual-stack listeners report IPv4 clients so). */
bool cidr_match(const struct cidr *c, const struct sockaddr *sa)
{
	const uint8_t *a;

	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)
				       (const void *)sa)->sin_addr;
		return c->family == AF_INET && prefix_eq(c->addr, a, c->prefix);
	}
	if (sa->sa_family != AF_INET6)
		return false;
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (c->family == AF_INET6)
		return prefix_eq(c->addr, a, c->prefix);
	return IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(const void *)a) &&
	       prefix_eq(c->addr, a + 12, c->prefix);
}

/* parse_port() - Parse a decimal port 1..65535.  Return: port or -1 */
static long parse_port(const char *s, char **end)
{
	long p;

	if (!isdigit((unsigned char)*s))
		return -1;
	p = strtol(s, end, 10);
	return p < 1 || p > 65535 ? -1 : p;
}

/* acl_value_parse() - Parse one value of an ACL of type @t.
 * Return: 0 or -1 */
int acl_value_parse(enum acl_type t, const char *s, union acl_value *v)
{
	char *end;
	long lo, hi;
	size_t i, n = strlen(s);

	memset(v, 0, sizeof(*v));
	switch (t) {
	case ACL_SRC:
	case ACL_DST:
		return cidr_parse(s, &v->net);
	case ACL_PORT:
		if ((lo = parse_port(s, &end)) < 0)
			return -1;
		hi = lo;
		if (*end == '-' && (hi = parse_port(end + 1, &end)) < lo)
			return -1;
		if (*end)
			return -1;
		v->port.lo = (uint16_t)lo;
		v->port.hi = (uint16_t)hi;
		return 0;
	case ACL_METHOD:
		if (!n || n > PX_MAX_METHOD)
			return -1;
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
				return -1;
		memcpy(v->str, s, n + 1);
		return 0;
	case ACL_DSTDOMAIN:
		if (!n || n > PX_MAX_HOST + 1)
			return -1;
		for (i = 0; i < n; i++) {
			if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
				return -1;
			v->str[i] = (char)tolower((unsigned char)s[i]);
		}
		return 0;
	}
	return -1;
}

/* domain_match() - dstdomain rule: ".example.com" matches example.com and
 * any name under it; "example.com" matches only itself */
static bool domain_match(const char *pat, const char *host)
{
	size_t pl = strlen(pat), hl = strlen(host);

	if (pat[0] != '.')
		return !strcmp(pat, host);
	if (hl == pl - 1 && !strcmp(pat + 1, host))
		return true;
	return hl > pl && !strcmp(host + hl - pl, pat);
}

/* value_match() - Whether one value of ACL type @t matches @x */
static bool value_match(enum acl_type t, const union acl_value *v,
			const struct acl_ctx *x)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	switch (t) {
	case ACL_SRC:
		return cidr_match(&v->net, x->src);
	case ACL_DST:
		if (x->host_family == AF_INET &&
		    inet_pton(AF_INET, x->host, &s4.sin_addr) == 1)
			return cidr_match(&v->net, (struct sockaddr *)&s4);
		if (x->host_family == AF_INET6 &&
		    inet_pton(AF_INET6, x->host, &s6.sin6_addr) == 1)
			return cidr_match(&v->net, (struct sockaddr *)&s6);
		return false;
	case ACL_PORT:
		return x->port >= v->port.lo && x->port <= v->port.hi;
	case ACL_METHOD:
		return x->method && !strcmp(v->str, x->method);
	case ACL_DSTDOMAIN:
		return x->host && domain_match(v->str, x->host);
	}
	return false;
}

/* acl_match() - Whether any value of @a matches the request @x */
bool acl_match(const struct acl *a, const struct acl_ctx *x)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (value_match(a->type, &a->v[i], x))
			return true;
	return false;
}
