/* limit.c - the limits that protect lwipd from its clients
 *
 * Five limits, each with a default (limit.h) and one option,
 * `--limit NAME=VALUE` (repeatable; also a line of the filesystem's
 * `options` file, applied to what comes next):
 *
 *   sockets-per-client   sockets one process holds (those it created and
 *                        those accepted on its listeners)   -> EMFILE
 *   sockets              sockets in the daemon              -> ENFILE
 *   buffer               bytes the kernel queues from lwipd to a program
 *                        on one socket (SO_SNDBUF of lwipd's end); reaching
 *                        it is flow control, not an error
 *   backlog              the largest listen() backlog; a connection that
 *                        finds its listener's queue full is reset
 *   messages-per-second  control requests per second per control
 *                        connection (a token bucket a second deep) -> EAGAIN
 *
 * Reaching a limit fails that one request of that one client; the log says
 * which limit, which process, and which option raises it, at most once a
 * second per limit (with the number of refusals in between).  Failed
 * sockets waiting in the graveyard (sock.c) count for neither socket limit.
 * Runs on the loop thread only.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "limit.h"
#include "log.h"

#define OWNER_HASH 1024

struct limit_def {
	const char *name;
	long def, min, max;
	const char *effect;             /* what the client sees */
};

static const struct limit_def defs[LIM_COUNT] = {
	[LIM_SOCKETS_PER_CLIENT] = { "sockets-per-client", LIMIT_SOCKETS_PER_CLIENT, 1, 1 << 20,
				     "socket() or accept refused (EMFILE)" },
	[LIM_SOCKETS]  = { "sockets", LIMIT_SOCKETS, 1, 1 << 20,
			   "socket() or accept refused (ENFILE)" },
	[LIM_BUFFER]   = { "buffer", LIMIT_BUFFER, 4096, 64 << 20,
			   "the program's socket holds no more (flow control)" },
	[LIM_BACKLOG]  = { "backlog", LIMIT_BACKLOG, 1, 65535,
			   "connection reset: the listener's accept queue is full" },
	[LIM_MESSAGES] = { "messages-per-second", LIMIT_MESSAGES, 1, 10000000,
			   "request refused (EAGAIN)" },
};

/* Sockets held per process */
struct owner {
	pid_t pid;
	int n;
	struct owner *next;
};

static struct limits active = { {
	LIMIT_SOCKETS_PER_CLIENT, LIMIT_SOCKETS, LIMIT_BUFFER, LIMIT_BACKLOG, LIMIT_MESSAGES,
} };
static struct owner *owners[OWNER_HASH];
static time_t last_report[LIM_COUNT];
static unsigned long suppressed[LIM_COUNT];

/* limit_name() - the option name of limit @id */
const char *limit_name(enum limit_id id)
{
	return id < LIM_COUNT ? defs[id].name : "?";
}

/* limits_defaults() - every limit at its default */
void limits_defaults(struct limits *l)
{
	for (int i = 0; i < LIM_COUNT; i++)
		l->v[i] = defs[i].def;
}

/* limits_parse() - one "NAME=VALUE" (a K, M or G suffix multiplies by
 * 1024s) into @l; -1 with @err saying why
 */
int limits_parse(struct limits *l, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char *end;
	long long v;
	int i;

	for (i = 0; eq && i < LIM_COUNT; i++)
		if (strlen(defs[i].name) == (size_t)(eq - arg) &&
		    !strncmp(arg, defs[i].name, (size_t)(eq - arg)))
			break;
	if (!eq || i == LIM_COUNT) {
		snprintf(err, errlen, "--limit %s: expected NAME=VALUE with NAME one of "
			 "sockets-per-client, sockets, buffer, backlog, messages-per-second", arg);
		return -1;
	}
	errno = 0;
	v = strtoll(eq + 1, &end, 10);
	if (end != eq + 1 && *end && !end[1] && strchr("kKmMgG", *end)) {
		long long mult = *end == 'k' || *end == 'K' ? 1024LL :
				 *end == 'm' || *end == 'M' ? 1024LL * 1024 : 1024LL * 1024 * 1024;

		/* A number the suffix would carry past long long is out of
		 * range, not multiplied (signed overflow; the options fuzzer
		 * found "sockets=111...1k"). */
		if (v > LLONG_MAX / mult || v < LLONG_MIN / mult)
			errno = ERANGE;
		else
			v *= mult;
		end++;
	}
	if (errno || end == eq + 1 || *end || v < defs[i].min || v > defs[i].max) {
		snprintf(err, errlen, "--limit %s: %s must be a number from %ld to %ld",
			 arg, defs[i].name, defs[i].min, defs[i].max);
		return -1;
	}
	l->v[i] = (long)v;
	return 0;
}

/* limits_format() - the limits that differ from their defaults as
 * " --limit NAME=VALUE" words; returns the length needed (like snprintf)
 */
