/* lwip-proxy: access control lists (Squid's acl directive, a subset).
 *
 * Types: src and dst (address or CIDR, IPv4 or IPv6), port (N or N-M),
 * method (token), dstdomain (exact host, or ".suffix" for a domain and
 * its subdomains).  Repeated "acl NAME TYPE ..." lines add values (OR).
 * dst matches only when the request's host is an IP literal: ACLs are
 * evaluated before name resolution.
 */
#ifndef PROXY_ACL_H
#define PROXY_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "limits.h"

enum acl_type { ACL_SRC, ACL_DST, ACL_PORT, ACL_METHOD, ACL_DSTDOMAIN };

struct cidr {
	int family;
	uint8_t addr[16];
	int prefix;
};

union acl_value {
	struct cidr net;
	struct { uint16_t lo, hi; } port;
	char str[PX_MAX_HOST + 2];
};

struct acl {
	char name[64];
	enum acl_type type;
	int n;
	union acl_value v[PX_MAX_ACL_VALUES];
};

/* What a request offers to ACL matching */
struct acl_ctx {
	const struct sockaddr *src;	/* client address */
	const char *method;		/* NUL-terminated */
	const char *host;		/* URL host, lower case, no brackets */
	int host_family;		/* AF_INET/AF_INET6 if a literal, else 0 */
	uint16_t port;			/* URL port */
};

int acl_type_parse(const char *s, enum acl_type *t);
const char *acl_type_name(enum acl_type t);
int cidr_parse(const char *s, struct cidr *c);
bool cidr_match(const struct cidr *c, const struct sockaddr *sa);
int acl_value_parse(enum acl_type t, const char *s, union acl_value *v);
bool acl_match(const struct acl *a, const struct acl_ctx *x);

#endif /* PROXY_ACL_H */
