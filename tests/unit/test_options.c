/* test_options.c - option parsing: the command line, config lines, errors */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static struct config c;
static char err[512];

/* parse() - parse a NULL-terminated word list into c */
static int parse(const char *first, ...)
{
	char *w[32];
	int n = 0;
	va_list ap;

	options_defaults(&c);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		w[n++] = (char *)s;
	va_end(ap);
	err[0] = '\0';
	return options_parse(&c, n, w, err, sizeof(err));
}

Test(options, interface_with_addresses)
{
	char a[INET6_ADDRSTRLEN];

	cr_assert_eq(parse("-i", "tap0", "-a", "10.0.0.2/24", "-g", "10.0.0.1",
			   "-A", "fd00:1::10/64", "--dhcp", NULL), 0, "%s", err);
	cr_assert_eq(c.n_ifaces, 1);
	cr_assert_str_eq(c.ifaces[0].name, "tap0");
	cr_assert(c.ifaces[0].have_addr);
	cr_assert_str_eq(inet_ntop(AF_INET, &c.ifaces[0].mask, a, sizeof(a)), "255.255.255.0");
	cr_assert_str_eq(inet_ntop(AF_INET, &c.ifaces[0].gw, a, sizeof(a)), "10.0.0.1");
	cr_assert_eq(c.ifaces[0].n_addr6, 1);
	cr_assert_str_eq(inet_ntop(AF_INET6, &c.ifaces[0].addr6[0].addr, a, sizeof(a)), "fd00:1::10");
	cr_assert(c.ifaces[0].dhcp);
	cr_assert(c.ifaces[0].slaac, "SLAAC is on by default");
}

Test(options, long_forms_and_equals)
{
	cr_assert_eq(parse("--interface=tap1", "--address", "192.168.5.9",
			   "--netmask=255.255.0.0", "--no-slaac", "--mac", "02:11:22:33:44:55",
			   "--dns", "fd00::53", "--dns=10.0.0.53", NULL), 0, "%s", err);
	cr_assert_eq(c.ifaces[0].mask.s_addr, htonl(0xffff0000));
	cr_assert(!c.ifaces[0].slaac);
	cr_assert(c.ifaces[0].have_mac);
	cr_assert_eq(c.ifaces[0].mac[5], 0x55);
	cr_assert_eq(c.n_dns, 2);
	cr_assert_eq(c.dns[0].family, AF_INET6);
	cr_assert_eq(c.dns[1].family, AF_INET);
}

Test(options, classful_default_mask)
{
	cr_assert_eq(parse("-i", "t", "-a", "10.1.2.3", NULL), 0);
	cr_assert_eq(c.ifaces[0].mask.s_addr, htonl(0xff000000));
	cr_assert_eq(parse("-i", "t", "-a", "172.16.0.1", NULL), 0);
	cr_assert_eq(c.ifaces[0].mask.s_addr, htonl(0xffff0000));
	cr_assert_eq(parse("-i", "t", "-a", "192.168.1.1", NULL), 0);
	cr_assert_eq(c.ifaces[0].mask.s_addr, htonl(0xffffff00));
}

Test(options, two_interfaces_keep_their_options)
{
	cr_assert_eq(parse("-i", "a", "-A", "fd00:a::1/64", "-i", "b", "--dhcp",
			   "-i", "a", "-A", "fd00:a::2/64", NULL), 0, "%s", err);
	cr_assert_eq(c.n_ifaces, 2);
	cr_assert_eq(c.ifaces[0].n_addr6, 2, "-i a again selects the same interface");
	cr_assert(!c.ifaces[0].dhcp);
	cr_assert(c.ifaces[1].dhcp);
}

Test(options, only_64_prefixes)
{
	cr_assert_eq(parse("-i", "t", "-A", "fd00::1/48", NULL), OPT_ERROR);
	cr_assert(strstr(err, "/64"), "message: %s", err);
	cr_assert(strstr(err, "-A fd00::1/48"), "names the option: %s", err);
}

