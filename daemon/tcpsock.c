/* tcpsock.c - TCP sockets over lwIP's raw API
 *
 * Data moves between the daemon's end of the program's socketpair and the
 * tcp_pcb with flow control both ways and bounded memory:
 *   program -> lwIP: read no more than tcp_sndbuf(); when it is zero stop
 *     reading until lwIP's sent callback makes room;
 *   lwIP -> program: write without blocking; call tcp_recved() only for
 *     bytes the program's socket took, so the TCP window closes when the
 *     program does not read.
 * Connecting: the program's end (sent along with CONNECT) gets its smallest
 * send buffer and is filled with filler bytes, so it polls neither readable
 * nor writable; reading the filler away when the connection is made (or
 * fails) makes it writable, which is what a non-blocking connect waits for.
 * Listening: the program holds a Unix listening socket; each connection
 * lwIP accepts becomes a Unix connection to it, so accept(), accept4() and
 * readiness are the kernel's own.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "lwip/tcp.h"

#include "log.h"
#include "route.h"
#include "sock.h"

#define TCP_CHUNK       (64 * 1024)     /* bytes read from a program at once */
#define TCP_MAX_IOV     64              /* pbufs written to a program at once */
#define FILLER_MAX      (256 * 1024)    /* bound on filler bytes */
#define FILLER_CHUNK    (32 * 1024)     /* filler bytes per send */

static uint8_t chunk[TCP_CHUNK];
static struct sock *to_deliver;         /* sockets with data from lwIP to write */

static void tcp_readable(void *arg, uint32_t events);
static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static void on_err(void *arg, err_t err);

/* want_events() - the epoll interest @s needs now */
static uint32_t want_events(const struct sock *s)
{
	uint32_t ev = 0;

	if (s->state != SS_CONNECTED || s->hup)
		return 0;
	if (!s->app_eof && !s->stash && s->pcb.tcp && tcp_sndbuf(s->pcb.tcp) > 0)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (s->rx)
		ev |= EPOLLOUT;
	return ev;
}

/* update_events() - apply want_events() */
static void update_events(struct sock *s)
{
	sock_set_events(s, want_events(s));
}

