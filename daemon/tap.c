/* tap.c - our own TAP driver: open an existing device by name
 *
 * Not lwIP's contrib tapif: no fixed buffers, no exit() on error, no
 * shelling out to ifconfig.  Opening needs no privilege when the device was
 * made with `ip tuntap add dev NAME mode tap user $USER`, or inside
 * `unshare -rn`.  Errors say why, and what to run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

/* explain() - turn a TUNSETIFF failure into a message that says what to do */
static void explain(const char *name, int e, char *err, size_t errlen)
{
	int exists = if_nametoindex(name) != 0;

	if (e == EPERM && !exists)
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

/* tap_open() - attach to TAP @name; returns a non-blocking, close-on-exec
 * fd, or -1 with @err set
 */
int tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, e;

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
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		explain(name, e, err, errlen);
		return -1;
	}
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
int tap_mtu(const char *name)
{
	struct ifreq ifr;

	if (ifreq_get(name, SIOCGIFMTU, &ifr) < 0)
		return -1;
	return ifr.ifr_mtu;
}

/* tap_is_up() - 1 if the kernel side is administratively up, 0 if down,
 * -1 if unknown
 */
int tap_is_up(const char *name)
{
	struct ifreq ifr;

	if (ifreq_get(name, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	return !!(ifr.ifr_flags & IFF_UP);
}
