/* lwip-run - run a program with its IPv4/IPv6 sockets in lwipd
 *
 *   lwip-run [--socket-dir DIR] COMMAND [ARGS...]
 *
 * Puts liblwipshim.so (found next to this executable) in front of
 * LD_PRELOAD, sets LWIPD_SOCKET_DIR (the option, else the variable as it
 * is, else lwipd's default) and execs COMMAND.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/version.h"

/* usage() - the help text on @f */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: lwip-run [--socket-dir DIR] COMMAND [ARGS...]\n"
		"Run COMMAND with its IPv4 and IPv6 sockets in lwipd (LD_PRELOAD shim).\n"
		"\n"
		"  -s, --socket-dir DIR  lwipd's socket directory (default: $LWIPD_SOCKET_DIR,\n"
		"                        else $XDG_RUNTIME_DIR/lwipd, else /tmp/lwipd-$UID)\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n");
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

/* main() - parse, set the environment, exec; 127 if COMMAND is missing,
 * 126 if it cannot run, 2 on usage errors */
int main(int argc, char **argv)
{
	char self[PATH_MAX], lib[PATH_MAX + 32], dir[PATH_MAX];
	const char *sockdir = NULL, *old;
	char *preload;
	ssize_t n;
	int i = 1;

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
	if (i >= argc) {
		fprintf(stderr, "lwip-run: no command given\n");
		usage(stderr);
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "lwip-run: cannot find myself: %s\n", strerror(errno));
		return 126;
	}
	self[n] = '\0';
	snprintf(lib, sizeof(lib), "%s/liblwipshim.so", dirname(self));
	if (access(lib, R_OK) < 0) {
		fprintf(stderr, "lwip-run: %s: %s\n", lib, strerror(errno));
		return 126;
	}
	old = getenv("LD_PRELOAD");
	if (old && *old) {
		size_t len = strlen(lib) + strlen(old) + 2;

		preload = malloc(len);
		if (!preload)
			return 126;
		snprintf(preload, len, "%s %s", lib, old);
	} else {
		preload = lib;
	}
	if (sockdir) {
		setenv("LWIPD_SOCKET_DIR", sockdir, 1);
	} else if (!getenv("LWIPD_SOCKET_DIR") || !*getenv("LWIPD_SOCKET_DIR")) {
		default_dir(dir, sizeof(dir));
		setenv("LWIPD_SOCKET_DIR", dir, 1);
	}
	setenv("LD_PRELOAD", preload, 1);
	execvp(argv[i], argv + i);
	fprintf(stderr, "lwip-run: %s: %s\n", argv[i],
		errno == ENOENT ? "command not found" : strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