Test(options, errors_name_the_option)
{
	static const char *const bad[][4] = {
		{ "-i", "t", "-a", "10.0.0.300" },
		{ "-i", "t", "-a", "10.0.0.1/33" },
		{ "-i", "t", "-m", "255.0.255.0" },
		{ "-i", "t", "-A", "ff02::1/64" },
		{ "-i", "t", "-A", "::/64" },
		{ "-i", "t", "--mac", "01:00:5e:00:00:01" },
		{ "-i", "t", "--mac", "02:00:00:00:00" },
		{ "-i", "t", "--dns", "nameserver" },
		{ "-i", "t", "--bogus", "x" },
		{ "-i", "abcdefghijklmnopq", "-v", "-v" },
	};

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		cr_assert_eq(parse(bad[k][0], bad[k][1], bad[k][2], bad[k][3], NULL),
			     OPT_ERROR, "case %zu accepted", k);
		cr_assert(strstr(err, bad[k][2]) || strstr(err, bad[k][1]) ||
			  strstr(err, bad[k][3]), "case %zu: %s", k, err);
	}
}

Test(options, missing_argument_and_interface)
{
	cr_assert_eq(parse("-i", "t", "-a", NULL), OPT_ERROR);
	cr_assert(strstr(err, "needs an argument"), "%s", err);
	cr_assert_eq(parse("-a", "10.0.0.1", "-i", "t", NULL), OPT_ERROR);
	cr_assert(strstr(err, "-i NAME before"), "%s", err);
	cr_assert_eq(parse("-v", NULL), OPT_ERROR);
	cr_assert(strstr(err, "no interface"), "%s", err);
	cr_assert_eq(parse("-i", "t", "--dhcp=yes", NULL), OPT_ERROR);
	cr_assert(strstr(err, "takes no argument"), "%s", err);
	cr_assert_eq(parse("-i", "t", "-g", "10.0.0.1", NULL), OPT_ERROR);
}

Test(options, help_needs_no_interface)
{
	cr_assert_eq(parse("--help", NULL), 0);
	cr_assert(c.help);
	cr_assert_eq(parse("-V", NULL), 0);
	cr_assert(c.version);
}

Test(options, too_many_addresses)
{
	char a[MAX_ADDR6 + 1][32];
	char *w[2 + 2 * (MAX_ADDR6 + 1)];
	int n = 0;

	options_defaults(&c);
	w[n++] = "-i";
	w[n++] = "t";
	for (int k = 0; k <= MAX_ADDR6; k++) {
		snprintf(a[k], sizeof(a[k]), "fd00::%x/64", k + 1);
		w[n++] = "-A";
		w[n++] = a[k];
	}
	cr_assert_eq(options_parse(&c, n, w, err, sizeof(err)), OPT_ERROR);
	cr_assert(strstr(err, "at most"), "%s", err);
}

Test(options, config_file_lines)
{
	char path[] = "/tmp/lwipd-test-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "# a comment\ninterface tap0\n  --dhcp   # trailing\n\n"
		   "-A fd00:2::1/64\naddress6=fd00:2::2/64\n");
	fclose(f);
	cr_assert_eq(parse("--config", path, NULL), 0, "%s", err);
	cr_assert_str_eq(c.ifaces[0].name, "tap0");
	cr_assert(c.ifaces[0].dhcp);
	cr_assert_eq(c.ifaces[0].n_addr6, 2);
	cr_assert_str_eq(c.config_file, path);

	f = fopen(path, "w");
	fprintf(f, "interface tap0\n\nnonsense here\n");
	fclose(f);
	cr_assert_eq(parse("--config", path, NULL), OPT_ERROR);
	cr_assert(strstr(err, ":3:"), "error names the line: %s", err);
	unlink(path);
}

