/* lwip-proxy: configuration parser, see config.h and docs/proxy.md */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define MAX_WORDS	(PX_MAX_ACL_VALUES + 4)
#define MAX_TIME_MS	(7u * 24 * 3600 * 1000)	/* a week */

typedef int (*directive_fn)(struct config *c, int argc, char **argv,
			    char *err, size_t len);

/* fail() - Format an error message into @err.  Return: -1 */
__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* add_acl_value() - Add parsed values to ACL @name of type @t, creating
 * it if new.  Return: 0 or -1 with @err set */
static int add_acl(struct config *c, const char *name, enum acl_type t,
		   int argc, char **argv, char *err, size_t len)
{
	int i = config_find_acl(c, name), k;
	struct acl *a;

	if (strlen(name) >= sizeof(a->name))
		return fail(err, len, "ACL name too long: %s", name);
	if (i < 0) {
		if (c->nacls >= PX_MAX_ACLS)
			return fail(err, len, "too many ACLs (max %d)",
				    PX_MAX_ACLS);
		a = &c->acls[c->nacls++];
		memset(a, 0, sizeof(*a));
		strcpy(a->name, name);
		a->type = t;
	} else {
		a = &c->acls[i];
		if (a->type != t)
			return fail(err, len, "ACL %s redefined as %s (was %s)",
				    name, acl_type_name(t),
				    acl_type_name(a->type));
	}
	for (k = 0; k < argc; k++) {
		if (a->n >= PX_MAX_ACL_VALUES)
			return fail(err, len, "too many values in ACL %s (max %d)",
				    name, PX_MAX_ACL_VALUES);
		if (acl_value_parse(t, argv[k], &a->v[a->n]) < 0)
			return fail(err, len, "bad %s value for ACL %s: %s",
				    acl_type_name(t), name, argv[k]);
		a->n++;
	}
	return 0;
}

/* config_init() - Defaults (Squid's where it has them); allocates the
 * tables.  Return: 0, or -1 if memory ran out */
int config_init(struct config *c)
{
	char *v[2];
	char err[128];

	memset(c, 0, sizeof(*c));
	c->acls = calloc(PX_MAX_ACLS, sizeof(*c->acls));
	c->access = calloc(PX_MAX_RULES, sizeof(*c->access));
	c->outgoing = calloc(PX_MAX_RULES, sizeof(*c->outgoing));
	if (!c->acls || !c->access || !c->outgoing) {
		config_free(c);
		return -1;
	}
	c->dns_timeout_ms = 30000;
	c->he_connect_timeout_ms = 250;
	c->he_connect_gap_ms = -1;
	c->he_connect_limit = -1;
	c->connect_timeout_ms = 60000;
	c->forward_timeout_ms = 240000;
	c->read_timeout_ms = 900000;
	c->request_timeout_ms = 300000;
	c->client_idle_ms = 120000;
	c->server_idle_ms = 60000;
	c->max_connections = 1024;
	v[0] = "0.0.0.0/0";
	v[1] = "::/0";
	add_acl(c, "all", ACL_SRC, 2, v, err, sizeof(err));
	v[0] = "127.0.0.1/32";
	v[1] = "::1";
	add_acl(c, "localhost", ACL_SRC, 2, v, err, sizeof(err));
	v[0] = "127.0.0.0/8";
	v[1] = "::1";
	add_acl(c, "to_localhost", ACL_DST, 2, v, err, sizeof(err));
	return 0;
}

/* config_free() - Release the tables */
void config_free(struct config *c)
{
	free(c->acls);
	free(c->access);
	free(c->outgoing);
	c->acls = NULL;
	c->access = NULL;
	c->outgoing = NULL;
}

/* config_find_acl() - Index of the ACL called @name, or -1 */
int config_find_acl(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->nacls; i++)
		if (!strcmp(c->acls[i].name, name))
			return i;
	return -1;
}

/* parse_refs() - Parse "[!]aclname..." into @ref.  Return: count or -1 */
static int parse_refs(const struct config *c, int argc, char **argv,
		      struct acl_ref *ref, char *err, size_t len)
{
	int k;

	if (argc > PX_MAX_RULE_ACLS)
		return fail(err, len, "too many ACLs on one line (max %d)",
			    PX_MAX_RULE_ACLS);
	for (k = 0; k < argc; k++) {
		const char *n = argv[k];

		ref[k].neg = n[0] == '!';
		if (ref[k].neg)
			n++;
		if ((ref[k].acl = config_find_acl(c, n)) < 0)
			return fail(err, len, "unknown ACL: %s", n);
	}
	return argc;
}

