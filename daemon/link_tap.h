/* link_tap.h - the reading and writing half of the TAP back end, shared
 * by tap (link_tap.c) and tap-ns (link_tapns.c): the TAP's fd is l->fd
 */
#ifndef LWIPD_LINK_TAP_H
#define LWIPD_LINK_TAP_H

#include "link.h"

int link_tap_start(struct link *l, char *err, size_t errlen);
enum link_tx link_tap_send(struct link *l, const struct iovec *iov, int n, size_t len);
void link_tap_stop(struct link *l);

#endif
