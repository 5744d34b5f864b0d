/* resolve.c - name resolution through lwipd: getaddrinfo, freeaddrinfo,
 * getnameinfo and the gethostbyname family over c-ares
 *
 * glibc's own resolver calls internal socket functions no LD_PRELOAD
 * reaches, so without these hooks DNS would quietly use the host's stack.
 * Here numeric addresses, NULL hosts and "localhost" are answered locally;
 * other names go to c-ares (/etc/hosts, then DNS) with the nameservers
 * lwipd publishes in $LWIPD_SOCKET_DIR/resolv.conf.  c-ares opens its
 * sockets with socket(), which is our wrapper: the queries travel through
 * lwipd.  A channel is made per lookup (thread-safe, reads resolv.conf
 * fresh).  Our addrinfo chains are one malloc block each, remembered in a
 * small list so freeaddrinfo() can tell them from libc's.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shim.h"

#define MAX_ADDRS 64
#ifndef NI_NUMERICSCOPE
#define NI_NUMERICSCOPE 0       /* glibc has no such flag */
#endif

struct raddr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char a[16];
	uint32_t scope;
};

struct result {
	int status;             /* ARES_* */
	int n;
	struct raddr addrs[MAX_ADDRS];
	char canon[256];
	struct hostent *he;     /* gethostby*: copied by the caller */
	char *he_buf;
	size_t he_len;
	int he_err;             /* 0, ERANGE */
};

/* --- channels -------------------------------------------------------------- */

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_ok;

/* lib_init() - ares_library_init, once per process */
static void lib_init(void)
{
	ares_ok = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS;
}

/* read_servers() - the nameserver lines of DIR/resolv.conf as a
 * comma-separated list into @csv (empty if none or no file) */
static void read_servers(char *csv, size_t len)
{
	char dir[512], path[600], line[300];
	size_t used = 0;
	FILE *f;

	csv[0] = '\0';
	shim_socket_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *addr, *save;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "nameserver", 10) || !isspace((unsigned char)p[10]))
			continue;
		/* strtok_r: strtok's state is the program's (its own loop may
		 * be calling getaddrinfo) */
		addr = strtok_r(p + 10, " \t\r\n", &save);
		if (!addr || used + strlen(addr) + 2 > len)
			continue;
		used += (size_t)snprintf(csv + used, len - used, "%s%s", used ? "," : "", addr);
	}
	fclose(f);
}

/* make_channel() - a c-ares channel: /etc/hosts then lwipd's nameservers
 * (only /etc/hosts if lwipd published none), no search domains.
 * Returns an ARES_* status. */
static int make_channel(ares_channel *ch, bool *dns)
{
	struct ares_options o;
	char servers[1024];
	char lookups[3];
	int r;

	pthread_once(&ares_once, lib_init);
	if (!ares_ok)
		return ARES_ENOTINITIALIZED;
	read_servers(servers, sizeof(servers));
	memset(&o, 0, sizeof(o));
	strcpy(lookups, servers[0] ? "fb" : "f");
	if (dns)
		*dns = servers[0] != '\0';
	o.lookups = lookups;
	o.ndomains = 0;
	o.domains = NULL;
	o.timeout = 2000;
	o.tries = 3;
	o.nservers = 0;
	r = ares_init_options(ch, &o, ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS |
			      ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (r != ARES_SUCCESS)
		return r;
	if (servers[0] && (r = ares_set_servers_csv(*ch, servers)) != ARES_SUCCESS) {
		ares_destroy(*ch);
		return r;
	}
	return ARES_SUCCESS;
}

/* run_channel() - drive @ch until its queries finished */
static void run_channel(ares_channel ch)
{
	for (;;) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd p[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		/* unsigned: c-ares's ARES_GETSOCK_WRITABLE() shifts 1 into the
		 * sign bit of an int for the last socket (undefined) */
		unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		int n = 0, r;

		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			bool rd = bits & (1u << i);
			bool wr = bits & (1u << (i + ARES_GETSOCK_MAXNUM));

			if (!rd && !wr)
				continue;
			p[n].fd = socks[i];
			p[n].events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
			p[n].revents = 0;
			n++;
		}
		tvp = ares_timeout(ch, NULL, &tv);
		if (n == 0 && !tvp)
			return;
		r = poll(p, (nfds_t)n, tvp ? (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000) : 1000);
		if (r < 0 && errno != EINTR)
			return;
		if (r <= 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			ares_process_fd(ch,
					p[i].revents & (POLLIN | POLLERR | POLLHUP) ? p[i].fd : ARES_SOCKET_BAD,
					p[i].revents & (POLLOUT | POLLERR | POLLHUP) ? p[i].fd : ARES_SOCKET_BAD);
		}
	}
}

