/* shim.h - internals of liblwipshim.so, the LD_PRELOAD socket shim
 *
 * The shim turns AF_INET/AF_INET6 stream and datagram sockets into sockets
 * of lwipd (docs/protocol.md): each is a real AF_UNIX fd whose abstract name
 * says which lwipd socket it is.  Everything else goes to the real libc
 * function, found with dlsym(RTLD_NEXT) (see init.c).
 *
 * One concern per file:
 *   init.c     real functions, constructor, fork handlers
 *   ctl.c      the control connections to DIR/2 and DIR/26, requests
 *   ident.c    recognising our fds (abstract names), the per-fd kind cache
 *   addr.c     sockaddr <-> struct proto_addr (pure, unit-tested)
 *   socket.c   socket, bind, listen, connect, accept, names
 *   opts.c     getsockopt/setsockopt and the option table
 *   io.c       send/recv families, UDP framing, read/write on UDP
 *   fd.c       close, close_range, closefrom, dup*, fcntl, ioctl
 *   resolve.c  getaddrinfo and friends over c-ares
 *   ifaddrs.c  getifaddrs, if_nameindex & co and SIOCGIF* from lwipd's list
 */
#ifndef LWIPD_SHIM_H
#define LWIPD_SHIM_H

#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/proto.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* --- real functions (init.c) ------------------------------------------- */

/* real_fn(name) - pointer to the next definition of libc's @name, looked
 * up lazily (dlsym) if the constructor has not run yet; NULL if none.
 */
void *shim_dlsym(const char *name);
/* shim_real() - *@slot, looked up first (dlsym of @name) if still NULL */
static inline void *shim_real(void **slot, const char *name)
{
	void *p = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!p) {
		p = shim_dlsym(name);
		__atomic_store_n(slot, p, __ATOMIC_RELAXED);
	}
	return p;
}
#define REAL(fn) ((__typeof__(fn) *)shim_real((void **)&real_##fn, #fn))
#define REAL_DECL(fn) extern __typeof__(fn) *real_##fn

REAL_DECL(socket);
REAL_DECL(socketpair);
REAL_DECL(bind);
REAL_DECL(listen);
REAL_DECL(accept);
REAL_DECL(accept4);
REAL_DECL(connect);
REAL_DECL(getsockname);
REAL_DECL(getpeername);
REAL_DECL(getsockopt);
REAL_DECL(setsockopt);
REAL_DECL(send);
REAL_DECL(sendto);
REAL_DECL(sendmsg);
REAL_DECL(sendmmsg);
REAL_DECL(recv);
REAL_DECL(recvfrom);
REAL_DECL(recvmsg);
REAL_DECL(recvmmsg);
REAL_DECL(read);
REAL_DECL(write);
REAL_DECL(readv);
REAL_DECL(writev);
REAL_DECL(close);
REAL_DECL(close_range);
REAL_DECL(closefrom);
REAL_DECL(dup);
REAL_DECL(dup2);
REAL_DECL(dup3);
REAL_DECL(fcntl);
REAL_DECL(fcntl64);
REAL_DECL(ioctl);
REAL_DECL(getaddrinfo);
REAL_DECL(freeaddrinfo);
REAL_DECL(getnameinfo);
REAL_DECL(gethostbyname);
REAL_DECL(gethostbyname2);
REAL_DECL(gethostbyname_r);
REAL_DECL(gethostbyname2_r);
REAL_DECL(gethostbyaddr);
REAL_DECL(getifaddrs);
REAL_DECL(freeifaddrs);
REAL_DECL(if_nameindex);
REAL_DECL(if_nametoindex);
REAL_DECL(if_indextoname);

/* true once the constructor resolved the real functions: until then every
 * wrapper passes through */
extern volatile int shim_ready;

/* fcntl on the real function, without our wrapper (for internal use) */
int shim_fcntl(int fd, int cmd, long arg);

/* --- control connections (ctl.c) ---------------------------------------- */

/* shim_request() - send one request on the control connection of @family
 * (AF_INET or AF_INET6) and read its reply.  @req/@reqlen is the body;
 * the reply body goes to @rep (exactly @replen bytes expected unless the
 * reply is an error).  If @fd is not NULL, a passed fd is stored there
 * (-1 if none came), received close-on-exec.  Returns 0, or a positive
 * errno: the daemon's error or a local failure (ENETDOWN if no lwipd).
 */
int shim_request(int family, enum proto_op op, const void *req, size_t reqlen,
		 void *rep, size_t replen, int *fd);
/* shim_request_fd() - shim_request() with @sendfd (if >= 0) attached to
 * the request (SCM_RIGHTS; CONNECT carries the socket's own fd) */
int shim_request_fd(int family, enum proto_op op, const void *req, size_t reqlen,
		    void *rep, size_t replen, int *pfd, int sendfd);
/* shim_request_fd() with no reply to wait for: for CONNECT_NOWAIT only.
 * Returns 0 once the request is sent, or a positive errno. */
int shim_send_fd(int family, enum proto_op op, const void *req, size_t reqlen, int sendfd);
/* shim_is_ctl_fd() - is @fd one of the shim's control fds? */
bool shim_is_ctl_fd(int fd);
/* shim_ctl_forget() - the program is closing or replacing fd numbers
 * [lo, hi]: drop any control connection there (reopened on next use) */
