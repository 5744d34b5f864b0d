/* sock.c - the table of emulated sockets
 *
 * Sockets are found by id through a fixed hash and kept on one list for
 * display.  Ids start at a random 32-bit value shifted up, so an id from an
 * earlier daemon run is never taken for a live one.  A socket that failed
 * (reset, refused) has its fd closed at once but stays findable for
 * SOCK_GRAVE_SECS so that the shim can read its error after EOF; the
 * graveyard is bounded.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lwip/timeouts.h"

#include "log.h"
#include "sock.h"

#define SOCK_HASH 16384
#define SWEEP_MS  2000
#define TRIM_DROP 1024          /* sockets gone before memory goes back */

static struct sock *hash[SOCK_HASH];
static struct sock *all;
static uint64_t next_id;
static uint64_t instance;
static int n_socks, n_graves;
static int high_water;          /* most sockets since the last trim */
static struct sock *reap;       /* freed at the end of the loop iteration */

/* bucket() - hash chain head for @id */
static struct sock **bucket(uint64_t id)
{
	return &hash[(id ^ (id >> 17)) % SOCK_HASH];
}

/* hash_del() - unlink @s from its chain */
static void hash_del(struct sock *s)
{
	for (struct sock **p = bucket(s->id); *p; p = &(*p)->hnext)
		if (*p == s) {
			*p = s->hnext;
			return;
		}
}

/* hash_add() - link @s under its id */
static void hash_add(struct sock *s)
{
	struct sock **b = bucket(s->id);

	s->hnext = *b;
	*b = s;
}

/* sock_find() - the socket with @id, or NULL */
struct sock *sock_find(uint64_t id)
{
	for (struct sock *s = *bucket(id); s; s = s->hnext)
		if (s->id == id)
			return s;
	return NULL;
}

/* sock_first() - head of the list of all sockets (s->next for the rest) */
struct sock *sock_first(void)
{
	return all;
}

/* sock_count() - sockets alive, failed ones not counted */
int sock_count(void)
{
	return n_socks - n_graves;
}

/* sock_next_id() - the id the next socket will get (the control fuzzer
 * makes its inputs' ids relative to it)
 */
uint64_t sock_next_id(void)
{
	return next_id;
}

/* sock_rekey() - give @s the id @id, or a fresh one if 0 (its
 * program-visible name changes); returns the old id
 */
uint64_t sock_rekey(struct sock *s, uint64_t id)
{
	uint64_t old = s->id;

	hash_del(s);
	s->id = id ? id : next_id++;
	hash_add(s);
	return old;
}

/* sock_name() - the abstract name of @s, without the leading NUL */
int sock_name(const struct sock *s, char *buf, size_t len)
{
	struct proto_name n = {
		.instance = instance, .id = s->id,
		.family = s->family, .type = s->type,
	};

	return proto_name_format(&n, buf, len);
}

/* sock_bind_name() - bind @fd (AF_UNIX) to the abstract name of @s,
 * with @peer's address in it if not NULL (the daemon's end of an accepted
 * connection: the shim answers accept() and getpeername() from it)
 */
int sock_bind_name(int fd, const struct sock *s, const struct proto_addr *peer)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct proto_name pn = {
		.instance = instance, .id = s->id,
		.family = s->family, .type = s->type,
	};
	int n;

	if (peer)
		pn.peer = *peer;
	n = proto_name_format(&pn, sun.sun_path + 1, sizeof(sun.sun_path) - 1);

	if (n < 0)
		return -ENAMETOOLONG;
	if (bind(fd, (struct sockaddr *)&sun,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) < 0)
		return -errno;
	return 0;
}

/* sock_new() - allocate a socket of @family/@type made for @pid; NULL
 * with *@err = EMFILE or ENFILE if a socket limit is reached (limit.c),
 * ENOBUFS if memory is short
 */
struct sock *sock_new(int family, int type, pid_t pid, int *err)
{
	struct sock *s;

	*err = limit_sock_admit(pid, sock_count());
	if (*err)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		limit_sock_release(pid);
		*err = ENOBUFS;
		return NULL;
	}
	s->id = next_id++;
	s->family = family;
	s->type = type;
	s->pid = pid;
	s->fd = -1;
	s->app_fd = -1;
	s->linger_secs = -1;
	hash_add(s);
	s->next = all;
	if (all)
		all->prev = s;
	all = s;
	if (++n_socks > high_water)
		high_water = n_socks;
	return s;
}