/* --- local answers --------------------------------------------------------- */

/* add_addr() - append one address to @r */
static void add_addr(struct result *r, int family, const void *a, uint32_t scope)
{
	if (r->n >= MAX_ADDRS)
		return;
	r->addrs[r->n].family = family;
	memset(r->addrs[r->n].a, 0, 16);
	memcpy(r->addrs[r->n].a, a, family == AF_INET ? 4 : 16);
	r->addrs[r->n].scope = scope;
	r->n++;
}

/* is_localhost() - "localhost" or "localhost." in any case */
static bool is_localhost(const char *name)
{
	return !strcasecmp(name, "localhost") || !strcasecmp(name, "localhost.");
}

/* numeric() - @name as an IPv4 (inet_aton forms, nothing after them, as
 * glibc's getaddrinfo) or IPv6 address with an optional %scope (a number
 * or an interface lwipd knows); true if it is one */
static bool numeric(const char *name, struct result *r)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct;
	uint32_t scope = 0;

	/* inet_aton() stops at white space: "1.2.3.4 x" is no address */
	if (!strpbrk(name, " \t\n\v\f\r") && inet_aton(name, &a4)) {
		add_addr(r, AF_INET, &a4, 0);
		return true;
	}
	if (strlen(name) >= sizeof(buf))
		return false;
	strcpy(buf, name);
	if ((pct = strchr(buf, '%'))) {
		char *end;

		*pct++ = '\0';
		scope = (uint32_t)strtoul(pct, &end, 10);
		if (*end || !*pct)
			scope = if_nametoindex(pct);
		if (!scope && (*end || !*pct))
			return false;   /* no such interface: no address */
	}
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		add_addr(r, AF_INET6, &a6, scope);
		return true;
	}
	return false;
}

/* --- getaddrinfo ------------------------------------------------------------- */

/* gai_cb() - ares_getaddrinfo's answer into the struct result */
static void gai_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct result *r = arg;

	(void)timeouts;
	r->status = status;
	if (status != ARES_SUCCESS || !ai)
		return;
	for (struct ares_addrinfo_node *n = ai->nodes; n; n = n->ai_next) {
		if (n->ai_family == AF_INET)
			add_addr(r, AF_INET, &((struct sockaddr_in *)n->ai_addr)->sin_addr, 0);
		else if (n->ai_family == AF_INET6)
			add_addr(r, AF_INET6, &((struct sockaddr_in6 *)n->ai_addr)->sin6_addr,
				 ((struct sockaddr_in6 *)n->ai_addr)->sin6_scope_id);
	}
	if (ai->cnames && ai->cnames->name)
		snprintf(r->canon, sizeof(r->canon), "%s", ai->cnames->name);
	else if (ai->name)
		snprintf(r->canon, sizeof(r->canon), "%s", ai->name);
	ares_freeaddrinfo(ai);
}

/* ares_to_eai() - an ARES_* failure as an EAI_* code */
static int ares_to_eai(int st)
{
	switch (st) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
	case ARES_ENONAME:
	case ARES_EBADNAME:
		return EAI_NONAME;
	case ARES_ENOMEM:
		return EAI_MEMORY;
	case ARES_ETIMEOUT:
	case ARES_ECONNREFUSED:
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
		return EAI_AGAIN;
	default:
		return EAI_FAIL;
	}
}

/* dns_lookup() - resolve @name for @family (AF_UNSPEC: both) with c-ares
 * into @r; an EAI_* code or 0 */
