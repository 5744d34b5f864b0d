/* ifinfo.h - the interface list programs see (IFINFO, docs/protocol.md) */
#ifndef LWIPD_IFINFO_H
#define LWIPD_IFINFO_H

#include <stdint.h>

#include "proto.h"

int ifinfo_get(uint32_t after, struct proto_ifinfo *out);

#endif
