/* fuzz_options.c - a line written to the filesystem's `options` file
 *
 * What reconfig_line() does before it touches lwIP: copy the running
 * configuration, parse the line into the copy with options_parse_line().
 * An accepted line must then round-trip: options_format() of the result,
 * parsed again from defaults as a command line, formats to the same text
 * (the `options` file shows what a restart with those options would do).
 * A refused line must come with an error message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define RUNNING "-i tap0 --mac 02:00:00:00:00:01 -a 10.0.0.2/24 -g 10.0.0.1 " \
	"-A fd00:1::10/64 -i tap1 --dhcp -A fd00:2::5/64 --dns 10.0.0.1 -v"
#define FORMAT_MAX 16384
#define WORDS_MAX  256

static struct config running, next, again;

/* split() - cut @text (modified) at blanks into @w; returns the count */
static int split(char *text, char *w[WORDS_MAX])
{
	int n = 0;

	for (char *t = strtok(text, " \n"); t; t = strtok(NULL, " \n")) {
		if (n == WORDS_MAX)
			abort();        /* more words than any config has */
		w[n++] = t;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[MAX_CONFIG_LINE * 2], text[FORMAT_MAX], text2[FORMAT_MAX];
	char err[512], *w[WORDS_MAX];
	size_t n;

	if (!running.n_ifaces) {
		snprintf(text, sizeof(text), "%s", RUNNING);
		options_defaults(&running);
		if (options_parse(&running, split(text, w), w, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", RUNNING, err);
			abort();
		}
	}
	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';

	next = running;                 /* as reconfig_line() */
	next.help = next.version = false;
	err[0] = '\0';
	if (options_parse_line(&next, line, err, sizeof(err))) {
		if (!err[0])
			abort();        /* refused without saying why */
		return 0;
	}
	n = options_format(&next, text, sizeof(text));
	if (n >= sizeof(text))
		abort();
	snprintf(text2, sizeof(text2), "%s", text);
	options_defaults(&again);
	if (options_parse(&again, split(text2, w), w, err, sizeof(err))) {
		fprintf(stderr, "formatted options do not parse: %s\n%s", err, text);
		abort();
	}
	options_format(&again, text2, sizeof(text2));
	if (strcmp(text, text2)) {
		fprintf(stderr, "options do not round-trip:\n%s%s", text, text2);
		abort();
	}
	return 0;
}