void shim_ctl_forget(unsigned lo, unsigned hi);
/* shim_socket_atfork() - at fork, parent and child forget which sockets
 * are fresh from socket() (socket.c): either may connect them now */
void shim_socket_atfork(void);
/* shim_socket_shared() - @fd is being duplicated: its socket is no longer
 * certainly unconnected when a connect() comes on @fd (socket.c) */
void shim_socket_shared(int fd);
void shim_ctl_atfork_prepare(void);
void shim_ctl_atfork_parent(void);
void shim_ctl_atfork_child(void);
/* shim_socket_dir() - $LWIPD_SOCKET_DIR or lwipd's default, into @buf */
void shim_socket_dir(char *buf, size_t len);

/* --- recognising our fds (ident.c) --------------------------------------- */

struct shim_sock {
	int fd;
	int family;             /* AF_INET or AF_INET6 */
	int type;               /* SOCK_STREAM or SOCK_DGRAM */
	uint64_t id;            /* connection id for accepted fds */
	bool accepted;          /* returned by accept() on a listener */
	struct proto_addr peer; /* accepted: the peer, from the daemon end's
				 * name (family 0 if it has none) */
};

/* shim_name_ident() - decide from the raw getsockname/getpeername results
 * whether a socket is ours (pure, unit-tested): @own/@ownlen the socket's
 * own address, @peer/@peerlen its peer's (peerlen 0: none) */
bool shim_name_ident(const struct sockaddr *own, socklen_t ownlen,
		     const struct sockaddr *peer, socklen_t peerlen,
		     struct shim_sock *s);
/* shim_ident() - is @fd one of ours?  Fills @s; updates the kind cache */
bool shim_ident(int fd, struct shim_sock *s);

enum shim_kind { KIND_UNKNOWN = 0, KIND_OTHER, KIND_TCP, KIND_UDP };
/* kind cache: what fd is, as far as this process knows (fds < KIND_MAX) */
#define KIND_MAX 4096
enum shim_kind shim_kind_get(int fd);
void shim_kind_set(int fd, enum shim_kind k);
/* shim_kind() - the kind of @fd, checking with getsockname if unknown */
enum shim_kind shim_kind(int fd);

/* --- addresses (addr.c) --------------------------------------------------- */

/* shim_sa_to_proto() - convert the program's @sa/@len for a socket of
 * @family into @pa; AF_UNSPEC gives family 0 when @unspec_ok.  Returns 0
 * or a positive errno (EINVAL, EAFNOSUPPORT). */
int shim_sa_to_proto(int family, const struct sockaddr *sa, socklen_t len,
		     bool unspec_ok, struct proto_addr *pa);
/* shim_proto_to_sa() - convert @pa for a socket of @family into @ss; IPv4
 * on AF_INET6 becomes ::ffff:a.b.c.d.  Returns the full length. */
socklen_t shim_proto_to_sa(int family, const struct proto_addr *pa,
			   struct sockaddr_storage *ss);
/* shim_copy_addr() - copy @ss/@full into the program's @sa and @len with
 * getsockname(2) truncation; *@len becomes @full */
void shim_copy_addr(const struct sockaddr_storage *ss, socklen_t full,
		    struct sockaddr *sa, socklen_t *len);

/* --- options (opts.c) ----------------------------------------------------- */

enum opt_where {
	OPT_DAEMON,     /* ask lwipd; its answer stands */
	OPT_SOFT,       /* ask lwipd; if it says ENOPROTOOPT accept/ignore */
	OPT_REAL,       /* the real AF_UNIX fd (timeouts, buffers) */
	OPT_LOCAL,      /* answered by the shim (SO_TYPE, ...); read-only */
	OPT_NONE,       /* ENOPROTOOPT without asking */
};
/* shim_opt_where() - where option @level/@name of a @type socket goes */
enum opt_where shim_opt_where(int level, int name, bool set);

/* --- io (io.c) ------------------------------------------------------------- */

ssize_t shim_udp_sendmsg(const struct shim_sock *s, const struct msghdr *m, int flags);
ssize_t shim_udp_recvmsg(const struct shim_sock *s, struct msghdr *m, int flags);
/* shim_dgram_frame() - fill @h for sending to @pa (may be NULL: connected) */
void shim_dgram_frame(struct proto_dgram *h, const struct proto_addr *pa);
/* shim_tcp_eof_error() - after a 0-byte read on our TCP fd @fd: the
 * pending error (0 if none) */
int shim_tcp_eof_error(int fd);

/* --- interfaces (ifaddrs.c) ------------------------------------------------ */

/* shim_if_ioctl_req() - an interface/routing ioctl answered by the shim on
 * its own sockets? */
bool shim_if_ioctl_req(unsigned long req);
/* shim_if_ioctl() - answer it from lwipd's interfaces; 0 or positive errno */
int shim_if_ioctl(unsigned long req, void *arg);

/* --- misc ------------------------------------------------------------------ */

int shim_getsockopt_id(const struct shim_sock *s, int level, int name,
		       void *val, socklen_t *len);

#endif
