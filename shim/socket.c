/* socket.c - socket, socketpair, bind, listen, connect, accept, accept4,
 * getsockname, getpeername
 *
 * Only AF_INET/AF_INET6 SOCK_STREAM/SOCK_DGRAM become lwipd sockets; every
 * other call, and every call on an fd that is not ours, is the real one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

/* set_errno() - the usual "-1 with errno" return */
static int set_errno(int e)
{
	errno = e;
	return -1;
}

/* fresh[] - per fd, the id of the TCP socket this process made with
 * socket() and has not connected or listened on yet (0: none).  Only such
 * a socket is certainly unconnected, so only it may be filled here and
 * connected with CONNECT_NOWAIT (a filler in a stream that already
 * carries data would reach the peer).  So the note goes as soon as the
 * socket could be connected elsewhere: at fork (parent and child alike),
 * and for an fd that is duplicated (dup, dup2, dup3, F_DUPFD).
 */
static uint64_t fresh[KIND_MAX];

/* shim_socket_atfork() - see shim.h */
void shim_socket_atfork(void)
{
	memset(fresh, 0, sizeof(fresh));
}

/* shim_socket_shared() - see shim.h */
void shim_socket_shared(int fd)
{
	if (fd >= 0 && fd < KIND_MAX)
		__atomic_store_n(&fresh[fd], 0, __ATOMIC_RELAXED);
}

/* fresh_take() - was @fd's socket @id fresh?  It is not any more. */
static bool fresh_take(int fd, uint64_t id)
{
	uint64_t want = id;

	return fd >= 0 && fd < KIND_MAX &&
	       __atomic_compare_exchange_n(&fresh[fd], &want, 0, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* socket() - create an lwipd socket for AF_INET/AF_INET6 stream and
 * datagram types: CREATE on the family's endpoint, the fd comes with the
 * reply.  SOCK_NONBLOCK/SOCK_CLOEXEC are honoured here. */
SHIM_EXPORT int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct proto_create req = { .type = base, .protocol = protocol };
	struct proto_sockinfo rep;
	int e, fd;

	if (!shim_ready || (domain != AF_INET && domain != AF_INET6) ||
	    (base != SOCK_STREAM && base != SOCK_DGRAM)) {
		fd = REAL(socket)(domain, type, protocol);
		shim_kind_set(fd, KIND_OTHER);
		return fd;
	}
	e = shim_request(domain, OP_CREATE, &req, sizeof(req), &rep, sizeof(rep), &fd);
	if (e)
		return set_errno(e);
	if (fd < 0)
		return set_errno(EPROTO);
	if (!(type & SOCK_CLOEXEC))
		REAL(fcntl)(fd, F_SETFD, 0);
	if (type & SOCK_NONBLOCK)
		REAL(fcntl)(fd, F_SETFL, REAL(fcntl)(fd, F_GETFL) | O_NONBLOCK);
	shim_kind_set(fd, base == SOCK_DGRAM ? KIND_UDP : KIND_TCP);
	if (base == SOCK_STREAM && fd < KIND_MAX)
		__atomic_store_n(&fresh[fd], rep.id, __ATOMIC_RELAXED);
	return fd;
}

/* socketpair() - always the kernel's (AF_UNIX); only noted in the cache */
SHIM_EXPORT int socketpair(int domain, int type, int protocol, int sv[2])
{
	int r = REAL(socketpair)(domain, type, protocol, sv);

	if (r == 0) {
		shim_kind_set(sv[0], KIND_OTHER);
		shim_kind_set(sv[1], KIND_OTHER);
	}
	return r;
}

/* bind() - BIND for our sockets (port 0: the daemon picks one) */
SHIM_EXPORT int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct shim_sock s;
	struct proto_addr_req req;
	int e;

	if (!shim_ident(fd, &s))
		return REAL(bind)(fd, sa, len);
	/* Linux takes AF_UNSPEC + INADDR_ANY on AF_INET sockets */
	if (s.family == AF_INET && sa && len >= sizeof(struct sockaddr_in) &&
	    sa->sa_family == AF_UNSPEC &&
	    ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY)) {
		struct sockaddr_in in = *(const struct sockaddr_in *)sa;

		in.sin_family = AF_INET;
		e = shim_sa_to_proto(s.family, (struct sockaddr *)&in, sizeof(in), false, &req.addr);
	} else {
		e = shim_sa_to_proto(s.family, sa, len, false, &req.addr);
	}
	if (e)
		return set_errno(e);
	req.id = s.id;
	e = shim_request(s.family, OP_BIND, &req, sizeof(req), NULL, 0, NULL);
	return e ? set_errno(e) : 0;
}

/* listen() - LISTEN; the new listening fd replaces the program's fd
 * number (same close-on-exec, O_NONBLOCK copied) */
