/* pcap.h - capture frames to a file tcpdump reads */
#ifndef LWIPD_PCAP_H
#define LWIPD_PCAP_H

#include <stddef.h>
#include <sys/uio.h>

int pcap_open(const char *path, char *err, size_t errlen);
void pcap_write(const struct iovec *iov, int n, size_t len);
void pcap_close(void);

#endif