Test(options, single_line_applies_to_first_interface)
{
	cr_assert_eq(parse("-i", "tap0", NULL), 0);
	cr_assert_eq(options_parse_line(&c, "-A fd00:9::5/64", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.ifaces[0].n_addr6, 1);
	cr_assert_eq(options_parse_line(&c, "--config /etc/passwd", err, sizeof(err)), OPT_ERROR);
}

Test(options, format_round_trips)
{
	char line[1024];
	struct config again;

	cr_assert_eq(parse("-i", "tap0", "-a", "10.0.0.2/24", "-g", "10.0.0.1",
			   "-A", "fd00:1::10/64", "--no-slaac", "--dns", "10.0.0.1",
			   "--mount", "/tmp/x", "-i", "tap1", "--dhcp", NULL), 0);
	options_format(&c, line, sizeof(line));
	cr_assert_str_eq(line, "-i tap0 -a 10.0.0.2/24 -g 10.0.0.1 --no-slaac "
			 "-A fd00:1::10/64 -i tap1 --dhcp --dns 10.0.0.1 --mount /tmp/x\n");
	options_defaults(&again);
	line[strlen(line) - 1] = '\0';
	cr_assert_eq(options_parse_line(&again, line, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(again.n_ifaces, 2);
	cr_assert_eq(memcmp(&again.ifaces, &c.ifaces, sizeof(c.ifaces)), 0);
}

Test(options, link_forms_are_canonical)
{
	char line[1024];

	cr_assert_eq(parse("-i", "tap:tap0", "-a", "10.0.0.2/24", "-i", "tap0", "--dhcp",
			   "-i", "passt:/run/user/1000/passt.sock", "-i", "tap-ns:tap0",
			   "-i", "stream:/tmp/s", "-i", "stream-listen:/tmp/s", NULL), 0, "%s", err);
	cr_assert_eq(c.n_ifaces, 5, "tap:tap0 and tap0 are one interface, so are tap-ns:tap0 and tap-ns");
	cr_assert_str_eq(c.ifaces[0].name, "tap0");
	cr_assert(c.ifaces[0].dhcp && c.ifaces[0].have_addr);
	cr_assert_str_eq(c.ifaces[1].name, "passt:/run/user/1000/passt.sock");
	cr_assert_str_eq(c.ifaces[2].name, "tap-ns");
	cr_assert_str_eq(c.ifaces[3].name, "stream:/tmp/s");
	cr_assert_str_eq(c.ifaces[4].name, "stream-listen:/tmp/s");
	options_format(&c, line, sizeof(line));
	cr_assert(strstr(line, "-i passt:/run/user/1000/passt.sock -i tap-ns -i stream:/tmp/s "
			 "-i stream-listen:/tmp/s "), "%s", line);
}

Test(options, link_forms_errors)
{
	static const struct { const char *word, *msg; } bad[] = {
		{ "foo:bar", "unknown link kind \"foo\"" },
		{ "passt:", "needs a Unix socket path" },
		{ "stream:/tmp/a b", "no spaces" },
		{ "tap:", "not a TAP name" },
		{ "tap-ns:abcdefghijklmnop", "not a TAP name" },
		{ "abcdefghijklmnopq", "not an interface name" },
	};
	char longpath[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse("-i", bad[i].word, NULL), OPT_ERROR, "%s", bad[i].word);
		cr_assert(strstr(err, bad[i].msg), "-i %s: %s", bad[i].word, err);
	}
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "stream:/", 8);
	longpath[7 + 108] = '\0';       /* a path of 108 characters: one too many */
	cr_assert_eq(parse("-i", longpath, NULL), OPT_ERROR);
	cr_assert(strstr(err, "1 to 107 characters"), "%s", err);
	longpath[7 + 107] = '\0';
	cr_assert_eq(parse("-i", longpath, NULL), 0, "%s", err);
}

Test(options, address_generation_round_trips)
{
	char line[1024];
	struct config again;

	cr_assert_eq(parse("-i", "tap0", "--addr-gen", "stable-privacy", "--temp-addr",
			   "--temp-preferred-lifetime", "60", "--temp-valid-lifetime=600",
			   "-i", "tap1", "--temporary", "--secret-file", "/tmp/key",
			   "--mount", "/tmp/x", NULL), 0, "%s", err);
	cr_assert_eq(c.ifaces[0].addr_gen, ADDR_GEN_STABLE_PRIVACY);
	cr_assert(c.ifaces[0].temporary);
	cr_assert_eq(c.ifaces[0].temp_preferred, 60);
	cr_assert_eq(c.ifaces[0].temp_valid, 600);
	cr_assert_eq(c.ifaces[1].addr_gen, ADDR_GEN_EUI64, "eui64 is the default");
	cr_assert(c.ifaces[1].temporary);
	options_format(&c, line, sizeof(line));
	cr_assert_str_eq(line, "-i tap0 --addr-gen stable-privacy --temporary "
			 "--temp-preferred-lifetime 60 --temp-valid-lifetime 600 "
			 "-i tap1 --temporary --mount /tmp/x --secret-file /tmp/key\n");
	options_defaults(&again);
	line[strlen(line) - 1] = '\0';
	cr_assert_eq(options_parse_line(&again, line, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&again.ifaces, &c.ifaces, sizeof(c.ifaces)), 0);
	cr_assert_str_eq(again.secret_file, "/tmp/key");
	cr_assert_eq(options_parse_line(&again, "-i tap0 --no-temporary", err, sizeof(err)), 0);
	cr_assert_not(again.ifaces[0].temporary);
}

Test(options, address_generation_errors)
{
	cr_assert_neq(parse("-i", "tap0", "--addr-gen", "random", NULL), 0);
	cr_assert_str_eq(err, "--addr-gen random: give eui64 or stable-privacy");
	cr_assert_neq(parse("-i", "tap0", "--temp-preferred-lifetime", "5", NULL), 0);
	cr_assert(strstr(err, "at least 10"), "%s", err);
	cr_assert_neq(parse("-i", "tap0", "--temp-valid-lifetime", "1h", NULL), 0);
	cr_assert_neq(parse("--temporary", NULL), 0);
	cr_assert(strstr(err, "-i NAME"), "%s", err);
}

Test(options, dhcp6_on_by_default_off_per_interface_and_round_trips)
{
	char line[1024];
	struct config again;

	cr_assert_eq(parse("-i", "tap0", "-i", "tap1", "--no-dhcp6", NULL), 0, "%s", err);
	cr_assert(c.ifaces[0].dhcp6, "DHCPv6 is on by default");
	cr_assert(!c.ifaces[1].dhcp6);
	options_format(&c, line, sizeof(line));
	cr_assert_neq(strstr(line, "-i tap1 --no-dhcp6"), NULL, "%s", line);
	cr_assert_eq(strstr(line, "-i tap0 --no-dhcp6"), NULL, "%s", line);
	options_defaults(&again);
	line[strlen(line) - 1] = '\0';
	cr_assert_eq(options_parse_line(&again, line, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&again.ifaces, &c.ifaces, sizeof(c.ifaces)), 0);
	cr_assert_eq(options_parse_line(&c, "-i tap1 --dhcp6", err, sizeof(err)), 0, "%s", err);
	cr_assert(c.ifaces[1].dhcp6, "--dhcp6 turns it back on");
	cr_assert_eq(options_parse_line(&c, "--no-dhcp6", err, sizeof(err)), 0, "%s", err);
	cr_assert(!c.ifaces[0].dhcp6, "a line without -i applies to the first interface");
}

Test(options, limits_parse_format_and_round_trip)
{
	char buf[1024];
	struct config again;

	cr_assert_eq(parse("-i", "tap0", NULL), 0, "%s", err);
	cr_assert_eq(c.limits.v[LIM_SOCKETS], LIMIT_SOCKETS);
	cr_assert_eq(c.limits.v[LIM_MESSAGES], LIMIT_MESSAGES);
	options_format(&c, buf, sizeof(buf));
	cr_assert_null(strstr(buf, "--limit"), "defaults shown: %s", buf);
	cr_assert_eq(parse("-i", "tap0", "--limit", "sockets-per-client=30", "--limit=buffer=64K",
			   "--limit", "backlog=2", "--user", "nobody", NULL), 0, "%s", err);
	cr_assert_eq(c.limits.v[LIM_SOCKETS_PER_CLIENT], 30);
	cr_assert_eq(c.limits.v[LIM_BUFFER], 65536);
	cr_assert_eq(c.limits.v[LIM_BACKLOG], 2);
	cr_assert_str_eq(c.user, "nobody");
	options_format(&c, buf, sizeof(buf));
	cr_assert_not_null(strstr(buf, " --user nobody --limit sockets-per-client=30 --limit buffer=65536 "
				  "--limit backlog=2\n"), "%s", buf);
	/* the formatted line parses back to the same limits */
	options_defaults(&again);
	buf[strcspn(buf, "\n")] = '\0';
	{
		char *w[64], *save = NULL;
		int n = 0;

		for (char *t = strtok_r(buf, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
			w[n++] = t;
		cr_assert_eq(options_parse(&again, n, w, err, sizeof(err)), 0, "%s", err);
	}
	cr_assert_eq(memcmp(&again.limits, &c.limits, sizeof(c.limits)), 0);
}

Test(options, limits_refused_with_reasons)
{
	cr_assert_neq(parse("-i", "tap0", "--limit", "sockets", NULL), 0);
	cr_assert_not_null(strstr(err, "NAME=VALUE"), "%s", err);
	cr_assert_neq(parse("-i", "tap0", "--limit", "files=3", NULL), 0);
	cr_assert_not_null(strstr(err, "sockets-per-client"), "%s", err);
	cr_assert_neq(parse("-i", "tap0", "--limit", "sockets=0", NULL), 0);
	cr_assert_not_null(strstr(err, "from 1 to"), "%s", err);
	cr_assert_neq(parse("-i", "tap0", "--limit", "buffer=12x", NULL), 0);
	/* 2^54 + 1 times 1024 wraps to 1024 in 64 bits: out of range, not 1024 */
	cr_assert_neq(parse("-i", "tap0", "--limit", "sockets=18014398509481985k", NULL), 0);
	cr_assert_not_null(strstr(err, "from 1 to"), "%s", err);
	cr_assert_neq(parse("-i", "tap0", "--limit", "sockets=-9007199254740993K", NULL), 0);
	cr_assert_neq(parse("-i", "tap0", "--limit", "backlog=", NULL), 0);
	cr_assert_neq(parse("-i", "tap0", "--user", "a b", NULL), 0);
}

Test(options, impair_per_interface_and_round_trip)
{
	char line[1024];
	struct config again;

	cr_assert_eq(parse("--impair", "loss=5%", NULL), OPT_ERROR);
	cr_assert(strstr(err, "put -i NAME before it"), "%s", err);
	cr_assert_eq(parse("-i", "tap0", "--impair", "loss=5", NULL), OPT_ERROR);
	cr_assert(strstr(err, "--impair loss=5") && strstr(err, "missing unit %"), "%s", err);
	cr_assert_eq(parse("-i", "tap0", "--impair", "loss=5%,reorder=2%,dup=1%,seed=7",
			   "-i", "tap1", NULL), 0, "%s", err);
	cr_assert_eq(c.ifaces[0].impair.loss_ppm, 50000);
	cr_assert(!impair_spec_on(&c.ifaces[1].impair));
	options_format(&c, line, sizeof(line));
	cr_assert(strstr(line, "-i tap0 --impair loss=5%,dup=1%,reorder=2%,seed=7 -i tap1 "),
		  "%s", line);
	options_defaults(&again);
	line[strlen(line) - 1] = '\0';
	cr_assert_eq(options_parse_line(&again, line, err, sizeof(err)), 0, "%s", err);
	cr_assert(impair_spec_equal(&again.ifaces[0].impair, &c.ifaces[0].impair));
	/* a line written to `options` applies to the first interface; off ends it */
	cr_assert_eq(options_parse_line(&c, "impair off", err, sizeof(err)), 0, "%s", err);
	cr_assert(!impair_spec_on(&c.ifaces[0].impair));
	options_format(&c, line, sizeof(line));
	cr_assert_null(strstr(line, "impair"), "%s", line);
}
