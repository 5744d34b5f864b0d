/* lwip-run - run a program with its IPv4/IPv6 sockets in lwipd
 *
 *   lwip-run [--socket-dir DIR] COMMAND [ARGS...]
 *   lwip-run [--socket-dir DIR] --status
 *
 * Finds liblwipshim.so (next to this executable in the build tree, else
 * in ../lib/lwipd/ of an installed tree), checks that an lwipd answers in
 * the socket directory (the option, else $LWIPD_SOCKET_DIR, else lwipd's
 * default) and says how to start one if not, then puts the shim in front
 * of LD_PRELOAD, sets LWIPD_SOCKET_DIR and execs COMMAND.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/version.h"
#include "runstatus.h"

#define RUN_EX_NOLWIPD 69       /* EX_UNAVAILABLE: no lwipd to run COMMAND in */

/* Where the shim may be, relative to this executable's directory: the
 * build tree keeps both in build/, `make install` puts lwip-run in
 * PREFIX/bin and the shim in PREFIX/lib/lwipd. */
static const char *const shim_places[] = {
	"liblwipshim.so",
	"../lib/lwipd/liblwipshim.so",
};

/* usage() - the help text on @f */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: lwip-run [--socket-dir DIR] COMMAND [ARGS...]\n"
		"       lwip-run [--socket-dir DIR] --status\n"
		"Run COMMAND with its IPv4 and IPv6 sockets in lwipd (LD_PRELOAD shim).\n"
		"\n"
		"  -s, --socket-dir DIR  lwipd's socket directory (default: $LWIPD_SOCKET_DIR,\n"
		"                        else $XDG_RUNTIME_DIR/lwipd, else /tmp/lwipd-$UID)\n"
		"      --status          say whether lwipd runs there and list its interfaces;\n"
		"                        exit 0 if it runs, 1 if not\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Without lwipd, COMMAND is not run (exit status %d). Start lwipd with\n"
		"  %s   or   %s\n", RUN_EX_NOLWIPD, RUN_START_UNIT, RUN_START_CMD);
}

/* default_dir() - lwipd's default socket directory into @buf */
static void default_dir(char *buf, size_t len)
{
	const char *x = getenv("XDG_RUNTIME_DIR");

	if (x && *x)
		snprintf(buf, len, "%s/lwipd", x);
	else
		snprintf(buf, len, "/tmp/lwipd-%u", (unsigned)getuid());
}

/* find_shim() - the first readable liblwipshim.so of shim_places into
 * @lib (canonical path); -1 if there is none */
static int find_shim(char *lib, size_t len)
{
	char self[PATH_MAX], try[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *bindir;

	if (n < 0)
		return -1;
	self[n] = '\0';
	bindir = dirname(self);
	for (size_t i = 0; i < sizeof(shim_places) / sizeof(shim_places[0]); i++) {
		char canon[PATH_MAX];

		snprintf(try, sizeof(try), "%s/%s", bindir, shim_places[i]);
		if (access(try, R_OK) == 0 && realpath(try, canon)) {
			snprintf(lib, len, "%s", canon);
			return 0;
		}
	}
	return -1;
}

/* set_preload() - put @lib in front of LD_PRELOAD; -1 without memory */
static int set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload;
	size_t len;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	len = strlen(lib) + strlen(old) + 2;
	preload = malloc(len);
	if (!preload)
		return -1;
	snprintf(preload, len, "%s %s", lib, old);
	return setenv("LD_PRELOAD", preload, 1);
}

/* main() - parse, check lwipd, set the environment, exec; 127 if COMMAND
 * is missing, 126 if it cannot run, 69 without lwipd, 2 on usage errors */
int main(int argc, char **argv)
{
	char lib[PATH_MAX], dir[PATH_MAX], why[PATH_MAX + 64];
	const char *sockdir = NULL;
	bool status = false;
	int i = 1, fd;

	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("lwip-run %s\n", LWIPD_VERSION);
			return 0;
		} else if (!strcmp(a, "--status")) {
			status = true;
			i++;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket-dir")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "lwip-run: %s needs a directory\n", a);
				return 2;
			}
			sockdir = argv[i + 1];
			i += 2;
		} else if (!strncmp(a, "--socket-dir=", 13)) {
			sockdir = a + 13;
			i++;
		} else {
			fprintf(stderr, "lwip-run: unknown option %s (try --help)\n", a);
			return 2;
		}
	}
	if (!sockdir && getenv("LWIPD_SOCKET_DIR") && *getenv("LWIPD_SOCKET_DIR"))
		sockdir = getenv("LWIPD_SOCKET_DIR");
	if (!sockdir) {
		default_dir(dir, sizeof(dir));
		sockdir = dir;
	}
	if (status)
		return run_status(sockdir, find_shim(lib, sizeof(lib)) ? NULL : lib);
	if (i >= argc) {
		fprintf(stderr, "lwip-run: no command given\n");
		usage(stderr);
		return 2;
	}
	if (find_shim(lib, sizeof(lib))) {
		fprintf(stderr, "lwip-run: liblwipshim.so is neither next to lwip-run nor in "
			"../lib/lwipd/ from it: reinstall lwipd (make install)\n");
		return 126;
	}
	fd = run_connect(sockdir, why, sizeof(why));
	if (fd < 0) {
		fprintf(stderr, "lwip-run: no lwipd at %s (%s): start one with `%s` or `%s`\n",
			sockdir, why, RUN_START_UNIT, RUN_START_CMD);
		return RUN_EX_NOLWIPD;
	}
	close(fd);
	if (set_preload(lib) || setenv("LWIPD_SOCKET_DIR", sockdir, 1))
		return 126;
	execvp(argv[i], argv + i);
	fprintf(stderr, "lwip-run: %s: %s\n", argv[i],
		errno == ENOENT ? "command not found" : strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
