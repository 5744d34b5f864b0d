/* options.c - parse lwipd's options from argv, a config file or one line
 *
 * The vocabulary is the Hurd pfinet/lwip translator's: -i NAME starts an
 * interface and the address options after it apply to it.  One table
 * describes every option; the same parser serves the command line, --config
 * files (one option per line, leading dashes optional, # comments) and
 * single lines written to the filesystem's `options` file.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link_spec.h"
#include "options.h"
#include "v6opts.h"

enum opt_id {
	O_IFACE, O_ADDR, O_MASK, O_GW, O_ADDR6, O_DHCP, O_NO_SLAAC, O_MAC,
	O_PROMISC, O_DNS, O_MOUNT, O_CONFIG, O_PCAP, O_VERBOSE, O_HELP,
	O_VERSION, O_NO_DHCP, O_DEL_ADDR, O_DEL_ADDR6, O_DEL_GW, O_DOWN, O_UP,
	O_NO_FS, O_V6GEN, O_SECRET, O_DHCP6, O_NO_DHCP6, O_LIMIT, O_USER, O_IMPAIR,
};

struct opt_def {
	enum opt_id id;
	char short_name;        /* 0 if none */
	const char *long_name;
	const char *arg;        /* NULL if the option takes no argument */
	bool per_iface;         /* needs a preceding -i */
	const char *help;
};

static const struct opt_def opts[] = {
	{ O_IFACE,   'i', "interface", "LINK", false, "link to use (see Links below); later address options apply to it" },
	{ O_ADDR,    'a', "address",   "ADDR[/LEN]", true, "static IPv4 address" },
	{ O_MASK,    'm', "netmask",   "MASK", true, "IPv4 netmask (default: by address class)" },
	{ O_GW,      'g', "gateway",   "ADDR", true, "IPv4 default gateway" },
	{ O_ADDR6,   'A', "address6",  "ADDR/64", true, "static IPv6 address (repeatable; /64 only)" },
	{ O_DHCP,    0,   "dhcp",      NULL,   true, "get the IPv4 address by DHCP" },
	{ O_NO_SLAAC, 0,  "no-slaac",  NULL,   true, "ignore prefixes in router advertisements" },
	{ O_MAC,     0,   "mac",       "MAC",  true, "MAC address (default: derived from name and uid)" },
	{ O_PROMISC, 0,   "promisc-multicast", NULL, true, "accept every multicast frame (no MAC filter)" },
	{ O_NO_DHCP, 0,   "no-dhcp",   NULL,   true, "stop DHCP (release the lease)" },
	{ O_DHCP6,   0,   "dhcp6",     NULL,   true, "use DHCPv6 when router advertisements ask (M: address, O: DNS; default)" },
	{ O_NO_DHCP6, 0,  "no-dhcp6",  NULL,   true, "never use DHCPv6 (release the lease)" },
	{ O_DEL_ADDR, 0,  "del-address", NULL, true, "remove the static IPv4 address" },
	{ O_DEL_ADDR6, 0, "del-address6", "ADDR", true, "remove a static IPv6 address" },
	{ O_DEL_GW,  0,   "del-gateway", NULL, true, "remove the IPv4 gateway" },
	{ O_DOWN,    0,   "down",      NULL,   true, "take the interface down (addresses kept)" },
	{ O_UP,      0,   "up",        NULL,   true, "bring the interface up again" },
	{ O_V6GEN,   0,   "addr-gen",  "MODE", true, "SLAAC identifiers: eui64 (default) or stable-privacy (RFC 7217)" },
	{ O_V6GEN,   0,   "temporary", NULL,   true, "also make temporary addresses (RFC 8981); alias --temp-addr" },
	{ O_V6GEN,   0,   "temp-addr", NULL,   true, "same as --temporary" },
	{ O_V6GEN,   0,   "no-temporary", NULL, true, "stop making temporary addresses" },
	{ O_V6GEN,   0,   "temp-preferred-lifetime", "SECONDS", true, "temporary addresses' preferred lifetime (default 86400)" },
	{ O_V6GEN,   0,   "temp-valid-lifetime", "SECONDS", true, "temporary addresses' valid lifetime (default 172800)" },
	{ O_SECRET,  0,   "secret-file", "FILE", false, "stable-privacy key (default $XDG_STATE_HOME/lwipd/secret)" },
	{ O_IMPAIR,  0,   "impair",    "SPEC", true, "impair the link both ways: loss=5%,dup=1%,reorder=2%,delay=10ms,corrupt=0.1%[,seed=N] or off" },
	{ O_DNS,     0,   "dns",       "ADDR", false, "DNS server (repeatable)" },
	{ O_MOUNT,   0,   "mount",     "DIR",  false, "socket directory (default $XDG_RUNTIME_DIR/lwipd)" },
	{ O_CONFIG,  0,   "config",    "FILE", false, "read options from FILE, one per line" },
	{ O_PCAP,    0,   "pcap",      "FILE", false, "write every frame in and out to FILE" },
	{ O_NO_FS,   0,   "no-fs",     NULL,   false, "plain directory, no FUSE filesystem" },
	{ O_LIMIT,   0,   "limit",     "NAME=VALUE", false, "change a limit (repeatable): sockets-per-client, sockets, buffer, backlog, messages-per-second" },
	{ O_USER,    0,   "user",      "USER", false, "started as root: run as USER once the TAP is open and the filesystem mounted" },
	{ O_VERBOSE, 'v', "verbose",   NULL,   false, "log more (repeat for debug)" },
	{ O_HELP,    'h', "help",      NULL,   false, "show this help" },
	{ O_VERSION, 'V', "version",   NULL,   false, "show the version" },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

struct parser {
	struct config *c;
	struct iface_config *cur;       /* interface of the last -i */
	int depth;                      /* --config nesting */
	char *err;
	size_t errlen;
};

static int parse_fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* parse_fail() - store an error message for the caller; returns OPT_ERROR */
static int parse_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return OPT_ERROR;
}