static int dns_lookup(const char *name, int family, struct result *r)
{
	struct ares_addrinfo_hints h;
	ares_channel ch;
	bool dns = false;
	int st;

	if ((st = make_channel(&ch, &dns)) != ARES_SUCCESS)
		return st == ARES_ENOMEM ? EAI_MEMORY : EAI_SYSTEM;
	memset(&h, 0, sizeof(h));
	h.ai_family = family;
	h.ai_flags = ARES_AI_CANONNAME;
	r->status = ARES_ETIMEOUT;
	ares_getaddrinfo(ch, name, NULL, &h, gai_cb, r);
	run_channel(ch);
	ares_destroy(ch);
	if (r->status != ARES_SUCCESS)   /* /etc/hosts only: a miss is a miss */
		return dns ? ares_to_eai(r->status) : EAI_NONAME;
	return r->n ? 0 : EAI_NONAME;
}

/* Our chains, for freeaddrinfo(). */
static pthread_mutex_t chains_lock = PTHREAD_MUTEX_INITIALIZER;
struct chain { struct chain *next; struct addrinfo *head; };
static struct chain *chains;

/* remember() - note @ai (the head of a chain in block @blk) as ours */
static void remember(struct chain *c, struct addrinfo *ai)
{
	c->head = ai;
	pthread_mutex_lock(&chains_lock);
	c->next = chains;
	chains = c;
	pthread_mutex_unlock(&chains_lock);
}

/* forget() - if @ai heads one of our chains, unlink and return its block */
static struct chain *forget(struct addrinfo *ai)
{
	struct chain **pp, *c = NULL;

	pthread_mutex_lock(&chains_lock);
	for (pp = &chains; *pp; pp = &(*pp)->next) {
		if ((*pp)->head == ai) {
			c = *pp;
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&chains_lock);
	return c;
}

/* service_port() - @service as a port (network order) for @socktype;
 * 0 or an EAI_* code */
static int service_port(const char *service, int socktype, int flags, uint16_t *port)
{
	char *end, buf[1024];
	struct servent se, *sp = NULL;
	unsigned long v;

	*port = 0;
	if (!service)
		return 0;
	v = strtoul(service, &end, 10);
	if (*service && !*end) {
		if (v > 65535)
			return EAI_SERVICE;
		*port = htons((uint16_t)v);
		return 0;
	}
	if (flags & AI_NUMERICSERV)
		return EAI_NONAME;
	if (socktype != SOCK_DGRAM)
		getservbyname_r(service, "tcp", &se, buf, sizeof(buf), &sp);
	if (!sp && socktype != SOCK_STREAM)
		getservbyname_r(service, "udp", &se, buf, sizeof(buf), &sp);
	if (!sp)
		return EAI_SERVICE;
	*port = (uint16_t)sp->s_port;
	return 0;
}

/* build() - the addrinfo chain for the addresses in @r: one node per
 * address and socket type, all in one block */
static int build(const struct result *r, const struct addrinfo *hints, uint16_t port,
		 const char *canon, struct addrinfo **res)
{
	static const int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW };
	int ntypes = hints->ai_socktype ? 1 : 3, n, k = 0;
	int only = hints->ai_socktype;

	/* a protocol without a type picks the type, as glibc does */
	if (!only && hints->ai_protocol == IPPROTO_TCP)
		only = SOCK_STREAM;
	else if (!only && hints->ai_protocol == IPPROTO_UDP)
		only = SOCK_DGRAM;
	if (only)
		ntypes = 1;
	n = r->n * ntypes;
	size_t clen = canon ? strlen(canon) + 1 : 0;
	size_t size = sizeof(struct chain) + (size_t)n * (sizeof(struct addrinfo) +
				sizeof(struct sockaddr_in6)) + clen;
	char *blk = calloc(1, size);
	struct addrinfo *ai, *prev = NULL;
	struct sockaddr_in6 *sas;
	char *cn;