SHIM_EXPORT int listen(int fd, int backlog)
{
	struct proto_listen req;
	struct proto_sockinfo rep;
	struct shim_sock s;
	int e, nfd, fdfl, fl;

	if (!shim_ident(fd, &s))
		return REAL(listen)(fd, backlog);
	if (s.type != SOCK_STREAM)
		return set_errno(EOPNOTSUPP);
	fresh_take(fd, s.id);
	req.id = s.id;
	req.backlog = backlog;
	e = shim_request(s.family, OP_LISTEN, &req, sizeof(req), &rep, sizeof(rep), &nfd);
	if (e)
		return set_errno(e);
	if (rep.id == 0 || nfd < 0) {      /* already listening: backlog only */
		if (nfd >= 0)
			REAL(close)(nfd);
		return 0;
	}
	fdfl = REAL(fcntl)(fd, F_GETFD);
	fl = REAL(fcntl)(fd, F_GETFL);
	if (fdfl < 0 || fl < 0 ||
	    REAL(dup3)(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		e = errno;
		REAL(close)(nfd);
		return set_errno(e);
	}
	REAL(close)(nfd);
	if (fl & O_NONBLOCK)
		REAL(fcntl)(fd, F_SETFL, REAL(fcntl)(fd, F_GETFL) | O_NONBLOCK);
	shim_kind_set(fd, KIND_TCP);
	return 0;
}

/* sndtimeo_ms() - the fd's SO_SNDTIMEO in ms, -1 for none */
static int sndtimeo_ms(int fd)
{
	struct timeval tv;
	socklen_t l = sizeof(tv);

	if (REAL(getsockopt)(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &l) < 0 ||
	    (tv.tv_sec == 0 && tv.tv_usec == 0))
		return -1;
	if (tv.tv_sec > 1000000)
		return -1;
	return (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000) ?: 1;
}

/* connecting[] - per fd, the id of the socket whose non-blocking connect
 * answered EINPROGRESS in this process (0: none)
 */
static uint64_t connecting[KIND_MAX];

/* connect_again() - a repeated connect() on a non-blocking socket whose
 * connect is in progress, answered without asking the daemon: its end is
 * kept unwritable (the filler) until lwIP's connect ends, and hung up if
 * it failed.  So: unwritable -> EALREADY; writable without hangup ->
 * EISCONN.  Returns 1 when the daemon must be asked (not ours to answer,
 * or it failed and only the daemon knows the error).
 */
static int connect_again(int fd, const struct shim_sock *s)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (fd < 0 || fd >= KIND_MAX ||
	    __atomic_load_n(&connecting[fd], __ATOMIC_RELAXED) != s->id)
		return 1;
	if (poll(&p, 1, 0) < 0)
		return 1;
	if (!(p.revents & (POLLOUT | POLLHUP | POLLERR)))
		return set_errno(EALREADY);
	__atomic_store_n(&connecting[fd], 0, __ATOMIC_RELAXED);
	if (p.revents & (POLLHUP | POLLERR))
		return 1;
	return set_errno(EISCONN);
}

/* fill_own() - make the program's end @fd of a fresh TCP socket
 * unwritable ourselves, as the daemon's fill() does (daemon/tcpsock.c):
 * send buffer at its minimum, then filler until a send stops short.
 * Fills @req's filler and sndbuf; 0 or a positive errno.
 */
