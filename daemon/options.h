/* options.h - lwipd's configuration: command line, config file, and the
 * command-line form the filesystem shows (the Hurd's fsysopts)
 */
#ifndef LWIPD_OPTIONS_H
#define LWIPD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>

#include "link_spec.h"
#include "limit.h"
#include "impair.h"

#define MAX_IFACES      8   /* -i per daemon */
#define MAX_ADDR6       6   /* -A per interface (lwIP holds 16: link-local, SLAAC and temporaries too) */
#define MAX_DNS         4   /* --dns */
#define MAX_CONFIG_LINE 512 /* one line of a --config file */
#define MAX_CONFIG_ARGS 16  /* words on one config line */
#define MAX_USER_NAME   64  /* --user */

struct addr6_config {
	struct in6_addr addr;
	int plen;
};

enum addr_gen { ADDR_GEN_EUI64 = 0, ADDR_GEN_STABLE_PRIVACY };

struct iface_config {
	char name[LINK_NAME_MAX];       /* the -i word, canonical (link_spec.c) */
	bool have_mac;
	uint8_t mac[6];
	bool have_addr;                 /* -a */
	struct in_addr addr, mask;
	bool have_gw;                   /* -g */
	struct in_addr gw;
	bool dhcp;                      /* --dhcp */
	bool slaac;                     /* on unless --no-slaac */
	bool dhcp6;                     /* on unless --no-dhcp6 */
	bool promisc_multicast;         /* --promisc-multicast */
	bool down;                      /* --down: administratively down */
	struct impair_spec impair;      /* --impair */
	int n_addr6;
	struct addr6_config addr6[MAX_ADDR6];
	enum addr_gen addr_gen;         /* --addr-gen (v6opts.c) */
	bool temporary;                 /* --temporary: RFC 8981 addresses */
	uint32_t temp_preferred;        /* --temp-preferred-lifetime, 0: default */
	uint32_t temp_valid;            /* --temp-valid-lifetime, 0: default */
};

struct dns_config {
	int family;                     /* AF_INET or AF_INET6 */
	union { struct in_addr v4; struct in6_addr v6; } u;
};

struct config {
	int n_ifaces;
	struct iface_config ifaces[MAX_IFACES];
	int n_dns;
	struct dns_config dns[MAX_DNS];
	char mount[PATH_MAX];           /* socket directory */
	char config_file[PATH_MAX];     /* --config, re-read on SIGHUP */
	char pcap[PATH_MAX];            /* --pcap */
	char secret_file[PATH_MAX];     /* --secret-file, "" for the default */
	int verbose;                    /* -v count */
	bool no_fs;                     /* --no-fs */
	struct limits limits;           /* --limit NAME=VALUE */
	char user[MAX_USER_NAME];       /* --user: run as this user after setup */
	bool help, version;
};

/* What options_parse() found; on OPT_ERROR the message is in err. */
enum opt_result { OPT_OK = 0, OPT_ERROR = -1 };

void options_defaults(struct config *c);
int options_parse(struct config *c, int argc, char *const argv[],
		  char *err, size_t errlen);
int options_parse_file(struct config *c, const char *path,
		       char *err, size_t errlen);
int options_parse_line(struct config *c, const char *line,
		       char *err, size_t errlen);
size_t options_format(const struct config *c, char *buf, size_t len);
struct iface_config *options_find_iface(struct config *c, const char *name);
void options_usage(FILE *f);

#endif