	if (!blk)
		return EAI_MEMORY;
	ai = (struct addrinfo *)(blk + sizeof(struct chain));
	sas = (struct sockaddr_in6 *)(ai + n);
	cn = (char *)(sas + n);
	if (canon)
		memcpy(cn, canon, clen);
	for (int i = 0; i < r->n; i++) {
		for (int t = 0; t < ntypes; t++, k++) {
			int st = only ? only : types[t];
			struct addrinfo *a = &ai[k];

			a->ai_family = r->addrs[i].family;
			a->ai_socktype = st;
			a->ai_protocol = hints->ai_protocol ? hints->ai_protocol :
				st == SOCK_STREAM ? IPPROTO_TCP : st == SOCK_DGRAM ? IPPROTO_UDP : 0;
			a->ai_addr = (struct sockaddr *)&sas[k];
			if (a->ai_family == AF_INET) {
				struct sockaddr_in *in = (struct sockaddr_in *)&sas[k];

				in->sin_family = AF_INET;
				in->sin_port = port;
				memcpy(&in->sin_addr, r->addrs[i].a, 4);
				a->ai_addrlen = sizeof(*in);
			} else {
				sas[k].sin6_family = AF_INET6;
				sas[k].sin6_port = port;
				memcpy(&sas[k].sin6_addr, r->addrs[i].a, 16);
				sas[k].sin6_scope_id = r->addrs[i].scope;
				a->ai_addrlen = sizeof(sas[k]);
			}
			if (prev)
				prev->ai_next = a;
			prev = a;
		}
	}
	if (canon && n)
		ai[0].ai_canonname = cn;
	remember((struct chain *)blk, ai);
	*res = ai;
	return 0;
}

/* filter() - keep the addresses @family wants; AF_INET6 with AI_V4MAPPED
 * maps IPv4 answers when there are no IPv6 ones (all of them with AI_ALL) */
static void filter(struct result *r, int family, int flags)
{
	bool have6 = false;
	int k = 0;

	if (family == AF_UNSPEC)
		return;
	for (int i = 0; i < r->n; i++)
		have6 |= r->addrs[i].family == AF_INET6;
	for (int i = 0; i < r->n; i++) {
		struct raddr a = r->addrs[i];

		if (a.family != family) {
			if (!(family == AF_INET6 && a.family == AF_INET && (flags & AI_V4MAPPED) &&
			      (!have6 || (flags & AI_ALL))))
				continue;
			memmove(a.a + 12, a.a, 4);
			memset(a.a, 0, 10);
			a.a[10] = a.a[11] = 0xff;
			a.family = AF_INET6;
		}
		r->addrs[k++] = a;
	}
	r->n = k;
}

/* getaddrinfo() - see the file comment.  AI_ADDRCONFIG is accepted and
 * ignored (the host's addresses say nothing about lwipd's). */
SHIM_EXPORT int getaddrinfo(const char *node, const char *service,
			    const struct addrinfo *hints, struct addrinfo **res)
{
	static const struct addrinfo none = { .ai_family = AF_UNSPEC };
	struct result *r;
	uint16_t port;
	const char *canon = NULL;
	int e, family;

	if (!shim_ready)
		return REAL(getaddrinfo)(node, service, hints, res);
	if (!hints)
		hints = &none;
	family = hints->ai_family;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return EAI_FAMILY;
	if (hints->ai_socktype != 0 && hints->ai_socktype != SOCK_STREAM &&
	    hints->ai_socktype != SOCK_DGRAM && hints->ai_socktype != SOCK_RAW)
		return EAI_SOCKTYPE;
	if (!node && !service)
		return EAI_NONAME;
	if ((hints->ai_flags & AI_CANONNAME) && !node)
		return EAI_BADFLAGS;
	if ((e = service_port(service, hints->ai_socktype, hints->ai_flags, &port)))
		return e;
	r = calloc(1, sizeof(*r));
	if (!r)
		return EAI_MEMORY;
	if (!node) {
		static const unsigned char any6[16], lo6[16] = { [15] = 1 };
		uint32_t any4 = htonl(INADDR_ANY), lo4 = htonl(INADDR_LOOPBACK);
		bool passive = hints->ai_flags & AI_PASSIVE;

		if (family != AF_INET6)
			add_addr(r, AF_INET, passive ? (void *)&any4 : (void *)&lo4, 0);
		if (family != AF_INET)
			add_addr(r, AF_INET6, passive ? any6 : lo6, 0);
	} else if (numeric(node, r)) {
		canon = node;
		if (family != AF_UNSPEC && r->addrs[0].family != family &&
		    !(family == AF_INET6 && (hints->ai_flags & AI_V4MAPPED))) {
			free(r);
			return EAI_ADDRFAMILY;
		}
		filter(r, family, hints->ai_flags | AI_ALL);
	} else if (hints->ai_flags & AI_NUMERICHOST) {
		free(r);
		return EAI_NONAME;
	} else if (is_localhost(node)) {
		static const unsigned char lo6[16] = { [15] = 1 };
		uint32_t lo4 = htonl(INADDR_LOOPBACK);

		canon = "localhost";
		if (family != AF_INET)
			add_addr(r, AF_INET6, lo6, 0);
		if (family != AF_INET6)
			add_addr(r, AF_INET, &lo4, 0);
	} else {
		int qf = family == AF_INET6 && (hints->ai_flags & AI_V4MAPPED) ? AF_UNSPEC : family;

		if ((e = dns_lookup(node, qf, r))) {
			free(r);
			return e;
		}
		filter(r, family, hints->ai_flags);
		canon = r->canon[0] ? r->canon : node;
	}
	if (r->n == 0) {
		free(r);
		return EAI_NONAME;
	}
	e = build(r, hints, port, (hints->ai_flags & AI_CANONNAME) ? canon : NULL, res);
	free(r);
	return e;
}

