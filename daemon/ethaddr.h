/* ethaddr.h - MAC addresses: the default MAC, EUI-64 interface identifiers,
 * solicited-node groups and the multicast MACs groups map to
 */
#ifndef LWIPD_ETHADDR_H
#define LWIPD_ETHADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

void ethaddr_default(const char *ifname, unsigned int uid, uint8_t mac[6]);
void ethaddr_eui64(const uint8_t mac[6], uint8_t iid[8]);
void ethaddr_solicited_node(const struct in6_addr *addr, struct in6_addr *group);
void ethaddr_mcast6(const struct in6_addr *group, uint8_t mac[6]);
void ethaddr_mcast4(struct in_addr group, uint8_t mac[6]);
bool ethaddr_is_multicast(const uint8_t mac[6]);
bool ethaddr_is_broadcast(const uint8_t mac[6]);

#endif
