/* reconfig.c - the running configuration: parse it at start, reload it on
 * SIGHUP, change it one option line at a time (the filesystem's `options`
 * file).  Every change goes through ifaces_apply(), which touches only what
 * differs.  Runs on the loop thread only.
 */
#include <string.h>

#include "dns.h"
#include "iface.h"
#include "log.h"
#include "reconfig.h"
#include "service.h"

static struct config running;
static int saved_argc;
static char **saved_argv;

/* reconfig_running() - the configuration in force */
struct config *reconfig_running(void)
{
	return &running;
}

/* reconfig_set_argv() - remember the command line (without argv[0]) */
void reconfig_set_argv(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
}

/* reconfig_parse_all() - defaults plus the command line (with --config) */
int reconfig_parse_all(struct config *c, char *err, size_t errlen)
{
	options_defaults(c);
	return options_parse(c, saved_argc, saved_argv, err, errlen);
}

/* commit() - apply @next to the stack and make it the running config;
 * --mount, --pcap and --no-fs only change at restart
 */
static int commit(struct config *next, char *err, size_t errlen)
{
	int rc = ifaces_apply(next, err, errlen);

	if (strcmp(next->mount, running.mount) || strcmp(next->pcap, running.pcap) ||
	    next->no_fs != running.no_fs || strcmp(next->user, running.user))
		log_warn("--mount, --pcap, --no-fs and --user take effect at restart only");
	memcpy(next->mount, running.mount, sizeof(next->mount));
	memcpy(next->pcap, running.pcap, sizeof(next->pcap));
	memcpy(next->user, running.user, sizeof(next->user));
	next->no_fs = running.no_fs;
	limits_apply(&next->limits);
	dns_store_set_static(next);
	log_set_level(next->verbose >= 2 ? LOG_DEBUG : LOG_INFO);
	running = *next;
	service_publish_resolv();
	return rc;
}

/* reconfig_reload() - SIGHUP: parse everything again and apply it */
void reconfig_reload(void)
{
	static struct config next;
	char err[512];

	if (reconfig_parse_all(&next, err, sizeof(err))) {
		log_err("reload: %s; configuration unchanged", err);
		return;
	}
	if (commit(&next, err, sizeof(err)))
		log_err("reload: %s", err);
	else
		log_info("reloaded configuration");
}

/* reconfig_line() - apply one line of options to the running config;
 * a bad line changes nothing and returns -1 with @err set
 */
int reconfig_line(const char *line, char *err, size_t errlen)
{
	static struct config next;

	next = running;
	next.help = next.version = false;
	if (options_parse_line(&next, line, err, errlen))
		return -1;
	if (next.help || next.version) {
		snprintf(err, errlen, "--help and --version do not reconfigure");
		return -1;
	}
	if (commit(&next, err, errlen))
		return -1;
	log_info("options: applied \"%s\"", line);
	return 0;
}