/* attach() - hook @pcb's callbacks to @s */
static void attach(struct sock *s, struct tcp_pcb *pcb)
{
	s->pcb.tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

/* detach() - unhook @s from its pcb (before closing or after an error) */
static void detach(struct sock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	if (!pcb)
		return;
	tcp_arg(pcb, NULL);
	if (pcb->state != LISTEN) {
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	} else {
		tcp_accept(pcb, NULL);
	}
	s->pcb.tcp = NULL;
}

/* set_bufs() - a large send buffer on the daemon's end for throughput.
 * Only the send buffer: a Unix stream socket's receive buffer limits
 * nothing (a writer is held back by its own send buffer alone), so
 * setting it was a system call per socket for nothing.
 */
static void set_bufs(int fd)
{
	int v = (int)limit_get(LIM_BUFFER);

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/* tcpsock_create() - a fresh pcb for @s (dual-stack for AF_INET6) */
int tcpsock_create(struct sock *s)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(s->family == AF_INET6 ?
					      IPADDR_TYPE_ANY : IPADDR_TYPE_V4);

	if (!pcb)
		return -ENOBUFS;
	attach(s, pcb);
	return 0;
}

/* tcpsock_bind() - bind to a local address (must be ours) and port, once */
int tcpsock_bind(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	err_t e;

	/* bound already: EINVAL, as Linux says (lwIP's tcp_bind() would put
	 * the pcb on its bound list twice, and a freed pcb would stay there) */
	if (!s->pcb.tcp || s->state != SS_NEW || s->pcb.tcp->local_port)
		return -EINVAL;
	if (!sockaddr_is_local(ip))
		return -EADDRNOTAVAIL;
	e = tcp_bind(s->pcb.tcp, ip, port);
	if (e == ERR_USE) {
		tcpsock_sweep_listeners();      /* a dead program's listener? */
		e = tcp_bind(s->pcb.tcp, ip, port);
	}
	return -sock_lwip_errno(e);
}

/* ---- Program -> lwIP ---------------------------------------------------- */

/* push() - hand @len bytes to lwIP; keep what it refuses in the stash */
static int push(struct sock *s, const uint8_t *data, size_t len)
{
	err_t e = tcp_write(s->pcb.tcp, data, (u16_t)len, TCP_WRITE_FLAG_COPY);

	if (e == ERR_OK) {
		s->tx_bytes += len;
		return 0;
	}
	if (e != ERR_MEM)
		return -1;
	s->stash = malloc(len);
	if (!s->stash)
		return -1;
	memcpy(s->stash, data, len);
	s->stash_len = len;
	return 0;
}

/* flush_stash() - retry bytes lwIP refused earlier */
static void flush_stash(struct sock *s)
{
	uint8_t *st = s->stash;

	if (!st)
		return;
	s->stash = NULL;
	if (push(s, st, s->stash_len) == 0 && !s->stash)
		s->stash_len = 0;
	free(st);
}

/* finish_close() - the program is gone and its data is in lwIP: close,
 * or reset if it asked for SO_LINGER {1, 0}
 */
static void finish_close(struct sock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	detach(s);
	if (pcb && (s->abort_on_close || tcp_close(pcb) != ERR_OK))
		tcp_abort(pcb);
	sock_free(s);
}

/* app_closed() - EOF from the program's end: half-close, or all closed */
static void app_closed(struct sock *s, bool hup)
{
	s->app_eof = true;
	if (hup) {
		s->closing = true;
		sock_close_fd(s);       /* nothing more to read or deliver */
		if (!s->stash || s->abort_on_close)
			finish_close(s);
		return;
	}
	if (!s->stash && s->pcb.tcp)
		tcp_shutdown(s->pcb.tcp, 0, 1);
}

/* pull() - read what the program wrote, as much as lwIP takes now;
 * returns -1 if @s may have been freed or failed
 */
static int pull(struct sock *s, uint32_t events)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	while (!s->stash && tcp_sndbuf(pcb) > 0) {
		size_t room = tcp_sndbuf(pcb);
		ssize_t n;

		if (room > TCP_CHUNK)
			room = TCP_CHUNK;
		if (room > 0xffff)
			room = 0xffff;
		n = s->fd < 0 ? 0 : recv(s->fd, chunk, room, MSG_DONTWAIT);
		if (n > 0) {
			if (push(s, chunk, (size_t)n)) {
				tcp_abort(pcb);   /* on_err frees nothing: we hold s */
				return -1;
			}
			if ((size_t)n < room)
				break;    /* drained for now: the level-triggered watch
					   * reports more (or EOF) without a recv that
					   * would only say EAGAIN */
			continue;
		}
		if (n == 0) {
			bool hup = (events & EPOLLHUP) != 0;

			tcp_output(pcb);
			app_closed(s, hup);
			return hup ? -1 : 0;    /* after a HUP, s may be gone */
		}
		if (errno == EAGAIN || errno == EINTR)
			break;
		app_closed(s, true);      /* ECONNRESET from the program's side */
		return -1;
	}
	tcp_output(pcb);
	return 0;
}

/* ---- lwIP -> program ---------------------------------------------------- */

/* rx_append() - queue @p (a chain from lwIP) for the program, in O(1)
 * whatever is queued: a peer sending tiny segments to a program that
 * does not read must not make each append walk the queue
 */
static void rx_append(struct sock *s, struct pbuf *p)
{
	struct pbuf *last = p;

	while (last->next)
		last = last->next;
	if (s->rx)
		s->rx_last->next = p;   /* the chain now owns p's reference */
	else
		s->rx = p;
	s->rx_last = last;
	s->rx_len += p->tot_len;
}

/* rx_taken() - @n bytes at the head of @s's queue are taken (by the
 * program, or dropped): tell lwIP to open its window by that much and
 * free them, with every empty pbuf at the head (a zero-length last IP
 * fragment leaves one; kept, it would make an empty write forever)
 */