/* options_defaults() - an empty configuration with the default socket dir */
void options_defaults(struct config *c)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	memset(c, 0, sizeof(*c));
	limits_defaults(&c->limits);
	if (xdg && *xdg)
		snprintf(c->mount, sizeof(c->mount), "%s/lwipd", xdg);
	else
		snprintf(c->mount, sizeof(c->mount), "/tmp/lwipd-%u",
			 (unsigned)getuid());
}

/* find_opt() - the table entry for "-x" or "--long"; NULL if unknown */
static const struct opt_def *find_opt(const char *word)
{
	size_t i;

	if (word[0] != '-')
		return NULL;
	for (i = 0; i < N_OPTS; i++) {
		if (word[1] == '-' && !strcmp(word + 2, opts[i].long_name))
			return &opts[i];
		if (word[1] && word[1] != '-' && !word[2] &&
		    word[1] == opts[i].short_name)
			return &opts[i];
	}
	return NULL;
}

/* options_find_iface() - the interface named @name, or NULL */
struct iface_config *options_find_iface(struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->n_ifaces; i++)
		if (!strcmp(c->ifaces[i].name, name))
			return &c->ifaces[i];
	return NULL;
}

/* parse_prefix_len() - decimal prefix length in [0, max]; -1 if invalid */
static int parse_prefix_len(const char *s, int max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	return (int)v;
}

/* classful_mask() - the pfinet default netmask for an address without one */
static struct in_addr classful_mask(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	struct in_addr m;

	if ((h >> 31) == 0)
		m.s_addr = htonl(0xff000000u);
	else if ((h >> 30) == 2)
		m.s_addr = htonl(0xffff0000u);
	else
		m.s_addr = htonl(0xffffff00u);
	return m;
}

/* mask_from_len() - netmask with @len leading one bits */
static struct in_addr mask_from_len(int len)
{
	struct in_addr m;

	m.s_addr = len ? htonl(0xffffffffu << (32 - len)) : 0;
	return m;
}

/* mask_is_contiguous() - true if @m is ones followed by zeros */
static bool mask_is_contiguous(struct in_addr m)
{
	uint32_t h = ntohl(m.s_addr);

	return (h | (h - 1)) == 0xffffffffu || h == 0;
}

/* parse_mac() - "aa:bb:cc:dd:ee:ff" into @mac; false if malformed */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &tail) != 6 || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

