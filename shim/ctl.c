/* ctl.c - the control connections to lwipd (DIR/2 and DIR/26)
 *
 * One connection per endpoint per process, opened on first use, moved to a
 * high fd number, close-on-exec.  Requests and replies go one at a time
 * under one lock.  Before each use the connection is checked: a new pid
 * (fork) or an fd that no longer is our socket (the program closed or
 * replaced it) makes us reconnect.  A thread that re-enters while it holds
 * the lock (a signal handler interrupting a request) gets EINTR instead of
 * a deadlock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define CTL_TIMEOUT_MS 30000    /* no reply in this long: the daemon is stuck */

#define SPARE_MAX   2           /* spares held or asked for per connection */
#define SPARE_AFTER 2           /* TCP CREATEs before spares are asked for */

struct ctl {
	int fd;                 /* -1: not connected */
	pid_t pid;              /* the process that opened it */
	dev_t dev;
	ino_t ino;              /* identity of the socket behind fd */
	/* spare TCP sockets (see "Spares" below), oldest first */
	struct spare {
		int fd;                 /* high, close-on-exec */
		dev_t dev;
		ino_t ino;
		struct proto_sockinfo info;
	} spares[SPARE_MAX];
	int n_spares;
	uint32_t pending[SPARE_MAX];    /* CREATEs sent ahead, replies unread */
	int n_pending;
	unsigned creates;       /* TCP CREATEs on this connection so far */
};

static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctl ctls[2] = { { .fd = -1 }, { .fd = -1 } };
static int fd_base = -1;                /* high_fd_base(), once */
static volatile int ctl_fdnums[2] = { -1, -1 };   /* read without the lock */
static uint32_t ctl_seq;
static __thread int in_ctl;
static int warned;

/* shim_socket_dir() - $LWIPD_SOCKET_DIR, else lwipd's own default
 * ($XDG_RUNTIME_DIR/lwipd or /tmp/lwipd-$UID), into @buf */
void shim_socket_dir(char *buf, size_t len)
{
	const char *d = getenv("LWIPD_SOCKET_DIR");
	const char *x = getenv("XDG_RUNTIME_DIR");

	if (d && *d)
		snprintf(buf, len, "%s", d);
	else if (x && *x)
		snprintf(buf, len, "%s/lwipd", x);
	else
		snprintf(buf, len, "/tmp/lwipd-%u", (unsigned)getuid());
}

/* ctl_slot() - index of @family's connection (0 AF_INET, 1 AF_INET6) */
static int ctl_slot(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* high_fd_base() - the lowest fd number for control fds: near the top of
 * the first 1024 (select-safe programs rarely get that high), lower if
 * RLIMIT_NOFILE is smaller */
static int high_fd_base(void)
{
	struct rlimit r;
	rlim_t lim = 1024;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < lim)
		lim = r.rlim_cur;
	return lim > 64 ? (int)lim - 24 : 3;
}