static void rx_taken(struct sock *s, size_t n)
{
	for (size_t left = n; left > 0 && s->pcb.tcp;) {
		u16_t step = left > 0xffff ? 0xffff : (u16_t)left;

		tcp_recved(s->pcb.tcp, step);
		left -= step;
	}
	s->rx_len -= n;
	while (s->rx && (n > 0 || s->rx->len == 0)) {
		struct pbuf *q = s->rx;

		if (n < q->len) {
			pbuf_remove_header(q, n);
			return;
		}
		n -= q->len;
		s->rx = q->next;
		q->next = NULL;
		pbuf_free(q);
	}
	if (!s->rx)
		s->rx_last = NULL;
}

/* only_rd_shut() - did the program shut down only reading on its end
 * (shutdown(SHUT_RD)), rather than close it?  Our writes fail with EPIPE
 * in both cases; a closed end also hangs ours up.
 */
static bool only_rd_shut(const struct sock *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLOUT };

	return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

/* deliver() - write pending received data to the program; returns -1 if
 * the program's end is gone.  After the program's shutdown(SHUT_RD) the
 * data is dropped (acknowledged: the peer is not held up), as BSD does;
 * the connection goes on sending what the program writes.
 */
static int deliver(struct sock *s)
{
	if (s->app_rd_shut) {
		rx_taken(s, s->rx_len);
		return 0;
	}
	rx_taken(s, 0);
	while (s->rx) {
		struct iovec iov[TCP_MAX_IOV];
		struct msghdr mh = { .msg_iov = iov };
		struct pbuf *q;
		ssize_t n;

		for (q = s->rx; q && mh.msg_iovlen < TCP_MAX_IOV; q = q->next) {
			iov[mh.msg_iovlen].iov_base = q->payload;
			iov[mh.msg_iovlen++].iov_len = q->len;
		}
		n = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == EPIPE && only_rd_shut(s)) {
				s->app_rd_shut = true;
				rx_taken(s, s->rx_len);
				break;
			}
			return -1;
		}
		s->rx_bytes += (uint64_t)n;
		rx_taken(s, (size_t)n);
		if (n == 0)
			break;          /* only empty pbufs were left: now gone */
	}
	if (!s->rx && s->peer_fin)
		shutdown(s->fd, SHUT_WR);
	return 0;
}

/* queue_delivery() - write @s's received data after this batch of input,
 * so that one sendmsg() and one tcp_recved() cover many segments
 */
static void queue_delivery(struct sock *s)
{
	if (s->queued)
		return;
	s->queued = true;
	s->dnext = to_deliver;
	to_deliver = s;
}

/* tcpsock_unqueue() - drop @s from the delivery queue (it is being freed) */
void tcpsock_unqueue(struct sock *s)
{
	for (struct sock **p = &to_deliver; *p; p = &(*p)->dnext)
		if (*p == s) {
			*p = s->dnext;
			break;
		}
	s->queued = false;
}

/* tcpsock_deliver_all() - after a batch of input: write what arrived, and
 * finish what on_sent() left: the close of a socket the program closed
 * (now that its data is in lwIP, or at once when data came for it: a
 * reset, as Linux answers data for a closed socket), and the rest of what
 * a program wrote before it closed
 */
void tcpsock_deliver_all(void)
{
	while (to_deliver) {
		struct sock *s = to_deliver;

		to_deliver = s->dnext;
		s->queued = false;
		if (s->closing) {
			if (!s->stash || s->abort_on_close || s->rx)
				finish_close(s);
			continue;
		}
		if (s->state != SS_CONNECTED)
			continue;
		if (s->hup && !s->app_eof && !s->stash && s->pcb.tcp &&
		    pull(s, EPOLLHUP) < 0)
			continue;       /* s may be gone */
		if (deliver(s) < 0) {
			struct tcp_pcb *pcb = s->pcb.tcp;

			detach(s);
			if (pcb)
				tcp_abort(pcb);
			sock_free(s);
			continue;
		}
		update_events(s);
	}
}

/* let_go_if_done() - the peer's FIN arrived on @pcb: if ours went first
 * (CLOSING, TIME_WAIT), lwIP finishes the connection alone and frees the
 * pcb without a callback (TIME-WAIT's end, a reopening SYN, the sweep), so
 * @s must stop pointing at it now.  What lwIP gave @s stays to be
 * delivered.
 */