/* opt_address() - -a ADDR[/LEN] on the current interface */
static int opt_address(struct parser *p, const char *arg)
{
	char buf[INET_ADDRSTRLEN + 4];
	char *slash;
	int len = -1;

	if (strlen(arg) >= sizeof(buf))
		return parse_fail(p, "-a %s: not an IPv4 address", arg);
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		len = parse_prefix_len(slash + 1, 32);
		if (len < 0)
			return parse_fail(p, "-a %s: bad prefix length", arg);
	}
	if (inet_pton(AF_INET, buf, &p->cur->addr) != 1)
		return parse_fail(p, "-a %s: not an IPv4 address", arg);
	p->cur->have_addr = true;
	p->cur->mask = len >= 0 ? mask_from_len(len) : classful_mask(p->cur->addr);
	return OPT_OK;
}

/* opt_address6() - -A ADDR/64 on the current interface */
static int opt_address6(struct parser *p, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 4];
	struct addr6_config a;
	char *slash;
	int i;

	if (strlen(arg) >= sizeof(buf))
		return parse_fail(p, "-A %s: not an IPv6 address", arg);
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET6, buf, &a.addr) != 1)
		return parse_fail(p, "-A %s: not an IPv6 address", arg);
	a.plen = slash ? parse_prefix_len(slash + 1, 128) : 64;
	if (a.plen < 0)
		return parse_fail(p, "-A %s: bad prefix length", arg);
	if (a.plen != 64)
		return parse_fail(p, "-A %s: lwIP supports /64 prefixes only", arg);
	if (IN6_IS_ADDR_MULTICAST(&a.addr) || IN6_IS_ADDR_UNSPECIFIED(&a.addr) ||
	    IN6_IS_ADDR_LOOPBACK(&a.addr) || IN6_IS_ADDR_V4MAPPED(&a.addr))
		return parse_fail(p, "-A %s: not a unicast address", arg);
	for (i = 0; i < p->cur->n_addr6; i++)
		if (!memcmp(&p->cur->addr6[i].addr, &a.addr, sizeof(a.addr)))
			return OPT_OK;
	if (p->cur->n_addr6 >= MAX_ADDR6)
		return parse_fail(p, "-A %s: at most %d IPv6 addresses per interface",
				  arg, MAX_ADDR6);
	p->cur->addr6[p->cur->n_addr6++] = a;
	return OPT_OK;
}

/* opt_del_address6() - --del-address6 ADDR[/64]: drop it from the list */
static int opt_del_address6(struct parser *p, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 4];
	struct in6_addr a;
	int i;

	snprintf(buf, sizeof(buf), "%s", arg);
	buf[strcspn(buf, "/")] = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1)
		return parse_fail(p, "--del-address6 %s: not an IPv6 address", arg);
	for (i = 0; i < p->cur->n_addr6; i++)
		if (!memcmp(&p->cur->addr6[i].addr, &a, sizeof(a)))
			break;
	if (i == p->cur->n_addr6)
		return parse_fail(p, "--del-address6 %s: no such address on %s", arg,
				  p->cur->name);
	memmove(&p->cur->addr6[i], &p->cur->addr6[i + 1],
		sizeof(p->cur->addr6[0]) * (size_t)(p->cur->n_addr6 - i - 1));
	p->cur->n_addr6--;
	return OPT_OK;
}

/* opt_dns() - --dns ADDR, either family */
static int opt_dns(struct parser *p, const char *arg)
{
	struct dns_config d;

	if (inet_pton(AF_INET, arg, &d.u.v4) == 1)
		d.family = AF_INET;
	else if (inet_pton(AF_INET6, arg, &d.u.v6) == 1)
		d.family = AF_INET6;
	else
		return parse_fail(p, "--dns %s: not an IP address", arg);
	if (p->c->n_dns >= MAX_DNS)
		return parse_fail(p, "--dns %s: at most %d DNS servers", arg, MAX_DNS);
	p->c->dns[p->c->n_dns++] = d;
	return OPT_OK;
}

/* opt_iface() - -i WORD: select (creating if new) the current interface;
 * WORD is a TAP name or KIND:ARG (link_spec.c), kept in canonical form
 */
static int opt_iface(struct parser *p, const char *arg)
{
	struct iface_config *ifc;
	struct link_spec spec;
	char name[LINK_NAME_MAX];

	if (link_spec_parse(arg, &spec, name, sizeof(name), p->err, p->errlen))
		return OPT_ERROR;
	ifc = options_find_iface(p->c, name);
	if (!ifc) {
		if (p->c->n_ifaces >= MAX_IFACES)
			return parse_fail(p, "-i %s: at most %d interfaces", arg, MAX_IFACES);
		ifc = &p->c->ifaces[p->c->n_ifaces++];
		memset(ifc, 0, sizeof(*ifc));
		strcpy(ifc->name, name);
		ifc->slaac = true;
		ifc->dhcp6 = true;
	}
	p->cur = ifc;
	return OPT_OK;
}

