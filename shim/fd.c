/* fd.c - close, close_range, closefrom, dup, dup2, dup3, fcntl, ioctl
 *
 * The data path needs none of these wrapped (the fds are real); they are
 * here to keep the kind cache right, to note that a duplicated socket is
 * no longer fresh from socket() (socket.c), to notice the program closing or
 * overwriting the shim's control fds (we reconnect later), for
 * FIONREAD on UDP (the next payload's size, without our header) and to
 * send interface ioctls on our sockets to ifaddrs.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "shim.h"

/* close() - the real close; see the file comment */
SHIM_EXPORT int close(int fd)
{
	if (shim_ready) {
		if (shim_is_ctl_fd(fd))
			shim_ctl_forget((unsigned)fd, (unsigned)fd);
		shim_kind_set(fd, KIND_UNKNOWN);
	}
	return REAL(close)(fd);
}

/* close_range() - forget control fds and cached kinds in the range */
SHIM_EXPORT int close_range(unsigned int lo, unsigned int hi, int flags)
{
	if (shim_ready && !(flags & CLOSE_RANGE_CLOEXEC)) {
		shim_ctl_forget(lo, hi);
		for (unsigned int f = lo; f <= hi && f < KIND_MAX; f++)
			shim_kind_set((int)f, KIND_UNKNOWN);
	}
	if (!REAL(close_range)) {
		errno = ENOSYS;
		return -1;
	}
	return REAL(close_range)(lo, hi, flags);
}

/* closefrom() - as close_range(lo, ~0U, 0) */
SHIM_EXPORT void closefrom(int lo)
{
	if (shim_ready && lo >= 0) {
		shim_ctl_forget((unsigned)lo, ~0U);
		for (int f = lo; f < KIND_MAX; f++)
			shim_kind_set(f, KIND_UNKNOWN);
	}
	if (REAL(closefrom))
		REAL(closefrom)(lo);
}

/* dup() - the new fd is what the old one was */
SHIM_EXPORT int dup(int old)
{
	int fd;

	if (shim_ready)
		shim_socket_shared(old);
	fd = REAL(dup)(old);

	if (fd >= 0)
		shim_kind_set(fd, shim_kind_get(old));
	return fd;
}

/* dup3() - overwriting a control fd drops that connection first */
SHIM_EXPORT int dup3(int old, int fd, int flags)
{
	int r;

	if (shim_ready && shim_is_ctl_fd(fd) && old != fd)
		shim_ctl_forget((unsigned)fd, (unsigned)fd);
	if (shim_ready)
		shim_socket_shared(old);
	r = REAL(dup3)(old, fd, flags);
	if (r >= 0)
		shim_kind_set(r, shim_kind_get(old));
	return r;
}

/* dup2() - as dup3, but dup2(fd, fd) is allowed */
SHIM_EXPORT int dup2(int old, int fd)
{
	int r;

	if (shim_ready && shim_is_ctl_fd(fd) && old != fd)
		shim_ctl_forget((unsigned)fd, (unsigned)fd);
	if (shim_ready && old != fd)
		shim_socket_shared(old);
	r = REAL(dup2)(old, fd);
	if (r >= 0 && old != fd)
		shim_kind_set(r, shim_kind_get(old));
	return r;
}

/* do_fcntl() - fcntl through @real; F_DUPFD* copy the cached kind.  The
 * third argument is read as a pointer-sized value (every fcntl argument
 * type fits in one on Linux). */
static int do_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	int r;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (shim_ready && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		shim_socket_shared(fd);
	r = real(fd, cmd, arg);
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		shim_kind_set(r, shim_kind_get(fd));
	return r;
}

/* fcntl() - see do_fcntl */
SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(REAL(fcntl), fd, cmd, arg);
}

/* fcntl64() - the name programs built with 64-bit offsets call */
SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(REAL(fcntl64) ? REAL(fcntl64) : REAL(fcntl), fd, cmd, arg);
}

/* udp_next_size() - payload size of the next datagram on our UDP fd @s
 * (0 if none queued), by peeking the whole packet's size */
static int udp_next_size(const struct shim_sock *s)
{
	struct proto_dgram h;
	struct iovec iov = { &h, sizeof(h) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t k = REAL(recvmsg)(s->fd, &m, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);

	if (k < (ssize_t)sizeof(h))
		return 0;
	return (int)(k - (ssize_t)sizeof(h));
}

/* ioctl() - FIONREAD on our UDP fds is the next payload's size; interface
 * ioctls (SIOCGIF*, ...) on our sockets are answered from lwipd's
 * interfaces (ifaddrs.c); every other request (FIONBIO, SIOCOUTQ, FIONREAD
 * on TCP) the kernel answers for the real fd. */
SHIM_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (shim_ready && req == FIONREAD && shim_kind_get(fd) != KIND_OTHER &&
	    shim_kind_get(fd) != KIND_TCP && arg) {
		struct shim_sock s;

		if (shim_ident(fd, &s) && s.type == SOCK_DGRAM) {
			*(int *)arg = udp_next_size(&s);
			return 0;
		}
	}
	if (shim_ready && arg && shim_if_ioctl_req(req)) {
		enum shim_kind k = shim_kind(fd);

		if (k == KIND_TCP || k == KIND_UDP) {
			int e = shim_if_ioctl(req, arg);

			if (e) {
				errno = e;
				return -1;
			}
			return 0;
		}
	}
	return REAL(ioctl)(fd, req, arg);
}
