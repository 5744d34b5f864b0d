/* lwip-proxy: request policy, see policy.h */
#include <string.h>

#include "he.h"
#include "policy.h"

/* Default access when no http_access line exists: loopback, private and
 * link-local sources only (an open proxy by default would be a hazard). */
static const char *const default_allow[] = {
	"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
	"169.254.0.0/16", "::1", "fc00::/7", "fe80::/10",
};

/* refs_match() - Whether every ACL reference of a line matches (AND);
 * an empty list matches */
static bool refs_match(const struct config *c, const struct acl_ref *r,
		       int n, const struct acl_ctx *x)
{
	int i;

	for (i = 0; i < n; i++)
		if (acl_match(&c->acls[r[i].acl], x) == r[i].neg)
			return false;
	return true;
}

/* default_access() - Built-in rule used without any http_access line */
static bool default_access(const struct acl_ctx *x)
{
	struct cidr n;
	size_t i;

	for (i = 0; i < sizeof(default_allow) / sizeof(default_allow[0]); i++)
		if (!cidr_parse(default_allow[i], &n) && cidr_match(&n, x->src))
			return true;
	return false;
}

/* policy_access() - Squid's http_access: the first line whose ACLs all
 * match decides; if none matches, the opposite of the last line's action.
 * Return: true to allow */
bool policy_access(const struct config *c, const struct acl_ctx *x)
{
	int i;

	if (!c->naccess)
		return default_access(x);
	for (i = 0; i < c->naccess; i++)
		if (refs_match(c, c->access[i].ref, c->access[i].nref, x))
			return c->access[i].allow;
	return !c->access[c->naccess - 1].allow;
}

/* policy_connect_port() - Whether CONNECT to @port is allowed at all */
bool policy_connect_port(const struct config *c, uint16_t port)
{
	int i;

	for (i = 0; i < c->nconnect_ports; i++)
		if (c->connect_ports[i] == port)
			return true;
	return false;
}

/* policy_outgoing() - Outgoing address per family for request @x.
 * Without any tcp_outgoing_address line both families are usable and
 * nothing is bound.  Otherwise, per family, the first line of that family
 * whose ACLs match gives the address (lines of the other family are
 * skipped); a family without a matching line is not usable (the seed's
 * rule: only destinations of the outgoing address's family are tried). */
void policy_outgoing(const struct config *c, const struct acl_ctx *x,
		     struct outgoing *o)
{
	int i, fi;

	memset(o, 0, sizeof(*o));
	if (!c->noutgoing) {
		o->usable[0] = o->usable[1] = true;
		return;
	}
	for (i = 0; i < c->noutgoing; i++) {
		const struct outgoing_rule *r = &c->outgoing[i];

		fi = he_family_index(r->family);
		if (fi < 0 || o->usable[fi] ||
		    !refs_match(c, r->ref, r->nref, x))
			continue;
		o->usable[fi] = true;
		o->bind[fi] = true;
		memcpy(&o->addr[fi], &r->addr, r->len);
		o->len[fi] = r->len;
	}
}
