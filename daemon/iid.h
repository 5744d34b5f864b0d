/* iid.h - IPv6 interface identifiers: stable-privacy (RFC 7217), random
 * for temporaries (RFC 8981), and the reserved ones no address may use
 * (RFC 5453).  Modified EUI-64 is ethaddr_eui64().
 */
#ifndef LWIPD_IID_H
#define LWIPD_IID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IID_LEN          8      /* bytes: the low 64 bits of an address */
#define IDGEN_RETRIES    3      /* RFC 7217 section 6: DAD_Counter limit */
#define IID_MAX_TRIES   64      /* unacceptable identifiers skipped in a row */

/* The inputs of RFC 7217's F() other than DAD_Counter. */
struct iid_stable_in {
	uint8_t prefix[8];              /* the /64 prefix (fe80:: for link-local) */
	const char *net_iface;          /* the interface's name */
	const uint8_t *network_id;      /* optional, NULL if none */
	size_t network_id_len;
	const uint8_t *secret;          /* the secret key */
	size_t secret_len;
};

/* Says whether an identifier is already used under the same prefix. */
typedef bool (*iid_taken_fn)(const uint8_t iid[IID_LEN], void *arg);

bool iid_is_reserved(const uint8_t iid[IID_LEN]);
void iid_stable_f(const struct iid_stable_in *in, uint8_t dad_counter,
		  uint8_t iid[IID_LEN]);
int iid_stable(const struct iid_stable_in *in, uint8_t *dad_counter,
	       iid_taken_fn taken, void *arg, uint8_t iid[IID_LEN]);
int iid_random(iid_taken_fn taken, void *arg, uint8_t iid[IID_LEN]);

#endif