/* parse_uint() - Parse a decimal integer in [lo, hi].  Return: 0 or -1 */
static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!*s || (!isdigit((unsigned char)*s) && *s != '-'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* config_parse_time() - Squid time value: a number and an optional unit
 * (default seconds): ms, msec, millisecond(s), s, sec, second(s), min,
 * minute(s), h, hour(s).  Return: 0 with *@ms set, or -1 */
int config_parse_time(const char *num, const char *unit, uint32_t *ms)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "ms", 1 }, { "msec", 1 }, { "millisecond", 1 },
		{ "milliseconds", 1 }, { "s", 1000 }, { "sec", 1000 },
		{ "second", 1000 }, { "seconds", 1000 }, { "min", 60000 },
		{ "minute", 60000 }, { "minutes", 60000 }, { "h", 3600000 },
		{ "hour", 3600000 }, { "hours", 3600000 },
	};
	double v, mul = 1000;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)*num))
		return -1;
	v = strtod(num, &end);
	if (*end || !isfinite(v))
		return -1;
	if (unit) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(unit, units[i].u))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		mul = units[i].mul;
	}
	v *= mul;
	if (v < 0 || v > MAX_TIME_MS)
		return -1;
	*ms = (uint32_t)(v + 0.5);
	return 0;
}

/* config_parse_listen() - "PORT", "IPv4:PORT" or "[IPv6]:PORT".
 * Return: 0 or -1 */
int config_parse_listen(const char *s, struct listen_addr *l)
{
	char host[64];
	const char *colon, *ps = s;
	long port;

	memset(l, 0, sizeof(*l));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		ps = rb + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if ((size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		ps = colon + 1;
	} else {
		l->any = true;
	}
	if (parse_int(ps, 1, 65535, &port) < 0)
		return -1;
	l->port = (uint16_t)port;
	if (l->any)
		return 0;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&l->addr;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(l->port);
		l->len = sizeof(*a);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&l->addr;

		a->sin_family = AF_INET;
		a->sin_port = htons(l->port);
		l->len = sizeof(*a);
		return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
	}
}

/* d_http_port() - http_port [ADDR:]PORT */
static int d_http_port(struct config *c, int argc, char **argv, char *err,
		       size_t len)
{
	if (argc != 1)
		return fail(err, len, "usage: http_port [ADDR:]PORT "
			    "(no options are supported)");
	if (c->nports >= PX_MAX_PORTS)
		return fail(err, len, "too many http_port lines (max %d)",
			    PX_MAX_PORTS);
	if (config_parse_listen(argv[0], &c->ports[c->nports]) < 0)
		return fail(err, len, "bad http_port: %s", argv[0]);
	c->nports++;
	return 0;
}

/* d_acl() - acl NAME TYPE VALUE... */
static int d_acl(struct config *c, int argc, char **argv, char *err,
		 size_t len)
{
	enum acl_type t;
	const char *p;

	if (argc < 3)
		return fail(err, len, "usage: acl NAME TYPE VALUE...");
	for (p = argv[0]; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return fail(err, len, "bad ACL name: %s", argv[0]);
	if (acl_type_parse(argv[1], &t) < 0)
		return fail(err, len, "unsupported ACL type: %s "
			    "(src, dst, port, method, dstdomain)", argv[1]);
	return add_acl(c, argv[0], t, argc - 2, argv + 2, err, len);
}

/* d_http_access() - http_access allow|deny [!]ACL... */
static int d_http_access(struct config *c, int argc, char **argv, char *err,
			 size_t len)
{
	struct access_rule *r;
	int n;

	if (argc < 1 || (strcmp(argv[0], "allow") && strcmp(argv[0], "deny")))
		return fail(err, len, "usage: http_access allow|deny [!]ACL...");
	if (c->naccess >= PX_MAX_RULES)
		return fail(err, len, "too many http_access lines (max %d)",
			    PX_MAX_RULES);
	r = &c->access[c->naccess];
	memset(r, 0, sizeof(*r));
	r->allow = !strcmp(argv[0], "allow");
	if ((n = parse_refs(c, argc - 1, argv + 1, r->ref, err, len)) < 0)
		return -1;
	r->nref = n;
	c->naccess++;
	return 0;
}

/* d_outgoing() - tcp_outgoing_address ADDR [[!]ACL...] */
static int d_outgoing(struct config *c, int argc, char **argv, char *err,
		      size_t len)
{
	struct outgoing_rule *r;
	int n;

	if (argc < 1)
		return fail(err, len, "usage: tcp_outgoing_address ADDR [[!]ACL...]");
	if (c->noutgoing >= PX_MAX_RULES)
		return fail(err, len, "too many tcp_outgoing_address lines");
	r = &c->outgoing[c->noutgoing];
	memset(r, 0, sizeof(*r));
	if (inet_pton(AF_INET, argv[0],
		      &((struct sockaddr_in *)&r->addr)->sin_addr) == 1) {
		r->family = AF_INET;
		r->len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, argv[0],
			     &((struct sockaddr_in6 *)&r->addr)->sin6_addr) == 1) {
		r->family = AF_INET6;
		r->len = sizeof(struct sockaddr_in6);
	} else {
		return fail(err, len, "bad address: %s", argv[0]);
	}
	r->addr.ss_family = (sa_family_t)r->family;
	if ((n = parse_refs(c, argc - 1, argv + 1, r->ref, err, len)) < 0)
		return -1;
	r->nref = n;
	c->noutgoing++;
	return 0;
}