static void let_go_if_done(struct sock *s, struct tcp_pcb *pcb)
{
	if (pcb->state == CLOSING || pcb->state == TIME_WAIT)
		detach(s);
}

/* on_recv() - lwIP received data (or the peer's FIN when @p is NULL) */
static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	(void)err;
	if (!s) {                       /* detached: nobody reads */
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) {
		s->peer_fin = true;
		let_go_if_done(s, pcb);
	} else {
		rx_append(s, p);
	}
	if (s->state == SS_CONNECTED)
		queue_delivery(s);
	return ERR_OK;
}

/* on_sent() - the peer acknowledged data: room for more from the program */
static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct sock *s = arg;

	(void)len;
	if (!s)
		return ERR_OK;
	flush_stash(s);
	if (s->closing || (s->hup && !s->app_eof)) {
		/* Finishing may close or abort the pcb, which lwIP's
		 * tcp_input() goes on using after this callback: closed here, it
		 * drops (and leaks) data that came with this ACK.  So after the
		 * input batch, in tcpsock_deliver_all(). */
		queue_delivery(s);
		return ERR_OK;
	}
	if (!s->stash && s->app_eof)
		tcp_shutdown(pcb, 0, 1);
	update_events(s);
	return ERR_OK;
}

/* ---- Connecting --------------------------------------------------------- */

/* fill() - make the program's end unwritable: smallest send buffer, then
 * filler bytes until it would block.  A send larger than the buffer stops
 * short exactly when the buffer is full, so one call usually does it
 * (a Unix stream socket is writable only while under a quarter of its
 * buffer is used).  The shim does the same itself before CONNECT_NOWAIT
 * (fill_own() in shim/socket.c).
 */
static void fill(struct sock *s)
{
	static const uint8_t zeros[FILLER_CHUNK];
	socklen_t l = sizeof(s->app_sndbuf);
	int one = 1;

	getsockopt(s->app_fd, SOL_SOCKET, SO_SNDBUF, &s->app_sndbuf, &l);
	setsockopt(s->app_fd, SOL_SOCKET, SO_SNDBUF, &one, sizeof(one));
	s->filler = 0;
	while (s->filler < FILLER_MAX) {
		ssize_t n = send(s->app_fd, zeros, sizeof(zeros), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n <= 0)
			break;
		s->filler += (size_t)n;
		if ((size_t)n < sizeof(zeros))
			break;
	}
}

/* unfill() - read the filler away and restore the program's send buffer:
 * its end turns writable
 */
static void unfill(struct sock *s)
{
	while (s->filler > 0) {
		size_t want = s->filler < sizeof(chunk) ? s->filler : sizeof(chunk);
		ssize_t n = recv(s->fd, chunk, want, MSG_DONTWAIT);

		if (n <= 0)
			break;
		s->filler -= (size_t)n;
	}
	if (s->app_fd >= 0) {
		int v = s->app_sndbuf / 2;      /* the kernel doubles what is set */

		setsockopt(s->app_fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
		close(s->app_fd);
		s->app_fd = -1;
	}
}

/* on_connected() - lwIP's connected callback */
static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	if (!s)
		return ERR_OK;
	unfill(s);
	s->state = SS_CONNECTED;
	s->err = sock_lwip_errno(err);
	if (s->rx && deliver(s) < 0) {
		detach(s);
		tcp_abort(pcb);
		sock_free(s);
		return ERR_ABRT;
	}
	update_events(s);
	return ERR_OK;
}

/* connect_fail() - a connect that cannot go on, or failed: hang the
 * program's end up before the filler goes (it must never look writable
 * without a hangup: the shim reads that as "connected", connect_again() in
 * shim/socket.c), free a pcb lwIP still has, and keep @err for SO_ERROR
 */
static void connect_fail(struct sock *s, int err)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	shutdown(s->fd, SHUT_RDWR);
	unfill(s);
	if (pcb) {
		detach(s);
		if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
	}
	s->state = SS_NEW;
	sock_fail(s, err);
}

/* start_connect() - tcp_connect() for @s, whose program end is already
 * filled; 0 or -errno (the caller decides what a failure does)
 */