/* warn_once() - the one message per process that no lwipd answers */
static void warn_once(const char *dir)
{
	char msg[600];
	int n;

	if (__atomic_exchange_n(&warned, 1, __ATOMIC_ACQ_REL))
		return;
	n = snprintf(msg, sizeof(msg),
		     "lwip-run: no lwipd at %s: start one with `systemctl --user start "
		     "lwipd@tap0` or `lwipd -i tap0 --dhcp`\n", dir);
	if (n > 0)
		(void)!REAL(write)(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

/* ctl_valid() - is @c still the connection this process opened?  Assumes
 * the lock is held. */
static bool ctl_valid(const struct ctl *c)
{
	struct stat st;

	if (c->fd < 0 || c->pid != getpid())
		return false;
	if (fstat(c->fd, &st) < 0 || st.st_dev != c->dev || st.st_ino != c->ino)
		return false;
	return true;
}

/* ---- Spares --------------------------------------------------------------
 *
 * socket() for TCP would wait for the daemon's CREATE reply every time, a
 * round trip that blocks a program opening many connections (ab, a proxy,
 * a crawler) while lwipd is busy with everyone's frames.  So from its
 * SPARE_AFTER-th TCP socket on, a process asks ahead: CREATEs sent right
 * after the one served, up to SPARE_MAX held or asked for, whose replies
 * are read when they have arrived, or when a request that needs its own
 * reply comes (replies keep their order).  Each brings a spare socket,
 * kept at a high fd number, close-on-exec; the next TCP socket() takes the
 * oldest (moved down to the lowest free number) and asks for another.
 * Spares belong to the connection: a forked child, which opens its own,
 * closes its copies; a program that closed or replaced a spare's fd
 * number makes us forget it (its identity is checked before use).  An
 * error reply to a CREATE ahead (EMFILE, ENFILE) only means one spare
 * less: the next socket() asks the usual way and gets that error.
 * The cost: up to SPARE_MAX sockets lwipd holds (listed in `sockets`,
 * counted by the limits) for a process that may not use them.  One spare
 * was not enough: lwipd, busy, had not answered the CREATE ahead by the
 * next socket() half of the time (docs/performance.md).
 */

/* spare_drop() - close the spares that still are ours; lock held */
static void spare_drop(struct ctl *c)
{
	struct stat st;

	for (int i = 0; i < c->n_spares; i++) {
		struct spare *sp = &c->spares[i];

		if (fstat(sp->fd, &st) == 0 && st.st_dev == sp->dev && st.st_ino == sp->ino)
			REAL(close)(sp->fd);
	}
	c->n_spares = 0;
}

/* spare_keep() - keep @fd, a CREATE reply's socket described by @info,
 * as a spare of @c, moved to a high number.  Lock held. */
static void spare_keep(struct ctl *c, int fd, const struct proto_sockinfo *info)
{
	struct spare *sp = &c->spares[c->n_spares];
	struct stat st;
	int hi = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, fd_base + 2);

	if (hi >= 0) {
		REAL(close)(fd);
		fd = hi;
	}
	if (c->n_spares == SPARE_MAX || fstat(fd, &st) < 0) {
		REAL(close)(fd);
		return;
	}
	sp->fd = fd;
	sp->dev = st.st_dev;
	sp->ino = st.st_ino;
	sp->info = *info;
	c->n_spares++;
}

/* spare_take() - the oldest usable spare as a CREATE reply: *@pfd its fd
 * at the lowest free number (close-on-exec), @rep its info; false if
 * there is none (spares whose fd the program closed or replaced are
 * forgotten on the way).  Lock held. */
static bool spare_take(struct ctl *c, void *rep, size_t replen, int *pfd)
{
	while (c->n_spares > 0 && pfd && replen == sizeof(struct proto_sockinfo)) {
		struct spare sp = c->spares[0];
		struct stat st;

		memmove(&c->spares[0], &c->spares[1], sizeof(sp) * (size_t)--c->n_spares);
		if (fstat(sp.fd, &st) < 0 || st.st_dev != sp.dev || st.st_ino != sp.ino)
			continue;       /* not ours any more: leave it alone */
		*pfd = REAL(fcntl)(sp.fd, F_DUPFD_CLOEXEC, 0);
		REAL(close)(sp.fd);
		if (*pfd < 0)
			return false;
		memcpy(rep, &sp.info, sizeof(sp.info));
		return true;
	}
	return false;
}

/* is_tcp_create() - is this a CREATE of a TCP socket? */
static bool is_tcp_create(enum proto_op op, const void *req, size_t reqlen)
{
	const struct proto_create *r = req;

	return op == OP_CREATE && reqlen == sizeof(*r) && r->type == SOCK_STREAM &&
	       (r->protocol == 0 || r->protocol == IPPROTO_TCP);
}

/* ctl_drop() - forget connection @slot; close it if it still is ours in
 * this process (a forked child closes its inherited copy only).  Lock held. */
static void ctl_drop(int slot, bool close_it)
{
	struct ctl *c = &ctls[slot];
	struct stat st;

	if (c->fd >= 0 && close_it && fstat(c->fd, &st) == 0 &&
	    st.st_dev == c->dev && st.st_ino == c->ino)
		REAL(close)(c->fd);
	c->fd = -1;
	ctl_fdnums[slot] = -1;
	spare_drop(c);
	c->n_pending = 0;
	c->creates = 0;
}

/* ctl_open() - connect to DIR/2 or DIR/26 for @slot.  Lock held.  Returns
 * 0 or a positive errno (ENETDOWN when no lwipd listens there). */
static int ctl_open(int slot)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { CTL_TIMEOUT_MS / 1000, 0 };
	char dir[sizeof(sun.sun_path)];
	struct ctl *c = &ctls[slot];
	struct stat st;
	int fd, hi;

	shim_socket_dir(dir, sizeof(dir));
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir,
		     slot ? "26" : "2") >= (int)sizeof(sun.sun_path))
		return ENAMETOOLONG;
	fd = REAL(socket)(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	while (REAL(connect)(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EINTR)
			continue;
		REAL(close)(fd);
		warn_once(dir);
		return ENETDOWN;
	}
	REAL(setsockopt)(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	REAL(setsockopt)(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (fd_base < 0)
		fd_base = high_fd_base();
	hi = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, fd_base + slot);
	if (hi >= 0) {
		REAL(close)(fd);
		fd = hi;
	}
	if (fstat(fd, &st) < 0) {
		REAL(close)(fd);
		return EIO;
	}
	c->fd = fd;
	c->pid = getpid();
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	ctl_fdnums[slot] = fd;
	return 0;
}

/* full_send() - send all of @iov on @fd (MSG_NOSIGNAL), with @sendfd
 * (if >= 0) attached to the first bytes; 0 or errno */
static int full_send(int fd, struct iovec *iov, int n, int sendfd)
{
	union proto_fdbuf cb;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };

	proto_fd_attach(&m, &cb, sendfd);
	while (m.msg_iovlen > 0) {
		ssize_t k = REAL(sendmsg)(fd, &m, MSG_NOSIGNAL);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		while (k > 0 && m.msg_iovlen > 0) {
			if ((size_t)k >= m.msg_iov->iov_len) {
				k -= (ssize_t)m.msg_iov->iov_len;
				m.msg_iov++;
				m.msg_iovlen--;
			} else {
				m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + k;
				m.msg_iov->iov_len -= (size_t)k;
				k = 0;
			}
		}
		m.msg_control = NULL;   /* the fd went with the first bytes */
		m.msg_controllen = 0;
	}
	return 0;
}

