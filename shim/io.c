/* io.c - data calls: send/recv families, read/write on UDP, fortified
 * variants
 *
 * TCP fds carry the byte stream as is: the real calls do the work; the
 * shim only drops destination addresses (a connected AF_UNIX stream
 * refuses them), masks flags the pair does not understand, and turns an
 * EOF from recv/recvfrom/recvmsg into the pending error (SO_ERROR), so a
 * reset reaches the program as ECONNRESET.
 *
 * UDP fds are SOCK_SEQPACKET pairs; every packet is struct proto_dgram
 * then the payload (docs/protocol.md).  The shim adds the header on the
 * way out and strips it on the way in, in every call that moves data,
 * including read/write/readv/writev (iperf3 -u uses those).
 *
 * No malloc here: these run from signal handlers in some programs.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "shim.h"

#define MAX_IOV 1024

extern void __chk_fail(void) __attribute__((noreturn));

#define TCP_SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR)
#define TCP_RECV_FLAGS (MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_CMSG_CLOEXEC)
#define UDP_RECV_FLAGS (MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC)

/* shim_dgram_frame() - see shim.h */
void shim_dgram_frame(struct proto_dgram *h, const struct proto_addr *pa)
{
	memset(h, 0, sizeof(*h));
	if (pa)
		h->peer = *pa;
}

/* udp_max_payload() - the largest UDP payload one IP packet carries to
 * @to (family 0: the connected peer, taken to be of the socket's family):
 * 65535 less the IPv4 and UDP headers, or less the UDP header for IPv6 */
static size_t udp_max_payload(const struct shim_sock *s, const struct proto_addr *to)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	bool v4 = to->family == 4 ||
		  (to->family == 6 && !memcmp(to->addr, mapped, sizeof(mapped))) ||
		  (to->family == 0 && s->family == AF_INET);

	return v4 ? 65535 - 20 - 8 : 65535 - 8;
}

/* shim_udp_sendmsg() - send one datagram on our UDP fd: the header (the
 * destination from msg_name, or family 0 for the connected peer), then
 * the payload.  Returns payload bytes or -1 with errno.  Control messages
 * (IP_PKTINFO source selection) are ignored. */