static int start_connect(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
	int rc = route_check(ip);
	err_t e;

	if (rc)
		return rc;              /* ENETUNREACH now, not after 18 s of SYNs */
	e = tcp_connect(s->pcb.tcp, ip, port, on_connected);

	if (e != ERR_OK)
		return e == ERR_RTE ? -ENETUNREACH : -sock_lwip_errno(e);
	s->state = SS_CONNECTING;
	sock_set_events(s, 0);
	return 0;
}

/* tcpsock_connect_nowait() - CONNECT_NOWAIT: the shim filled the program's
 * end (@filler bytes, its send buffer was @sndbuf) and waits for no answer.
 * @err is a failure found before (bad address, rate limit): with it, or
 * when the connect cannot start, the socket fails and the program reads
 * the error with SO_ERROR.  Takes ownership of @app_fd, which is -1 when
 * the kernel lost it (then @err says so).
 */
void tcpsock_connect_nowait(struct sock *s, const ip_addr_t *ip, uint16_t port,
			    int app_fd, size_t filler, int sndbuf, int err)
{
	if (s->state == SS_CONNECTING && s->app_fd >= 0) {
		/* a second connect raced the first (another process holding
		 * the fd): its filler goes with the first one's */
		s->filler += filler;
		if (app_fd >= 0)
			close(app_fd);
		return;
	}
	if (s->state != SS_NEW || !s->pcb.tcp) {
		/* the filler went into a stream that is not connecting: the
		 * connection cannot be trusted any more */
		log_warn("socket %llu: CONNECT_NOWAIT in state %d; resetting it",
			 (unsigned long long)s->id, (int)s->state);
		if (app_fd >= 0)
			close(app_fd);
		if (s->state == SS_FAILED)
			return;
		tcpsock_close(s, true);
		return;
	}
	s->app_fd = app_fd;
	s->app_sndbuf = sndbuf;
	s->filler = filler <= FILLER_MAX ? filler : 0;
	if (!err && filler > FILLER_MAX)
		err = EINVAL;
	if (!err)
		err = -start_connect(s, ip, port);
	if (err)
		connect_fail(s, err);
}

/* tcpsock_connect() - start connecting; takes ownership of @app_fd */
int tcpsock_connect(struct sock *s, const ip_addr_t *ip, uint16_t port, int app_fd)
{
	int rc;

	if (s->state == SS_CONNECTING) {
		close(app_fd);
		return -EALREADY;
	}
	if (s->state != SS_NEW || !s->pcb.tcp) {
		close(app_fd);
		return s->state == SS_CONNECTED ? -EISCONN : -EINVAL;
	}
	s->app_fd = app_fd;
	fill(s);
	rc = start_connect(s, ip, port);
	if (rc) {
		unfill(s);
		return rc;
	}
	return -EINPROGRESS;
}

/* on_err() - lwIP freed the pcb: after a reset, refusal or timeout, or
 * (ERR_CLSD) after a close that ended while the program had data to read */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;

	/* lwIP's own aborts (ours detach first) come from its timers: SYNs,
	 * retransmissions or keepalive probes got no answer: ETIMEDOUT, as
	 * Linux says */
	int e = err == ERR_ABRT ? ETIMEDOUT : sock_lwip_errno(err);

	if (!s)
		return;
	s->pcb.tcp = NULL;
	if (s->state == SS_CONNECTING) {
		connect_fail(s, err == ERR_RST ? ECONNREFUSED : e);
		return;
	}
	if (s->closing) {
		sock_free(s);
		return;
	}
	if (err == ERR_CLSD && s->state == SS_CONNECTED) {
		/* Not an error: both sides closed and our FIN was acked (LAST_ACK
		 * ended) while the program still had data to read.  It gets all
		 * of it, then EOF (deliver() after peer_fin). */
		if (deliver(s) < 0) {
			tcpsock_close(s, true);
			return;
		}
		update_events(s);
		return;
	}
	/* Give the program what arrived before the reset, then the error. */
	if (s->rx)
		deliver(s);
	sock_fail(s, e);
}

