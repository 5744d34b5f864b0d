/* link_tap.c - the TAP back end (-i NAME, -i tap:NAME): open an existing
 * device by name, read and write its frames
 *
 * Not lwIP's contrib tapif: no fixed buffers, no exit() on error, no
 * shelling out to ifconfig.  Opening needs no privilege when the device was
 * made with `ip tuntap add dev NAME mode tap user $USER`, or inside
 * `unshare -rn`.  Errors say why, and what to run.  Reading drains the
 * device until EAGAIN on every wake (the kernel's TAP queue holds 1000
 * frames and drops beyond); each frame goes to link_input().  The reading
 * and writing half also serves tap-ns (link_tapns.c).
 *
 * Offloads (IFF_VNET_HDR, TUNSETOFFLOAD): each frame carries a
 * virtio_net_hdr.  The kernel then leaves checksums of what it sends us
 * to "the hardware" or tells us it checked them, so neither side spends
 * time on them (lwIP's checksum of every received segment was a fifth of
 * lwipd's CPU at MTU 65520), and it may send TCP segments of up to 64 KiB
 * as one frame (TSO: what it would give a NIC to cut into MTU-sized
 * ones), so lwIP handles and acknowledges one segment where it had 45 at
 * MTU 1500.  We send plain frames (an all-zero header, lwIP's checksums)
 * and, the other way, TCP segments joined into GSO frames (link_gso.c).  A kernel that
 * refuses the offloads still gets the header (flags 0); one that refuses
 * IFF_VNET_HDR gets plain frames.  See docs/performance.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "link.h"
#include "link_tap.h"
#include "log.h"

static uint8_t rxbuf[LINK_MAX_FRAME];   /* one loop thread: one buffer */

/* pieces in one written frame: a pbuf chain, or a joined GSO frame */
#define LINK_TAP_MAX_IOV \
	(LINK_MAX_IOV > 1 + GSO_MAX_IOV ? LINK_MAX_IOV : 1 + GSO_MAX_IOV)

/* what we ask the kernel to leave to us: checksums, TCP segmentation */
#define TAP_OFFLOADS    (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)

/* explain() - turn a TUNSETIFF failure into a message that says what to do */
static void explain(const char *name, int e, char *err, size_t errlen)
{
	int exists = if_nametoindex(name) != 0;

	if (e == EPERM && !exists && (!strcmp(name, "passt") || !strncmp(name, "stream", 6)))
		snprintf(err, errlen, "cannot open TAP %s: no such device (a word without a colon "
			 "names a TAP; did you mean -i %s:PATH?)", name, name);
	else if (e == EPERM && !exists)
		snprintf(err, errlen, "cannot open TAP %s: no such device; create it with "
			 "`ip tuntap add dev %s mode tap user $USER && ip link set %s up` "
			 "(as root), or run lwipd inside `unshare -rn`", name, name, name);
	else if (e == EPERM)
		snprintf(err, errlen, "cannot open TAP %s: not yours; recreate it for your user: "
			 "`ip tuntap del dev %s mode tap && ip tuntap add dev %s mode tap user $USER`",
			 name, name, name);
	else if (e == EBUSY)
		snprintf(err, errlen, "cannot open TAP %s: another program has it open "
			 "(another lwipd?)", name);
	else if (e == EINVAL)
		snprintf(err, errlen, "cannot open TAP %s: it is not a TAP device "
			 "(a TUN? create it with `mode tap`)", name);
	else
		snprintf(err, errlen, "cannot open TAP %s: %s", name, strerror(e));
}

/* tap_offload() - turn the offloads on (@on) or off on an IFF_VNET_HDR
 * fd; false (and a debug line) if the kernel refuses
 */
static bool tap_offload(int fd, const char *name, bool on)
{
	int sz = sizeof(struct virtio_net_hdr);

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, on ? (unsigned long)TAP_OFFLOADS : 0UL) < 0) {
		log_debug("%s: cannot set checksum/TSO offload: %s", name, strerror(errno));
		return false;
	}
	return true;
}

