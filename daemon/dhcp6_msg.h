/* dhcp6_msg.h - DHCPv6 messages (RFC 8415): build what a client sends,
 * parse what servers answer.  Pure functions over byte buffers, no lwIP.
 */
#ifndef LWIPD_DHCP6_MSG_H
#define LWIPD_DHCP6_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

/* Message types (RFC 8415 section 7.3) */
enum dhcp6_type {
	DHCP6_SOLICIT = 1, DHCP6_ADVERTISE = 2, DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4, DHCP6_RENEW = 5, DHCP6_REBIND = 6, DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8, DHCP6_DECLINE = 9, DHCP6_RECONFIGURE = 10,
	DHCP6_INFO_REQUEST = 11, DHCP6_RELAY_FORW = 12, DHCP6_RELAY_REPL = 13,
};

/* Option codes (RFC 8415 section 21, RFC 3646) */
enum dhcp6_option {
	DHCP6_OPT_CLIENTID = 1, DHCP6_OPT_SERVERID = 2, DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IAADDR = 5, DHCP6_OPT_ORO = 6, DHCP6_OPT_PREFERENCE = 7,
	DHCP6_OPT_ELAPSED_TIME = 8, DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_DNS_SERVERS = 23, DHCP6_OPT_DOMAIN_LIST = 24,
	DHCP6_OPT_INFO_REFRESH_TIME = 32, DHCP6_OPT_SOL_MAX_RT = 82,
	DHCP6_OPT_INF_MAX_RT = 83,
};

/* Status codes (RFC 8415 section 21.13) */
enum dhcp6_status_code {
	DHCP6_SUCCESS = 0, DHCP6_UNSPEC_FAIL = 1, DHCP6_NO_ADDRS_AVAIL = 2,
	DHCP6_NO_BINDING = 3, DHCP6_NOT_ON_LINK = 4, DHCP6_USE_MULTICAST = 5,
};

#define DHCP6_LIFE_INFINITE   0xffffffffu
#define DHCP6_DUID_MIN        3     /* 2-octet type + at least 1 octet */
#define DHCP6_DUID_MAX        130   /* 2-octet type + at most 128 octets */
#define DHCP6_DUID_LL_LEN     10    /* type 3, hardware type 1, a MAC */
#define DHCP6_MAX_IA          4     /* IA_NA options kept from one message */
#define DHCP6_MAX_IAADDR      4     /* addresses kept per IA_NA */
#define DHCP6_MAX_DNS         4     /* DNS servers kept */
#define DHCP6_DOMAINS_MAX     256   /* search list, as "a.example b.example" */
#define DHCP6_DOMAIN_NAME_MAX 253   /* one name in dotted form */
#define DHCP6_STATUS_MSG_MAX  64    /* status message kept (printable) */
#define DHCP6_MSG_MAX         1500  /* largest message a client sends or takes */

struct dhcp6_status {
	bool present;
	uint16_t code;
	char msg[DHCP6_STATUS_MSG_MAX]; /* printable ASCII, truncated */
};

struct dhcp6_iaaddr {
	struct in6_addr addr;
	uint32_t pref, valid;           /* seconds; DHCP6_LIFE_INFINITE */
	struct dhcp6_status status;
};

struct dhcp6_ia_na {
	uint32_t iaid, t1, t2;
	struct dhcp6_status status;
	int n_addrs;
	struct dhcp6_iaaddr addrs[DHCP6_MAX_IAADDR];
};

/* What dhcp6_parse() found in a message.  Counts beyond the limits above
 * are dropped silently; structural errors reject the whole message.
 */
struct dhcp6_msg {
	uint8_t type;
	uint32_t xid;                   /* 24 bits */
	size_t client_id_len, server_id_len;    /* 0 if absent */
	uint8_t client_id[DHCP6_DUID_MAX], server_id[DHCP6_DUID_MAX];
	bool have_pref;
	uint8_t pref;
	struct dhcp6_status status;     /* top level */
	int n_ia;
	struct dhcp6_ia_na ia[DHCP6_MAX_IA];
	int n_dns;
	struct in6_addr dns[DHCP6_MAX_DNS];
	char domains[DHCP6_DOMAINS_MAX];        /* "" if none */
	uint32_t info_refresh;          /* 0 if absent */
	uint32_t sol_max_rt, inf_max_rt;        /* 0 if absent */
};

/* What a client sends; see dhcp6_build() */
struct dhcp6_out {
	uint8_t type;
	uint32_t xid;
	const uint8_t *client_id;
	size_t client_id_len;
	const uint8_t *server_id;       /* NULL: no Server Identifier */
	size_t server_id_len;
	uint16_t elapsed;               /* hundredths of a second */
	bool ia_na;                     /* include an IA_NA ... */
	uint32_t iaid;
	bool have_addr;                 /* ... holding this address */
	struct in6_addr addr;
	uint32_t pref, valid;
	bool want_refresh;              /* ask for the information refresh time */
};

int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *m,
		const char **why);
size_t dhcp6_build(const struct dhcp6_out *o, uint8_t *buf, size_t cap);
size_t dhcp6_duid_ll(const uint8_t mac[6], uint8_t out[DHCP6_DUID_LL_LEN]);
const char *dhcp6_duid_str(const uint8_t *duid, size_t len, char *out, size_t outlen);
const struct dhcp6_ia_na *dhcp6_find_ia(const struct dhcp6_msg *m, uint32_t iaid);
const char *dhcp6_type_name(uint8_t type);
const char *dhcp6_status_name(uint16_t code);

#endif
