/* limit.h - the limits that protect lwipd from its clients: defaults,
 * the --limit NAME=VALUE option, per-client accounting and reports
 *
 * (Not called limits.h: that name would shadow the C library's <limits.h>
 * for every file built with -I daemon.)
 */
#ifndef LWIPD_LIMIT_H
#define LWIPD_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum limit_id {
	LIM_SOCKETS_PER_CLIENT,  /* sockets one process holds: EMFILE */
	LIM_SOCKETS,             /* sockets in the daemon: ENFILE */
	LIM_BUFFER,              /* bytes the kernel queues to a program per socket */
	LIM_BACKLOG,             /* largest listen() backlog (pending accepts) */
	LIM_MESSAGES,            /* control requests per second per client: EAGAIN */
	LIM_COUNT
};

#define LIMIT_SOCKETS_PER_CLIENT 16384
#define LIMIT_SOCKETS            65536
#define LIMIT_BUFFER             (1024 * 1024)
#define LIMIT_BACKLOG            4096
#define LIMIT_MESSAGES           20000
#define LIMIT_REPORT_SECS        1      /* at most one report per limit this often */
#define LIMIT_FD_RESERVE         256    /* fds besides sockets: TAP, clients, FUSE */

struct limits {
	long v[LIM_COUNT];
};

/* A client's allowance of control requests (a token bucket). */
struct limit_bucket {
	double tokens;
	uint64_t last_ms;
};

/* Configuration (pure: used by options.c and its unit test) */
void limits_defaults(struct limits *l);
int limits_parse(struct limits *l, const char *arg, char *err, size_t errlen);
size_t limits_format(const struct limits *l, char *buf, size_t len);
const char *limit_name(enum limit_id id);

/* The limits in force (set at start and on every reconfiguration) */
void limits_apply(const struct limits *l);
long limit_get(enum limit_id id);

/* Accounting and reports */
int limit_sock_admit(pid_t pid, int total);
void limit_sock_release(pid_t pid);
int limit_sock_held(pid_t pid);
bool limit_message(struct limit_bucket *b, pid_t pid, uid_t uid);
void limit_report(enum limit_id id, pid_t pid, uid_t uid, const char *what);
void limit_nofile(void);

#endif
