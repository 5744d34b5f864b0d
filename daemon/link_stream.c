/* link_stream.c - the stream back ends: passt:PATH and stream:PATH
 * connect to a Unix socket, stream-listen:PATH waits on one for a peer
 *
 * All three speak the QEMU stream protocol (link_frame.c): passt's socket,
 * QEMU's `-netdev stream`, and another lwipd.  No privilege is needed at
 * all.  The rules:
 * - Reads may end anywhere; frame_rx keeps the partial frame.  Each
 *   complete frame goes to link_input().
 * - Writes never block the loop: what the socket does not take is queued
 *   (whole frames, up to STREAM_TXQ_BYTES) and written when it becomes
 *   writable; beyond that, frames are dropped and counted (tx dropped).
 * - A length of 0 or above LINK_MAX_FRAME is a protocol error: logged, and
 *   the connection is dropped.
 * - A lost connection takes the carrier away (the netif's link goes down);
 *   connecting sides retry with a doubling delay (STREAM_RETRY_MIN_MS to
 *   STREAM_RETRY_MAX_MS), a listening side waits for the next peer.  When
 *   a peer comes, the link comes up again, which restarts DHCP and router
 *   solicitation (link.c): passt may have restarted with other addresses.
 * - stream-listen takes one peer at a time; a second is told so by being
 *   closed at once, and logged.
 * send() may run inside link_input() (lwIP answers at once), so it never
 * closes the connection itself: errors there only mark it broken, and the
 * event handler tears it down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lwip/timeouts.h"

#include "link.h"
#include "link_frame.h"
#include "log.h"

#define STREAM_RX_BYTES      (256 * 1024)    /* >= FRAME_HDR_LEN + LINK_MAX_FRAME */
#define STREAM_TXQ_BYTES     (512 * 1024)    /* queued for a slow peer, then drop */
#define STREAM_READ_BUDGET   (1024 * 1024)   /* bytes read per wake, for fairness */
#define STREAM_RETRY_MIN_MS  100
#define STREAM_RETRY_MAX_MS  5000
#define STREAM_MTU           1500            /* what a QEMU guest expects */
#define PASST_MTU            65520           /* passt's own default (--mtu) */

struct stream {
	struct sockaddr_un addr;
	bool listening;                 /* stream-listen */
	int lfd;                        /* listening socket, or -1 */
	ino_t lino;                     /* its inode, to unlink only our own */
	int fd;                         /* the connection, or -1 */
	int broken;                     /* a write failed (its errno): tear down at next event */
	bool retry_pending;             /* a sys_timeout() is set */
	bool warned;                    /* the current outage was logged */
	uint32_t retry_ms;              /* next delay */
	struct frame_rx rx;
	struct frame_txq txq;
	uint8_t rxbuf[STREAM_RX_BYTES];
	uint8_t txbuf[STREAM_TXQ_BYTES];
};

static void stream_connect(struct link *l);

/* what() - how to call the peer in messages */
static const char *what(const struct link *l)
{
	return l->kind == LINK_PASST ? "passt" : "the peer";
}

/* hint() - what to run so that a connecting side finds its peer */
static const char *hint(const struct link *l)
{
	if (l->kind == LINK_PASST)
		return "start passt with `passt -f -s PATH` (add -1 to stop it with lwipd)";
	return "start the listening side: `lwipd -i stream-listen:PATH ...`, or QEMU with "
	       "`-netdev stream,id=n,server=on,addr.type=unix,addr.path=PATH`";
}

/* stream_retry() - the reconnect timer fired */
static void stream_retry(void *arg)
{
	struct link *l = arg;
	struct stream *s = l->priv;

	s->retry_pending = false;
	stream_connect(l);
}

/* schedule_retry() - try to connect again after the current delay, and
 * double it for the next time
 */