/* tap_link_offload() - link_ops.offload: offloads off while the link is
 * impaired (every frame then carries a checksum to check), on otherwise
 */
static void tap_link_offload(struct link *l, bool on)
{
	if (l->vnet && l->fd >= 0)
		tap_offload(l->fd, l->name, on);
}

/* tap_open() - attach to TAP @name; returns a non-blocking, close-on-exec
 * fd, or -1 with @err set; *@vnet: frames carry a virtio_net_hdr
 */
static int tap_open(const char *name, bool *vnet, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, e, rc;

	/* TUNSETIFF would create a missing device when we may (root): lwipd
	 * only attaches to a TAP someone set up, with its addresses and
	 * routes on the kernel side. */
	if (if_nametoindex(name) == 0) {
		explain(name, EPERM, err, errlen);
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		snprintf(err, errlen, "cannot open /dev/net/tun: %s; your user may not use it "
			 "(Debian's default mode is 0666: `chmod 0666 /dev/net/tun` as root)",
			 strerror(errno));
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open /dev/net/tun: %s (load the tun module: "
			 "`modprobe tun`)", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	*vnet = true;
	rc = ioctl(fd, TUNSETIFF, &ifr);
	if (rc < 0 && errno == EINVAL) {
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;    /* a kernel without it */
		*vnet = false;
		rc = ioctl(fd, TUNSETIFF, &ifr);
	}
	if (rc < 0) {
		e = errno;
		close(fd);
		explain(name, e, err, errlen);
		return -1;
	}
	if (*vnet)
		tap_offload(fd, name, true);
	return fd;
}

/* ifreq_get() - one SIOCGIF* ioctl on @name; -1 on error */
static int ifreq_get(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s < 0)
		return -1;
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	rc = ioctl(s, req, ifr);
	close(s);
	return rc;
}

/* tap_mtu() - the device's MTU, or -1 */
static int tap_mtu(const char *name)
{
	struct ifreq ifr;

	if (ifreq_get(name, SIOCGIFMTU, &ifr) < 0)
		return -1;
	return ifr.ifr_mtu;
}

/* tap_is_up() - 1 if the kernel side is administratively up, 0 if down,
 * -1 if unknown
 */
static int tap_is_up(const char *name)
{
	struct ifreq ifr;

	if (ifreq_get(name, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	return !!(ifr.ifr_flags & IFF_UP);
}

/* tap_read() - one frame from the TAP into rxbuf; its length, 0 for a
 * frame to skip, -1 when there is nothing more (or an error, counted).
 * *@csum_ok: the kernel vouches for the frame's checksums.
 */
static ssize_t tap_read(struct link *l, bool *csum_ok)
{
	struct virtio_net_hdr h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = rxbuf, .iov_len = sizeof(rxbuf) },
	};
	ssize_t n = l->vnet ? readv(l->fd, iov, 2) : read(l->fd, rxbuf, sizeof(rxbuf));

	*csum_ok = false;
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			l->c.rx_errors++;
			log_warn("%s: read: %s", l->name, strerror(errno));
		}
		return -1;
	}
	if (!l->vnet)
		return n;
	if (n < (ssize_t)sizeof(h)) {
		l->c.rx_errors++;
		return 0;
	}
	*csum_ok = h.flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID);
	return n - (ssize_t)sizeof(h);
}

/* link_tap_readable() - the TAP fd is readable: drain it until EAGAIN */
static void link_tap_readable(void *arg, uint32_t events)
{
	struct link *l = arg;
	bool csum_ok;
	ssize_t n;

	(void)events;
	while ((n = tap_read(l, &csum_ok)) >= 0)
		if (n > 0)
			link_input_csum(l, rxbuf, (size_t)n, csum_ok);
}

