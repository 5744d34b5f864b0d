/* proto.h - the control protocol between liblwipshim.so and lwipd
 *
 * A program's shim connects to DIR/2 (AF_INET) or DIR/26 (AF_INET6), Unix
 * stream sockets; the endpoint fixes the family of the sockets created
 * through it, and nothing else depends on it.  On that connection the shim
 * sends requests and reads one reply per request, in order; only
 * CONNECT_NOWAIT gets none.
 *
 * Every message is a fixed header followed by a body of hdr.len bytes:
 *
 *   request: struct proto_hdr, then the op's body
 *   reply:   struct proto_hdr (op echoed, err = 0 or a positive errno),
 *            then the op's reply body; CREATE and LISTEN replies carry one
 *            fd (SCM_RIGHTS): the program's end of the emulated socket.
 *
 * docs/protocol.md describes every operation.
 *
 * Each emulated socket is the program's end of an AF_UNIX socketpair the
 * daemon made, bound to an abstract name (see proto_name_*) that says
 * "lwipd socket N of daemon instance X, family F, type T": the shim
 * recognises its sockets with one getsockname(2), after fork, exec or
 * SCM_RIGHTS passing, without keeping any table.
 *
 * TCP sockets carry the byte stream as is.  UDP sockets are SOCK_SEQPACKET
 * pairs; every datagram starts with a struct proto_dgram header.
 *
 * Limits: a body is at most PROTO_MAX_BODY bytes; anything else, an unknown
 * version or op, or a body of the wrong size closes the connection.  The
 * daemon's own limits (daemon/limit.c) are errors in replies: EMFILE and
 * ENFILE for CREATE, EAGAIN for any request over the client's rate.
 */
#ifndef LWIPD_PROTO_H
#define LWIPD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROTO_VERSION    3      /* bump on any change of a structure's layout */
#define PROTO_MAX_BODY   512
#define PROTO_OPTVAL_MAX 256
#define PROTO_NAME_MAX   64     /* abstract socket name, without the NUL */
#define PROTO_ANAME_MAX  107    /* ...of an accepted connection's daemon end,
				 * which also carries the peer's address */

enum proto_op {
	OP_CREATE = 1,   /* req: proto_create          reply: proto_sockinfo + fd */
	OP_BIND,         /* req: proto_addr_req        reply: -              */
	OP_LISTEN,       /* req: proto_listen          reply: proto_sockinfo (+ fd) */
	OP_CONNECT,      /* req: proto_addr_req + fd   reply: - (err EINPROGRESS) */
	OP_GETSOCKNAME,  /* req: proto_id              reply: proto_addr     */
	OP_GETPEERNAME,  /* req: proto_id              reply: proto_addr     */
	OP_SETSOCKOPT,   /* req: proto_sockopt         reply: -              */
	OP_GETSOCKOPT,   /* req: proto_sockopt (len=capacity) reply: proto_optval */
	OP_IFINFO,       /* req: proto_ifinfo_req      reply: proto_ifinfo   */
	OP_CONNECT_NOWAIT, /* req: proto_connect + fd  NO reply (see below)  */
	OP_MAX
};

/* Addresses on the wire: family-agnostic, network byte order. */
struct proto_addr {
	uint8_t family;         /* 4, 6, or 0 for none */
	uint8_t pad;
	uint16_t port;          /* network order */
	uint32_t scope;         /* IPv6 scope id (interface index) */
	uint8_t addr[16];       /* IPv4 in the first 4 bytes */
};

struct proto_hdr {
	uint32_t len;           /* body bytes after this header */
	uint16_t version;
	uint16_t op;
	int32_t err;            /* replies: 0 or a positive errno */
	uint32_t seq;           /* echoed in the reply */
};

struct proto_id {
	uint64_t id;
};

struct proto_create {
	int32_t type;           /* SOCK_STREAM or SOCK_DGRAM */
	int32_t protocol;       /* 0, IPPROTO_TCP or IPPROTO_UDP */
};

struct proto_sockinfo {
	uint64_t id;
	char name[PROTO_NAME_MAX];  /* abstract name of the program's end */
};

struct proto_addr_req {
	uint64_t id;
	struct proto_addr addr;
};

