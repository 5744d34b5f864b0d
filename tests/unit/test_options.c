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
