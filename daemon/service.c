/* service.c - the socket service
 *
 * Two Unix stream endpoints in the socket directory, `2` (AF_INET) and
 * `26` (AF_INET6), mode 0600; the uid of every client is checked with
 * SO_PEERCRED.  Each control connection sends requests (common/proto.h,
 * docs/protocol.md) and gets one reply each.  Requests are read with a
 * small per-client buffer; a malformed one closes that client only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "ifinfo.h"
#include "limit.h"
#include "log.h"
#include "loop.h"
#include "service.h"
#include "sock.h"

#define CLIENT_MSG_MAX  (sizeof(struct proto_hdr) + PROTO_MAX_BODY)
#define CLIENT_FDS      2       /* fds waiting for their requests */

struct client {
	int fd;
	int family;             /* of the endpoint it came through */
	pid_t pid;
	uid_t uid;
	struct limit_bucket bucket;     /* requests allowed now (limit.c) */
	struct loop_watch watch;
	size_t have;            /* bytes in buf: requests in order, the last
				 * maybe incomplete */
	uint8_t buf[2 * CLIENT_MSG_MAX];
	int passed_fd;          /* fd of the request being served, or -1 */
	/* fds received for requests still in buf (see take_fds()), oldest
	 * first: each belongs to the request holding byte fd_end - 1 */
	int fds[CLIENT_FDS];
	size_t fd_end[CLIENT_FDS];
	int n_fds;
	struct client *next;
};

struct endpoint {
	int fd;
	int family;
	char path[PATH_MAX];
	struct loop_watch watch;
};

static struct endpoint endpoints[2];
static struct client *clients;
static int n_clients;
static char sockdir[PATH_MAX];
static int publish_files;       /* write resolv.conf (no filesystem) */

/* client_free() - close a control connection (its sockets live on) */
static void client_free(struct client *c)
{
	struct client **p;

	for (p = &clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	loop_del(&c->watch);
	close(c->fd);
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	while (c->n_fds > 0)
		close(c->fds[--c->n_fds]);
	n_clients--;
	free(c);
}

/* reply() - send one reply with an optional body and fd; -1 if the client
 * cannot take it (it is then dropped by the caller)
 */
static int reply(struct client *c, const struct proto_hdr *req, int err,
		 const void *body, size_t len, int fd)
{
	struct proto_hdr h = {
		.len = err ? 0 : (uint32_t)len, .version = PROTO_VERSION,
		.op = req->op, .err = err, .seq = req->seq,
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)body, err ? 0 : len } };
	union proto_fdbuf u;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	proto_fd_attach(&mh, &u, err ? -1 : fd);
	n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	return n == (ssize_t)(sizeof(h) + iov[1].iov_len) ? 0 : -1;
}

/* op_create() - CREATE: a new socket and the program's end of it */
static int op_create(struct client *c, const struct proto_hdr *h,
		     const struct proto_create *r)
{
	struct proto_sockinfo info;
	int type = r->type, pair[2], rc;
	struct sock *s;

	if ((type != SOCK_STREAM && type != SOCK_DGRAM) ||
	    (r->protocol != 0 &&
	     r->protocol != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP)))
		return reply(c, h, EPROTONOSUPPORT, NULL, 0, -1);
	s = sock_new(c->family, type, c->pid, &rc);
	if (!s)
		return reply(c, h, rc, NULL, 0, -1);
	if (socketpair(AF_UNIX, (type == SOCK_STREAM ? SOCK_STREAM : SOCK_SEQPACKET) |
		       SOCK_CLOEXEC, 0, pair) < 0) {
		rc = errno;
		sock_free(s);
		return reply(c, h, rc, NULL, 0, -1);
	}
	fcntl(pair[0], F_SETFL, O_NONBLOCK);
	s->fd = pair[0];
	rc = -sock_bind_name(pair[1], s, NULL);
	if (!rc)
		rc = type == SOCK_STREAM ? -tcpsock_create(s) : -udpsock_create(s);
	if (!rc && type == SOCK_STREAM)
		rc = tcpsock_watch(s) ? ENOBUFS : 0;
	if (rc) {
		close(pair[1]);
		if (type == SOCK_STREAM)
			tcpsock_close(s, true);
		else
			udpsock_close(s);
		return reply(c, h, rc, NULL, 0, -1);
	}
	memset(&info, 0, sizeof(info));
	info.id = s->id;
	sock_name(s, info.name, sizeof(info.name));
	rc = reply(c, h, 0, &info, sizeof(info), pair[1]);
	close(pair[1]);
	return rc;
}

