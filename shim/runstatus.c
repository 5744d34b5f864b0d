/* runstatus.c - lwip-run's look at lwipd: is a stack there, and what are
 * its interfaces (lwip-run --status, and the check before running a
 * command)
 *
 * Part of lwip-run only, not of the shim library.  It speaks the control
 * protocol itself (docs/protocol.md): one connection to DIR/2, IFINFO
 * requests until ENXIO.  That works the same whether the socket directory
 * is lwipd's filesystem or a plain directory (--no-fs), where there is no
 * `interfaces` file to read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/proto.h"
#include "runstatus.h"

#define RUN_TIMEOUT_S 5         /* a daemon that does not answer in this long is stuck */
#define RUN_IF_MAX    16        /* interfaces listed (lwipd has at most 9) */

/* run_connect() - connect to lwipd's DIR/2; the fd, or -1 with @why set
 * to the reason in words */
int run_connect(const char *dir, char *why, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { RUN_TIMEOUT_S, 0 };
	int fd;

	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/2", dir) >= (int)sizeof(sun.sun_path)) {
		snprintf(why, len, "the path %s/2 is too long for a Unix socket", dir);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, len, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		return fd;
	}
	if (errno == ENOENT)
		snprintf(why, len, "%s does not exist", sun.sun_path);
	else if (errno == ECONNREFUSED)
		snprintf(why, len, "nothing listens on %s (a stale socket)", sun.sun_path);
	else if (errno == EACCES)
		snprintf(why, len, "%s is not yours", sun.sun_path);
	else
		snprintf(why, len, "%s: %s", sun.sun_path, strerror(errno));
	close(fd);
	return -1;
}

/* full_io() - send or receive exactly @len bytes; 0 or -1 */
static int full_io(int fd, void *buf, size_t len, bool out)
{
	size_t done = 0;

	while (done < len) {
		ssize_t k = out ? send(fd, (char *)buf + done, len - done, MSG_NOSIGNAL)
				: recv(fd, (char *)buf + done, len - done, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

/* ifinfo() - one IFINFO request on @fd; 0, ENXIO at the end, or another
 * positive errno (EPROTO for a reply we cannot read) */
static int ifinfo(int fd, uint32_t after, uint32_t seq, struct proto_ifinfo *out)
{
	struct {
		struct proto_hdr h;
		struct proto_ifinfo_req r;
	} req = {
		.h = { .len = sizeof(struct proto_ifinfo_req), .version = PROTO_VERSION,
		       .op = OP_IFINFO, .seq = seq },
		.r = { .after = after },
	};
	struct proto_hdr h;

	if (full_io(fd, &req, sizeof(req), true) || full_io(fd, &h, sizeof(h), false))
		return EPROTO;
	if (proto_check_hdr(&h, true) || h.op != OP_IFINFO || h.seq != seq)
		return EPROTO;
	if (h.err)
		return h.err;
	if (full_io(fd, out, sizeof(*out), false))
		return EPROTO;
	out->name[sizeof(out->name) - 1] = '\0';
	return 0;
}

/* print_flags() - "<UP,BROADCAST,...>" */
static void print_flags(FILE *f, uint32_t fl)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ IFF_UP, "UP" }, { IFF_BROADCAST, "BROADCAST" }, { IFF_LOOPBACK, "LOOPBACK" },
		{ IFF_RUNNING, "RUNNING" }, { IFF_MULTICAST, "MULTICAST" },
	};
	const char *sep = "";

	fputc('<', f);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fl & names[i].bit) {
			fprintf(f, "%s%s", sep, names[i].name);
			sep = ",";
		}
	fputc('>', f);
}

/* print_iface() - one interface, in the spirit of `ip addr` */
static void print_iface(FILE *f, const struct proto_ifinfo *i)
{
	static const char *const state[] = { "", " tentative", "", " deprecated" };
	char a[INET6_ADDRSTRLEN];
	int plen = 0;

	fprintf(f, "  %u: %s ", i->index, i->name);
	print_flags(f, i->flags);
	fprintf(f, " mtu %u", i->mtu);
	if (!(i->flags & IFF_LOOPBACK))
		fprintf(f, " ether %02x:%02x:%02x:%02x:%02x:%02x", i->mac[0], i->mac[1],
			i->mac[2], i->mac[3], i->mac[4], i->mac[5]);
	fputc('\n', f);
	if (i->has4) {
		for (int b = 0; b < 4; b++)
			plen += __builtin_popcount(i->mask4[b]);
		fprintf(f, "      inet %s/%d\n", inet_ntop(AF_INET, i->addr4, a, sizeof(a)), plen);
	}
	for (int k = 0; k < i->n_addr6 && k < PROTO_IF_ADDR6_MAX; k++) {
		const struct proto_ifaddr6 *x = &i->addr6[k];

		fprintf(f, "      inet6 %s/%u%s\n", inet_ntop(AF_INET6, x->addr, a, sizeof(a)),
			x->plen, x->state < 4 ? state[x->state] : "");
	}
}

/* run_status() - --status: print whether lwipd answers at @dir and its
 * interfaces to stdout; 0 if it runs, 1 if not */
int run_status(const char *dir, const char *shim)
{
	struct proto_ifinfo v[RUN_IF_MAX];
	char why[PATH_MAX + 64], path[PATH_MAX + 16];
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	struct stat st;
	uint32_t after = 0;
	int fd, n = 0, e = 0;

	printf("shim: %s\n", shim ? shim : "not found (see lwip-run(1), FILES)");
	fd = run_connect(dir, why, sizeof(why));
	if (fd < 0) {
		printf("lwipd at %s: not running (%s)\n", dir, why);
		printf("start one with `%s` or `%s`\n", RUN_START_UNIT, RUN_START_CMD);
		return 1;
	}
	while (n < RUN_IF_MAX && !(e = ifinfo(fd, after, (uint32_t)n + 1, &v[n])))
		after = v[n++].index;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0)
		cr.pid = 0;
	close(fd);
	if (e && e != ENXIO) {
		printf("lwipd at %s: running (pid %d) but its interface list is unreadable: %s\n"
		       "(an lwipd older than this lwip-run? restart it)\n",
		       dir, (int)cr.pid, strerror(e));
		return 0;
	}
	snprintf(path, sizeof(path), "%s/interfaces", dir);
	printf("lwipd at %s: running (pid %d), %s\n", dir, (int)cr.pid,
	       stat(path, &st) == 0 ? "filesystem mounted (more in its interfaces file)"
				     : "no filesystem (--no-fs)");
	printf("interfaces:\n");
	for (int i = 0; i < n; i++)
		print_iface(stdout, &v[i]);
	return 0;
}
