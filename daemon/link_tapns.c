/* link_tapns.c - the tap-ns back end: a TAP that lwipd makes itself, in a
 * private user and network namespace of its own
 *
 * A child is forked; it unshares a user and a network namespace, maps
 * our uid and gid to root in it (so it holds CAP_NET_ADMIN there, and
 * only there), creates the TAP, brings it and loopback up, and sends the
 * TAP's fd back over a socketpair with SCM_RIGHTS.  The stack then runs on
 * a network nobody else is on: an isolated stack, with no privilege where
 * unprivileged user namespaces are allowed.  The child stays, blocked on
 * the socketpair, so that the namespace can be entered
 * (`nsenter -t PID -U -n --preserve-credentials`) to put something on the
 * kernel side; it exits when lwipd closes its end or dies (PDEATHSIG).
 * Between fork and exit the child makes only system calls (the FUSE
 * thread may exist when a tap-ns is added at run time).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link.h"
#include "link_tap.h"
#include "log.h"
#include "proto.h"

/* The step the child failed at, for the parent's message. */
enum tapns_step {
	STEP_OK, STEP_UNSHARE, STEP_SETGROUPS, STEP_UID_MAP, STEP_GID_MAP,
	STEP_TUN_OPEN, STEP_TUNSETIFF, STEP_LINK_UP,
};

struct tapns_report {
	int step;                       /* enum tapns_step */
	int err;                        /* errno */
};

struct tapns {
	pid_t pid;                      /* the child holding the namespace */
	int sock;                       /* our end of the socketpair */
	char ifname[IFNAMSIZ];
};

/* write_file() - write @s to @path (child side: system calls only) */
static int write_file(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, s, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

/* fmt_map() - "0 ID 1\n" into @buf (no stdio in the child) */
static size_t fmt_map(char *buf, unsigned int id)
{
	char digits[12];
	size_t n = 0, k = 0;

	do {
		digits[k++] = (char)('0' + id % 10);
		id /= 10;
	} while (id);
	buf[n++] = '0';
	buf[n++] = ' ';
	while (k)
		buf[n++] = digits[--k];
	memcpy(buf + n, " 1\n", 3);
	return n + 3;
}

/* set_up() - bring interface @name up in the current namespace */
static int set_up(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return rc;
}

/* report() - send the outcome (and the TAP's fd if @fd >= 0) to lwipd */
static void report(int sock, int step, int err, int fd)
{
	struct tapns_report r = { .step = step, .err = err };
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	union proto_fdbuf cbuf;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	proto_fd_attach(&mh, &cbuf, fd);
	sendmsg(sock, &mh, MSG_NOSIGNAL);
}

/* child() - in the forked child: make the namespace and the TAP, send
 * the fd, then hold the namespace until lwipd goes away
 */
static void __attribute__((noreturn)) child(int sock, pid_t parent, uid_t uid,
					    gid_t gid, const char *ifname)
{
	char map[32];
	struct ifreq ifr;
	int fd, step = STEP_OK;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* Hold none of lwipd's fds: a copy of a socket's end would hide
	 * lwipd's close of it from the program on the other end. */
	if (sock > 3)
		close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0U, 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		step = STEP_UNSHARE;
	else if (write_file("/proc/self/setgroups", "deny\n", 5) < 0)
		step = STEP_SETGROUPS;
	else if (write_file("/proc/self/uid_map", map, fmt_map(map, uid)) < 0)
		step = STEP_UID_MAP;
	else if (write_file("/proc/self/gid_map", map, fmt_map(map, gid)) < 0)
		step = STEP_GID_MAP;
	if (step) {
		report(sock, step, errno, -1);
		_exit(1);
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		report(sock, STEP_TUN_OPEN, errno, -1);
		_exit(1);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		report(sock, STEP_TUNSETIFF, errno, -1);
		_exit(1);
	}
	if (set_up("lo") < 0 || set_up(ifname) < 0) {
		report(sock, STEP_LINK_UP, errno, -1);
		_exit(1);
	}
	report(sock, STEP_OK, 0, fd);
	close(fd);
	for (;;) {
		ssize_t n = read(sock, map, sizeof(map));

		if (n == 0 || (n < 0 && errno != EINTR))
			_exit(0);
	}
}

/* explain() - the parent's message for a child's failure */
static void explain(const char *name, const struct tapns_report *r,
		    char *err, size_t errlen)
{
	const char *e = strerror(r->err);

	switch (r->step) {
	case STEP_UNSHARE:
		snprintf(err, errlen, "%s: cannot make a user and network namespace: %s; "
			 "unprivileged user namespaces may be off here (sysctl "
			 "user.max_user_namespaces, kernel.unprivileged_userns_clone=1, or "
			 "AppArmor's kernel.apparmor_restrict_unprivileged_userns=0), or use "
			 "-i passt:PATH", name, e);
		break;
	case STEP_SETGROUPS:
	case STEP_UID_MAP:
	case STEP_GID_MAP:
		snprintf(err, errlen, "%s: cannot map our uid and gid in the new user "
			 "namespace: %s", name, e);
		break;
	case STEP_TUN_OPEN:
		snprintf(err, errlen, "%s: cannot open /dev/net/tun in the namespace: %s "
			 "(Debian's default mode is 0666: `chmod 0666 /dev/net/tun` as root; "
			 "`modprobe tun` if it is missing)", name, e);
		break;
	case STEP_TUNSETIFF:
		snprintf(err, errlen, "%s: cannot create the TAP in the namespace: %s", name, e);
		break;
	default:
		snprintf(err, errlen, "%s: cannot bring the TAP up in the namespace: %s", name, e);
		break;
	}
}

/* receive() - the child's report and, on success, the TAP's fd; -1 with
 * @err set on failure
 */
static int receive(struct link *l, int sock, char *err, size_t errlen)
{
	struct tapns_report r;
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;
	int fd = -1;

	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(r)) {
		snprintf(err, errlen, "%s: the namespace helper died before it reported",
			 l->name);
		return -1;
	}
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (r.step != STEP_OK || fd < 0) {
		if (fd >= 0)
			close(fd);
		explain(l->name, &r, err, errlen);
		return -1;
	}
	return fd;
}