static int fill_own(int fd, struct proto_connect *req)
{
	static const char zeros[32 * 1024];
	socklen_t l = sizeof(req->sndbuf);
	int one = 1;

	req->filler = 0;
	if (REAL(getsockopt)(fd, SOL_SOCKET, SO_SNDBUF, &req->sndbuf, &l) < 0 ||
	    REAL(setsockopt)(fd, SOL_SOCKET, SO_SNDBUF, &one, sizeof(one)) < 0)
		return errno;
	for (int i = 0; i < 8; i++) {
		ssize_t n = REAL(send)(fd, zeros, sizeof(zeros), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN ? 0 : errno;
		req->filler += (uint32_t)n;
		if ((size_t)n < sizeof(zeros))
			return 0;
	}
	return 0;
}

/* connect_nowait() - CONNECT_NOWAIT for fresh TCP socket @s on @fd: fill
 * it, send the request and do not wait; EINPROGRESS, as the daemon's
 * CONNECT would answer.  Errors come later, as a hangup and SO_ERROR.
 * If the request cannot be sent (lwipd gone or stuck), the filler stays
 * in the stream, so the socket is shut down: no later connect can carry
 * it to a peer.
 */
static int connect_nowait(int fd, const struct shim_sock *s, const struct proto_addr *a)
{
	struct proto_connect req = { .id = s->id, .addr = *a };
	int e = fill_own(fd, &req);

	if (!e) {
		e = shim_send_fd(s->family, OP_CONNECT_NOWAIT, &req, sizeof(req), fd);
		if (e)
			shutdown(fd, SHUT_RDWR);
	}
	return e ? e : EINPROGRESS;
}

/* connect() - CONNECT, or CONNECT_NOWAIT for a socket fresh from socket()
 * (no round trip).  TCP answers EINPROGRESS at once: a non-blocking
 * socket returns that; a blocking one waits for POLLOUT (SO_SNDTIMEO:
 * EINPROGRESS on expiry, EINTR on a signal, as Linux) then returns
 * SO_ERROR.  UDP connects at once. */
SHIM_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct proto_addr_req req;
	struct shim_sock s;
	struct pollfd p;
	int e, fl, to, r, err;
	socklen_t el = sizeof(err);

	if (!shim_ident(fd, &s))
		return REAL(connect)(fd, sa, len);
	e = shim_sa_to_proto(s.family, sa, len, true, &req.addr);
	if (e)
		return set_errno(e);
	if (s.type == SOCK_STREAM && req.addr.family == 0)
		return set_errno(EAFNOSUPPORT);
	req.id = s.id;
	fl = REAL(fcntl)(fd, F_GETFL);
	if (s.type == SOCK_STREAM && fl >= 0 && (fl & O_NONBLOCK) &&
	    connect_again(fd, &s) <= 0)
		return -1;
	if (s.type == SOCK_STREAM && fresh_take(fd, s.id))
		e = connect_nowait(fd, &s, &req.addr);
	else
		e = shim_request_fd(s.family, OP_CONNECT, &req, sizeof(req), NULL, 0, NULL, fd);
	if (e != EINPROGRESS)
		return e ? set_errno(e) : 0;
	if (fl >= 0 && (fl & O_NONBLOCK)) {
		if (fd < KIND_MAX)
			__atomic_store_n(&connecting[fd], s.id, __ATOMIC_RELAXED);
		return set_errno(EINPROGRESS);
	}
	to = sndtimeo_ms(fd);
	p.fd = fd;
	p.events = POLLOUT;
	r = poll(&p, 1, to);
	if (r < 0)
		return -1;                 /* EINTR: the connect goes on */
	if (r == 0)
		return set_errno(EINPROGRESS);
	if (shim_getsockopt_id(&s, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		return -1;
	return err ? set_errno(err) : 0;
}

/* fill_name() - GETSOCKNAME/GETPEERNAME for @s into the program's buffer */
static int fill_name(const struct shim_sock *s, enum proto_op op,
		     struct sockaddr *sa, socklen_t *len)
{
	struct proto_id req = { .id = s->id };
	struct proto_addr rep;
	struct sockaddr_storage ss;
	socklen_t full;
	int e;

	if (!len)
		return set_errno(EFAULT);
	e = shim_request(s->family, op, &req, sizeof(req), &rep, sizeof(rep), NULL);
	if (e)
		return set_errno(e);
	full = shim_proto_to_sa(s->family, &rep, &ss);
	shim_copy_addr(&ss, full, sa, len);
	return 0;
}

/* getsockname() - GETSOCKNAME for ours */
SHIM_EXPORT int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct shim_sock s;

	if (!shim_ident(fd, &s))
		return REAL(getsockname)(fd, sa, len);
	return fill_name(&s, OP_GETSOCKNAME, sa, len);
}

/* getpeername() - GETPEERNAME for ours */
SHIM_EXPORT int getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct shim_sock s;

	if (!shim_ident(fd, &s))
		return REAL(getpeername)(fd, sa, len);
	return fill_name(&s, OP_GETPEERNAME, sa, len);
}

/* accept_peer() - the peer of accepted connection @s into the program's
 * buffer: from the daemon end's name, where lwipd put it (no round trip),
 * else from GETPEERNAME; a connection reset before we asked gets an empty
 * address of its family, as the kernel gives
 */
static void accept_peer(const struct shim_sock *s, struct sockaddr *sa, socklen_t *len)
{
	struct proto_addr none = { 0 };
	struct sockaddr_storage ss;
	socklen_t full, orig = *len;

	if (s->peer.family) {
		full = shim_proto_to_sa(s->family, &s->peer, &ss);
		shim_copy_addr(&ss, full, sa, len);
		return;
	}
	if (fill_name(s, OP_GETPEERNAME, sa, len) == 0)
		return;
	*len = orig;
	full = shim_proto_to_sa(s->family, &none, &ss);
	shim_copy_addr(&ss, full, sa, len);
}

/* accept4() - the kernel's accept on the listening fd; for our
 * connections the peer address comes from accept_peer() */
SHIM_EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	struct shim_sock s;
	socklen_t orig = len ? *len : 0;
	int nfd, saved;

	nfd = REAL(accept4)(fd, sa, len, flags);
	if (nfd < 0 || !shim_ready)
		return nfd;
	saved = errno;
	if (!shim_ident(nfd, &s)) {
		shim_kind_set(nfd, KIND_OTHER);
		return nfd;
	}
	if (sa && len) {
		*len = orig;
		accept_peer(&s, sa, len);
	}
	errno = saved;
	return nfd;
}

/* accept() - accept4 without flags */
SHIM_EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	return accept4(fd, sa, len, 0);
}