/* opt_impair() - --impair SPEC on the current interface (impairspec.c) */
static int opt_impair(struct parser *p, const char *arg)
{
	char why[256];

	if (impair_spec_parse(arg, &p->cur->impair, why, sizeof(why)))
		return parse_fail(p, "--impair %s: %s", arg, why);
	return OPT_OK;
}

/* copy_path() - store a path option, refusing empty or too long ones */
static int copy_path(struct parser *p, char *dst, size_t len,
		     const char *name, const char *arg)
{
	if (!*arg || strlen(arg) >= len)
		return parse_fail(p, "--%s: path empty or too long", name);
	strcpy(dst, arg);
	return OPT_OK;
}

static int parse_file(struct parser *p, const char *path);

/* apply_opt() - act on one option with its argument (NULL if none) */
static int apply_opt(struct parser *p, const struct opt_def *o, const char *arg)
{
	struct in_addr a;

	if (o->per_iface && !p->cur)
		return parse_fail(p, "--%s needs an interface: put -i NAME before it",
				  o->long_name);
	switch (o->id) {
	case O_IFACE:   return opt_iface(p, arg);
	case O_ADDR:    return opt_address(p, arg);
	case O_ADDR6:   return opt_address6(p, arg);
	case O_DNS:     return opt_dns(p, arg);
	case O_MASK:
		if (inet_pton(AF_INET, arg, &a) != 1 || !mask_is_contiguous(a))
			return parse_fail(p, "-m %s: not a netmask", arg);
		p->cur->mask = a;
		return OPT_OK;
	case O_GW:
		if (inet_pton(AF_INET, arg, &a) != 1)
			return parse_fail(p, "-g %s: not an IPv4 address", arg);
		p->cur->gw = a;
		p->cur->have_gw = true;
		return OPT_OK;
	case O_MAC:
		if (!parse_mac(arg, p->cur->mac))
			return parse_fail(p, "--mac %s: not a MAC address (aa:bb:cc:dd:ee:ff)", arg);
		if (p->cur->mac[0] & 1)
			return parse_fail(p, "--mac %s: a multicast MAC cannot be an interface's", arg);
		p->cur->have_mac = true;
		return OPT_OK;
	case O_DHCP:    p->cur->dhcp = true; return OPT_OK;
	case O_NO_DHCP: p->cur->dhcp = false; return OPT_OK;
	case O_DHCP6:   p->cur->dhcp6 = true; return OPT_OK;
	case O_NO_DHCP6: p->cur->dhcp6 = false; return OPT_OK;
	case O_DEL_ADDR: p->cur->have_addr = false; p->cur->have_gw = false; return OPT_OK;
	case O_DEL_GW:  p->cur->have_gw = false; return OPT_OK;
	case O_DEL_ADDR6: return opt_del_address6(p, arg);
	case O_IMPAIR:  return opt_impair(p, arg);
	case O_DOWN:    p->cur->down = true; return OPT_OK;
	case O_UP:      p->cur->down = false; return OPT_OK;
	case O_NO_FS:   p->c->no_fs = true; return OPT_OK;
	case O_LIMIT:   return limits_parse(&p->c->limits, arg, p->err, p->errlen) ? OPT_ERROR : OPT_OK;
	case O_USER:
		if (!*arg || strlen(arg) >= sizeof(p->c->user) || strpbrk(arg, " \t:/"))
			return parse_fail(p, "--user %s: not a user name", arg);
		strcpy(p->c->user, arg);
		return OPT_OK;
	case O_NO_SLAAC: p->cur->slaac = false; return OPT_OK;
	case O_PROMISC: p->cur->promisc_multicast = true; return OPT_OK;
	case O_MOUNT:   return copy_path(p, p->c->mount, sizeof(p->c->mount), "mount", arg);
	case O_PCAP:    return copy_path(p, p->c->pcap, sizeof(p->c->pcap), "pcap", arg);
	case O_V6GEN:   return v6opts_parse(p->cur, o->long_name, arg, p->err, p->errlen);
	case O_SECRET:  return copy_path(p, p->c->secret_file, sizeof(p->c->secret_file),
					 "secret-file", arg);
	case O_CONFIG:
		if (p->depth > 0)
			return parse_fail(p, "--config %s: config files cannot include others", arg);
		if (copy_path(p, p->c->config_file, sizeof(p->c->config_file), "config", arg))
			return OPT_ERROR;
		return parse_file(p, arg);
	case O_VERBOSE: p->c->verbose++; return OPT_OK;
	case O_HELP:    p->c->help = true; return OPT_OK;
	case O_VERSION: p->c->version = true; return OPT_OK;
	}
	return parse_fail(p, "internal: unhandled option");
}