/* CONNECT_NOWAIT: a TCP connect the shim does not wait for.  The shim
 * sends it only for a socket it made itself and has not connected yet,
 * after making the program's end unwritable itself (send buffer at its
 * minimum, then filler bytes); the daemon reads @filler bytes away and
 * restores @sndbuf when the connect ends.  No reply: an error (including
 * the rate limit's EAGAIN) fails the socket, which the program sees as a
 * hangup and reads with SO_ERROR. */
struct proto_connect {
	uint64_t id;
	struct proto_addr addr;
	uint32_t filler;        /* filler bytes the shim wrote into the stream */
	int32_t sndbuf;         /* SO_SNDBUF of the program's end before that */
};

struct proto_listen {
	uint64_t id;
	int32_t backlog;
};

struct proto_sockopt {
	uint64_t id;
	int32_t level, name;
	uint32_t len;           /* bytes of val used (get: capacity) */
	uint8_t val[PROTO_OPTVAL_MAX];
};

struct proto_optval {
	uint32_t len;
	uint8_t val[PROTO_OPTVAL_MAX];
};

/* IFINFO: the interface with the lowest index greater than @after (0:
 * the first); ENXIO when there is none.  A program lists them all by
 * asking again with the last index it got.  Added in protocol version 2
 * without a bump (no existing layout changed): a daemon without it closes
 * the connection, which the shim reports as ENETDOWN. */
#define PROTO_IF_NAMESIZE  16   /* IFNAMSIZ */
#define PROTO_IF_ADDR6_MAX 8    /* lwIP's LWIP_IPV6_NUM_ADDRESSES */

struct proto_ifinfo_req {
	uint32_t after;
	uint32_t pad;
};

enum proto_addr6_state {        /* an address of a proto_ifaddr6 */
	PROTO_A6_TENTATIVE = 1,     /* DAD still running: not yet usable */
	PROTO_A6_PREFERRED,
	PROTO_A6_DEPRECATED,        /* usable for existing connections only */
};

struct proto_ifaddr6 {
	uint8_t addr[16];
	uint8_t plen;               /* prefix length (64, or 128 for ::1) */
	uint8_t state;              /* enum proto_addr6_state */
	uint8_t pad[2];
};

struct proto_ifinfo {
	uint32_t index;             /* lwIP's netif index (num + 1); lo is 1 */
	uint32_t flags;             /* Linux IFF_* (UP, BROADCAST, LOOPBACK, RUNNING, MULTICAST) */
	uint32_t mtu;
	uint16_t hwtype;            /* ARPHRD_ETHER or ARPHRD_LOOPBACK */
	uint8_t mac[6];             /* zero for lo */
	char name[PROTO_IF_NAMESIZE];   /* NUL-terminated */
	uint8_t has4;               /* 1 if addr4/mask4/brd4 are set */
	uint8_t n_addr6;            /* entries used in addr6 */
	uint8_t pad[2];
	uint8_t addr4[4], mask4[4], brd4[4];    /* brd4 zero without IFF_BROADCAST */
	struct proto_ifaddr6 addr6[PROTO_IF_ADDR6_MAX];
};

/* One datagram on a UDP socket's pair: this header, then the payload. */
#define PROTO_DGRAM_PKTINFO 1     /* the socket asked for IP_PKTINFO / IPV6_RECVPKTINFO */

struct proto_dgram {
	uint32_t flags;             /* received: PROTO_DGRAM_* */
	uint32_t ifindex;           /* received: interface it came in on */
	struct proto_addr peer;     /* to send: destination (family 0: connected peer);
				     * received: source */
	struct proto_addr local;    /* received: our address it came to (IP_PKTINFO) */
};

/* The parts of an emulated socket's abstract name. */
struct proto_name {
	uint64_t instance;      /* the daemon run that made it */
	uint64_t id;
	int family;             /* AF_INET or AF_INET6 */
	int type;               /* SOCK_STREAM or SOCK_DGRAM */
	struct proto_addr peer; /* family 0, or the peer of an accepted connection */
};

/* room for one passed fd in a message's control data */
union proto_fdbuf {
	struct cmsghdr h;
	char b[CMSG_SPACE(sizeof(int))];
};

void proto_fd_attach(struct msghdr *m, union proto_fdbuf *buf, int fd);
size_t proto_body_size(enum proto_op op, bool reply);
int proto_check_hdr(const struct proto_hdr *h, bool reply);
int proto_name_format(const struct proto_name *n, char *buf, size_t len);
int proto_name_parse(const char *buf, size_t len, struct proto_name *n);

#endif
