/* v6opts.h - options of IPv6 address generation: --addr-gen, --temporary,
 * --temp-preferred-lifetime, --temp-valid-lifetime (per interface)
 */
#ifndef LWIPD_V6OPTS_H
#define LWIPD_V6OPTS_H

#include <stddef.h>

#include "options.h"

#define TEMP_PREFERRED_DEFAULT  86400u          /* RFC 8981: one day */
#define TEMP_VALID_DEFAULT      (2 * 86400u)    /* RFC 8981: two days */
#define TEMP_PREFERRED_MIN      10u             /* > REGEN_ADVANCE after desync */

int v6opts_parse(struct iface_config *ifc, const char *name, const char *arg,
		 char *err, size_t errlen);
void v6opts_format(const struct iface_config *ifc, char *buf, size_t len);
unsigned v6opts_temp_preferred(const struct iface_config *ifc);
unsigned v6opts_temp_valid(const struct iface_config *ifc);

#endif