/* freeaddrinfo() - ours go back to malloc, libc's to libc */
SHIM_EXPORT void freeaddrinfo(struct addrinfo *ai)
{
	struct chain *c;

	if (!ai)
		return;
	if ((c = forget(ai))) {
		free(c);
		return;
	}
	if (REAL(freeaddrinfo))
		REAL(freeaddrinfo)(ai);
}

/* --- hostent ------------------------------------------------------------------ */

/* pack_hostent() - copy @src into @he with every pointer into @buf;
 * ERANGE if it does not fit */
static int pack_hostent(const struct hostent *src, struct hostent *he, char *buf, size_t len)
{
	size_t na = 0, nl = 0, need, off;
	char **alias, **list;

	while (src->h_aliases && src->h_aliases[na])
		na++;
	while (src->h_addr_list && src->h_addr_list[nl])
		nl++;
	need = (na + 1 + nl + 1) * sizeof(char *) + nl * (size_t)src->h_length +
	       strlen(src->h_name) + 1 + sizeof(char *);
	for (size_t i = 0; i < na; i++)
		need += strlen(src->h_aliases[i]) + 1;
	if (need > len)
		return ERANGE;
	off = (sizeof(char *) - ((uintptr_t)buf % sizeof(char *))) % sizeof(char *);
	alias = (char **)(buf + off);
	list = alias + na + 1;
	off += (na + 1 + nl + 1) * sizeof(char *);
	for (size_t i = 0; i < nl; i++) {
		list[i] = buf + off;
		memcpy(buf + off, src->h_addr_list[i], (size_t)src->h_length);
		off += (size_t)src->h_length;
	}
	list[nl] = NULL;
	for (size_t i = 0; i < na; i++) {
		alias[i] = strcpy(buf + off, src->h_aliases[i]);
		off += strlen(src->h_aliases[i]) + 1;
	}
	alias[na] = NULL;
	he->h_name = strcpy(buf + off, src->h_name);
	he->h_aliases = alias;
	he->h_addrtype = src->h_addrtype;
	he->h_length = src->h_length;
	he->h_addr_list = list;
	return 0;
}

/* host_cb() - ares_gethostby*'s answer, packed into the caller's buffer */
static void host_cb(void *arg, int status, int timeouts, struct hostent *h)
{
	struct result *r = arg;

	(void)timeouts;
	r->status = status;
	if (status == ARES_SUCCESS && h)
		r->he_err = pack_hostent(h, r->he, r->he_buf, r->he_len);
}

/* host_lookup() - by name (@name) or by address (@addr/@alen) for @family
 * into @he/@buf; 0, ERANGE, or another errno with *@herr set */