/* full_recv() - read exactly @len bytes into @buf from @fd; the first
 * read also collects a passed fd into *@pfd.  0 or errno (EPIPE on EOF). */
static int full_recv(int fd, void *buf, size_t len, int *pfd)
{
	size_t got = 0;

	while (got < len) {
		union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 4)]; } cb;
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cb.b, .msg_controllen = sizeof(cb.b) };
		struct cmsghdr *cm;
		ssize_t k = REAL(recvmsg)(fd, &m, MSG_CMSG_CLOEXEC);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? ETIMEDOUT : errno;
		}
		for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			int nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < nfd; i++) {
				int f;
				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (pfd && *pfd < 0)
					*pfd = f;
				else
					REAL(close)(f);
			}
		}
		if (k == 0)
			return EPIPE;
		got += (size_t)k;
	}
	return 0;
}

/* send_req() - send request @op with body @req on connected @c, @sendfd
 * (if >= 0) attached; *@seq gets its sequence number.  Lock held.
 * 0 or errno. */
static int send_req(struct ctl *c, enum proto_op op, const void *req, size_t reqlen,
		    int sendfd, uint32_t *seq)
{
	struct proto_hdr h = { .len = (uint32_t)reqlen, .version = PROTO_VERSION,
			       .op = (uint16_t)op, .err = 0, .seq = ++ctl_seq };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)req, reqlen } };

	*seq = h.seq;
	return full_send(c->fd, iov, reqlen ? 2 : 1, sendfd);
}

/* recv_rep() - read the reply to request @op number @seq: *@err gets the
 * daemon's err field, @rep the body (exactly @replen bytes unless an
 * error), *@pfd a passed fd.  Lock held.  0 or errno. */
static int recv_rep(struct ctl *c, enum proto_op op, uint32_t seq, void *rep,
		    size_t replen, int *pfd, int *err)
{
	struct proto_hdr r;
	int e;

	if ((e = full_recv(c->fd, &r, sizeof(r), pfd)))
		return e;
	if (proto_check_hdr(&r, true) < 0 || r.op != op || r.seq != seq)
		return EPROTO;
	*err = r.err;
	if (r.err)
		return 0;
	if (r.len != replen)
		return EPROTO;
	if (replen && (e = full_recv(c->fd, rep, replen, pfd)))
		return e;
	return 0;
}

