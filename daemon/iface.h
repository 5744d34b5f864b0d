/* iface.h - configured interfaces: a link plus its addresses */
#ifndef LWIPD_IFACE_H
#define LWIPD_IFACE_H

#include "link.h"
#include "options.h"

struct iface {
	struct link link;
	struct iface_config cfg;        /* what is applied now */
	int in_use;
};

int ifaces_apply(const struct config *c, char *err, size_t errlen);
void ifaces_stop(void);
struct iface *iface_first(void);
struct iface *iface_next(struct iface *i);

#endif