/* op_addr() - BIND and CONNECT */
static int op_addr(struct client *c, const struct proto_hdr *h,
		   const struct proto_addr_req *r)
{
	struct sock *s = sock_find(r->id);
	int fd = c->passed_fd, rc;
	uint16_t port;
	ip_addr_t ip;

	c->passed_fd = -1;
	if (!s || s->state == SS_FAILED) {
		rc = s ? (s->err ? s->err : EINVAL) : EBADF;
		if (s)
			s->err = 0;
		goto out;
	}
	if (h->op == OP_CONNECT && s->type == SOCK_DGRAM && r->addr.family == 0) {
		rc = -udpsock_connect(s, NULL, 0);
		goto out;
	}
	rc = -sockaddr_to_ip(s, &r->addr, &ip, &port);
	if (rc)
		goto out;
	if (h->op == OP_BIND) {
		rc = s->type == SOCK_STREAM ? -tcpsock_bind(s, &ip, port) : -udpsock_bind(s, &ip, port);
	} else if (s->type == SOCK_DGRAM) {
		rc = -udpsock_connect(s, &ip, port);
	} else if (fd < 0) {
		rc = EINVAL;            /* CONNECT on TCP must carry the fd */
	} else {
		rc = -tcpsock_connect(s, &ip, port, fd);
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	return reply(c, h, rc, NULL, 0, -1);
}

/* op_connect_nowait() - CONNECT_NOWAIT: no reply; @err (the rate limit's
 * EAGAIN) or any failure fails the socket instead (docs/protocol.md)
 */
static int op_connect_nowait(struct client *c, const struct proto_connect *r, int err)
{
	struct sock *s = sock_find(r->id);
	int fd = c->passed_fd;
	uint16_t port = 0;
	ip_addr_t ip;

	c->passed_fd = -1;
	if (!s || s->type != SOCK_STREAM) {
		/* an unknown id has no program end left to fail */
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (fd < 0 && !err)
		err = EMFILE;           /* the kernel dropped it (MSG_CTRUNC) */
	if (!err)
		err = -sockaddr_to_ip(s, &r->addr, &ip, &port);
	tcpsock_connect_nowait(s, &ip, port, fd, r->filler, r->sndbuf, err);
	return 0;
}

/* op_listen() - LISTEN */
static int op_listen(struct client *c, const struct proto_hdr *h,
		     const struct proto_listen *r)
{
	struct sock *s = sock_find(r->id);
	struct proto_sockinfo info;
	int lfd = -1, rc;

	if (!s || s->type != SOCK_STREAM)
		return reply(c, h, s ? EOPNOTSUPP : EBADF, NULL, 0, -1);
	rc = -tcpsock_listen(s, r->backlog, &lfd);
	memset(&info, 0, sizeof(info));
	if (!rc && lfd >= 0) {
		info.id = s->id;
		sock_name(s, info.name, sizeof(info.name));
	}
	rc = reply(c, h, rc, &info, sizeof(info), lfd);
	if (lfd >= 0)
		close(lfd);
	return rc;
}

/* op_name() - GETSOCKNAME and GETPEERNAME */
static int op_name(struct client *c, const struct proto_hdr *h,
		   const struct proto_id *r)
{
	struct sock *s = sock_find(r->id);
	struct proto_addr a;
	const ip_addr_t *ip;
	uint16_t port;

	if (!s)
		return reply(c, h, EBADF, NULL, 0, -1);
	if (s->type == SOCK_STREAM && !s->pcb.tcp)
		return reply(c, h, h->op == OP_GETPEERNAME ? ENOTCONN : EINVAL, NULL, 0, -1);
	if (s->type == SOCK_STREAM) {
		struct tcp_pcb *t = s->pcb.tcp;

		if (h->op == OP_GETPEERNAME && (t->state == LISTEN || t->state == CLOSED ||
						s->state == SS_CONNECTING))
			return reply(c, h, ENOTCONN, NULL, 0, -1);
		ip = h->op == OP_GETSOCKNAME ? &t->local_ip : &t->remote_ip;
		port = h->op == OP_GETSOCKNAME ? t->local_port : t->remote_port;
	} else {
		struct udp_pcb *u = s->pcb.udp;

		if (h->op == OP_GETPEERNAME && !(u->flags & UDP_FLAGS_CONNECTED))
			return reply(c, h, ENOTCONN, NULL, 0, -1);
		ip = h->op == OP_GETSOCKNAME ? &u->local_ip : &u->remote_ip;
		port = h->op == OP_GETSOCKNAME ? u->local_port : u->remote_port;
	}
	sockaddr_from_ip(ip, port, &a);
	if (s->family == AF_INET && a.family == 6)
		a.family = 4;           /* unbound AF_INET: 0.0.0.0 */
	return reply(c, h, 0, &a, sizeof(a), -1);
}

/* op_sockopt() - SETSOCKOPT and GETSOCKOPT */
static int op_sockopt(struct client *c, const struct proto_hdr *h,
		      const struct proto_sockopt *r)
{
	struct sock *s = sock_find(r->id);
	struct proto_optval v;
	size_t len;
	int rc;

	if (!s)
		return reply(c, h, EBADF, NULL, 0, -1);
	if (r->len > PROTO_OPTVAL_MAX)
		return reply(c, h, EINVAL, NULL, 0, -1);
	if (h->op == OP_SETSOCKOPT) {
		if (s->state == SS_FAILED)
			return reply(c, h, 0, NULL, 0, -1);
		rc = -sockopt_set(s, r->level, r->name, r->val, r->len);
		return reply(c, h, rc, NULL, 0, -1);
	}
	memset(&v, 0, sizeof(v));
	len = r->len;
	rc = -sockopt_get(s, r->level, r->name, v.val, &len);
	v.len = (uint32_t)len;
	return reply(c, h, rc, &v, sizeof(v), -1);
}

/* op_ifinfo() - IFINFO: the next interface after r->after */
static int op_ifinfo(struct client *c, const struct proto_hdr *h,
		     const struct proto_ifinfo_req *r)
{
	struct proto_ifinfo info;
	int rc = ifinfo_get(r->after, &info);

	return reply(c, h, rc, &info, sizeof(info), -1);
}

/* dispatch() - one complete, validated request; -1 drops the client.
 * A client over its messages-per-second gets EAGAIN instead.
 */
static int dispatch(struct client *c)
{
	const struct proto_hdr *h = (const void *)c->buf;
	const void *body = c->buf + sizeof(*h);

	if (!limit_message(&c->bucket, c->pid, c->uid))
		return h->op == OP_CONNECT_NOWAIT ? op_connect_nowait(c, body, EAGAIN)
						  : reply(c, h, EAGAIN, NULL, 0, -1);
	switch (h->op) {
	case OP_CONNECT_NOWAIT: return op_connect_nowait(c, body, 0);
	case OP_CREATE:      return op_create(c, h, body);
	case OP_BIND:
	case OP_CONNECT:     return op_addr(c, h, body);
	case OP_LISTEN:      return op_listen(c, h, body);
	case OP_GETSOCKNAME:
	case OP_GETPEERNAME: return op_name(c, h, body);
	case OP_SETSOCKOPT:
	case OP_GETSOCKOPT:  return op_sockopt(c, h, body);
	case OP_IFINFO:      return op_ifinfo(c, h, body);
	}
	return -1;
}

/* take_fds() - keep the first fd that came with a read of @n bytes into
 * @c's buffer, close any other; true if any came.  Linux ends a read of a
 * Unix stream right after the message that carried fds
 * (unix_stream_read_generic()), so the fd belongs to the request holding
 * the read's last byte.
 */
static bool take_fds(struct client *c, struct msghdr *mh, size_t n)
{
	bool kept = false, any = false;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		int *fds = (int *)(void *)CMSG_DATA(cm);
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		any = any || k > 0;
		for (size_t i = 0; i < k; i++) {
			if (!kept && c->n_fds < CLIENT_FDS) {
				c->fds[c->n_fds] = fds[i];
				c->fd_end[c->n_fds++] = c->have + n;
				kept = true;
			} else {
				close(fds[i]);
			}
		}
	}
	return any;
}

/* serve_buffered() - serve every complete request at the start of @c's
 * buffer, each with the fd that came with it; -1 if @c was freed
 * (a malformed request, or one the client cannot get a reply to)
 */
static int serve_buffered(struct client *c)
{
	for (;;) {
		const struct proto_hdr *h = (const void *)c->buf;
		size_t len;

		if (c->have < sizeof(*h))
			return 0;
		if (proto_check_hdr(h, false)) {
			log_warn("client pid %d: malformed request; closing its control connection",
				 (int)c->pid);
			client_free(c);
			return -1;
		}
		len = sizeof(*h) + h->len;
		if (c->have < len)
			return 0;
		if (c->n_fds > 0 && c->fd_end[0] <= len) {
			c->passed_fd = c->fds[0];
			c->n_fds--;
			memmove(&c->fds[0], &c->fds[1], sizeof(int) * (size_t)c->n_fds);
			memmove(&c->fd_end[0], &c->fd_end[1], sizeof(size_t) * (size_t)c->n_fds);
		}
		if (dispatch(c) < 0) {
			client_free(c);
			return -1;
		}
		if (c->passed_fd >= 0) {
			close(c->passed_fd);
			c->passed_fd = -1;
		}
		c->have -= len;
		memmove(c->buf, c->buf + len, c->have);
		for (int i = 0; i < c->n_fds; i++)
			c->fd_end[i] -= len;
	}
}

/* log_ctrunc() - say that an fd sent by @c was lost: this process is out
 * of fds (the kernel could not install it and set MSG_CTRUNC).  Once per
 * second at most; the request it came with fails on its own.
 */
static void log_ctrunc(const struct client *c)
{
	static time_t last;
	time_t now = time(NULL);

	if (now == last)
		return;
	last = now;
	log_warn("an fd from pid %ld was lost: lwipd is out of open files "
		 "(raise its limit with ulimit -n, or lower --limit sockets)",
		 (long)c->pid);
}

/* client_readable() - read what the client sent, as much as fits, and
 * serve its requests.  A read that does not fill the buffer and brought
 * no fd took all there was: epoll (level-triggered) says when more comes,
 * so reads rarely end in EAGAIN.
 */
static void client_readable(void *arg, uint32_t events)
{
	struct client *c = arg;

	(void)events;
	for (;;) {
		union { char b[CMSG_SPACE(4 * sizeof(int))]; struct cmsghdr a; } u;
		struct iovec iov = { c->buf + c->have, sizeof(c->buf) - c->have };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.b, .msg_controllen = sizeof(u.b) };
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		bool fds;

		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			client_free(c);         /* EOF or error: the process is gone */
			return;
		}
		if (mh.msg_flags & MSG_CTRUNC)
			log_ctrunc(c);
		fds = take_fds(c, &mh, (size_t)n);
		c->have += (size_t)n;
		/* a read stops short after a message with fds, too */
		if (serve_buffered(c) < 0 || ((size_t)n < iov.iov_len && !fds))
			return;
	}
}

