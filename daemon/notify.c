/* notify.c - tell systemd (or any manager) when lwipd is ready, what its
 * addresses are, and when it reloads or stops
 *
 * The sd_notify protocol: datagrams of "KEY=VALUE" lines to the AF_UNIX
 * socket named by $NOTIFY_SOCKET (a path, or an abstract name when it
 * starts with '@').  We speak it ourselves rather than link libsystemd:
 * the protocol is documented as stable for reimplementation (sd_notify(3)),
 * it takes a few lines, lwipd then builds and runs the same with or
 * without systemd, and the daemon does not pull libsystemd's dependencies
 * into its address space.  Without $NOTIFY_SOCKET every call does nothing.
 *
 * READY=1 is sent once the TAPs are open, the filesystem is mounted and
 * the endpoints are bound (main.c calls notify_ready() after start()), so
 * a unit ordered After= lwipd@.service can run lwip-run at once.  STATUS=
 * lists the addresses, sent again whenever lwIP reports an address change.
 * RELOADING=1 (with MONOTONIC_USEC) and READY=1 frame a SIGHUP reload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lwip/netif.h"

#include "ipfmt.h"
#include "link.h"
#include "log.h"
#include "notify.h"

#define NOTIFY_MAX_MSG 1024     /* one datagram: a STATUS line with every address */

static netif_ext_callback_t callback;
static int ready;               /* READY=1 sent: address changes update STATUS= */

/* notify_send() - send @msg to $NOTIFY_SOCKET; silent without one, a
 * warning (once) if it cannot be reached */
static void notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static int warned;
	socklen_t len;
	size_t n;
	int fd;

	if (!path || !*path || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';         /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0 &&
	    !warned++)
		log_warn("NOTIFY_SOCKET %s: %s (the service manager will not see our state)",
			 path, strerror(errno));
	close(fd);
}

/* append_addrs() - " NAME ADDR/LEN ..." for every usable address of @n */
static size_t append_addrs(struct netif *n, char *buf, size_t off, size_t len)
{
	char a[IPFMT_LEN];
	int k;

	k = snprintf(buf + off, len - off, "%s%s", off > 7 ? "; " : "", link_netif_name(n));
	off += k > 0 ? (size_t)k : 0;
	if (off < len && !ip4_addr_isany_val(*netif_ip4_addr(n))) {
		k = snprintf(buf + off, len - off, " %s/%d", ipfmt4(netif_ip4_addr(n), a),
			     __builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n))));
		off += k > 0 ? (size_t)k : 0;
	}
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && off < len; i++) {
		const ip6_addr_t *ip = netif_ip6_addr(n, i);

		if (!ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
			continue;
		k = snprintf(buf + off, len - off, " %s/%d", ipfmt6(ip, a),
			     ip6_addr_isloopback(ip) ? 128 : 64);
		off += k > 0 ? (size_t)k : 0;
	}
	return off < len ? off : len - 1;
}

/* status_line() - "STATUS=tap0 10.0.0.2/24 fd00::2/64 ..." for every TAP
 * (lo left out: it never changes) into @buf */
static void status_line(char *buf, size_t len)
{
	struct netif *n;
	size_t off = (size_t)snprintf(buf, len, "STATUS=");

	NETIF_FOREACH(n)
		if (link_is_ours(n))
			off = append_addrs(n, buf, off, len);
}

/* on_netif() - an address changed: send the new STATUS= */
static void on_netif(struct netif *n, netif_nsc_reason_t reason,
		     const netif_ext_callback_args_t *args)
{
	char msg[NOTIFY_MAX_MSG];

	(void)n;
	(void)args;
	if (!ready || !(reason & (LWIP_NSC_IPV6_ADDR_STATE_CHANGED | LWIP_NSC_IPV6_SET |
				  LWIP_NSC_IPV4_SETTINGS_CHANGED | LWIP_NSC_IPV4_ADDRESS_CHANGED |
				  LWIP_NSC_IPV4_NETMASK_CHANGED)))
		return;
	status_line(msg, sizeof(msg));
	notify_send(msg);
}

/* notify_init() - watch address changes; call after lwip_init() */
void notify_init(void)
{
	netif_add_ext_callback(&callback, on_netif);
}

/* notify_ready() - READY=1 with the addresses known so far */
void notify_ready(void)
{
	char msg[NOTIFY_MAX_MSG];
	int k = snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d\n", (int)getpid());

	status_line(msg + k, sizeof(msg) - (size_t)k);
	notify_send(msg);
	ready = 1;
}

/* notify_reloading() - RELOADING=1 before a reload (notify_ready() after) */
void notify_reloading(void)
{
	struct timespec ts;
	char msg[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	notify_send(msg);
}

/* notify_stopping() - STOPPING=1 as shutdown starts */
void notify_stopping(void)
{
	notify_send("STOPPING=1");
}