/* d_onoff() - on|off value.  Return: 0/1, or -1 with @err set */
static int onoff(int argc, char **argv, char *err, size_t len)
{
	if (argc == 1 && !strcmp(argv[0], "on"))
		return 1;
	if (argc == 1 && !strcmp(argv[0], "off"))
		return 0;
	return fail(err, len, "expected on or off");
}

/* d_dns_v4_first() - dns_v4_first on|off */
static int d_dns_v4_first(struct config *c, int argc, char **argv,
			  char *err, size_t len)
{
	int v = onoff(argc, argv, err, len);

	if (v < 0)
		return -1;
	c->dns_v4_first = v;
	return 0;
}

/* valid_nameserver() - "IPv4", "IPv4:PORT", "IPv6" or "[IPv6]:PORT" */
static bool valid_nameserver(const char *s)
{
	struct listen_addr l;
	unsigned char tmp[16];

	if (inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1)
		return true;
	return strchr(s, ':') && config_parse_listen(s, &l) == 0 && !l.any;
}

/* d_dns_nameservers() - dns_nameservers ADDR[:PORT]... (lines add up) */
static int d_dns_nameservers(struct config *c, int argc, char **argv,
			     char *err, size_t len)
{
	int k;

	if (argc < 1)
		return fail(err, len, "usage: dns_nameservers ADDR...");
	for (k = 0; k < argc; k++) {
		if (!valid_nameserver(argv[k]) ||
		    strlen(argv[k]) >= sizeof(c->nameservers[0]))
			return fail(err, len, "bad name server address: %s",
				    argv[k]);
		if (c->nnameservers >= PX_MAX_NAMESERVERS)
			return fail(err, len, "too many name servers (max %d)",
				    PX_MAX_NAMESERVERS);
		strcpy(c->nameservers[c->nnameservers++], argv[k]);
	}
	return 0;
}

/* time_directive() - Parse "N [unit]" into @ms; >0 unless @zero_ok */
static int time_value(int argc, char **argv, uint32_t *ms, bool zero_ok,
		      char *err, size_t len)
{
	uint32_t v;

	if (argc < 1 || argc > 2 ||
	    config_parse_time(argv[0], argc == 2 ? argv[1] : NULL, &v) < 0)
		return fail(err, len, "expected a time: N [ms|seconds|minutes|hours]");
	if (!v && !zero_ok)
		return fail(err, len, "time must be positive");
	*ms = v;
	return 0;
}

#define TIME_DIRECTIVE(fn, field)					\
static int fn(struct config *c, int argc, char **argv, char *err,	\
	      size_t len)						\
{									\
	return time_value(argc, argv, &c->field, false, err, len);	\
}

/* Each of these sets one timeout: see the table in config_parse_line() */
TIME_DIRECTIVE(d_dns_timeout, dns_timeout_ms)
TIME_DIRECTIVE(d_connect_timeout, connect_timeout_ms)
TIME_DIRECTIVE(d_forward_timeout, forward_timeout_ms)
TIME_DIRECTIVE(d_read_timeout, read_timeout_ms)
TIME_DIRECTIVE(d_request_timeout, request_timeout_ms)
TIME_DIRECTIVE(d_client_idle, client_idle_ms)
TIME_DIRECTIVE(d_server_idle, server_idle_ms)