/* parse_words() - parse an argv-style word list into p->c
 * Accepts "-x VAL", "--long VAL" and "--long=VAL".
 */
static int parse_words(struct parser *p, int n, char *const w[])
{
	for (int i = 0; i < n; i++) {
		const char *word = w[i], *arg = NULL;
		char name[64];
		const struct opt_def *o;
		const char *eq = NULL;

		if (!strncmp(word, "--", 2))
			eq = strchr(word, '=');
		if (eq && (size_t)(eq - word) < sizeof(name)) {
			memcpy(name, word, (size_t)(eq - word));
			name[eq - word] = '\0';
			o = find_opt(name);
			arg = eq + 1;
		} else {
			o = find_opt(word);
		}
		if (!o)
			return parse_fail(p, "%s: unknown option (see --help)", word);
		if (o->arg && !arg) {
			if (i + 1 >= n)
				return parse_fail(p, "%s: needs an argument %s", word, o->arg);
			arg = w[++i];
		} else if (!o->arg && arg) {
			return parse_fail(p, "%s: takes no argument", word);
		}
		if (apply_opt(p, o, arg))
			return OPT_ERROR;
	}
	return OPT_OK;
}

/* split_line() - cut @line (modified) into words; "#" starts a comment.
 * A first word without a leading dash gets "--" put in front (written to
 * @first, which must hold MAX_CONFIG_LINE + 2 bytes).  Returns the word
 * count, or -1 if there are too many.
 */
static int split_line(char *line, char *w[MAX_CONFIG_ARGS], char *first)
{
	char *save = NULL, *tok;
	int n = 0;

	line[strcspn(line, "#\r\n")] = '\0';
	for (tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_CONFIG_ARGS)
			return -1;
		w[n++] = tok;
	}
	if (n && w[0][0] != '-') {
		snprintf(first, MAX_CONFIG_LINE + 2, "--%s", w[0]);
		w[0] = first;
	}
	return n;
}

/* parse_one_line() - parse one config line in the parser's context */
static int parse_one_line(struct parser *p, const char *text)
{
	char line[MAX_CONFIG_LINE + 1], first[MAX_CONFIG_LINE + 2];
	char *w[MAX_CONFIG_ARGS];
	int n;

	if (strlen(text) > MAX_CONFIG_LINE)
		return parse_fail(p, "line longer than %d characters", MAX_CONFIG_LINE);
	strcpy(line, text);
	n = split_line(line, w, first);
	if (n < 0)
		return parse_fail(p, "more than %d words on one line", MAX_CONFIG_ARGS);
	return parse_words(p, n, w);
}

/* parse_file() - parse a config file line by line; errors name file:line */
static int parse_file(struct parser *p, const char *path)
{
	char line[MAX_CONFIG_LINE + 2];
	FILE *f = fopen(path, "re");
	int lineno = 0, rc = OPT_OK;

	if (!f)
		return parse_fail(p, "--config %s: %s", path, strerror(errno));
	p->depth++;
	while (rc == OPT_OK && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = parse_fail(p, "line longer than %d characters", MAX_CONFIG_LINE);
		} else {
			rc = parse_one_line(p, line);
		}
		if (rc) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", p->err);
			parse_fail(p, "%s:%d: %s", path, lineno, msg);
		}
	}
	p->depth--;
	fclose(f);
	return rc;
}

