/* route.h - can a packet to this destination leave? (see route.c) */
#ifndef LWIPD_ROUTE_H
#define LWIPD_ROUTE_H

#include "lwip/ip_addr.h"

int route_check(const ip_addr_t *dst);

#endif