static void schedule_retry(struct link *l)
{
	struct stream *s = l->priv;

	if (s->retry_pending)
		return;
	sys_timeout(s->retry_ms, stream_retry, l);
	s->retry_pending = true;
	s->retry_ms = s->retry_ms * 2 > STREAM_RETRY_MAX_MS ? STREAM_RETRY_MAX_MS
							    : s->retry_ms * 2;
}

/* stream_down() - drop the connection: carrier off, buffers emptied; a
 * connecting side retries, a listening side waits for the next peer
 */
static void stream_down(struct link *l, const char *why)
{
	struct stream *s = l->priv;

	if (s->fd < 0)
		return;
	loop_del(&l->watch);
	close(s->fd);
	s->fd = -1;
	s->broken = 0;
	s->rx.len = 0;
	frame_txq_consume(&s->txq, s->txq.len);
	link_set_carrier(l, false);
	if (s->listening) {
		log_warn("%s: %s; waiting for the next peer", l->name, why);
	} else {
		log_warn("%s: %s; reconnecting", l->name, why);
		s->retry_ms = STREAM_RETRY_MIN_MS;
		s->warned = true;       /* this outage is logged */
		schedule_retry(l);
	}
}

/* deliver() - frame_rx's callback: one complete frame */
static void deliver(void *arg, const uint8_t *frame, size_t len)
{
	link_input(arg, frame, len);
}

/* stream_read() - read what the peer sent, deliver complete frames;
 * returns 0, or -1 after dropping the connection
 */
static int stream_read(struct link *l)
{
	struct stream *s = l->priv;
	size_t budget = STREAM_READ_BUDGET;
	char why[160];

	while (budget) {
		size_t room;
		uint8_t *p = frame_rx_space(&s->rx, &room);
		ssize_t n = read(s->fd, p, room);
		enum frame_status st;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			if (s->rx.len)
				l->c.rx_errors++;       /* a frame cut short */
			snprintf(why, sizeof(why), "%s closed the connection%s", what(l),
				 n < 0 ? ": " : "");
			if (n < 0)
				snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s",
					 strerror(errno));
			stream_down(l, why);
			return -1;
		}
		st = frame_rx_commit(&s->rx, (size_t)n, deliver, l);
		if (st != FRAME_OK) {
			l->c.rx_errors++;
			snprintf(why, sizeof(why), "protocol error: %s sent a frame length of %u "
				 "(must be 1 to %u)", what(l), (unsigned)s->rx.bad_len,
				 (unsigned)LINK_MAX_FRAME);
			stream_down(l, why);
			return -1;
		}
		budget = (size_t)n < budget ? budget - (size_t)n : 0;
	}
	return 0;
}

/* stream_flush() - write queued bytes; watch for writability while some
 * remain.  Returns 0, or -1 on a write error.
 */
static int stream_flush(struct link *l)
{
	struct stream *s = l->priv;
	struct iovec iov[2];
	int n;

	while ((n = frame_txq_iov(&s->txq, iov)) > 0) {
		ssize_t w = writev(s->fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0)
			return -1;
		frame_txq_consume(&s->txq, (size_t)w);
	}
	loop_mod(&l->watch, s->txq.len ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

/* stream_event() - the connection is readable, writable or broken */
static void stream_event(void *arg, uint32_t events)
{
	struct link *l = arg;
	struct stream *s = l->priv;
	char why[128];

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		if (stream_read(l))
			return;
	if (!s->broken && (events & EPOLLOUT) && stream_flush(l))
		s->broken = errno;
	if (s->broken) {
		snprintf(why, sizeof(why), "cannot write to %s: %s", what(l),
			 strerror(s->broken));
		stream_down(l, why);
	}
}

/* stream_up() - @fd is connected to a peer: watch it, carrier on */
static void stream_up(struct link *l, int fd)
{
	struct stream *s = l->priv;

	if (loop_add(&l->watch, fd, EPOLLIN, stream_event, l)) {
		close(fd);
		if (!s->listening)
			schedule_retry(l);
		return;
	}
	s->fd = fd;
	s->broken = 0;
	s->warned = false;
	s->retry_ms = STREAM_RETRY_MIN_MS;
	frame_rx_init(&s->rx, s->rxbuf, sizeof(s->rxbuf), LINK_MAX_FRAME);
	l->c.connects++;
	if (l->c.connects == 1)
		log_info("%s: connected to %s", l->name, what(l));
	else
		log_info("%s: connected to %s again (connection %llu); renewing addresses "
			 "(DHCP, router solicitation)", l->name, what(l),
			 (unsigned long long)l->c.connects);
	link_set_carrier(l, true);
}

/* stream_connect() - one connection attempt; on failure, log the first
 * of an outage with what to do, and retry later
 */
static void stream_connect(struct link *l)
{
	struct stream *s = l->priv;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) == 0) {
		stream_up(l, fd);
		return;
	}
	if (!s->warned)
		log_warn("%s: cannot connect to %s: %s; %s; retrying every %u s or sooner",
			 l->name, s->addr.sun_path, strerror(errno), hint(l),
			 STREAM_RETRY_MAX_MS / 1000);
	else
		log_debug("%s: cannot connect to %s: %s", l->name, s->addr.sun_path,
			  strerror(errno));
	s->warned = true;
	if (fd >= 0)
		close(fd);
	schedule_retry(l);
}

