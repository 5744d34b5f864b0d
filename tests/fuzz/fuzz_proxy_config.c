/* fuzz_proxy_config.c - lwip-proxy's configuration parser
 *
 * The input is a whole configuration file: config_parse_text() then, if
 * it was accepted, config_finish().  Every refusal must carry a message;
 * config_free() must release everything (LeakSanitizer checks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../proxy/config.h"

#define TEXT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[TEXT_MAX + 1];
	struct config c;
	char err[512];

	if (size > TEXT_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_init(&c))
		return 0;
	err[0] = '\0';
	if (config_parse_text(&c, "fuzz.conf", text, err, sizeof(err)) == 0) {
		err[0] = '\0';
		if (config_finish(&c, err, sizeof(err)) && !err[0])
			abort();
	} else if (!err[0]) {
		abort();
	}
	config_free(&c);
	return 0;
}
