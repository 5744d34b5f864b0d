/* secret.c - load, or create, the secret key of stable-privacy addresses
 *
 * The key is the content of one file (trailing white space removed), at
 * least SECRET_MIN bytes.  A missing file is created with mode 0600 and
 * SECRET_NEW_BITS random bits from getrandom(), written as hex text; its
 * missing parent directories get mode 0700.  A file that group or others
 * may read or write is refused, since whoever knows the key can compute
 * every stable address this host will use on any network.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

/* secret_default_path() - $XDG_STATE_HOME/lwipd/secret, else
 * ~/.local/state/lwipd/secret; -1 if there is no home directory
 */
int secret_default_path(char *path, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct passwd *pw;
	int n;

	if (state && state[0] == '/') {
		n = snprintf(path, len, "%s/lwipd/secret", state);
	} else {
		if (!home || home[0] != '/') {
			pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (!home)
			return -1;
		n = snprintf(path, len, "%s/.local/state/lwipd/secret", home);
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* make_parents() - create the missing directories above @path, mode 0700 */
static int make_parents(const char *path)
{
	char dir[4096];

	if (strlen(path) >= sizeof(dir))
		return -1;
	strcpy(dir, path);
	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* create() - write a new secret file at @path; 0, or -1 with @err set
 * (EEXIST in errno if another process made it first)
 */
static int create(const char *path, char *err, size_t errlen)
{
	uint8_t r[SECRET_NEW_BITS / 8];
	char hex[sizeof(r) * 2 + 2];
	int fd;

	if (make_parents(path)) {
		snprintf(err, errlen, "secret file %s: cannot create its directory: %s",
			 path, strerror(errno));
		return -1;
	}
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		snprintf(err, errlen, "secret file %s: getrandom: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	strcat(hex, "\n");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno != EEXIST)
			snprintf(err, errlen, "secret file %s: cannot create: %s",
				 path, strerror(errno));
		return -1;
	}
	if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || fsync(fd) < 0) {
		snprintf(err, errlen, "secret file %s: write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* check() - refuse a secret file that is not ours or not private */
static int check(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "secret file %s: not a regular file", path);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen, "secret file %s: owned by uid %u, not by you (uid %u); "
			 "use a file of your own (--secret-file)", path,
			 (unsigned)st->st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st->st_mode & 077) {
		snprintf(err, errlen, "secret file %s: mode %03o lets group or others read it; "
			 "run: chmod 600 %s", path, (unsigned)(st->st_mode & 0777), path);
		return -1;
	}
	return 0;
}

/* secret_load() - read the key from @path into @key (SECRET_MAX bytes),
 * creating the file if it does not exist.  0, or -1 with @err saying why
 * and what to do.
 */
int secret_load(const char *path, uint8_t *key, size_t *keylen,
		char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (create(path, err, errlen) && errno != EEXIST)
			return -1;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		snprintf(err, errlen, "secret file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || check(path, &st, err, errlen)) {
		if (!err[0])
			snprintf(err, errlen, "secret file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = read(fd, key, SECRET_MAX);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "secret file %s: %s", path, strerror(errno));
		return -1;
	}
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == ' ' ||
			 key[n - 1] == '\t' || key[n - 1] == '\r'))
		n--;
	if (n < SECRET_MIN) {
		snprintf(err, errlen, "secret file %s: %zd bytes, at least %d needed "
			 "(remove it and lwipd makes a new one)", path, n, SECRET_MIN);
		return -1;
	}
	*keylen = (size_t)n;
	return 0;
}