/* stream_accept() - a peer connects to stream-listen: take it if we have
 * none, else close it at once
 */
static void stream_accept(void *arg, uint32_t events)
{
	struct link *l = arg;
	struct stream *s = l->priv;
	int fd;

	(void)events;
	while ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (s->fd >= 0) {
			log_warn("%s: refused a second peer (one at a time; the first is "
				 "still connected)", l->name);
			close(fd);
			continue;
		}
		stream_up(l, fd);
	}
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("%s: accept: %s", l->name, strerror(errno));
}

/* stale_socket() - is there a socket at @a that nobody listens on? */
static bool stale_socket(const struct sockaddr_un *a)
{
	struct stat st;
	int fd, rc;

	if (lstat(a->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (const struct sockaddr *)a, sizeof(*a));
	close(fd);
	return rc < 0 && errno == ECONNREFUSED;
}

/* stream_listen() - bind and listen on the socket path, mode 0600;
 * a stale socket left by a dead lwipd is replaced
 */
static int stream_listen(struct link *l, char *err, size_t errlen)
{
	struct stream *s = l->priv;
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), rc;

	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", l->name, strerror(errno));
		return -1;
	}
	rc = bind(fd, (struct sockaddr *)&s->addr, sizeof(s->addr));
	if (rc < 0 && errno == EADDRINUSE && stale_socket(&s->addr)) {
		log_info("%s: removing the stale socket %s", l->name, s->addr.sun_path);
		unlink(s->addr.sun_path);
		rc = bind(fd, (struct sockaddr *)&s->addr, sizeof(s->addr));
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot listen on %s: %s%s", l->name,
			 s->addr.sun_path, strerror(errno), errno == EADDRINUSE ?
			 " (another program listens there, or it is not a socket)" :
			 errno == ENOENT ? " (create its directory first)" : "");
		close(fd);
		return -1;
	}
	if (chmod(s->addr.sun_path, 0600) || stat(s->addr.sun_path, &st) ||
	    listen(fd, 1) < 0) {
		snprintf(err, errlen, "%s: cannot listen on %s: %s", l->name,
			 s->addr.sun_path, strerror(errno));
		unlink(s->addr.sun_path);
		close(fd);
		return -1;
	}
	s->lfd = fd;
	s->lino = st.st_ino;
	return 0;
}

/* stream_open() - set up the state for socket path @path: a listening
 * side binds now (so a wrong path fails at start), a connecting side
 * connects in start()
 */