size_t limits_format(const struct limits *l, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < LIM_COUNT; i++) {
		int n;

		if (l->v[i] == defs[i].def)
			continue;
		n = snprintf(off < len ? buf + off : NULL, off < len ? len - off : 0,
			     " --limit %s=%ld", defs[i].name, l->v[i]);
		if (n > 0)
			off += (size_t)n;
	}
	return off;
}

/* limits_apply() - make @l the limits in force (new sockets, requests and
 * listeners follow them; what exists is left as it is)
 */
void limits_apply(const struct limits *l)
{
	active = *l;
}

/* limit_get() - the value in force of limit @id */
long limit_get(enum limit_id id)
{
	return active.v[id];
}

/* owner_slot() - the chain head for @pid */
static struct owner **owner_slot(pid_t pid)
{
	return &owners[(unsigned)pid % OWNER_HASH];
}

/* limit_sock_held() - sockets @pid holds now */
int limit_sock_held(pid_t pid)
{
	for (struct owner *o = *owner_slot(pid); o; o = o->next)
		if (o->pid == pid)
			return o->n;
	return 0;
}

/* limit_sock_admit() - may @pid have one more socket, with @total alive
 * in the daemon?  0 (and it is counted) or EMFILE / ENFILE / ENOBUFS,
 * reported in the log
 */
int limit_sock_admit(pid_t pid, int total)
{
	struct owner **head = owner_slot(pid), *o;

	if (total >= active.v[LIM_SOCKETS]) {
		limit_report(LIM_SOCKETS, pid, getuid(), NULL);
		return ENFILE;
	}
	for (o = *head; o; o = o->next)
		if (o->pid == pid)
			break;
	if (o && o->n >= active.v[LIM_SOCKETS_PER_CLIENT]) {
		limit_report(LIM_SOCKETS_PER_CLIENT, pid, getuid(), NULL);
		return EMFILE;
	}
	if (!o) {
		o = calloc(1, sizeof(*o));
		if (!o)
			return ENOBUFS;
		o->pid = pid;
		o->next = *head;
		*head = o;
	}
	o->n++;
	return 0;
}

/* limit_sock_release() - @pid gave up one socket admitted earlier */
void limit_sock_release(pid_t pid)
{
	for (struct owner **p = owner_slot(pid); *p; p = &(*p)->next) {
		struct owner *o = *p;

		if (o->pid != pid)
			continue;
		if (--o->n <= 0) {
			*p = o->next;
			free(o);
		}
		return;
	}
}

/* now_ms() - CLOCK_MONOTONIC in milliseconds */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* limit_message() - may the client (@pid, @uid) send one more request
 * now?  Its bucket holds at most one second's worth and refills
 * continuously; a refusal is reported.
 */
bool limit_message(struct limit_bucket *b, pid_t pid, uid_t uid)
{
	double rate = (double)active.v[LIM_MESSAGES];
	uint64_t now = now_ms();

	if (b->last_ms == 0) {
		b->tokens = rate;
	} else {
		b->tokens += rate * (double)(now - b->last_ms) / 1000.0;
		if (b->tokens > rate)
			b->tokens = rate;
	}
	b->last_ms = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	limit_report(LIM_MESSAGES, pid, uid, NULL);
	return false;
}

/* limit_report() - log that limit @id was reached by @pid/@uid (@what:
 * the consequence, if not the usual one), at most once per
 * LIMIT_REPORT_SECS per limit, counting the refusals not logged
 */
void limit_report(enum limit_id id, pid_t pid, uid_t uid, const char *what)
{
	time_t now = time(NULL);
	char more[64] = "";

	if (last_report[id] && now - last_report[id] < LIMIT_REPORT_SECS) {
		suppressed[id]++;
		return;
	}
	if (suppressed[id])
		snprintf(more, sizeof(more), " (and %lu more since the last report)", suppressed[id]);
	last_report[id] = now;
	suppressed[id] = 0;
	log_warn("limit %s (%ld) reached by pid %d uid %u: %s%s; raise it with --limit %s=N",
		 defs[id].name, active.v[id], (int)pid, (unsigned)uid,
		 what ? what : defs[id].effect, more, defs[id].name);
}

/* limit_nofile() - raise the soft RLIMIT_NOFILE to the hard one (and the
 * hard one too when privileged) so the socket limit can be reached; say
 * so if it still cannot
 */
void limit_nofile(void)
{
	rlim_t need = (rlim_t)active.v[LIM_SOCKETS] + LIMIT_FD_RESERVE;
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		return;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < need) {
		struct rlimit up = { need, need };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
			log_info("raised the open file limit to %lu for --limit sockets=%ld",
				 (unsigned long)need, active.v[LIM_SOCKETS]);
			return;
		}
	}
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r) < 0)
		return;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < need)
		log_warn("open file limit is %lu: fewer than the %ld sockets of --limit sockets "
			 "(each takes one fd); raise the hard limit (ulimit -Hn %lu) or lower "
			 "--limit sockets", (unsigned long)r.rlim_max, active.v[LIM_SOCKETS],
			 (unsigned long)need);
	else
		log_info("open file limit %lu", (unsigned long)r.rlim_cur);
}