/* transact() - one request/reply on connected @c; lock held.  Returns 0
 * or a positive errno; *@err gets the daemon's err field; *@unsent is set
 * when the request could not be sent at all (nothing reached a daemon).
 * CONNECT_NOWAIT has no reply to read. */
static int transact(struct ctl *c, enum proto_op op, const void *req, size_t reqlen,
		    void *rep, size_t replen, int *pfd, int sendfd, int *err, bool *unsent)
{
	uint32_t seq;
	int e;

	if ((e = send_req(c, op, req, reqlen, sendfd, &seq))) {
		*unsent = true;
		return e;
	}
	if (op == OP_CONNECT_NOWAIT)
		return 0;
	return recv_rep(c, op, seq, rep, replen, pfd, err);
}

/* collect_one() - read the reply to the oldest CREATE sent ahead: its
 * socket becomes a spare (an error reply: none).  Lock held.  0 or errno
 * (the connection broke). */
static int collect_one(struct ctl *c)
{
	struct proto_sockinfo info;
	int fd = -1, err = 0, e;
	uint32_t seq = c->pending[0];

	memmove(&c->pending[0], &c->pending[1], sizeof(seq) * (size_t)--c->n_pending);
	e = recv_rep(c, OP_CREATE, seq, &info, sizeof(info), &fd, &err);
	if (e || err || fd < 0) {
		if (fd >= 0)
			REAL(close)(fd);
		return e;
	}
	spare_keep(c, fd, &info);
	return 0;
}

/* peek() - 1 if reply bytes are waiting on @c, 0 if none yet, -1 if the
 * daemon closed the connection (it died: its spares are dead too) */
static int peek(struct ctl *c)
{
	char b;
	ssize_t n;

	if (!REAL(recv))
		return 0;
	n = REAL(recv)(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0)
		return 1;
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
}

/* collect() - read the replies to CREATEs sent ahead: all of them when
 * @all, else those already here.  Lock held.  0 or errno. */
static int collect(struct ctl *c, bool all)
{
	int e, r;

	while (c->n_pending > 0) {
		if (!all && (r = peek(c)) <= 0)
			return r < 0 ? EPIPE : 0;
		if ((e = collect_one(c)))
			return e;
	}
	return 0;
}

/* serve() - request @op on connected @c: a TCP CREATE from a spare when
 * there is one (waiting for one asked ahead rather than asking anew), and
 * from the SPARE_AFTER-th TCP CREATE on, ask ahead for the spares used up.
 * Arguments and result as transact().  Lock held. */
static int serve(struct ctl *c, enum proto_op op, const void *req, size_t reqlen,
		 void *rep, size_t replen, int *pfd, int sendfd, int *err, bool *unsent)
{
	bool tcp = is_tcp_create(op, req, reqlen), served = false;
	uint32_t seq;
	int e = 0;

	/* a request without a reply can go before the replies ahead are read:
	 * connect() right after socket() must not wait for the next spare */
	if (op == OP_CONNECT_NOWAIT)
		return transact(c, op, req, reqlen, rep, replen, pfd, sendfd, err, unsent);
	if (tcp) {
		/* a spare is only good while the daemon that made it lives:
		 * collect() peeks anyway when replies are due */
		if (c->n_pending > 0)
			e = collect(c, false);
		else if (c->n_spares > 0 && peek(c) < 0)
			e = EPIPE;
		if (!e && c->n_spares == 0 && c->n_pending > 0)
			e = collect_one(c);
		served = !e && spare_take(c, rep, replen, pfd);
	}
	if (!e && !served)
		e = collect(c, true);
	if (e) {
		*unsent = true;         /* this request never went out */
		return e;
	}
	if (!served)
		e = transact(c, op, req, reqlen, rep, replen, pfd, sendfd, err, unsent);
	if (e || *err || !tcp || ++c->creates < SPARE_AFTER)
		return e;
	while (c->n_spares + c->n_pending < SPARE_MAX &&
	       send_req(c, OP_CREATE, req, reqlen, -1, &seq) == 0)
		c->pending[c->n_pending++] = seq;
	return 0;
}

/* shim_request() - see shim.h */
int shim_request(int family, enum proto_op op, const void *req, size_t reqlen,
		 void *rep, size_t replen, int *pfd)
{
	return shim_request_fd(family, op, req, reqlen, rep, replen, pfd, -1);
}