static int stream_open(struct link *l, const char *path, char *err, size_t errlen)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", l->name);
		return -1;
	}
	l->priv = s;
	s->fd = s->lfd = -1;
	s->listening = l->kind == LINK_STREAM_LISTEN;
	s->retry_ms = STREAM_RETRY_MIN_MS;
	s->addr.sun_family = AF_UNIX;
	snprintf(s->addr.sun_path, sizeof(s->addr.sun_path), "%s", path);
	frame_rx_init(&s->rx, s->rxbuf, sizeof(s->rxbuf), LINK_MAX_FRAME);
	frame_txq_init(&s->txq, s->txbuf, sizeof(s->txbuf));
	l->mtu = l->kind == LINK_PASST ? PASST_MTU : STREAM_MTU;
	if (s->listening && stream_listen(l, err, errlen)) {
		free(s);
		l->priv = NULL;
		return -1;
	}
	return 0;
}

/* stream_start() - wait for a peer, or make the first connection attempt */
static int stream_start(struct link *l, char *err, size_t errlen)
{
	struct stream *s = l->priv;

	if (!s->listening) {
		stream_connect(l);
		return 0;
	}
	if (loop_add(&l->listen_watch, s->lfd, EPOLLIN, stream_accept, l)) {
		snprintf(err, errlen, "%s: cannot watch the listening socket", l->name);
		return -1;
	}
	log_info("%s: listening on %s, waiting for a peer", l->name, s->addr.sun_path);
	return 0;
}

/* stream_send() - write one frame, length first; never blocks.  What the
 * socket does not take is queued; a frame that does not fit in the queue
 * is dropped.
 */
static enum link_tx stream_send(struct link *l, const struct iovec *iov, int n,
				size_t len)
{
	struct stream *s = l->priv;
	struct iovec v[65];
	uint8_t hdr[FRAME_HDR_LEN];
	ssize_t w = 0;

	if (s->fd < 0 || s->broken || n > 64)
		return LINK_TX_DROPPED;
	frame_hdr(hdr, (uint32_t)len);
	v[0].iov_base = hdr;
	v[0].iov_len = sizeof(hdr);
	memcpy(v + 1, iov, sizeof(*iov) * (size_t)n);
	if (s->txq.len == 0) {
		w = writev(s->fd, v, n + 1);
		if (w == (ssize_t)(len + sizeof(hdr)))
			return LINK_TX_SENT;
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			s->broken = errno;      /* stream_event() tears it down */
			loop_mod(&l->watch, EPOLLIN | EPOLLOUT);
			return LINK_TX_ERROR;
		}
		if (w < 0)
			w = 0;
	}
	/* A frame partly written must be finished (the stream would be out
	 * of step); the queue is empty then, so it always fits. */
	if (frame_txq_push(&s->txq, v, n + 1, (size_t)w))
		return LINK_TX_DROPPED;
	loop_mod(&l->watch, EPOLLIN | EPOLLOUT);
	return LINK_TX_SENT;
}

/* stream_state() - "passt connected", "stream-listen waiting", ... */
static void stream_state(const struct link *l, char *buf, size_t len)
{
	const struct stream *s = l->priv;

	snprintf(buf, len, "%s %s connects %llu queued %zu", link_kind_name(l->kind),
		 s->fd >= 0 ? "connected" : s->listening ? "waiting" : "connecting",
		 (unsigned long long)l->c.connects, s->txq.len);
}

/* stream_close() - drop the connection, stop retrying, remove our
 * listening socket
 */
static void stream_close(struct link *l)
{
	struct stream *s = l->priv;
	struct stat st;

	if (!s)
		return;
	if (s->fd >= 0) {
		loop_del(&l->watch);
		close(s->fd);
	}
	if (s->retry_pending)
		sys_untimeout(stream_retry, l);
	if (s->lfd >= 0) {
		loop_del(&l->listen_watch);
		close(s->lfd);
		if (!lstat(s->addr.sun_path, &st) && st.st_ino == s->lino)
			unlink(s->addr.sun_path);
	}
	free(s);
	l->priv = NULL;
}

const struct link_ops link_stream_ops = {
	.open = stream_open,
	.start = stream_start,
	.send = stream_send,
	.state = stream_state,
	.close = stream_close,
};
