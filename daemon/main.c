/* main.c - lwipd: parse options, bring the stack up, run the loop, exit
 * cleanly on SIGTERM/SIGINT, re-read the configuration on SIGHUP; the
 * service manager hears of each step (notify.c)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lwip/init.h"

#include "dns.h"
#include "events.h"
#include "fs.h"
#include "iface.h"
#include "limit.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "options.h"
#include "pcap.h"
#include "privdrop.h"
#include "reconfig.h"
#include "service.h"
#include "timewait.h"
#include "version.h"

static struct loop_watch signal_watch;

/* on_signal() - a signal arrived on the signalfd */
static void on_signal(void *arg, uint32_t events)
{
	struct signalfd_siginfo si;
	int fd = *(int *)arg;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			notify_reloading();
			reconfig_reload();
			notify_ready();
		} else {
			log_info("signal %u: shutting down", si.ssi_signo);
			notify_stopping();
			loop_stop(0);
		}
	}
}

/* setup_signals() - block SIGTERM/SIGINT/SIGHUP and read them from a
 * signalfd in the loop; ignore SIGPIPE (a client gone is an error return)
 */
static int setup_signals(void)
{
	static int fd;
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	return loop_add(&signal_watch, fd, EPOLLIN, on_signal, &fd);
}

/* start() - bring everything up; 0 or an exit status.  The privileged
 * part (TAP, pcap file, mount) comes before --user takes effect, the
 * endpoints after, so they belong to the user.
 */
static int start(void)
{
	struct config *running = reconfig_running();
	char err[512];

	if (privdrop_check(running->user, err, sizeof(err))) {
		log_err("%s", err);
		return 2;
	}
	limits_apply(&running->limits);
	limit_nofile();
	if (running->pcap[0] && pcap_open(running->pcap, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	lwip_init();
	if (loop_init() || setup_signals())
		return 1;
	timewait_init();
	loop_before_wait(link_gso_flush_all);
	events_init();
	notify_init();
	dns_store_set_static(running);
	if (ifaces_apply(running, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	dns_store_set_notify(service_publish_resolv);
	if (!running->no_fs && fs_start(running->mount, running->user[0] && geteuid() == 0,
					err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (privdrop(running->user, running->no_fs ? running->mount : NULL, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (service_start(running->mount, running->no_fs, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[512];
	int rc;

	struct config *running = reconfig_running();

	reconfig_set_argv(argc - 1, argv + 1);
	if (reconfig_parse_all(running, err, sizeof(err))) {
		fprintf(stderr, "lwipd: %s\n", err);
		return 2;
	}
	if (running->help) {
		options_usage(stdout);
		return 0;
	}
	if (running->version) {
		printf("lwipd %s (lwIP %s)\n", LWIPD_VERSION, LWIP_VERSION_STRING);
		return 0;
	}
	log_set_level(running->verbose >= 2 ? LOG_DEBUG : LOG_INFO);
	rc = start();
	if (rc == 0) {
		log_info("running (lwIP %s)", LWIP_VERSION_STRING);
		notify_ready();
		rc = loop_run();
	}
	service_stop();
	fs_stop();
	ifaces_stop();
	pcap_close();
	return rc;
}
