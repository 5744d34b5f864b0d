/* ipfmt.h - lwIP addresses as text, in the kernel's own notation */
#ifndef LWIPD_IPFMT_H
#define LWIPD_IPFMT_H

#include <arpa/inet.h>
#include "lwip/ip_addr.h"

#define IPFMT_LEN INET6_ADDRSTRLEN

const char *ipfmt6(const ip6_addr_t *a, char buf[IPFMT_LEN]);
const char *ipfmt4(const ip4_addr_t *a, char buf[IPFMT_LEN]);
const char *ipfmt(const ip_addr_t *a, char buf[IPFMT_LEN]);

#endif
