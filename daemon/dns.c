/* dns.c - the list of DNS servers: --dns ones, then those lwIP learned;
 * and the search domains DHCPv6 gave
 *
 * lwIP keeps learned servers in one array that DHCPv4, RDNSS and DHCPv6
 * all write from index 0, so a later source overwrites an earlier one.
 * Every write to that array is looked at as it happens (the
 * dns_setserver() wrapper), and dns_store_sync() after every batch of
 * input and timers; together they keep the union: an overwritten server
 * stays known, one cleared (RDNSS lifetime 0, lease gone) is forgotten.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lwip/dns.h"

#include "dns.h"
#include "log.h"

static struct dns_config statics[MAX_DNS];
static int n_statics;
static struct dns_config learned[DNS_STORE_MAX];
static int n_learned;
static ip_addr_t seen[DNS_MAX_SERVERS];
static char search[DNS_SEARCH_MAX];
static void (*notify)(void);
static bool changed;

/* to_dns() - lwIP address to our type; 0 if unset */
static int to_dns(const ip_addr_t *a, struct dns_config *d)
{
	memset(d, 0, sizeof(*d));
	if (ip_addr_isany(a))
		return 0;
	if (IP_IS_V4(a)) {
		d->family = AF_INET;
		d->u.v4.s_addr = ip4_addr_get_u32(ip_2_ip4(a));
	} else {
		d->family = AF_INET6;
		memcpy(&d->u.v6, ip_2_ip6(a)->addr, 16);
	}
	return 1;
}

/* same() - two servers equal? */
static int same(const struct dns_config *a, const struct dns_config *b)
{
	return a->family == b->family &&
	       !memcmp(&a->u, &b->u, a->family == AF_INET ? 4 : 16);
}

/* find_learned() - index in the learned list, or -1 */
static int find_learned(const struct dns_config *d)
{
	for (int i = 0; i < n_learned; i++)
		if (same(&learned[i], d))
			return i;
	return -1;
}

/* dns_store_set_static() - take the --dns servers of @c */
void dns_store_set_static(const struct config *c)
{
	n_statics = c->n_dns;
	memcpy(statics, c->dns, sizeof(statics));
}

/* learn() - add @d to the learned list (logged once); oldest goes if full */
static void learn(const struct dns_config *d)
{
	char s[INET6_ADDRSTRLEN];

	if (find_learned(d) >= 0)
		return;
	if (n_learned == DNS_STORE_MAX)
		memmove(learned, learned + 1, sizeof(learned[0]) * --n_learned);
	learned[n_learned++] = *d;
	changed = true;
	log_info("DNS server %s learned", inet_ntop(d->family, &d->u, s, sizeof(s)));
}

/* forget() - drop @d from the learned list */
static void forget(const struct dns_config *d)
{
	char s[INET6_ADDRSTRLEN];
	int i = find_learned(d);

	if (i < 0)
		return;
	memmove(learned + i, learned + i + 1, sizeof(learned[0]) * (size_t)(n_learned - i - 1));
	n_learned--;
	changed = true;
	log_info("DNS server %s withdrawn", inet_ntop(d->family, &d->u, s, sizeof(s)));
}

/* scan() - compare lwIP's server array with the last look */
static void scan(void)
{
	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
		const ip_addr_t *now = dns_getserver(i);
		struct dns_config d;

		if (ip_addr_eq(now, &seen[i]) && IP_GET_TYPE(now) == IP_GET_TYPE(&seen[i]))
			continue;
		if (to_dns(now, &d))
			learn(&d);
		else if (to_dns(&seen[i], &d))
			forget(&d);
		seen[i] = *now;
	}
}

void __real_dns_setserver(u8_t numdns, const ip_addr_t *dnsserver);

/* __wrap_dns_setserver() - every write to lwIP's server array (DHCPv4,
 * RDNSS, DHCPv6; -Wl,--wrap in daemon.mk) is looked at as it happens:
 * two sources writing the same index in one input batch left only the
 * second for dns_store_sync() to see (a DHCP lease and an RA arriving
 * together lost the DHCP server).  Runs inside lwIP's input, so it only
 * records; dns_store_sync() tells the listeners after the batch.
 */
void __wrap_dns_setserver(u8_t numdns, const ip_addr_t *dnsserver)
{
	__real_dns_setserver(numdns, dnsserver);
	scan();
}

/* dns_store_sync() - after every batch: catch any change the wrapper did
 * not see, then tell the listener if anything changed */
void dns_store_sync(void)
{
	scan();
	if (changed && notify)
		notify();
	changed = false;
}

/* dns_store_set_search() - the search domains (DHCPv6 option 24), space
 * separated; "" for none
 */
void dns_store_set_search(const char *domains)
{
	if (!strcmp(search, domains))
		return;
	snprintf(search, sizeof(search), "%s", domains);
	changed = true;
	if (search[0])
		log_info("DNS search domains: %s", search);
	else
		log_info("DNS search domains withdrawn");
}

/* dns_store_set_notify() - call @fn after the list changed */
void dns_store_set_notify(void (*fn)(void))
{
	notify = fn;
}

/* dns_store_list() - static servers first, then learned; returns count */
int dns_store_list(struct dns_config *out, int max)
{
	int n = 0;

	for (int i = 0; i < n_statics && n < max; i++)
		out[n++] = statics[i];
	for (int i = 0; i < n_learned && n < max; i++) {
		int dup = 0;

		for (int k = 0; k < n_statics; k++)
			dup |= same(&statics[k], &learned[i]);
		if (!dup)
			out[n++] = learned[i];
	}
	return n;
}

/* dns_store_resolv_conf() - the list as resolv.conf text; like snprintf */
size_t dns_store_resolv_conf(char *buf, size_t len)
{
	struct dns_config l[MAX_DNS + DNS_STORE_MAX];
	char s[INET6_ADDRSTRLEN];
	size_t off = 0;
	int n = dns_store_list(l, MAX_DNS + DNS_STORE_MAX);

	if (len)
		buf[0] = '\0';
	off += (size_t)snprintf(buf, len, "# DNS servers known to lwipd\n");
	for (int i = 0; i < n; i++) {
		inet_ntop(l[i].family, &l[i].u, s, sizeof(s));
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "nameserver %s\n", s);
	}
	if (search[0] && off < len)
		off += (size_t)snprintf(buf + off, len - off, "search %s\n", search);
	return off;
}