/* stop_child() - make the child exit and reap it */
static void stop_child(struct tapns *t)
{
	if (t->sock >= 0)
		close(t->sock);
	t->sock = -1;
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		while (waitpid(t->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	t->pid = 0;
}

/* tapns_open() - fork the child, get the TAP's fd from it */
static int tapns_open(struct link *l, const char *ifname, char *err, size_t errlen)
{
	struct tapns *t = calloc(1, sizeof(*t));
	pid_t parent = getpid();
	int sv[2];

	if (!t) {
		snprintf(err, errlen, "%s: out of memory", l->name);
		return -1;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	t->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "%s: socketpair: %s", l->name, strerror(errno));
		free(t);
		return -1;
	}
	t->pid = fork();
	if (t->pid < 0) {
		snprintf(err, errlen, "%s: fork: %s", l->name, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free(t);
		return -1;
	}
	if (t->pid == 0) {
		close(sv[0]);
		child(sv[1], parent, getuid(), getgid(), ifname);
	}
	close(sv[1]);
	t->sock = sv[0];
	l->fd = receive(l, t->sock, err, errlen);
	if (l->fd < 0) {
		stop_child(t);
		free(t);
		return -1;
	}
	l->priv = t;
	return 0;
}

/* tapns_start() - watch the TAP; say how to enter the namespace */
static int tapns_start(struct link *l, char *err, size_t errlen)
{
	struct tapns *t = l->priv;

	if (link_tap_start(l, err, errlen))
		return -1;
	log_info("%s: TAP %s in a private network namespace held by pid %d "
		 "(enter it: nsenter -t %d -U -n --preserve-credentials)",
		 l->name, t->ifname, (int)t->pid, (int)t->pid);
	return 0;
}

/* tapns_state() - "tap-ns pid N" */
static void tapns_state(const struct link *l, char *buf, size_t len)
{
	const struct tapns *t = l->priv;

	snprintf(buf, len, "tap-ns %s pid %d", t->ifname, (int)t->pid);
}

/* tapns_close() - close the TAP and let the namespace go */
static void tapns_close(struct link *l)
{
	struct tapns *t = l->priv;

	link_tap_stop(l);
	if (!t)
		return;
	stop_child(t);
	free(t);
	l->priv = NULL;
}

const struct link_ops link_tapns_ops = {
	.open = tapns_open,
	.start = tapns_start,
	.send = link_tap_send,
	.state = tapns_state,
	.close = tapns_close,
};