/* check_config() - whole-configuration checks once everything is parsed */
static int check_config(struct parser *p)
{
	for (int i = 0; i < p->c->n_ifaces; i++) {
		struct iface_config *ifc = &p->c->ifaces[i];

		if (ifc->have_gw && !ifc->have_addr && !ifc->dhcp)
			return parse_fail(p, "-i %s: -g needs -a or --dhcp on the same interface",
					  ifc->name);
	}
	return OPT_OK;
}

/* options_parse() - parse the command line (without argv[0]) into @c,
 * which must already hold options_defaults().  On error, @err says which
 * option and why.
 */
int options_parse(struct config *c, int argc, char *const argv[],
		  char *err, size_t errlen)
{
	struct parser p = { .c = c, .err = err, .errlen = errlen };

	if (parse_words(&p, argc, argv))
		return OPT_ERROR;
	if (!c->help && !c->version && c->n_ifaces == 0)
		return parse_fail(&p, "no interface: give -i NAME (see --help)");
	return check_config(&p);
}

/* options_parse_file() - parse a config file into @c (for SIGHUP) */
int options_parse_file(struct config *c, const char *path,
		       char *err, size_t errlen)
{
	struct parser p = { .c = c, .err = err, .errlen = errlen };

	if (parse_file(&p, path))
		return OPT_ERROR;
	return check_config(&p);
}

/* absolute() - @path made absolute against the working directory, into
 * @buf, by the name only (nothing is looked up) */
static void absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%s/%s", cwd, path);
}

/* in_mount() - is @path inside directory @mount?  By the names only:
 * looking at a file in the mount would ask lwipd's own filesystem, whose
 * thread is waiting for the line being applied (a deadlock) */
static bool in_mount(const char *path, const char *mount)
{
	char a[PATH_MAX + 8], m[PATH_MAX + 8];
	size_t n;

	absolute(path, a, sizeof(a));
	absolute(mount, m, sizeof(m));
	n = strlen(m);
	while (n > 1 && m[n - 1] == '/')
		m[--n] = '\0';
	return !strncmp(a, m, n) && (a[n] == '/' || a[n] == '\0');
}

/* mount_paths_ok() - a line written to `options` may name no file inside
 * the mount @mount: the secret file, a stream or passt socket */
static int mount_paths_ok(struct parser *p, const char *mount)
{
	if (p->c->secret_file[0] && in_mount(p->c->secret_file, mount))
		return parse_fail(p, "--secret-file %s: inside lwipd's own filesystem",
				  p->c->secret_file);
	for (int k = 0; k < p->c->n_ifaces; k++) {
		struct link_spec spec;
		char name[LINK_NAME_MAX], why[64];

		if (!link_spec_parse(p->c->ifaces[k].name, &spec, name, sizeof(name),
				     why, sizeof(why)) &&
		    spec.kind != LINK_TAP && spec.kind != LINK_TAPNS &&
		    in_mount(spec.arg, mount))
			return parse_fail(p, "-i %s: inside lwipd's own filesystem",
					  p->c->ifaces[k].name);
	}
	return OPT_OK;
}

/* options_parse_line() - parse one line of options into @c; address options
 * before any -i apply to the first interface.  --config is refused, and
 * so are files inside the mount (mount_paths_ok()).
 */
int options_parse_line(struct config *c, const char *line,
		       char *err, size_t errlen)
{
	struct parser p = { .c = c, .err = err, .errlen = errlen, .depth = 1 };
	char mount[sizeof(c->mount)];

	memcpy(mount, c->mount, sizeof(mount));
	if (c->n_ifaces > 0)
		p.cur = &c->ifaces[0];
	if (parse_one_line(&p, line) || mount_paths_ok(&p, mount))
		return OPT_ERROR;
	return check_config(&p);
}

/* append() - snprintf onto @buf at *@off, never past @len */
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/* mask_len() - prefix length of a contiguous netmask */
static int mask_len(struct in_addr m)
{
	return __builtin_popcount(ntohl(m.s_addr));
}