/* d_he_timeout() - happy_eyeballs_connect_timeout MSEC (>= 10, RFC 8305) */
static int d_he_timeout(struct config *c, int argc, char **argv, char *err,
			size_t len)
{
	long v;

	if (argc != 1 || parse_int(argv[0], 0, MAX_TIME_MS, &v) < 0)
		return fail(err, len, "expected milliseconds");
	if (v < 10)
		return fail(err, len, "must be at least 10 ms (RFC 8305)");
	c->he_connect_timeout_ms = (uint32_t)v;
	return 0;
}

/* d_he_gap() - happy_eyeballs_connect_gap MSEC (-1: none) */
static int d_he_gap(struct config *c, int argc, char **argv, char *err,
		    size_t len)
{
	long v;

	if (argc != 1 || parse_int(argv[0], -1, MAX_TIME_MS, &v) < 0)
		return fail(err, len, "expected milliseconds or -1");
	c->he_connect_gap_ms = (int32_t)v;
	return 0;
}

/* d_he_limit() - happy_eyeballs_connect_limit N (-1: none, 0: strict) */
static int d_he_limit(struct config *c, int argc, char **argv, char *err,
		      size_t len)
{
	long v;

	if (argc != 1 || parse_int(argv[0], -1, 1000000, &v) < 0)
		return fail(err, len, "expected a count or -1");
	c->he_connect_limit = (int32_t)v;
	return 0;
}

/* d_access_log() - access_log none|PATH|stdio:PATH [squid] */
static int d_access_log(struct config *c, int argc, char **argv, char *err,
			size_t len)
{
	const char *p;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "squid")))
		return fail(err, len, "usage: access_log none|PATH [squid]");
	p = argv[0];
	if (!strcmp(p, "none")) {
		c->access_log[0] = '\0';
		return 0;
	}
	if (!strncmp(p, "stdio:", 6))
		p += 6;
	if (!*p || strlen(p) >= sizeof(c->access_log))
		return fail(err, len, "bad access_log path");
	strcpy(c->access_log, p);
	return 0;
}

/* d_max_connections() - max_connections N */
static int d_max_connections(struct config *c, int argc, char **argv,
			     char *err, size_t len)
{
	long v;

	if (argc != 1 || parse_int(argv[0], 1, 1000000, &v) < 0)
		return fail(err, len, "expected a count from 1 to 1000000");
	c->max_connections = (uint32_t)v;
	return 0;
}