/* link_tap_start() - watch the TAP fd in l->fd; the carrier is on (a TAP
 * always has its kernel side)
 */
int link_tap_start(struct link *l, char *err, size_t errlen)
{
	if (loop_add(&l->watch, l->fd, EPOLLIN, link_tap_readable, l)) {
		snprintf(err, errlen, "%s: cannot watch the TAP fd", l->name);
		return -1;
	}
	link_set_carrier(l, true);
	return 0;
}

/* tap_writev() - write one frame with one writev(2), after the
 * virtio_net_hdr @vh when the TAP takes one; a TAP write never blocks
 * (the kernel drops when its queue is full)
 */
static enum link_tx tap_writev(struct link *l, const struct virtio_net_hdr *vh,
			       const struct iovec *iov, int n, size_t len)
{
	struct iovec v[LINK_TAP_MAX_IOV + 1];
	ssize_t w;

	if (l->vnet && n <= LINK_TAP_MAX_IOV) {
		v[0].iov_base = (void *)vh;
		v[0].iov_len = sizeof(*vh);
		memcpy(v + 1, iov, (size_t)n * sizeof(*iov));
		w = writev(l->fd, v, n + 1) - (ssize_t)sizeof(*vh);
	} else if (!l->vnet) {
		w = writev(l->fd, iov, n);
	} else {
		return LINK_TX_ERROR;
	}
	if (w == (ssize_t)len)
		return LINK_TX_SENT;
	if (w < 0 && errno == EIO)
		log_debug("%s: write: the device is down", l->name);
	if (w < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return LINK_TX_DROPPED;
	return LINK_TX_ERROR;
}

/* link_tap_send() - write one plain frame (an all-zero virtio_net_hdr:
 * no offload asked, lwIP's checksums are complete)
 */
enum link_tx link_tap_send(struct link *l, const struct iovec *iov, int n, size_t len)
{
	static const struct virtio_net_hdr plain;

	return tap_writev(l, &plain, iov, n, len);
}

/* link_tap_send_vnet() - write one frame with offload header @vh: a GSO
 * frame from link_gso.c (only while l->vnet)
 */
static enum link_tx link_tap_send_vnet(struct link *l, const struct virtio_net_hdr *vh,
				       const struct iovec *iov, int n, size_t len)
{
	return tap_writev(l, vh, iov, n, len);
}

/* link_tap_stop() - stop watching and close the TAP */
void link_tap_stop(struct link *l)
{
	loop_del(&l->watch);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* tap_link_open() - open TAP @name and take its MTU */
static int tap_link_open(struct link *l, const char *name, char *err, size_t errlen)
{
	int mtu;

	l->fd = tap_open(name, &l->vnet, err, errlen);
	if (l->fd < 0)
		return -1;
	mtu = tap_mtu(name);
	if (mtu < 1280 || mtu > 65535) {
		if (mtu > 0)
			log_warn("%s: MTU %d out of range, using 1500", name, mtu);
		mtu = mtu > 65535 ? 65535 : 1500;
	}
	l->mtu = (uint16_t)mtu;
	return 0;
}

/* tap_link_start() - watch the TAP; warn if its kernel side is down */
static int tap_link_start(struct link *l, char *err, size_t errlen)
{
	if (link_tap_start(l, err, errlen))
		return -1;
	if (tap_is_up(l->name) == 0)
		log_warn("%s: the device is down; bring it up with `ip link set %s up`",
			 l->name, l->name);
	return 0;
}

/* tap_link_state() - "tap" */
static void tap_link_state(const struct link *l, char *buf, size_t len)
{
	(void)l;
	snprintf(buf, len, "tap");
}

const struct link_ops link_tap_ops = {
	.open = tap_link_open,
	.start = tap_link_start,
	.send = link_tap_send,
	.send_vnet = link_tap_send_vnet,
	.state = tap_link_state,
	.close = link_tap_stop,
	.offload = tap_link_offload,
};