/* tcp_readable() - events on the daemon's end of a connected socket */
static void tcp_readable(void *arg, uint32_t events)
{
	struct sock *s = arg;

	/* without a pcb, a connected socket only delivers what lwIP gave it
	 * (lwIP ended the connection after the program's EOF: app_eof) */
	if (s->state != SS_CONNECTED || (!s->pcb.tcp && !s->app_eof)) {
		if (events & EPOLLHUP)
			tcpsock_close(s, false);
		return;
	}
	if (events & EPOLLHUP) {
		/* The program closed its end.  What it wrote is still to be
		 * read; HUP stays reported, so stop polling and read the rest
		 * as lwIP makes room (on_sent). */
		loop_del(&s->watch);
		s->events = 0;
		s->hup = true;
		if (!s->app_eof)
			pull(s, EPOLLHUP);
		else
			app_closed(s, true);
		return;
	}
	if ((events & EPOLLOUT) && deliver(s) < 0) {
		tcpsock_close(s, true);
		return;
	}
	if ((events & (EPOLLIN | EPOLLRDHUP)) && !s->app_eof && pull(s, events) < 0)
		return;
	update_events(s);
}

/* tcpsock_watch() - start relaying on @s's fd (CREATE, accept) */
int tcpsock_watch(struct sock *s)
{
	set_bufs(s->fd);
	s->events = 0;
	return loop_add(&s->watch, s->fd, 0, tcp_readable, s);
}

/* tcpsock_close() - the program's end closed (HUP) or must go (abort) */
void tcpsock_close(struct sock *s, bool abort)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	if (s->state == SS_LISTENING || !pcb || abort || s->abort_on_close) {
		detach(s);
		if (pcb && pcb->state == LISTEN)
			tcp_close(pcb);
		else if (pcb)
			tcp_abort(pcb);
		sock_free(s);
		return;
	}
	if (s->state == SS_CONNECTING) {
		/* we hold a copy of the program's end, so it did not close it:
		 * it shut it down (another thread cancelling a blocking
		 * connect).  The connect ends, as Linux's shutdown() of a
		 * SYN_SENT socket; left alone, the HUP would be reported on
		 * every loop until the connect ended */
		connect_fail(s, ECONNABORTED);
		return;
	}
	app_closed(s, true);
}

/* ---- Listening ---------------------------------------------------------- */

/* unix_connect() - connect a new Unix socket, named for @c and its peer
 * (@pcb's remote end), to @lst's listener; the fd, or -errno
 */