/* service_client_add() - serve requests on the control connection @fd
 * (nonblocking), which came through the endpoint of @family from @pid
 * of @uid;
 * NULL if out of memory (the caller closes @fd).  Also the control
 * fuzzer's way in: it then calls service_client_input().
 */
struct client *service_client_add(int fd, int family, pid_t pid, uid_t uid)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->family = family;
	c->pid = pid;
	c->uid = uid;
	c->passed_fd = -1;
	if (loop_add(&c->watch, fd, EPOLLIN, client_readable, c)) {
		free(c);
		return NULL;
	}
	c->next = clients;
	clients = c;
	n_clients++;
	return c;
}

/* service_client_input() - read and serve what @c sent until it would
 * block; @c is freed if it sent a malformed request or hung up
 */
void service_client_input(struct client *c)
{
	client_readable(c, EPOLLIN);
}

/* endpoint_readable() - accept control connections from our own uid */
static void endpoint_readable(void *arg, uint32_t events)
{
	struct endpoint *e = arg;

	(void)events;
	for (;;) {
		int fd = accept4(e->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cr;
		socklen_t l = sizeof(cr);

		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0 || cr.uid != getuid()) {
			log_warn("refused a client of uid %d on %s (only uid %d may connect)",
				 (int)cr.uid, e->path, (int)getuid());
			close(fd);
			continue;
		}
		if (n_clients >= SERVICE_MAX_CLIENTS) {
			log_warn("too many clients (%d); refused pid %d", n_clients, (int)cr.pid);
			close(fd);
			continue;
		}
		if (!service_client_add(fd, e->family, cr.pid, cr.uid))
			close(fd);
	}
}

