/* v6opts.c - parse and format the options of IPv6 address generation
 *
 * options.c finds these in its table and hands them here by long name:
 *   --addr-gen eui64|stable-privacy   how SLAAC (and link-local) identifiers
 *                                     are made (RFC 4291 / RFC 7217)
 *   --temporary, --temp-addr          RFC 8981 temporary addresses
 *   --no-temporary                    stop making them
 *   --temp-preferred-lifetime SECONDS TEMP_PREFERRED_LIFETIME (default 1 day)
 *   --temp-valid-lifetime SECONDS     TEMP_VALID_LIFETIME (default 2 days)
 * A lifetime of 0 in the configuration means the RFC's default.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v6opts.h"

/* parse_seconds() - a decimal number of seconds in [min, max]; -1 if not */
static long parse_seconds(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	return (long)v;
}

/* v6opts_parse() - apply option --@name @arg to @ifc; 0, or -1 with @err */
int v6opts_parse(struct iface_config *ifc, const char *name, const char *arg,
		 char *err, size_t errlen)
{
	long v;

	if (!strcmp(name, "addr-gen")) {
		if (!strcmp(arg, "eui64"))
			ifc->addr_gen = ADDR_GEN_EUI64;
		else if (!strcmp(arg, "stable-privacy"))
			ifc->addr_gen = ADDR_GEN_STABLE_PRIVACY;
		else
			goto bad_mode;
		return 0;
	}
	if (!strcmp(name, "temporary") || !strcmp(name, "temp-addr")) {
		ifc->temporary = true;
		return 0;
	}
	if (!strcmp(name, "no-temporary")) {
		ifc->temporary = false;
		return 0;
	}
	if (!strcmp(name, "temp-preferred-lifetime")) {
		v = parse_seconds(arg, TEMP_PREFERRED_MIN, 0xfffffffeul);
		if (v < 0)
			goto bad_life;
		ifc->temp_preferred = (uint32_t)v;
		return 0;
	}
	if (!strcmp(name, "temp-valid-lifetime")) {
		v = parse_seconds(arg, TEMP_PREFERRED_MIN, 0xfffffffeul);
		if (v < 0)
			goto bad_life;
		ifc->temp_valid = (uint32_t)v;
		return 0;
	}
	snprintf(err, errlen, "internal: --%s is not an address generation option", name);
	return -1;
bad_mode:
	snprintf(err, errlen, "--addr-gen %s: give eui64 or stable-privacy", arg);
	return -1;
bad_life:
	snprintf(err, errlen, "--%s %s: give seconds, at least %u", name, arg,
		 TEMP_PREFERRED_MIN);
	return -1;
}

/* v6opts_temp_preferred() - TEMP_PREFERRED_LIFETIME of @ifc in seconds */
unsigned v6opts_temp_preferred(const struct iface_config *ifc)
{
	return ifc->temp_preferred ? ifc->temp_preferred : TEMP_PREFERRED_DEFAULT;
}

/* v6opts_temp_valid() - TEMP_VALID_LIFETIME of @ifc in seconds, never less
 * than its preferred lifetime
 */
unsigned v6opts_temp_valid(const struct iface_config *ifc)
{
	unsigned v = ifc->temp_valid ? ifc->temp_valid : TEMP_VALID_DEFAULT;

	return v < v6opts_temp_preferred(ifc) ? v6opts_temp_preferred(ifc) : v;
}

/* v6opts_format() - these options of @ifc in command-line form, each
 * preceded by a space ("" if all are defaults)
 */
void v6opts_format(const struct iface_config *ifc, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (ifc->addr_gen == ADDR_GEN_STABLE_PRIVACY)
		n += snprintf(buf + n, len - (size_t)n, " --addr-gen stable-privacy");
	if (ifc->temporary && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " --temporary");
	if (ifc->temp_preferred && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " --temp-preferred-lifetime %u",
			      (unsigned)ifc->temp_preferred);
	if (ifc->temp_valid && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " --temp-valid-lifetime %u",
			 (unsigned)ifc->temp_valid);
}
