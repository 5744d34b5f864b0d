/* test_shim_opts.c - the shim's option table (shim/opts.c): where each
 * socket option goes */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "../../shim/shim.h"

Test(shim_opts, local_read_only)
{
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_TYPE, false), OPT_LOCAL);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_DOMAIN, false), OPT_LOCAL);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_PROTOCOL, false), OPT_LOCAL);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_ACCEPTCONN, false), OPT_LOCAL);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_TYPE, true), OPT_NONE);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_ERROR, true), OPT_NONE);
	cr_assert_eq(shim_opt_where(IPPROTO_TCP, TCP_INFO, true), OPT_NONE);
}

Test(shim_opts, real_fd)
{
	int names[] = { SO_RCVTIMEO, SO_SNDTIMEO, SO_RCVBUF, SO_SNDBUF };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_assert_eq(shim_opt_where(SOL_SOCKET, names[i], true), OPT_REAL);
		cr_assert_eq(shim_opt_where(SOL_SOCKET, names[i], false), OPT_REAL);
	}
}

Test(shim_opts, daemon_and_soft)
{
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_ERROR, false), OPT_DAEMON);
	cr_assert_eq(shim_opt_where(IPPROTO_IPV6, IPV6_V6ONLY, true), OPT_DAEMON);
	cr_assert_eq(shim_opt_where(IPPROTO_IP, IP_ADD_MEMBERSHIP, true), OPT_DAEMON);
	cr_assert_eq(shim_opt_where(IPPROTO_IPV6, IPV6_JOIN_GROUP, true), OPT_DAEMON);
	cr_assert_eq(shim_opt_where(IPPROTO_TCP, TCP_NODELAY, true), OPT_SOFT);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_REUSEADDR, true), OPT_SOFT);
	cr_assert_eq(shim_opt_where(SOL_SOCKET, SO_REUSEPORT, true), OPT_SOFT);
	cr_assert_eq(shim_opt_where(IPPROTO_TCP, TCP_CORK, true), OPT_SOFT);
	cr_assert_eq(shim_opt_where(IPPROTO_IP, IP_TOS, true), OPT_SOFT);
	cr_assert_eq(shim_opt_where(IPPROTO_TCP, TCP_INFO, false), OPT_SOFT);
	cr_assert_eq(shim_opt_where(1234, 5678, true), OPT_DAEMON, "unknown: the daemon decides");
	cr_assert_eq(shim_opt_where(IPPROTO_TCP, TCP_CONGESTION, true), OPT_NONE);
}
