/* privdrop.c - --user USER: lwipd started as root becomes USER once the
 * privileged setup is done (the TAP is open, the filesystem mounted, the
 * pcap file open), before it serves any socket
 *
 * Supplementary groups go first (only USER's primary group is kept), then
 * the group, then the user, so no step needs a privilege already given up.
 * Afterwards setuid(0) must fail, or lwipd refuses to run.  The endpoints
 * are bound after this, so they belong to USER, and only USER's processes
 * pass the SO_PEERCRED check (service.c).  Without --user, lwipd keeps the
 * identity it was started with.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

/* lookup() - USER as a name or a number: uid and primary gid; -1 if unknown */
static int lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long v;

	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(user, &end, 10);
	if (errno || !*user || *end || v == 0 || v > 0x7fffffffUL)
		return -1;
	pw = getpwuid((uid_t)v);
	*uid = (uid_t)v;
	*gid = pw ? pw->pw_gid : (gid_t)v;
	return 0;
}

/* privdrop_check() - before setup: is --user @user possible?  (Root may
 * become anyone; anyone else only themselves.)  0 or -1 with @err
 */
int privdrop_check(const char *user, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (!user[0])
		return 0;
	if (lookup(user, &uid, &gid) < 0) {
		snprintf(err, errlen, "--user %s: no such user", user);
		return -1;
	}
	if (geteuid() != 0 && uid != geteuid()) {
		snprintf(err, errlen, "--user %s: only root can become another user; "
			 "start lwipd as root, or as %s without --user", user, user);
		return -1;
	}
	if (uid == 0) {
		snprintf(err, errlen, "--user %s: that is root; leave --user out to stay root", user);
		return -1;
	}
	return 0;
}

/* privdrop() - become @user (groups, gid, uid) and check that root cannot
 * be regained; @dir (the plain socket directory of --no-fs, or NULL) is
 * handed to the user first.  0 or -1 with @err
 */
int privdrop(const char *user, const char *dir, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (!user[0] || geteuid() != 0)
		return 0;               /* privdrop_check() allowed it: already USER */
	if (lookup(user, &uid, &gid) < 0) {
		snprintf(err, errlen, "--user %s: no such user", user);
		return -1;
	}
	if (dir && ((mkdir(dir, 0700) < 0 && errno != EEXIST) || chown(dir, uid, gid) < 0)) {
		snprintf(err, errlen, "--user %s: cannot give %s to the user: %s",
			 user, dir, strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		snprintf(err, errlen, "--user %s: cannot become uid %u gid %u: %s",
			 user, (unsigned)uid, (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || getuid() != uid || geteuid() != uid ||
	    getgid() != gid || getegid() != gid) {
		snprintf(err, errlen, "--user %s: root could be regained after the switch; "
			 "refusing to run", user);
		return -1;
	}
	log_info("running as user %s (uid %u, gid %u); root cannot be regained",
		 user, (unsigned)uid, (unsigned)gid);
	return 0;
}
