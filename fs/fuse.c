/* fuse.c - the socket directory as a FUSE filesystem, served by its own
 * thread, like a Hurd translator on /servers/socket
 *
 * Entries: `2` and `26`, Unix sockets the daemon binds inside the mount
 * (we implement mknod(S_IFSOCK) and getattr for them; the bind comes from
 * the loop thread, never this one, or it would deadlock); read-only text
 * files rendered from the stack's live state (render.c) when opened; and
 * `options`, which takes option lines (reconfig.c).  This thread never
 * calls lwIP: it asks the loop through bridge.c.  Mounted without
 * allow_other, so only the owner (and root) can look inside; writes are
 * checked against the owner's uid as well.  Root mounting for --user (it
 * becomes that user right after) mounts with allow_other and
 * default_permissions: the kernel then checks the modes getattr shows
 * (directory 0700, endpoints 0600, all the user's), and auto_unmount lets
 * fusermount3 unmount it when lwipd, no longer root, exits.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "fs.h"
#include "log.h"
#include "render.h"
#include "service.h"

#define FS_MAX_NODES 8          /* sockets bound inside the mount */
#define FS_MAX_WRITE 4096       /* one write to `options` */
#define FS_WAKE_SIGNAL SIGUSR1  /* interrupts the FUSE thread's read() at exit */

struct node {
	char name[32];
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
};

struct open_file {
	int file;
	struct sbuf text;
	char *line;             /* `options`: a line not ended yet (its
				 * FS_MAX_WRITE + 1 bytes come at the first write) */
	size_t line_len;
};

static struct node nodes[FS_MAX_NODES];
static struct fuse *fuse;
static pthread_t thread;
static int running;
static bool mounted_for_user;   /* by root for --user: we cannot unmount it */
static char mountpoint[4096];
static struct timespec mounted_at;

/* file_index() - the rendered file named by @path, or -1 */
static int file_index(const char *path)
{
	if (path[0] != '/')
		return -1;
	for (int i = 0; i < RF_COUNT; i++)
		if (!strcmp(path + 1, render_names[i]))
			return i;
	return -1;
}

/* find_node() - the socket node named by @path, or NULL */
static struct node *find_node(const char *path)
{
	for (int i = 0; i < FS_MAX_NODES; i++)
		if (nodes[i].name[0] && !strcmp(path + 1, nodes[i].name))
			return &nodes[i];
	return NULL;
}

/* fs_getattr() - attributes: the directory, socket nodes, text files */
static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct node *n;
	int f;

	(void)fi;
	memset(st, 0, sizeof(*st));
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_mtim = st->st_ctim = st->st_atim = mounted_at;
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0700;
		st->st_nlink = 2;
		return 0;
	}
	n = find_node(path);
	if (n) {
		st->st_mode = n->mode;
		st->st_uid = n->uid;
		st->st_gid = n->gid;
		st->st_nlink = 1;
		st->st_mtim = st->st_ctim = n->mtime;
		return 0;
	}
	f = file_index(path);
	if (f < 0)
		return -ENOENT;
	st->st_mode = S_IFREG | (f == RF_OPTIONS ? 0600 : 0444);
	st->st_nlink = 1;
	clock_gettime(CLOCK_REALTIME, &st->st_mtim);
	return 0;
}

/* fs_readdir() - list sockets and files */
static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	for (int i = 0; i < FS_MAX_NODES; i++)
		if (nodes[i].name[0])
			fill(buf, nodes[i].name, NULL, 0, 0);
	for (int i = 0; i < RF_COUNT; i++)
		fill(buf, render_names[i], NULL, 0, 0);
	return 0;
}

/* fs_mknod() - create a socket node (what bind(2) does here) */
static int fs_mknod(const char *path, mode_t mode, dev_t dev)
{
	struct fuse_context *cx = fuse_get_context();
	const char *name = path + 1;

	(void)dev;
	if (!S_ISSOCK(mode))
		return -EPERM;
	if (strchr(name, '/') || strlen(name) >= sizeof(nodes[0].name))
		return -EINVAL;
	if (find_node(path) || file_index(path) >= 0)
		return -EEXIST;
	for (int i = 0; i < FS_MAX_NODES; i++) {
		if (nodes[i].name[0])
			continue;
		snprintf(nodes[i].name, sizeof(nodes[i].name), "%s", name);
		nodes[i].mode = mode;
		nodes[i].uid = cx->uid;
		nodes[i].gid = cx->gid;
		clock_gettime(CLOCK_REALTIME, &nodes[i].mtime);
		return 0;
	}
	return -ENOSPC;
}

