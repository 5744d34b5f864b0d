/* lwip-proxy: configuration (a subset of squid.conf).
 *
 * One directive per line, words separated by blanks, "#" starts a
 * comment.  Directive names and defaults follow Squid where Squid has the
 * directive; docs/proxy.md is the reference.  Any unknown directive or bad
 * value is an error reported as "FILE:LINE: message".
 */
#ifndef PROXY_CONFIG_H
#define PROXY_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "limits.h"

struct acl_ref {
	int acl;		/* index into config.acls */
	bool neg;		/* "!name" */
};

struct access_rule {
	bool allow;
	int nref;
	struct acl_ref ref[PX_MAX_RULE_ACLS];
};

struct outgoing_rule {
	struct sockaddr_storage addr;	/* port 0 */
	socklen_t len;
	int family;
	int nref;
	struct acl_ref ref[PX_MAX_RULE_ACLS];
};

struct listen_addr {
	struct sockaddr_storage addr;
	socklen_t len;
	bool any;		/* no address given: dual-stack wildcard */
	uint16_t port;
};

struct config {
	struct listen_addr ports[PX_MAX_PORTS];
	int nports;
	struct acl *acls;	/* PX_MAX_ACLS entries */
	int nacls;
	struct access_rule *access;	/* PX_MAX_RULES entries */
	int naccess;
	struct outgoing_rule *outgoing;	/* PX_MAX_RULES entries */
	int noutgoing;
	bool dns_v4_first;
	char nameservers[PX_MAX_NAMESERVERS][64];	/* "ip" or "ip:port" */
	int nnameservers;
	uint32_t dns_timeout_ms;
	uint32_t he_connect_timeout_ms;
	int32_t he_connect_gap_ms;	/* -1: none */
	int32_t he_connect_limit;	/* -1: none, 0: strict groups */
	uint32_t connect_timeout_ms;
	uint32_t forward_timeout_ms;
	uint32_t read_timeout_ms;
	uint32_t request_timeout_ms;
	uint32_t client_idle_ms;
	uint32_t server_idle_ms;
	char access_log[512];	/* "" = none, "-" = stdout */
	uint32_t max_connections;
	char visible_hostname[PX_MAX_HOST + 1];
	uint16_t connect_ports[PX_MAX_CONNECT_PORTS];
	int nconnect_ports;
	bool connect_ports_set;
};

int config_init(struct config *c);
void config_free(struct config *c);
int config_parse_line(struct config *c, char *line, char *err, size_t len);
int config_parse_text(struct config *c, const char *name, const char *text,
		      char *err, size_t len);
int config_load(struct config *c, const char *path, char *err, size_t len);
int config_finish(struct config *c, char *err, size_t len);
int config_find_acl(const struct config *c, const char *name);
int config_parse_time(const char *num, const char *unit, uint32_t *ms);
int config_parse_listen(const char *s, struct listen_addr *l);

#endif /* PROXY_CONFIG_H */
