/* link_spec.c - parse an -i word into a link kind and its argument
 *
 * A word without a colon is a TAP's name (a Linux interface name never
 * holds a colon), so `-i tap0` means what it always did.  Otherwise the
 * word is KIND:ARG.  Every form has one canonical spelling (a TAP is its
 * bare name, tap-ns without :tap0), which is the interface's name in the
 * configuration, the logs and the filesystem.  Pure: no I/O.
 */
#include <ctype.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "link_spec.h"

static const struct {
	enum link_kind kind;
	const char *name;
} kinds[] = {
	{ LINK_TAP, "tap" }, { LINK_TAPNS, "tap-ns" }, { LINK_PASST, "passt" },
	{ LINK_STREAM, "stream" }, { LINK_STREAM_LISTEN, "stream-listen" },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* link_kind_name() - "tap", "tap-ns", "passt", "stream" or "stream-listen" */
const char *link_kind_name(enum link_kind kind)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

/* ifname_ok() - a usable Linux interface name: 1 to 15 characters, no
 * slash, colon or white space
 */
static int ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ)
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* path_ok() - a usable socket path: fits sun_path, no white space (config
 * lines and the options file split words on it)
 */
static int path_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= LINK_PATH_MAX)
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* link_spec_parse() - parse @word into @s and write its canonical form to
 * @canon (LINK_NAME_MAX bytes suffice).  Returns 0, or -1 with @err saying
 * what the forms are.
 */
int link_spec_parse(const char *word, struct link_spec *s,
		    char *canon, size_t canonlen, char *err, size_t errlen)
{
	const char *colon = strchr(word, ':'), *arg;
	size_t klen, i;

	memset(s, 0, sizeof(*s));
	if (!colon && strcmp(word, "tap-ns")) {
		if (!ifname_ok(word)) {
			snprintf(err, errlen, "-i %s: not an interface name (1 to %d characters, "
				 "no '/'); the forms are NAME, tap:NAME, tap-ns, passt:PATH, "
				 "stream:PATH, stream-listen:PATH", word, IFNAMSIZ - 1);
			return -1;
		}
		s->kind = LINK_TAP;
		snprintf(s->arg, sizeof(s->arg), "%s", word);
		snprintf(canon, canonlen, "%s", word);
		return 0;
	}
	klen = colon ? (size_t)(colon - word) : strlen(word);
	arg = colon ? colon + 1 : "";
	for (i = 0; i < N_KINDS; i++)
		if (strlen(kinds[i].name) == klen && !strncmp(word, kinds[i].name, klen))
			break;
	if (i == N_KINDS) {
		snprintf(err, errlen, "-i %s: unknown link kind \"%.*s\"; the forms are NAME, "
			 "tap:NAME, tap-ns, passt:PATH, stream:PATH, stream-listen:PATH",
			 word, (int)klen, word);
		return -1;
	}
	s->kind = kinds[i].kind;
	switch (s->kind) {
	case LINK_TAP:
		if (!ifname_ok(arg)) {
			snprintf(err, errlen, "-i %s: not a TAP name (1 to %d characters)",
				 word, IFNAMSIZ - 1);
			return -1;
		}
		snprintf(canon, canonlen, "%s", arg);
		break;
	case LINK_TAPNS:
		if (colon && !ifname_ok(arg)) {
			snprintf(err, errlen, "-i %s: not a TAP name (1 to %d characters)",
				 word, IFNAMSIZ - 1);
			return -1;
		}
		if (!colon || !strcmp(arg, LINK_TAPNS_NAME)) {
			arg = LINK_TAPNS_NAME;
			snprintf(canon, canonlen, "tap-ns");
		} else {
			snprintf(canon, canonlen, "tap-ns:%s", arg);
		}
		break;
	default:
		if (!path_ok(arg)) {
			snprintf(err, errlen, "-i %s: needs a Unix socket path after \"%s:\" "
				 "(1 to %d characters, no spaces)", word, kinds[i].name,
				 LINK_PATH_MAX - 1);
			return -1;
		}
		snprintf(canon, canonlen, "%s:%s", kinds[i].name, arg);
		break;
	}
	snprintf(s->arg, sizeof(s->arg), "%s", arg);
	return 0;
}