/* d_visible_hostname() - visible_hostname NAME */
static int d_visible_hostname(struct config *c, int argc, char **argv,
			      char *err, size_t len)
{
	const char *p;

	if (argc != 1 || strlen(argv[0]) > PX_MAX_HOST)
		return fail(err, len, "usage: visible_hostname NAME");
	for (p = argv[0]; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return fail(err, len, "bad host name: %s", argv[0]);
	strcpy(c->visible_hostname, argv[0]);
	return 0;
}

/* d_connect_ports() - connect_ports PORT... (lwip-proxy extension) */
static int d_connect_ports(struct config *c, int argc, char **argv,
			   char *err, size_t len)
{
	int k;
	long v;

	if (argc < 1)
		return fail(err, len, "usage: connect_ports PORT...");
	if (!c->connect_ports_set)
		c->nconnect_ports = 0;
	c->connect_ports_set = true;
	for (k = 0; k < argc; k++) {
		if (parse_int(argv[k], 1, 65535, &v) < 0)
			return fail(err, len, "bad port: %s", argv[k]);
		if (c->nconnect_ports >= PX_MAX_CONNECT_PORTS)
			return fail(err, len, "too many ports (max %d)",
				    PX_MAX_CONNECT_PORTS);
		c->connect_ports[c->nconnect_ports++] = (uint16_t)v;
	}
	return 0;
}

static const struct {
	const char *name;
	directive_fn fn;
} directives[] = {
	{ "http_port", d_http_port },
	{ "acl", d_acl },
	{ "http_access", d_http_access },
	{ "tcp_outgoing_address", d_outgoing },
	{ "dns_v4_first", d_dns_v4_first },
	{ "dns_nameservers", d_dns_nameservers },
	{ "dns_timeout", d_dns_timeout },
	{ "happy_eyeballs_connect_timeout", d_he_timeout },
	{ "happy_eyeballs_connect_gap", d_he_gap },
	{ "happy_eyeballs_connect_limit", d_he_limit },
	{ "connect_timeout", d_connect_timeout },
	{ "forward_timeout", d_forward_timeout },
	{ "read_timeout", d_read_timeout },
	{ "request_timeout", d_request_timeout },
	{ "client_idle_pconn_timeout", d_client_idle },
	{ "server_idle_pconn_timeout", d_server_idle },
	{ "access_log", d_access_log },
	{ "max_connections", d_max_connections },
	{ "visible_hostname", d_visible_hostname },
	{ "connect_ports", d_connect_ports },
};

/* config_parse_line() - Parse one line (modified in place: split into
 * words, comment cut).  Blank and comment lines are fine.
 * Return: 0, or -1 with a message (no file:line) in @err */
int config_parse_line(struct config *c, char *line, char *err, size_t len)
{
	char *argv[MAX_WORDS], *p, *save = NULL;
	int argc = 0;
	size_t i;

	if ((p = strchr(line, '#')))
		*p = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p;
	     p = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc >= MAX_WORDS)
			return fail(err, len, "too many words on one line");
		argv[argc++] = p;
	}
	if (!argc)
		return 0;
	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (!strcmp(argv[0], directives[i].name))
			return directives[i].fn(c, argc - 1, argv + 1, err, len);
	return fail(err, len, "unknown directive: %s", argv[0]);
}

/* config_parse_text() - Parse a whole configuration held in @text; @name
 * is used in messages.  Return: 0, or -1 with "NAME:LINE: message" */
int config_parse_text(struct config *c, const char *name, const char *text,
		      char *err, size_t len)
{
	char line[PX_MAX_CONF_LINE + 2], msg[256];
	const char *p = text;
	int lineno = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (n > PX_MAX_CONF_LINE)
			return fail(err, len, "%s:%d: line too long (max %d)",
				    name, lineno, PX_MAX_CONF_LINE);
		memcpy(line, p, n);
		line[n] = '\0';
		if (memchr(p, '\0', n))
			return fail(err, len, "%s:%d: NUL byte", name, lineno);
		if (config_parse_line(c, line, msg, sizeof(msg)) < 0)
			return fail(err, len, "%s:%d: %s", name, lineno, msg);
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

/* config_load() - Read and parse file @path (at most 1 MiB).
 * Return: 0, or -1 with a message in @err */
int config_load(struct config *c, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int r;

	if (!f)
		return fail(err, len, "%s: %s", path, strerror(errno));
	text = malloc((1 << 20) + 1);
	if (!text) {
		fclose(f);
		return fail(err, len, "%s: out of memory", path);
	}
	n = fread(text, 1, 1 << 20, f);
	if (ferror(f) || !feof(f)) {
		fclose(f);
		free(text);
		return fail(err, len, "%s: read error or file over 1 MiB", path);
	}
	fclose(f);
	text[n] = '\0';
	if (strlen(text) != n) {
		free(text);
		return fail(err, len, "%s: NUL byte in file", path);
	}
	r = config_parse_text(c, path, text, err, len);
	free(text);
	return r;
}

/* config_finish() - Fill in what depends on the whole file: default
 * listening port, CONNECT ports, visible host name; check consistency.
 * Return: 0, or -1 with @err set */
int config_finish(struct config *c, char *err, size_t len)
{
	if (!c->nports) {
		c->ports[0].any = true;
		c->ports[0].port = 3128;
		c->nports = 1;
	}
	if (!c->connect_ports_set) {
		c->connect_ports[0] = 443;
		c->nconnect_ports = 1;
	}
	if (!c->visible_hostname[0] &&
	    (gethostname(c->visible_hostname, sizeof(c->visible_hostname)) ||
	     !c->visible_hostname[0]))
		strcpy(c->visible_hostname, "localhost");
	c->visible_hostname[sizeof(c->visible_hostname) - 1] = '\0';
	if (c->connect_timeout_ms > c->forward_timeout_ms)
		c->connect_timeout_ms = c->forward_timeout_ms;
	(void)err;
	(void)len;
	return 0;
}
