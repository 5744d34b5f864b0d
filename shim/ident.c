/* ident.c - recognising the program's fds that are lwipd sockets
 *
 * Stateless, as docs/protocol.md says: an fd is ours if getsockname()
 * gives an abstract AF_UNIX name proto_name_parse() accepts.  For a stream
 * fd whose peer name parses too, the fd came from accept() on one of our
 * listeners and the peer's id is the connection's.
 *
 * The kind cache only saves the getsockname() in the hot read/write/recv
 * paths; it is filled when this process creates, accepts, receives or
 * duplicates fds and cleared when they close.  A stale "UDP" entry is
 * caught by the ENOTSOCK its recvmsg/sendmsg gives (io.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "shim.h"

static unsigned char kinds[KIND_MAX];

/* abstract_name() - if @sa/@len is an abstract AF_UNIX name that parses,
 * fill @n and return true */
static bool abstract_name(const struct sockaddr *sa, socklen_t len, struct proto_name *n)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (len <= off + 1 || sa->sa_family != AF_UNIX || sun->sun_path[0] != '\0')
		return false;
	return proto_name_parse(sun->sun_path + 1, len - off - 1, n) == 0;
}

/* shim_name_ident() - see shim.h.  Pure: no system calls. */
bool shim_name_ident(const struct sockaddr *own, socklen_t ownlen,
		     const struct sockaddr *peer, socklen_t peerlen,
		     struct shim_sock *s)
{
	struct proto_name n, p;

	if (!abstract_name(own, ownlen, &n))
		return false;
	s->family = n.family;
	s->type = n.type;
	s->id = n.id;
	s->accepted = false;
	memset(&s->peer, 0, sizeof(s->peer));
	if (n.type == SOCK_STREAM && peer && peerlen &&
	    abstract_name(peer, peerlen, &p) && p.instance == n.instance) {
		s->id = p.id;
		s->accepted = true;
		s->peer = p.peer;
	}
	return true;
}

/* shim_ident() - is @fd ours?  Two syscalls at most (getsockname, and
 * getpeername for streams).  Updates the kind cache. */
bool shim_ident(int fd, struct shim_sock *s)
{
	struct sockaddr_un own, peer;
	socklen_t ol = sizeof(own), pl = sizeof(peer);
	int saved = errno;
	bool ours;

	if (fd < 0 || !shim_ready)
		return false;
	if (REAL(getsockname)(fd, (struct sockaddr *)&own, &ol) < 0) {
		errno = saved;
		shim_kind_set(fd, KIND_OTHER);
		return false;
	}
	if (ol > sizeof(own))
		ol = sizeof(own);
	if (!shim_name_ident((struct sockaddr *)&own, ol, NULL, 0, s)) {
		shim_kind_set(fd, KIND_OTHER);
		return false;
	}
	if (s->type == SOCK_STREAM) {
		if (REAL(getpeername)(fd, (struct sockaddr *)&peer, &pl) == 0) {
			if (pl > sizeof(peer))
				pl = sizeof(peer);
			ours = shim_name_ident((struct sockaddr *)&own, ol,
					       (struct sockaddr *)&peer, pl, s);
			(void)ours;
		}
	}
	errno = saved;
	s->fd = fd;
	shim_kind_set(fd, s->type == SOCK_DGRAM ? KIND_UDP : KIND_TCP);
	return true;
}

/* shim_kind_get() - the cached kind of @fd (KIND_UNKNOWN if none) */
enum shim_kind shim_kind_get(int fd)
{
	if (fd < 0 || fd >= KIND_MAX)
		return KIND_UNKNOWN;
	return (enum shim_kind)__atomic_load_n(&kinds[fd], __ATOMIC_RELAXED);
}

/* shim_kind_set() - remember the kind of @fd (ignored beyond KIND_MAX) */
void shim_kind_set(int fd, enum shim_kind k)
{
	if (fd >= 0 && fd < KIND_MAX)
		__atomic_store_n(&kinds[fd], (unsigned char)k, __ATOMIC_RELAXED);
}

/* shim_kind() - the kind of @fd, asking the kernel when not cached */
enum shim_kind shim_kind(int fd)
{
	enum shim_kind k = shim_kind_get(fd);
	struct shim_sock s;

	if (k != KIND_UNKNOWN)
		return k;
	if (!shim_ident(fd, &s))
		return KIND_OTHER;
	return s.type == SOCK_DGRAM ? KIND_UDP : KIND_TCP;
}