static int host_lookup(const char *name, const void *addr, int alen, int family,
		       struct hostent *he, char *buf, size_t len, int *herr)
{
	struct result *r = calloc(1, sizeof(*r));
	ares_channel ch;
	int st;

	if (!r) {
		*herr = NETDB_INTERNAL;
		return ENOMEM;
	}
	r->he = he;
	r->he_buf = buf;
	r->he_len = len;
	bool dns = false;

	if ((st = make_channel(&ch, &dns)) != ARES_SUCCESS) {
		free(r);
		*herr = NO_RECOVERY;
		return EIO;
	}
	r->status = ARES_ETIMEOUT;
	if (name)
		ares_gethostbyname(ch, name, family, host_cb, r);
	else
		ares_gethostbyaddr(ch, addr, alen, family, host_cb, r);
	run_channel(ch);
	ares_destroy(ch);
	st = r->status;
	if (st == ARES_SUCCESS && r->he_err) {
		free(r);
		*herr = NETDB_INTERNAL;
		return ERANGE;
	}
	free(r);
	if (st == ARES_SUCCESS) {
		*herr = 0;
		return 0;
	}
	*herr = dns && ares_to_eai(st) == EAI_AGAIN ? TRY_AGAIN : HOST_NOT_FOUND;
	return ENOENT;
}

/* local_host() - numeric names and localhost without c-ares; true if
 * answered (maybe with an error in the return value of *@rc) */
static bool local_host(const char *name, int family, struct hostent *he,
		       char *buf, size_t len, int *herr, int *rc)
{
	struct result r;
	unsigned char lo6[16] = { [15] = 1 };
	uint32_t lo4 = htonl(INADDR_LOOPBACK);
	char *list[2] = { NULL, NULL }, *aliases[1] = { NULL };
	struct hostent src;

	memset(&r, 0, sizeof(r));
	if (is_localhost(name))
		add_addr(&r, family, family == AF_INET ? (void *)&lo4 : (void *)lo6, 0);
	else if (!numeric(name, &r))
		return false;
	if (r.addrs[0].family != family) {
		*herr = HOST_NOT_FOUND;
		*rc = ENOENT;
		return true;
	}
	list[0] = (char *)r.addrs[0].a;
	src.h_name = (char *)name;
	src.h_aliases = aliases;
	src.h_addrtype = family;
	src.h_length = family == AF_INET ? 4 : 16;
	src.h_addr_list = list;
	*rc = pack_hostent(&src, he, buf, len);
	*herr = *rc ? NETDB_INTERNAL : 0;
	return true;
}

/* gethostbyname2_r() - see the file comment */
SHIM_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
				 size_t buflen, struct hostent **result, int *h_errnop)
{
	int rc, herr = 0;

	if (!shim_ready)
		return REAL(gethostbyname2_r)(name, af, ret, buf, buflen, result, h_errnop);
	*result = NULL;
	if (af != AF_INET && af != AF_INET6) {
		if (h_errnop)
			*h_errnop = NETDB_INTERNAL;
		return EAFNOSUPPORT;
	}
	if (!local_host(name, af, ret, buf, buflen, &herr, &rc))
		rc = host_lookup(name, NULL, 0, af, ret, buf, buflen, &herr);
	if (h_errnop)
		*h_errnop = herr;
	if (rc == 0)
		*result = ret;
	return rc == ENOENT ? 0 : rc;
}

/* gethostbyname_r() - AF_INET */
SHIM_EXPORT int gethostbyname_r(const char *name, struct hostent *ret, char *buf,
				size_t buflen, struct hostent **result, int *h_errnop)
{
	if (!shim_ready)
		return REAL(gethostbyname_r)(name, ret, buf, buflen, result, h_errnop);
	return gethostbyname2_r(name, AF_INET, ret, buf, buflen, result, h_errnop);
}

static __thread struct hostent tls_he;
static __thread char tls_buf[4096];

/* gethostbyname2() - per-thread static result */
SHIM_EXPORT struct hostent *gethostbyname2(const char *name, int af)
{
	struct hostent *res;
	int herr = 0;

	if (!shim_ready)
		return REAL(gethostbyname2)(name, af);
	gethostbyname2_r(name, af, &tls_he, tls_buf, sizeof(tls_buf), &res, &herr);
	h_errno = herr;
	return res;
}