ssize_t shim_udp_sendmsg(const struct shim_sock *s, const struct msghdr *m, int flags)
{
	struct iovec iov[MAX_IOV + 1];
	struct proto_addr pa;
	struct proto_dgram h;
	struct msghdr o;
	size_t total = 0;
	ssize_t k;
	int e;

	if (m->msg_iovlen > MAX_IOV) {
		errno = EMSGSIZE;
		return -1;
	}
	if (m->msg_name && m->msg_namelen) {
		e = shim_sa_to_proto(s->family, m->msg_name, m->msg_namelen, false, &pa);
		if (e) {
			errno = e;
			return -1;
		}
		shim_dgram_frame(&h, &pa);
	} else {
		shim_dgram_frame(&h, NULL);
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	for (size_t i = 0; i < m->msg_iovlen; i++) {
		iov[i + 1] = m->msg_iov[i];
		total += m->msg_iov[i].iov_len;
	}
	if (total > udp_max_payload(s, &h.peer)) {
		errno = EMSGSIZE;       /* at once, as Linux: lwIP would fail later */
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.msg_iov = iov;
	o.msg_iovlen = m->msg_iovlen + 1;
	k = REAL(sendmsg)(s->fd, &o, (flags & MSG_DONTWAIT) | MSG_NOSIGNAL);
	if (k < 0) {
		if (errno == EPIPE)
			errno = ENETDOWN;
		return -1;
	}
	return k >= (ssize_t)sizeof(h) ? k - (ssize_t)sizeof(h) : 0;
}

/* shim_tcp_eof_error() - see shim.h: SO_ERROR of our TCP fd, or 0;
 * ECONNRESET when no lwipd answers (it died: the connection is lost) */
int shim_tcp_eof_error(int fd)
{
	struct shim_sock s;
	socklen_t l = sizeof(int);
	int err = 0, saved = errno;

	if (!shim_ident(fd, &s) || s.type != SOCK_STREAM)
		return 0;
	if (shim_getsockopt_id(&s, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		err = errno == ENETDOWN ? ECONNRESET : 0;  /* lwipd died: a reset */
	errno = saved;
	return err;
}

/* add_pktinfo() - the IP_PKTINFO/IPV6_PKTINFO control message for a
 * datagram whose header says the socket asked for it (PROTO_DGRAM_PKTINFO),
 * if the program gave room; else no control data */
static void add_pktinfo(const struct shim_sock *s, const struct proto_dgram *h,
			struct msghdr *m)
{
	size_t room = m->msg_control ? m->msg_controllen : 0;
	struct cmsghdr *cm;

	m->msg_controllen = 0;
	if (!(h->flags & PROTO_DGRAM_PKTINFO) || h->local.family == 0)
		return;
	if (s->family == AF_INET) {
		struct in_pktinfo pi;

		if (room < CMSG_SPACE(sizeof(pi))) {
			m->msg_flags |= MSG_CTRUNC;
			return;
		}
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = (int)h->ifindex;
		memcpy(&pi.ipi_spec_dst, h->local.family == 4 ? h->local.addr : h->local.addr + 12, 4);
		pi.ipi_addr = pi.ipi_spec_dst;
		m->msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(m);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi;
		struct sockaddr_storage ss;

		if (room < CMSG_SPACE(sizeof(pi))) {
			m->msg_flags |= MSG_CTRUNC;
			return;
		}
		shim_proto_to_sa(AF_INET6, &h->local, &ss);
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((struct sockaddr_in6 *)&ss)->sin6_addr;
		pi.ipi6_ifindex = h->ifindex;
		m->msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(m);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
}

/* shim_udp_recvmsg() - receive one datagram on our UDP fd into @m: the
 * payload into msg_iov, the source into msg_name.  Returns payload bytes
 * (the full size with MSG_TRUNC), 0 for an empty datagram or -1 with
 * errno; an EOF (the daemon closed its end: it died) gives ENETDOWN, as
 * sending does, where returning 0 would look like an endless stream of
 * empty datagrams. */
ssize_t shim_udp_recvmsg(const struct shim_sock *s, struct msghdr *m, int flags)
{
	struct iovec iov[MAX_IOV + 1];
	struct proto_dgram h;
	struct msghdr o;
	ssize_t k;

	if (flags & (MSG_ERRQUEUE | MSG_OOB)) {
		errno = flags & MSG_OOB ? EINVAL : EAGAIN;
		return -1;
	}
	if (m->msg_iovlen > MAX_IOV) {
		errno = EMSGSIZE;
		return -1;
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	for (size_t i = 0; i < m->msg_iovlen; i++)
		iov[i + 1] = m->msg_iov[i];
	memset(&o, 0, sizeof(o));
	o.msg_iov = iov;
	o.msg_iovlen = m->msg_iovlen + 1;
	m->msg_flags = 0;
	k = REAL(recvmsg)(s->fd, &o, flags & UDP_RECV_FLAGS);
	if (k < 0)
		return -1;
	if (k == 0) {
		/* UDP has no EOF: the daemon closed its end, so it is gone
		 * (an empty datagram still brings its header) */
		errno = ENETDOWN;
		return -1;
	}
	if (k < (ssize_t)sizeof(h)) {
		errno = EPROTO;
		return -1;
	}
	if (m->msg_name) {
		struct sockaddr_storage ss;
		socklen_t full = shim_proto_to_sa(s->family, &h.peer, &ss);

		shim_copy_addr(&ss, full, m->msg_name, &m->msg_namelen);
	}
	m->msg_flags = o.msg_flags & (MSG_TRUNC | MSG_EOR);
	add_pktinfo(s, &h, m);
	return k - (ssize_t)sizeof(h);
}

/* mark_rights() - fds that arrived with SCM_RIGHTS may be ours: forget
 * whatever the kind cache said about their numbers */
static void mark_rights(const struct msghdr *m)
{
	struct cmsghdr *cm;

	if (!m->msg_control || m->msg_controllen < sizeof(struct cmsghdr))
		return;
	for (cm = CMSG_FIRSTHDR((struct msghdr *)m); cm; cm = CMSG_NXTHDR((struct msghdr *)m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;
			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			shim_kind_set(f, KIND_UNKNOWN);
		}
	}
}

/* udp_sock() - if @fd is (by the cache or the kernel) our UDP socket,
 * fill @s and return true */
static bool udp_sock(int fd, struct shim_sock *s)
{
	enum shim_kind k;

	if (!shim_ready)
		return false;
	k = shim_kind_get(fd);
	if (k == KIND_OTHER || k == KIND_TCP)
		return false;
	return shim_ident(fd, s) && s->type == SOCK_DGRAM;
}

/* tcp_ours() - is @fd (by the cache or the kernel) our TCP socket? */
static bool tcp_ours(int fd)
{
	return shim_ready && shim_kind(fd) == KIND_TCP;
}

/* fastopen_connect() - MSG_FASTOPEN with an address @to on our TCP fd
 * connects first (the data then goes after the handshake); 0 if there is
 * nothing to do or it is (being) connected, else -1 with errno */
static int fastopen_connect(int fd, int flags, const void *to, socklen_t tolen)
{
	if (!(flags & MSG_FASTOPEN) || !to)
		return 0;
	if (connect(fd, to, tolen) < 0 && errno != EISCONN)
		return -1;
	return 0;
}

/* sendmsg() - see the file comment */
SHIM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct shim_sock s;

	if (udp_sock(fd, &s))
		return shim_udp_sendmsg(&s, m, flags);
	if (tcp_ours(fd) && m) {
		struct msghdr o = *m;

		if (fastopen_connect(fd, flags, m->msg_name, m->msg_namelen) < 0)
			return -1;
		o.msg_name = NULL;
		o.msg_namelen = 0;
		return REAL(sendmsg)(fd, &o, flags & TCP_SEND_FLAGS);
	}
	return REAL(sendmsg)(fd, m, flags);
}

/* sendto() - see the file comment; MSG_FASTOPEN with an address on our
 * unconnected TCP socket connects first */
SHIM_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
			   const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = to ? tolen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	struct shim_sock s;

	if (udp_sock(fd, &s))
		return shim_udp_sendmsg(&s, &m, flags);
	if (tcp_ours(fd)) {
		if (fastopen_connect(fd, flags, to, tolen) < 0)
			return -1;
		return REAL(send)(fd, buf, len, flags & TCP_SEND_FLAGS);
	}
	return REAL(sendto)(fd, buf, len, flags, to, tolen);
}

/* send() - see the file comment */
SHIM_EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

/* sendmmsg() - datagram by datagram on our UDP fds (the count sent, or
 * -1 if the first failed) */
SHIM_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	struct shim_sock s;
	unsigned int i;

	if (!udp_sock(fd, &s))
		return REAL(sendmmsg)(fd, v, n, flags);
	if (n > UIO_MAXIOV)
		n = UIO_MAXIOV;
	for (i = 0; i < n; i++) {
		ssize_t k = shim_udp_sendmsg(&s, &v[i].msg_hdr, flags);

		if (k < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned)k;
	}
	return (int)i;
}

/* tcp_recv_done() - a TCP receive of @k bytes finished on our fd: an
 * EOF (0 with room in the buffer) becomes the pending error if any */
static ssize_t tcp_recv_done(int fd, ssize_t k, size_t room)
{
	int err;

	if (k != 0 || room == 0)
		return k;
	err = shim_tcp_eof_error(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* tcp_recv_flags_bad() - flags a TCP receive on our fd refuses, as
 * Linux does here: MSG_OOB (no urgent data: EINVAL) and MSG_ERRQUEUE
 * (nothing is ever queued: EAGAIN, where the kernel's call would read
 * stream data); true with errno set */
static bool tcp_recv_flags_bad(int flags)
{
	if (!(flags & (MSG_OOB | MSG_ERRQUEUE)))
		return false;
	errno = flags & MSG_OOB ? EINVAL : EAGAIN;
	return true;
}

/* recvmsg() - see the file comment */
SHIM_EXPORT ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	struct shim_sock s;
	ssize_t k;

	if (udp_sock(fd, &s)) {
		k = shim_udp_recvmsg(&s, m, flags);
		if (k >= 0 || errno != ENOTSOCK)
			return k;
		shim_kind_set(fd, KIND_OTHER);
	}
	if (tcp_ours(fd) && m) {
		struct msghdr o = *m;
		size_t room = 0;

		if (tcp_recv_flags_bad(flags))
			return -1;
		for (size_t i = 0; i < m->msg_iovlen; i++)
			room += m->msg_iov[i].iov_len;
		o.msg_name = NULL;      /* the daemon end's name is no peer's */
		o.msg_namelen = 0;
		k = REAL(recvmsg)(fd, &o, flags & TCP_RECV_FLAGS);
		m->msg_namelen = 0;
		m->msg_controllen = o.msg_controllen;
		m->msg_flags = o.msg_flags;
		return tcp_recv_done(fd, k, room);
	}
	k = REAL(recvmsg)(fd, m, flags);
	if (k >= 0 && m && shim_ready)
		mark_rights(m);
	return k;
}

/* recvfrom() - see the file comment */
SHIM_EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
			     struct sockaddr *from, socklen_t *fromlen)
{
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_name = from, .msg_namelen = fromlen ? *fromlen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	struct shim_sock s;
	ssize_t k;

	if (udp_sock(fd, &s)) {
		if (!from)
			m.msg_name = NULL;
		k = shim_udp_recvmsg(&s, &m, flags);
		if (k >= 0 && from && fromlen)
			*fromlen = m.msg_namelen;
		if (k >= 0 || errno != ENOTSOCK)
			return k;
		shim_kind_set(fd, KIND_OTHER);
	}
	if (tcp_ours(fd)) {
		if (tcp_recv_flags_bad(flags))
			return -1;
		if (from && fromlen)
			*fromlen = 0;
		k = REAL(recv)(fd, buf, len, flags & TCP_RECV_FLAGS);
		return tcp_recv_done(fd, k, len);
	}
	return REAL(recvfrom)(fd, buf, len, flags, from, fromlen);
}

/* recv() - recvfrom without an address */
SHIM_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

/* recvmmsg() - datagram by datagram on our UDP fds; MSG_WAITFORONE makes
 * the ones after the first non-blocking.  The timeout is not applied. */
SHIM_EXPORT int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
			 struct timespec *timeout)
{
	struct shim_sock s;
	unsigned int i;

	if (!udp_sock(fd, &s))
		return REAL(recvmmsg)(fd, v, n, flags, timeout);
	for (i = 0; i < n; i++) {
		ssize_t k = shim_udp_recvmsg(&s, &v[i].msg_hdr, flags & ~MSG_WAITFORONE);

		if (k < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned)k;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return (int)i;
}

/* __recv_chk() - fortified recv: the buffer check, then recv */
SHIM_EXPORT ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		__chk_fail();
	return recv(fd, buf, len, flags);
}

/* __recvfrom_chk() - fortified recvfrom */
SHIM_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen,
				   int flags, struct sockaddr *from, socklen_t *fromlen)
{
	if (len > buflen)
		__chk_fail();
	return recvfrom(fd, buf, len, flags, from, fromlen);
}

/* udp_rw() - read/write family on @fd: if it is our UDP socket, receive
 * or send one datagram through @iov and store the result in *@ret (1);
 * otherwise 0, and the caller makes the real call
 */
static int udp_rw(int fd, const struct iovec *iov, int n, bool send, ssize_t *ret)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n > 0 ? (size_t)n : 0 };
	struct shim_sock s;
	size_t total = 0;

	if (!udp_sock(fd, &s))
		return 0;
	if (n < 0 || n > UIO_MAXIOV) {
		errno = EINVAL;
		*ret = -1;
		return 1;
	}
	for (int i = 0; !send && i < n; i++)
		total += iov[i].iov_len;
	if (!send && total == 0) {
		*ret = 0;               /* Linux's read of nothing takes nothing */
		return 1;
	}
	*ret = send ? shim_udp_sendmsg(&s, &m, 0) : shim_udp_recvmsg(&s, &m, 0);
	if (*ret >= 0 || errno != ENOTSOCK)
		return 1;
	shim_kind_set(fd, KIND_OTHER);
	return 0;
}

/* readv() - on our UDP fds one datagram's payload; else the real readv */
SHIM_EXPORT ssize_t readv(int fd, const struct iovec *iov, int n)
{
	ssize_t k;

	return udp_rw(fd, iov, n, false, &k) ? k : REAL(readv)(fd, iov, n);
}

/* writev() - on our UDP fds one datagram to the connected peer */
SHIM_EXPORT ssize_t writev(int fd, const struct iovec *iov, int n)
{
	ssize_t k;

	return udp_rw(fd, iov, n, true, &k) ? k : REAL(writev)(fd, iov, n);
}

/* read() - on our UDP fds one datagram's payload */
SHIM_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	ssize_t k;

	return udp_rw(fd, &iov, 1, false, &k) ? k : REAL(read)(fd, buf, len);
}

/* write() - on our UDP fds one datagram to the connected peer */
SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	ssize_t k;

	return udp_rw(fd, &iov, 1, true, &k) ? k : REAL(write)(fd, buf, len);
}

/* __read_chk() - fortified read */
SHIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return read(fd, buf, len);
}
