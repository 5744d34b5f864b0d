/* sock.h - emulated sockets: one per socket a program made through the shim */
#ifndef LWIPD_SOCK_H
#define LWIPD_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "limit.h"
#include "loop.h"
#include "proto.h"

#define SOCK_MAX_GROUPS    8      /* multicast memberships per UDP socket */
#define SOCK_GRAVE_SECS    60     /* how long a failed socket keeps its error */
#define SOCK_GRAVE_MAX     4096   /* failed sockets remembered at once */

enum sock_state {
	SS_NEW,          /* created, maybe bound */
	SS_CONNECTING,   /* TCP SYN sent, the program's end held unwritable */
	SS_CONNECTED,    /* TCP established, or UDP (connected or not) */
	SS_LISTENING,    /* TCP listener: the program holds a Unix listener */
	SS_FAILED,       /* error or reset: fd closed, error kept a while */
};

struct sock_group {
	ip_addr_t group;
	uint8_t ifindex;        /* 0: any/default */
};

struct sock {
	uint64_t id;
	int family;             /* AF_INET or AF_INET6: the endpoint it came by */
	int type;               /* SOCK_STREAM or SOCK_DGRAM */
	enum sock_state state;
	int fd;                 /* daemon's end (or -1) */
	struct loop_watch watch;
	uint32_t events;        /* epoll interest now */
	pid_t pid;              /* creator, for display */
	int err;                /* pending SO_ERROR (positive errno) */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	} pcb;

	/* TCP relay */
	struct pbuf *rx;        /* from lwIP, not yet taken by the program:
				 * segments linked by ->next (tot_len is not
				 * kept: rx_len counts) */
	struct pbuf *rx_last;   /* its last pbuf, for O(1) appends */
	size_t rx_len;          /* bytes in rx */
	uint8_t *stash;         /* from the program, not yet taken by lwIP */
	size_t stash_len;
	bool peer_fin;          /* the peer sent FIN */
	bool app_rd_shut;       /* the program shut down reading: received
				 * data is acknowledged and dropped */
	bool app_eof;           /* the program shut down writing */
	bool closing;           /* the program closed its end, data all read */
	bool hup;               /* the program closed its end, data left to read */
	bool queued;            /* on the delivery queue (tcpsock.c) */
	struct sock *dnext;

	/* TCP connecting: a copy of the program's end and the filler in it */
	int app_fd;
	size_t filler;
	int app_sndbuf;         /* SO_SNDBUF to restore on the program's end */

	/* TCP listening */
	ino_t lst_ino;          /* inode of the program's Unix listener */
	char lst_name[PROTO_NAME_MAX];
	int backlog;

	/* options */
	bool v6only, pktinfo, abort_on_close;
	int linger_secs;
	int n_groups;
	struct sock_group groups[SOCK_MAX_GROUPS];

	uint64_t rx_bytes, tx_bytes, drops;
	time_t died;            /* SS_FAILED: when */
	struct sock *hnext;     /* id hash chain */
	struct sock *next;      /* all sockets list */
	struct sock *prev;
};

/* The table of sockets */
struct sock *sock_new(int family, int type, pid_t pid, int *err);
struct sock *sock_find(uint64_t id);
uint64_t sock_next_id(void);
uint64_t sock_rekey(struct sock *s, uint64_t id);
void sock_close_fd(struct sock *s);
void sock_free(struct sock *s);
void sock_fail(struct sock *s, int err);
void sock_set_events(struct sock *s, uint32_t events);
int sock_name(const struct sock *s, char *buf, size_t len);
int sock_bind_name(int fd, const struct sock *s, const struct proto_addr *peer);
struct sock *sock_first(void);
void sock_init(void);
int sock_count(void);

/* Addresses */
int sockaddr_to_ip(const struct sock *s, const struct proto_addr *a,
		   ip_addr_t *ip, uint16_t *port);
void sockaddr_from_ip(const ip_addr_t *ip, uint16_t port, struct proto_addr *a);
bool sockaddr_is_local(const ip_addr_t *ip);
int sock_lwip_errno(err_t e);

/* Per protocol (tcpsock.c, udpsock.c) */
int tcpsock_create(struct sock *s);
int tcpsock_watch(struct sock *s);
void tcpsock_unqueue(struct sock *s);
void tcpsock_deliver_all(void);
int tcpsock_bind(struct sock *s, const ip_addr_t *ip, uint16_t port);
int tcpsock_listen(struct sock *s, int backlog, int *lfd);
int tcpsock_connect(struct sock *s, const ip_addr_t *ip, uint16_t port, int app_fd);
void tcpsock_connect_nowait(struct sock *s, const ip_addr_t *ip, uint16_t port,
			    int app_fd, size_t filler, int sndbuf, int err);
void tcpsock_close(struct sock *s, bool abort);
void tcpsock_sweep_listeners(void);
int udpsock_create(struct sock *s);
int udpsock_bind(struct sock *s, const ip_addr_t *ip, uint16_t port);
int udpsock_connect(struct sock *s, const ip_addr_t *ip, uint16_t port);
void udpsock_close(struct sock *s);
int udpsock_join(struct sock *s, const ip_addr_t *group, const ip_addr_t *ifaddr,
		 unsigned ifindex, bool join);

/* Options (sockopt.c) */
int sockopt_set(struct sock *s, int level, int name, const void *val, size_t len);
int sockopt_get(struct sock *s, int level, int name, void *val, size_t *len);

#endif