/* endpoint_open() - bind and listen on DIR/NAME, mode 0600 */
static int endpoint_open(struct endpoint *e, const char *dir, const char *name,
			 int family, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	e->family = family;
	if (snprintf(e->path, sizeof(e->path), "%s/%s", dir, name) >= (int)sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket directory %s: path too long for a Unix socket", dir);
		return -1;
	}
	strcpy(sun.sun_path, e->path);
	unlink(e->path);                /* a stale socket from an earlier run */
	e->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (e->fd < 0 || bind(e->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(e->path, 0600) < 0 || listen(e->fd, 128) < 0) {
		snprintf(err, errlen, "endpoint %s: %s", e->path, strerror(errno));
		return -1;
	}
	return loop_add(&e->watch, e->fd, EPOLLIN, endpoint_readable, e);
}

/* mkdir_p() - create @dir and its parents (mode 0700 for the last) */
static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* service_publish_resolv() - write DIR/resolv.conf from the DNS store */
void service_publish_resolv(void)
{
	char text[1024], path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	size_t n;
	int fd;

	if (!sockdir[0] || !publish_files)
		return;
	n = dns_store_resolv_conf(text, sizeof(text));
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	snprintf(path, sizeof(path), "%s/resolv.conf", sockdir);
	snprintf(tmp, sizeof(tmp), "%s/.resolv.conf.tmp", sockdir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, text, n) != (ssize_t)n || rename(tmp, path) < 0)
		unlink(tmp);
	close(fd);
}