/* format_iface() - one interface's options in command-line form */
static void format_iface(const struct iface_config *ifc, char *buf,
			 size_t len, size_t *off)
{
	char a[INET6_ADDRSTRLEN], v6[160];

	append(buf, len, off, " -i %s", ifc->name);
	if (ifc->have_mac)
		append(buf, len, off, " --mac %02x:%02x:%02x:%02x:%02x:%02x",
		       ifc->mac[0], ifc->mac[1], ifc->mac[2], ifc->mac[3],
		       ifc->mac[4], ifc->mac[5]);
	if (ifc->have_addr)
		append(buf, len, off, " -a %s/%d",
		       inet_ntop(AF_INET, &ifc->addr, a, sizeof(a)), mask_len(ifc->mask));
	if (ifc->have_gw)
		append(buf, len, off, " -g %s", inet_ntop(AF_INET, &ifc->gw, a, sizeof(a)));
	if (ifc->dhcp)
		append(buf, len, off, " --dhcp");
	if (!ifc->slaac)
		append(buf, len, off, " --no-slaac");
	if (!ifc->dhcp6)
		append(buf, len, off, " --no-dhcp6");
	if (ifc->promisc_multicast)
		append(buf, len, off, " --promisc-multicast");
	if (ifc->down)
		append(buf, len, off, " --down");
	if (impair_spec_on(&ifc->impair)) {
		char spec[IMPAIR_SPEC_LEN];

		impair_spec_format(&ifc->impair, spec, sizeof(spec));
		append(buf, len, off, " --impair %s", spec);
	}
	for (int i = 0; i < ifc->n_addr6; i++)
		append(buf, len, off, " -A %s/%d",
		       inet_ntop(AF_INET6, &ifc->addr6[i].addr, a, sizeof(a)),
		       ifc->addr6[i].plen);
	v6opts_format(ifc, v6, sizeof(v6));
	append(buf, len, off, "%s", v6);
}

/* options_format() - @c in command-line form, one line ending in "\n";
 * returns the length it needed (like snprintf).
 */
size_t options_format(const struct config *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < c->n_ifaces; i++)
		format_iface(&c->ifaces[i], buf, len, &off);
	for (int i = 0; i < c->n_dns; i++)
		append(buf, len, &off, " --dns %s",
		       inet_ntop(c->dns[i].family, &c->dns[i].u, a, sizeof(a)));
	append(buf, len, &off, " --mount %s", c->mount);
	if (c->config_file[0])
		append(buf, len, &off, " --config %s", c->config_file);
	if (c->pcap[0])
		append(buf, len, &off, " --pcap %s", c->pcap);
	if (c->no_fs)
		append(buf, len, &off, " --no-fs");
	if (c->secret_file[0])
		append(buf, len, &off, " --secret-file %s", c->secret_file);
	if (c->user[0])
		append(buf, len, &off, " --user %s", c->user);
	{
		char lim[LIM_COUNT * 48];

		limits_format(&c->limits, lim, sizeof(lim));
		append(buf, len, &off, "%s", lim);
	}
	for (int i = 0; i < c->verbose; i++)
		append(buf, len, &off, " -v");
	append(buf, len, &off, "\n");
	if (len && off > 0 && buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
	return off ? off - 1 : 0;
}

/* options_usage() - the --help text */
void options_usage(FILE *f)
{
	fprintf(f, "Usage: lwipd -i LINK [interface options] [-i LINK ...] [options]\n"
		"A user-space TCP/IP stack (lwIP) on a TAP device, passt or a stream\n"
		"socket, serving IPv4 and IPv6 to programs started with lwip-run.\n\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char left[48];

		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
			 opts[i].short_name ? "-" : "   ",
			 opts[i].short_name ? opts[i].short_name : ' ',
			 opts[i].short_name ? ", " : "",
			 opts[i].long_name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-30s %s\n", left, opts[i].help);
	}
	fprintf(f, "\nLimits and their defaults (--limit NAME=VALUE):\n ");
	{
		struct limits l;

		limits_defaults(&l);
		for (int i = 0; i < LIM_COUNT; i++)
			fprintf(f, " %s=%ld", limit_name((enum limit_id)i), l.v[i]);
	}
	fprintf(f, "\n");
	fprintf(f, "\nLinks (-i):\n"
		"  NAME, tap:NAME       an existing TAP; create one you may open once, as root:\n"
		"                       ip tuntap add dev tap0 mode tap user $USER && ip link set tap0 up\n"
		"  passt:PATH           a running passt's socket (`passt -f -s PATH`): no admin step\n"
		"  stream:PATH          connect to a QEMU-style stream socket (another lwipd, QEMU)\n"
		"  stream-listen:PATH   listen there for one such peer at a time\n"
		"  tap-ns               a TAP in a private user and network namespace (isolated)\n"
		"See lwipd(8).\n");
}