/* fs_unlink() - remove a socket node */
static int fs_unlink(const char *path)
{
	struct node *n = find_node(path);

	if (!n)
		return file_index(path) >= 0 ? -EPERM : -ENOENT;
	memset(n, 0, sizeof(*n));
	return 0;
}

/* fs_chmod() - socket nodes only (the daemon makes them 0600) */
static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct node *n = find_node(path);

	(void)fi;
	if (!n)
		return -EPERM;
	n->mode = (n->mode & S_IFMT) | (mode & 07777);
	return 0;
}

/* fs_open() - render a file at open, or open `options` for writing */
static int fs_open(const char *path, struct fuse_file_info *fi)
{
	int f = file_index(path), rc;
	bool wr = (fi->flags & O_ACCMODE) != O_RDONLY;
	struct open_file *of;

	if (f < 0)
		return find_node(path) ? -ENXIO : -ENOENT;
	if (wr && (f != RF_OPTIONS || fuse_get_context()->uid != getuid()))
		return -EACCES;
	of = calloc(1, sizeof(*of));
	if (!of)
		return -ENOMEM;
	of->file = f;
	if (!wr || (fi->flags & O_ACCMODE) == O_RDWR) {
		rc = bridge_call(BR_RENDER, f, NULL, &of->text, NULL, 0);
		if (rc) {
			sbuf_free(&of->text);
			free(of);
			return rc;
		}
	}
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1;
	return 0;
}

/* fs_read() - from the text rendered at open */
static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct open_file *of = (void *)(uintptr_t)fi->fh;

	(void)path;
	if (off < 0 || (size_t)off >= of->text.len)
		return 0;
	if (size > of->text.len - (size_t)off)
		size = of->text.len - (size_t)off;
	memcpy(buf, of->text.p + off, size);
	return (int)size;
}

/* apply_line() - apply one line written to `options` (blank: nothing);
 * 0 or -errno */
static int apply_line(char *line)
{
	char err[512];
	int rc;

	if (!line[strspn(line, " \t\r")])
		return 0;
	rc = bridge_call(BR_OPTIONS, 0, line, NULL, err, sizeof(err));
	if (rc == -EINVAL)
		log_warn("options: \"%s\" refused: %s", line, err);
	return rc;
}

/* fs_write() - each line written to `options` is applied once its
 * newline has come, before the write returns; a line may come in pieces
 * (a writer's buffer flushed mid-line): the rest waits for the next write,
 * or for the last close (fs_release(); not at every close: a child that
 * inherited the fd and exits closes it too).  A bad line fails the write
 * with EINVAL.
 */
static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct open_file *of = (void *)(uintptr_t)fi->fh;

	(void)path;
	(void)off;
	if (!of->line && !(of->line = malloc(FS_MAX_WRITE + 1)))
		return -ENOMEM;
	for (size_t i = 0; i < size; i++) {
		int rc;

		if (buf[i] != '\n') {
			if (of->line_len >= FS_MAX_WRITE) {
				of->line_len = 0;
				return -EFBIG;          /* a line that long is no option */
			}
			of->line[of->line_len++] = buf[i];
			continue;
		}
		of->line[of->line_len] = '\0';
		of->line_len = 0;
		if ((rc = apply_line(of->line)))
			return rc;
	}
	return (int)size;
}

/* fs_truncate() - `echo ... > options` truncates first: allow it */
static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)size;
	(void)fi;
	return file_index(path) == RF_OPTIONS ? 0 : -EPERM;
}

/* fs_release() - the last close: apply a last line written without its
 * newline (a failure can only be logged now), free the rendered text */
static int fs_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (void *)(uintptr_t)fi->fh;

	(void)path;
	if (of && of->line_len) {
		of->line[of->line_len] = '\0';
		apply_line(of->line);
	}
	if (of) {
		sbuf_free(&of->text);
		free(of->line);
		free(of);
	}
	return 0;
}

/* fs_utimens() - touch on a node: accepted */
static int fs_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	(void)tv;
	(void)fi;
	return find_node(path) || file_index(path) >= 0 ? 0 : -ENOENT;
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.mknod = fs_mknod,
	.unlink = fs_unlink,
	.chmod = fs_chmod,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.release = fs_release,
	.utimens = fs_utimens,
};

