/* iid.c - IPv6 interface identifiers
 *
 * Stable-privacy identifiers follow RFC 7217 section 5:
 *   RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key)
 * with F = SHA-256 truncated to its first 64 bits.  The fields are hashed
 * in that order, the variable-length ones (Net_Iface, Network_ID) each
 * preceded by a length byte so no two inputs run together, DAD_Counter as
 * one byte.  An identifier that is reserved (RFC 5453) or already used
 * under the same prefix is unacceptable: DAD_Counter goes up by one and F
 * is computed again (RFC 7217 section 5, last step).
 */
#include <string.h>
#include <sys/random.h>

#include "iid.h"
#include "sha256.h"

/* iid_is_reserved() - is @iid one of the IANA registry's reserved
 * identifiers (RFC 5453 section 3): the subnet-router anycast identifier
 * (all zero), the reserved subnet anycast identifiers fdff:ffff:ffff:ff80
 * to fdff:ffff:ffff:ffff (RFC 2526), and the IANA Ethernet block
 * 0200:5eff:fe00:0000 to 0200:5eff:feff:ffff (proxy mobile IPv6's
 * 0200:5eff:fe00:5213 among them)?
 */
bool iid_is_reserved(const uint8_t iid[IID_LEN])
{
	static const uint8_t zero[IID_LEN];
	static const uint8_t anycast[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t iana[5] = { 0x02, 0x00, 0x5e, 0xff, 0xfe };

	if (!memcmp(iid, zero, IID_LEN))
		return true;
	if (!memcmp(iid, anycast, 7) && iid[7] >= 0x80)
		return true;
	return !memcmp(iid, iana, 5);
}

/* iid_stable_f() - RFC 7217's F() for one DAD_Counter value, no checks */
void iid_stable_f(const struct iid_stable_in *in, uint8_t dad_counter,
		  uint8_t iid[IID_LEN])
{
	uint8_t digest[SHA256_LEN], n;
	size_t len = strlen(in->net_iface);
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, in->prefix, 8);
	n = (uint8_t)(len > 255 ? 255 : len);
	sha256_update(&s, &n, 1);
	sha256_update(&s, in->net_iface, n);
	n = (uint8_t)(in->network_id_len > 255 ? 255 : in->network_id_len);
	sha256_update(&s, &n, 1);
	if (in->network_id)
		sha256_update(&s, in->network_id, n);
	sha256_update(&s, &dad_counter, 1);
	sha256_update(&s, in->secret, in->secret_len);
	sha256_final(&s, digest);
	memcpy(iid, digest, IID_LEN);
}

/* iid_stable() - the stable-privacy identifier for @in, starting at
 * *@dad_counter and counting up past unacceptable identifiers (reserved, or
 * @taken says used; @taken may be NULL).  Leaves the counter used in
 * *@dad_counter.  Returns 0, or -1 if IID_MAX_TRIES in a row failed.
 */
int iid_stable(const struct iid_stable_in *in, uint8_t *dad_counter,
	       iid_taken_fn taken, void *arg, uint8_t iid[IID_LEN])
{
	for (int tries = 0; tries < IID_MAX_TRIES && *dad_counter < 255; tries++) {
		iid_stable_f(in, *dad_counter, iid);
		if (!iid_is_reserved(iid) && !(taken && taken(iid, arg)))
			return 0;
		(*dad_counter)++;
	}
	return -1;
}

/* iid_random() - a random identifier for a temporary address (RFC 8981
 * section 3.3.1), never reserved nor @taken.  Returns 0, or -1 if the
 * kernel gave no randomness.
 */
int iid_random(iid_taken_fn taken, void *arg, uint8_t iid[IID_LEN])
{
	for (int tries = 0; tries < IID_MAX_TRIES; tries++) {
		if (getrandom(iid, IID_LEN, 0) != IID_LEN)
			return -1;
		if (!iid_is_reserved(iid) && !(taken && taken(iid, arg)))
			return 0;
	}
	return -1;
}