static int unix_connect(struct sock *c, const struct sock *lst, const struct tcp_pcb *pcb)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(lst->lst_name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), rc;
	struct proto_addr peer;

	if (fd < 0)
		return -errno;
	sockaddr_from_ip(&pcb->remote_ip, pcb->remote_port, &peer);
	rc = sock_bind_name(fd, c, &peer);
	memcpy(sun.sun_path + 1, lst->lst_name, n);
	if (!rc && connect(fd, (struct sockaddr *)&sun,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* report_backlog() - a connection to @lst was reset: the program's accept
 * queue (its listen() backlog, at most --limit backlog) is full
 */
static void report_backlog(const struct sock *lst)
{
	char what[160];

	snprintf(what, sizeof(what), "a connection to its listener (backlog %d) was reset: "
		 "the accept queue is full (the program accepts too slowly, or asked listen() "
		 "for less)", lst->backlog);
	limit_report(LIM_BACKLOG, lst->pid, getuid(), what);
}

/* on_accept() - lwIP accepted a connection on a listener */
static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct sock *lst = arg, *c;
	int fd, e;

	if (!lst || err != ERR_OK || !newpcb)
		return ERR_VAL;
	c = sock_new(lst->family, SOCK_STREAM, lst->pid, &e);
	if (!c) {
		tcp_abort(newpcb);
		return ERR_ABRT;
	}
	fd = unix_connect(c, lst, newpcb);
	if (fd < 0) {
		sock_free(c);
		tcp_abort(newpcb);
		if (fd == -ECONNREFUSED)        /* the program closed its listener */
			tcpsock_close(lst, false);
		else if (fd == -EAGAIN)         /* its accept queue is full */
			report_backlog(lst);
		return ERR_ABRT;
	}
	c->fd = fd;
	c->state = SS_CONNECTED;
	attach(c, newpcb);
	if (tcpsock_watch(c)) {
		detach(c);
		sock_free(c);
		tcp_abort(newpcb);
		return ERR_ABRT;
	}
	update_events(c);
	return ERR_OK;
}

/* make_listener() - a Unix listening socket named for @s; fd or -errno */
static int make_listener(struct sock *s, int backlog)
{
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	rc = sock_bind_name(fd, s, NULL);
	if (!rc && listen(fd, backlog) < 0)
		rc = -errno;
	if (!rc && fstat(fd, &st) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	s->lst_ino = st.st_ino;
	sock_name(s, s->lst_name, sizeof(s->lst_name));
	return fd;
}

/* lwip_backlog() - @backlog as lwIP's u8_t backlog (lwIP counts pending
 * connections in a u8_t: larger values must saturate, not wrap to 0,
 * which would refuse every SYN)
 */
static u8_t lwip_backlog(int backlog)
{
	return (u8_t)(backlog > 255 ? 255 : backlog);
}

/* tcpsock_listen() - start listening; *@lfd gets the Unix listener for
 * the program (or -1 when only the backlog changed)
 */
int tcpsock_listen(struct sock *s, int backlog, int *lfd)
{
	struct tcp_pcb *lpcb;
	err_t e = ERR_OK;
	uint64_t old_id;
	int fd;

	*lfd = -1;
	if (backlog < 1)
		backlog = 1;
	if (backlog > limit_get(LIM_BACKLOG))
		backlog = (int)limit_get(LIM_BACKLOG);  /* silently, as somaxconn */
	if (s->state == SS_LISTENING) {
		tcp_backlog_set(s->pcb.tcp, lwip_backlog(backlog));
		s->backlog = backlog;
		return 0;
	}
	if (s->state != SS_NEW || !s->pcb.tcp)
		return -EINVAL;
	if (s->pcb.tcp->local_port == 0) {
		e = tcp_bind(s->pcb.tcp, &s->pcb.tcp->local_ip, 0);
		if (e != ERR_OK)
			return -sock_lwip_errno(e);
	}
	old_id = sock_rekey(s, 0);
	fd = make_listener(s, backlog);
	if (fd < 0) {
		sock_rekey(s, old_id);
		return fd;
	}
	lpcb = tcp_listen_with_backlog_and_err(s->pcb.tcp, lwip_backlog(backlog), &e);
	if (!lpcb) {
		close(fd);
		sock_rekey(s, old_id);
		return -sock_lwip_errno(e);
	}
	s->pcb.tcp = lpcb;
	tcp_arg(lpcb, s);
	tcp_accept(lpcb, on_accept);
	s->state = SS_LISTENING;
	s->backlog = backlog;
	/* The old socketpair is done with: the program's end is replaced. */
	sock_close_fd(s);
	*lfd = fd;
	return 0;
}

/* read_unix_inodes() - inodes of listening Unix sockets in our network
 * namespace (from /proc/net/unix) into a sorted array; count or -1
 */
static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

static int read_unix_inodes(ino_t **out)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[512];
	size_t n = 0, cap = 0;
	ino_t *v = NULL;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ino;
		unsigned int st;
		ino_t *nv;

		if (sscanf(line, "%*s %*s %*s %*s %*s %x %llu", &st, &ino) != 2 || st != 1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = (ino_t)ino;
	}
	fclose(f);
	if (n)
		qsort(v, n, sizeof(*v), cmp_ino);
	*out = v;
	return (int)n;
}

/* tcpsock_sweep_listeners() - close listeners whose program closed its
 * Unix listener (no connection ever told us)
 */
void tcpsock_sweep_listeners(void)
{
	struct sock *s, *next;
	ino_t *inos = NULL;
	int n = -1;

	for (s = sock_first(); s; s = next) {
		next = s->next;
		if (s->state != SS_LISTENING)
			continue;
		if (n < 0 && (n = read_unix_inodes(&inos)) < 0)
			return;
		if (!n || !bsearch(&s->lst_ino, inos, (size_t)n, sizeof(*inos), cmp_ino))
			tcpsock_close(s, false);
	}
	free(inos);
}
