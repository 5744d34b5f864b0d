/* dns.h - the DNS servers lwipd knows: configured and learned */
#ifndef LWIPD_DNS_H
#define LWIPD_DNS_H

#include <stddef.h>
#include "options.h"

#define DNS_STORE_MAX 8
#define DNS_SEARCH_MAX 256  /* the search line of resolv.conf */

void dns_store_set_static(const struct config *c);
void dns_store_sync(void);
void dns_store_set_search(const char *domains);
void dns_store_set_notify(void (*fn)(void));
int dns_store_list(struct dns_config *out, int max);
size_t dns_store_resolv_conf(char *buf, size_t len);

#endif