/* sock_close_fd() - stop watching and close the daemon's end */
void sock_close_fd(struct sock *s)
{
	if (s->fd < 0)
		return;
	loop_del(&s->watch);
	close(s->fd);
	s->fd = -1;
	s->events = 0;
}

/* sock_free() - forget @s: close its fd, drop it from the table; the
 * memory goes at the end of this loop iteration.  Its pcb must already be
 * detached.
 */
void sock_free(struct sock *s)
{
	if (s->queued)
		tcpsock_unqueue(s);
	sock_close_fd(s);
	if (s->app_fd >= 0)
		close(s->app_fd);
	if (s->rx)
		pbuf_free(s->rx);
	free(s->stash);
	hash_del(s);
	if (s->prev)
		s->prev->next = s->next;
	else
		all = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->state == SS_FAILED)
		n_graves--;
	else
		limit_sock_release(s->pid);     /* a failed one was released then */
	n_socks--;
	s->next = reap;
	reap = s;
}

/* sock_reap() - free the memory of sockets freed during this iteration:
 * an event for one of them may still have been in the batch
 */
static void sock_reap(void)
{
	while (reap) {
		struct sock *s = reap;

		reap = s->next;
		free(s);
	}
}

/* sock_fail() - @s is finished with error @err (0: ended without one):
 * close its fd now, keep the error findable for a while
 */
void sock_fail(struct sock *s, int err)
{
	sock_close_fd(s);
	if (s->rx) {
		pbuf_free(s->rx);
		s->rx = s->rx_last = NULL;
		s->rx_len = 0;
	}
	if (s->state != SS_FAILED) {
		n_graves++;
		limit_sock_release(s->pid);     /* the graveyard counts for no limit */
	}
	s->state = SS_FAILED;
	s->err = err;
	s->died = time(NULL);
	s->pcb.tcp = NULL;
}

/* sock_set_events() - change the epoll interest of @s if it differs */
void sock_set_events(struct sock *s, uint32_t events)
{
	if (s->fd < 0 || s->events == events)
		return;
	s->events = events;
	loop_mod(&s->watch, events);
}

/* trim() - after many sockets went (a burst of connections is over),
 * give the memory malloc keeps for reuse back to the system, so lwipd's
 * RSS follows its load down
 */
static void trim(void)
{
	if (high_water - n_socks < TRIM_DROP)
		return;
	malloc_trim(0);
	high_water = n_socks;
}

/* sweep() - free failed sockets past their time, or the oldest beyond the
 * bound; give memory back after a burst; then look for listeners whose
 * program is gone
 */
static void sweep(void *arg)
{
	time_t now = time(NULL);
	struct sock *s, *next;

	(void)arg;
	for (s = all; s; s = next) {
		next = s->next;
		if (s->state == SS_FAILED &&
		    (now - s->died >= SOCK_GRAVE_SECS || n_graves > SOCK_GRAVE_MAX))
			sock_free(s);
	}
	trim();
	tcpsock_sweep_listeners();
	sys_timeout(SWEEP_MS, sweep, NULL);
}

/* sock_init() - pick this run's instance and first id; start the sweep */
void sock_init(void)
{
	uint32_t r[2];

	r[0] = lwipd_rand();
	r[1] = lwipd_rand();
	instance = ((uint64_t)r[0] << 32) | r[1];
	next_id = ((uint64_t)(r[1] | 1) << 24) + 1;
	sys_timeout(SWEEP_MS, sweep, NULL);
	loop_after_input(tcpsock_deliver_all);
	loop_after_input(sock_reap);
}

/* sock_lwip_errno() - the errno a program expects for lwIP's @e */
int sock_lwip_errno(err_t e)
{
	switch (e) {
	case ERR_OK:         return 0;
	case ERR_MEM:        return ENOMEM;
	case ERR_BUF:        return ENOBUFS;
	case ERR_TIMEOUT:    return ETIMEDOUT;
	case ERR_RTE:        return EHOSTUNREACH;
	case ERR_INPROGRESS: return EINPROGRESS;
	case ERR_VAL:        return EINVAL;
	case ERR_WOULDBLOCK: return EWOULDBLOCK;
	case ERR_USE:        return EADDRINUSE;
	case ERR_ALREADY:    return EALREADY;
	case ERR_ISCONN:     return EISCONN;
	case ERR_CONN:       return ENOTCONN;
	case ERR_IF:         return ENETDOWN;
	case ERR_ABRT:       return ECONNABORTED;
	case ERR_RST:        return ECONNRESET;
	case ERR_CLSD:       return ENOTCONN;
	case ERR_ARG:        return EINVAL;
	}
	return EIO;
}