/* serve() - the FUSE thread */
static void *serve(void *arg)
{
	(void)arg;
	fuse_loop(fuse);
	return NULL;
}

/* clean_stale() - unmount a filesystem left by a crashed lwipd: stat()
 * on it fails with ENOTCONN.  Returns 0 if the directory is usable.
 */
static int clean_stale(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	pid_t pid;
	int status;

	if (stat(dir, &st) == 0 || errno != ENOTCONN)
		return 0;
	log_warn("%s: a filesystem left by an lwipd that died; unmounting it", dir);
	if (umount2(dir, MNT_DETACH) == 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", "-z", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		return 0;
	snprintf(err, errlen, "%s: stale mount of a dead lwipd; unmount it with "
		 "`fusermount3 -u -z %s`", dir, dir);
	return -1;
}

/* wake() - FS_WAKE_SIGNAL's handler: only interrupts a blocking read() */
static void wake(int sig)
{
	(void)sig;
}

/* fs_start() - mount the filesystem on @dir and start its thread; call
 * from the loop thread after the loop exists, before binding endpoints.
 * @for_user: root mounts it for the user lwipd is about to become (--user)
 */
int fs_start(const char *dir, bool for_user, char *err, size_t errlen)
{
	char *argv[] = { "lwipd", "-o", "fsname=lwipd,subtype=lwipd", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);

	if (for_user) {
		struct sigaction sa = { .sa_handler = wake };

		argv[2] = "fsname=lwipd,subtype=lwipd,allow_other,default_permissions,auto_unmount";
		sigaction(FS_WAKE_SIGNAL, &sa, NULL);   /* no SA_RESTART: read() returns */
		mounted_for_user = true;
	}

	if (clean_stale(dir, err, errlen) || service_prepare_dir(dir, err, errlen))
		return -1;
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		snprintf(err, errlen, "cannot use /dev/fuse: %s (Debian's default mode is 0666: "
			 "`chmod 0666 /dev/fuse` as root), or run with --no-fs for a plain "
			 "socket directory", strerror(errno));
		return -1;
	}
	snprintf(mountpoint, sizeof(mountpoint), "%s", dir);
	clock_gettime(CLOCK_REALTIME, &mounted_at);
	render_init();
	if (bridge_init()) {
		snprintf(err, errlen, "filesystem: cannot create the eventfd");
		return -1;
	}
	fuse = fuse_new(&args, &ops, sizeof(ops), NULL);
	fuse_opt_free_args(&args);      /* libfuse copied what it added to argv */
	if (!fuse) {
		snprintf(err, errlen, "filesystem: libfuse refused its options");
		return -1;
	}
	if (fuse_mount(fuse, dir)) {
		snprintf(err, errlen, "cannot mount the filesystem on %s (is /dev/fuse "
			 "there and fusermount3 installed? --no-fs uses a plain directory)", dir);
		fuse_destroy(fuse);
		fuse = NULL;
		return -1;
	}
	if (pthread_create(&thread, NULL, serve, NULL)) {
		fuse_unmount(fuse);
		fuse_destroy(fuse);
		fuse = NULL;
		snprintf(err, errlen, "filesystem: cannot start its thread");
		return -1;
	}
	running = 1;
	log_info("filesystem mounted on %s", dir);
	return 0;
}

/* stop_thread() - end the FUSE thread once fuse_exit() was called: the
 * unmount wakes it (the kernel ends the connection), except when lwipd,
 * no longer root, cannot unmount (--user; auto_unmount does it when lwipd
 * exits): then interrupt its read() until it sees the exit flag
 */
static void stop_thread(void)
{
	for (int i = 0; mounted_for_user && i < 100; i++) {
		struct timespec ts;

		pthread_kill(thread, FS_WAKE_SIGNAL);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(thread, NULL, &ts) == 0)
			return;
	}
	pthread_join(thread, NULL);
}

/* fs_stop() - unmount and join the thread (after the endpoints are gone) */
void fs_stop(void)
{
	bridge_shutdown();
	if (!running)
		return;
	fuse_exit(fuse);
	fuse_unmount(fuse);
	stop_thread();
	fuse_destroy(fuse);
	fuse = NULL;
	running = 0;
	if (mounted_for_user)
		log_info("filesystem on %s: fusermount3 unmounts it as lwipd exits", mountpoint);
	else
		log_info("filesystem unmounted from %s", mountpoint);
}