/* gethostbyname() - AF_INET */
SHIM_EXPORT struct hostent *gethostbyname(const char *name)
{
	if (!shim_ready)
		return REAL(gethostbyname)(name);
	return gethostbyname2(name, AF_INET);
}

/* gethostbyaddr() - reverse lookup through c-ares (/etc/hosts, PTR) */
SHIM_EXPORT struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
	int herr = 0;

	if (!shim_ready)
		return REAL(gethostbyaddr)(addr, len, type);
	if ((type == AF_INET && len != 4) || (type == AF_INET6 && len != 16) ||
	    (type != AF_INET && type != AF_INET6)) {
		h_errno = NETDB_INTERNAL;
		errno = EINVAL;
		return NULL;
	}
	if (host_lookup(NULL, addr, (int)len, type, &tls_he, tls_buf, sizeof(tls_buf), &herr)) {
		h_errno = herr;
		return NULL;
	}
	return &tls_he;
}

/* --- getnameinfo --------------------------------------------------------------- */

/* getnameinfo() - numeric forms locally; names by reverse lookup through
 * c-ares (loopback is "localhost") */
SHIM_EXPORT int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
			    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	const void *a;
	char num[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	uint16_t port;
	int family, alen;

	if (!shim_ready)
		return REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
	if (!sa || salen < sizeof(sa_family_t))
		return EAI_FAMILY;
	family = sa->sa_family;
	if (family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		a = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ((const struct sockaddr_in *)sa)->sin_port;
		alen = 4;
	} else if (family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ((const struct sockaddr_in6 *)sa)->sin6_port;
		alen = 16;
	} else {
		return EAI_FAMILY;
	}
	if (serv && servlen) {
		struct servent se, *sp = NULL;
		char buf[1024];
		int n;

		if (!(flags & NI_NUMERICSERV))
			getservbyport_r(port, flags & NI_DGRAM ? "udp" : "tcp", &se, buf, sizeof(buf), &sp);
		n = sp ? snprintf(serv, servlen, "%s", sp->s_name)
		       : snprintf(serv, servlen, "%u", ntohs(port));
		if (n < 0 || (socklen_t)n >= servlen)
			return EAI_OVERFLOW;
	}
	if (!host || !hostlen)
		return 0;
	inet_ntop(family, a, num, sizeof(num));
	if (family == AF_INET6 && ((const struct sockaddr_in6 *)sa)->sin6_scope_id) {
		uint32_t sc = ((const struct sockaddr_in6 *)sa)->sin6_scope_id;
		char ifn[IF_NAMESIZE];
		size_t l = strlen(num);

		if (!(flags & NI_NUMERICSCOPE) && if_indextoname(sc, ifn))
			snprintf(num + l, sizeof(num) - l, "%%%s", ifn);
		else
			snprintf(num + l, sizeof(num) - l, "%%%u", sc);
	}
	if (!(flags & NI_NUMERICHOST)) {
		struct hostent he;
		char buf[2048];
		int herr;
		bool lo = family == AF_INET ? ((const uint8_t *)a)[0] == 127 :
			  IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)a);

		if (lo) {
			if (snprintf(host, hostlen, "localhost") >= (int)hostlen)
				return EAI_OVERFLOW;
			return 0;
		}
		if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			a = (const uint8_t *)a + 12;
			alen = 4;
			family = AF_INET;
		}
		if (host_lookup(NULL, a, alen, family, &he, buf, sizeof(buf), &herr) == 0) {
			char *dot;

			if (snprintf(host, hostlen, "%s", he.h_name) >= (int)hostlen)
				return EAI_OVERFLOW;
			if ((flags & NI_NOFQDN) && (dot = strchr(host, '.')))
				*dot = '\0';
			return 0;
		}
		if (flags & NI_NAMEREQD)
			return herr == TRY_AGAIN ? EAI_AGAIN : EAI_NONAME;
	}
	if (snprintf(host, hostlen, "%s", num) >= (int)hostlen)
		return EAI_OVERFLOW;
	return 0;
}