/* shim_request_fd() - see shim.h.  Lock order: only ctl_lock. */
int shim_request_fd(int family, enum proto_op op, const void *req, size_t reqlen,
		    void *rep, size_t replen, int *pfd, int sendfd)
{
	int slot = ctl_slot(family), e, err = 0, tries;
	sigset_t all, old;

	if (pfd)
		*pfd = -1;
	if (in_ctl)
		return EINTR;   /* a signal handler inside our own request */
	sigfillset(&all);
	/* no signal handler may run while we hold the lock */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_mutex_lock(&ctl_lock);
	in_ctl = 1;
	for (tries = 0; tries < 2; tries++) {
		struct ctl *c = &ctls[slot];
		bool unsent = false;

		if (!ctl_valid(c)) {
			ctl_drop(slot, c->pid == getpid() ? false : true);
			if ((e = ctl_open(slot)))
				break;
		}
		e = serve(c, op, req, reqlen, rep, replen, pfd, sendfd, &err, &unsent);
		if (e == 0)
			break;
		/* the connection broke: drop it; retry once on a fresh one only
		 * if nothing could have reached the daemon's state (a send
		 * failure before any reply) */
		ctl_drop(slot, true);
		if (pfd && *pfd >= 0) {
			REAL(close)(*pfd);
			*pfd = -1;
		}
		if (e != EPIPE && e != ECONNRESET && e != ENOTCONN && e != EBADF)
			break;
		if (!unsent && (op == OP_LISTEN || op == OP_CONNECT || op == OP_BIND ||
				op == OP_CONNECT_NOWAIT)) {
			/* a dead daemon: the socket is gone too */
			break;
		}
		if (!unsent && op == OP_CREATE)
			break;          /* it may have made one: do not make two */
		/* unsent (the daemon that served this connection is gone, a new
		 * one may be there): a fresh connection gets the request */
	}
	in_ctl = 0;
	pthread_mutex_unlock(&ctl_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e == EPIPE || e == ECONNRESET || e == EPROTO)
		e = e == EPROTO ? EPROTO : ENETDOWN;
	return e ? e : err;
}

/* shim_send_fd() - see shim.h */
int shim_send_fd(int family, enum proto_op op, const void *req, size_t reqlen, int sendfd)
{
	return shim_request_fd(family, op, req, reqlen, NULL, 0, NULL, sendfd);
}

/* shim_is_ctl_fd() - is @fd one of our control fds (in this process)? */
bool shim_is_ctl_fd(int fd)
{
	return fd >= 0 && (fd == ctl_fdnums[0] || fd == ctl_fdnums[1]);
}

/* shim_ctl_forget() - the program closes or overwrites fds [lo, hi]: drop
 * our connections there without closing (the caller's call closes them) */
void shim_ctl_forget(unsigned lo, unsigned hi)
{
	int s;

	if (!((ctl_fdnums[0] >= 0 && (unsigned)ctl_fdnums[0] >= lo && (unsigned)ctl_fdnums[0] <= hi) ||
	      (ctl_fdnums[1] >= 0 && (unsigned)ctl_fdnums[1] >= lo && (unsigned)ctl_fdnums[1] <= hi)))
		return;
	if (in_ctl)
		return;
	pthread_mutex_lock(&ctl_lock);
	for (s = 0; s < 2; s++)
		if (ctls[s].fd >= 0 && (unsigned)ctls[s].fd >= lo && (unsigned)ctls[s].fd <= hi)
			ctl_drop(s, false);
	pthread_mutex_unlock(&ctl_lock);
}

/* atfork handlers: hold the lock across fork() so the child never
 * inherits it held. */
void shim_ctl_atfork_prepare(void) { pthread_mutex_lock(&ctl_lock); }
void shim_ctl_atfork_parent(void) { pthread_mutex_unlock(&ctl_lock); }

/* shim_ctl_atfork_child() - the child closes its copies of the parent's
 * connections and spares at once: a spare's copy held by a child that
 * never uses the shim again would keep the parent's socket open in lwipd
 * after the parent closed it (no FIN would go out).  The child opens its
 * own connections on first use. */
void shim_ctl_atfork_child(void)
{
	ctl_drop(0, true);
	ctl_drop(1, true);
	pthread_mutex_unlock(&ctl_lock);
}