/* service_prepare_dir() - create the socket directory if missing and
 * check that it is ours (root may use any: with --user it may be the
 * user's already)
 */
int service_prepare_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir_p(dir) < 0 || stat(dir, &st) < 0) {
		snprintf(err, errlen, "socket directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (st.st_uid != getuid() && getuid() != 0) {
		snprintf(err, errlen, "socket directory %s belongs to uid %d, not to you; "
			 "choose another with --mount", dir, (int)st.st_uid);
		return -1;
	}
	return 0;
}

/* service_start() - create both endpoints in @dir; @files: also write
 * resolv.conf there (when no filesystem renders it)
 */
int service_start(const char *dir, int files, char *err, size_t errlen)
{
	if (service_prepare_dir(dir, err, errlen))
		return -1;
	publish_files = files;
	snprintf(sockdir, sizeof(sockdir), "%s", dir);
	if (endpoint_open(&endpoints[0], dir, "2", AF_INET, err, errlen) ||
	    endpoint_open(&endpoints[1], dir, "26", AF_INET6, err, errlen))
		return -1;
	sock_init();
	service_publish_resolv();
	log_info("sockets served at %s/2 (IPv4) and %s/26 (IPv6)", dir, dir);
	return 0;
}

/* service_stop() - remove the endpoints (clients get EOF) */
void service_stop(void)
{
	for (int i = 0; i < 2; i++) {
		if (endpoints[i].fd <= 0)
			continue;
		close(endpoints[i].fd);
		unlink(endpoints[i].path);
	}
	while (clients)
		client_free(clients);
}
