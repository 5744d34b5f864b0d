/* pcap.c - write every frame in and out in the classic pcap format
 *
 * One capture file per daemon (--pcap), microsecond timestamps, link type
 * Ethernet.  Each record is one writev(2), so a crash loses at most the
 * frame being written.  A write error turns capture off with a warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "pcap.h"

#define PCAP_SNAPLEN 65535
#define PCAP_MAX_IOV 32

static int pcap_fd = -1;

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, usec, caplen, len;
};

/* pcap_open() - create @path (mode 0600) and write the file header */
int pcap_open(const char *path, char *err, size_t errlen)
{
	struct pcap_file_hdr h = {
		.magic = 0xa1b2c3d4, .major = 2, .minor = 4,
		.snaplen = PCAP_SNAPLEN, .linktype = 1,
	};

	pcap_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (pcap_fd < 0) {
		snprintf(err, errlen, "--pcap %s: %s", path, strerror(errno));
		return -1;
	}
	if (write(pcap_fd, &h, sizeof(h)) != sizeof(h)) {
		snprintf(err, errlen, "--pcap %s: write failed", path);
		close(pcap_fd);
		pcap_fd = -1;
		return -1;
	}
	return 0;
}

/* pcap_write() - append one frame given as @n pieces totalling @len bytes */
void pcap_write(const struct iovec *iov, int n, size_t len)
{
	struct iovec v[PCAP_MAX_IOV + 1];
	struct pcap_rec_hdr r;
	struct timeval tv;
	size_t cap = 0;
	int k;

	if (pcap_fd < 0)
		return;
	gettimeofday(&tv, NULL);
	v[0].iov_base = &r;
	v[0].iov_len = sizeof(r);
	for (k = 0; k < n && k < PCAP_MAX_IOV && cap < PCAP_SNAPLEN; k++) {
		v[k + 1] = iov[k];
		if (cap + v[k + 1].iov_len > PCAP_SNAPLEN)
			v[k + 1].iov_len = PCAP_SNAPLEN - cap;
		cap += v[k + 1].iov_len;
	}
	r.sec = (uint32_t)tv.tv_sec;
	r.usec = (uint32_t)tv.tv_usec;
	r.caplen = (uint32_t)cap;
	r.len = (uint32_t)len;
	if (writev(pcap_fd, v, k + 1) < 0) {
		log_warn("pcap: %s; capture stopped", strerror(errno));
		pcap_close();
	}
}

/* pcap_close() - stop capturing */
void pcap_close(void)
{
	if (pcap_fd >= 0)
		close(pcap_fd);
	pcap_fd = -1;
}
