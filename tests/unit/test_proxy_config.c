/* Unit tests: configuration parser (every directive, every malformed
 * case) and the policy built on it (http_access, CONNECT ports,
 * tcp_outgoing_address). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../proxy/config.h"
#include "../../proxy/policy.h"

static struct config c;
static char err[512];

static void setup(void)
{
	cr_assert_eq(config_init(&c), 0);
	err[0] = '\0';
}

static void teardown(void)
{
	config_free(&c);
}

TestSuite(config, .init = setup, .fini = teardown);
TestSuite(policy, .init = setup, .fini = teardown);

/* ok() - @text must parse and finish */
static void ok(const char *text)
{
	cr_assert_eq(config_parse_text(&c, "t.conf", text, err, sizeof(err)), 0,
		     "rejected %s: %s", text, err);
	cr_assert_eq(config_finish(&c, err, sizeof(err)), 0);
}

/* bad() - @text must be rejected with a message starting "t.conf:LINE: "
 * and containing @what */
static void bad(const char *text, int line, const char *what)
{
	char prefix[32];

	config_free(&c);
	config_init(&c);
	cr_assert_eq(config_parse_text(&c, "t.conf", text, err, sizeof(err)),
		     -1, "accepted: %s", text);
	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0,
		     "message '%s' lacks '%s'", err, prefix);
	cr_assert(strstr(err, what), "message '%s' lacks '%s'", err, what);
}

Test(config, defaults)
{
	ok("");
	cr_assert_eq(c.nports, 1);
	cr_assert(c.ports[0].any);
	cr_assert_eq(c.ports[0].port, 3128);
	cr_assert_not(c.dns_v4_first);
	cr_assert_eq(c.he_connect_timeout_ms, 250);
	cr_assert_eq(c.he_connect_gap_ms, -1);
	cr_assert_eq(c.he_connect_limit, -1);
	cr_assert_eq(c.connect_timeout_ms, 60000);
	cr_assert_eq(c.forward_timeout_ms, 240000);
	cr_assert_eq(c.read_timeout_ms, 900000);
	cr_assert_eq(c.request_timeout_ms, 300000);
	cr_assert_eq(c.client_idle_ms, 120000);
	cr_assert_eq(c.server_idle_ms, 60000);
	cr_assert_eq(c.dns_timeout_ms, 30000);
	cr_assert_eq(c.nconnect_ports, 1);
	cr_assert_eq(c.connect_ports[0], 443);
	cr_assert_str_eq(c.access_log, "");
	cr_assert_eq(c.max_connections, 1024);
	cr_assert_neq(c.visible_hostname[0], '\0');
}

Test(config, comments_and_blank_lines)
{
	ok("# comment\n\n   \t\nhttp_port 8080 # trailing comment\n");
	cr_assert_eq(c.ports[0].port, 8080);
}

Test(config, http_port_forms)
{
	ok("http_port 3128\nhttp_port 127.0.0.1:8080\nhttp_port [::1]:8081\n");
	cr_assert_eq(c.nports, 3);
	cr_assert(c.ports[0].any);
	cr_assert_eq(c.ports[1].addr.ss_family, AF_INET);
	cr_assert_eq(c.ports[1].port, 8080);
	cr_assert_eq(c.ports[2].addr.ss_family, AF_INET6);
	cr_assert_eq(c.ports[2].port, 8081);
}

Test(config, http_port_malformed)
{
	bad("http_port\n", 1, "usage");
	bad("http_port 0\n", 1, "bad http_port");
	bad("http_port 65536\n", 1, "bad http_port");
	bad("http_port abc\n", 1, "bad http_port");
	bad("\nhttp_port 1.2.3:80\n", 2, "bad http_port");
	bad("http_port [::1:80\n", 1, "bad http_port");
	bad("http_port 3128 intercept\n", 1, "no options");
}

Test(config, acl_and_access)
{
	ok("acl lan src 10.0.0.0/8 fd00::/8\nacl lan src 192.168.0.0/16\n"
	   "acl web port 80 8000-8100\nacl get method GET\n"
	   "acl site dstdomain .example.com\nacl net dst 192.0.2.0/24\n"
	   "http_access allow lan !site get\nhttp_access deny all\n");
	cr_assert_eq(config_find_acl(&c, "lan") >= 0, 1);
	cr_assert_eq(c.acls[config_find_acl(&c, "lan")].n, 3);
	cr_assert_eq(c.naccess, 2);
	cr_assert_eq(c.access[0].nref, 3);
	cr_assert(c.access[0].ref[1].neg);
	cr_assert(c.access[0].allow);
	cr_assert_not(c.access[1].allow);
}

Test(config, acl_malformed)
{
	bad("acl x src\n", 1, "usage");
	bad("acl x bogus 1\n", 1, "unsupported ACL type");
	bad("acl x src 10.0.0.0/33\n", 1, "bad src value");
	bad("acl x src not-an-ip\n", 1, "bad src value");
	bad("acl x dst ::1/129\n", 1, "bad dst value");
	bad("acl x port 0\n", 1, "bad port value");
	bad("acl x port 10-5\n", 1, "bad port value");
	bad("acl x port 70000\n", 1, "bad port value");
	bad("acl x method G/T\n", 1, "bad method value");
	bad("acl x dstdomain a/b\n", 1, "bad dstdomain value");
	bad("acl x src 1.2.3.4\nacl x port 80\n", 2, "redefined");
	bad("acl x/y src 1.2.3.4\n", 1, "bad ACL name");
}

Test(config, http_access_malformed)
{
	bad("http_access\n", 1, "usage");
	bad("http_access maybe all\n", 1, "usage");
	bad("http_access allow nosuch\n", 1, "unknown ACL: nosuch");
	bad("http_access allow !nosuch\n", 1, "unknown ACL: nosuch");
}

Test(config, outgoing_address)
{
	ok("acl a src 10.0.0.0/8\ntcp_outgoing_address 192.0.2.1 a\n"
	   "tcp_outgoing_address 2001:db8::1\n");
	cr_assert_eq(c.noutgoing, 2);
	cr_assert_eq(c.outgoing[0].family, AF_INET);
	cr_assert_eq(c.outgoing[0].nref, 1);
	cr_assert_eq(c.outgoing[1].family, AF_INET6);
	bad("tcp_outgoing_address\n", 1, "usage");
	bad("tcp_outgoing_address host.example\n", 1, "bad address");
	bad("tcp_outgoing_address 1.2.3.4 nosuch\n", 1, "unknown ACL");
}

Test(config, dns_directives)
{
	ok("dns_v4_first on\ndns_nameservers 127.0.0.1 ::1\n"
	   "dns_nameservers 127.0.0.1:5353 [::1]:5353\ndns_timeout 2 seconds\n");
	cr_assert(c.dns_v4_first);
	cr_assert_eq(c.nnameservers, 4);
	cr_assert_str_eq(c.nameservers[3], "[::1]:5353");
	cr_assert_eq(c.dns_timeout_ms, 2000);
	bad("dns_v4_first yes\n", 1, "on or off");
	bad("dns_v4_first\n", 1, "on or off");
	bad("dns_nameservers\n", 1, "usage");
	bad("dns_nameservers resolver.example\n", 1, "bad name server");
	bad("dns_nameservers 127.0.0.1:0\n", 1, "bad name server");
	bad("dns_nameservers 1 2 3 4 5 6 7 8 9\n", 1, "bad name server");
	bad("dns_nameservers ::1 ::1 ::1 ::1 ::1 ::1 ::1 ::1 ::1\n", 1,
	    "too many");
}

Test(config, happy_eyeballs_directives)
{
	ok("happy_eyeballs_connect_timeout 100\nhappy_eyeballs_connect_gap 20\n"
	   "happy_eyeballs_connect_limit 0\n");
	cr_assert_eq(c.he_connect_timeout_ms, 100);
	cr_assert_eq(c.he_connect_gap_ms, 20);
	cr_assert_eq(c.he_connect_limit, 0);
	bad("happy_eyeballs_connect_timeout 5\n", 1, "at least 10 ms");
	bad("happy_eyeballs_connect_timeout -1\n", 1, "milliseconds");
	bad("happy_eyeballs_connect_timeout 1 s\n", 1, "milliseconds");
	bad("happy_eyeballs_connect_gap x\n", 1, "milliseconds");
	bad("happy_eyeballs_connect_gap -2\n", 1, "milliseconds");
	bad("happy_eyeballs_connect_limit -2\n", 1, "count");
	bad("happy_eyeballs_connect_limit\n", 1, "count");
}

Test(config, timeouts)
{
	uint32_t ms;

	ok("connect_timeout 2 seconds\nforward_timeout 1 minute\n"
	   "read_timeout 90\nrequest_timeout 1500 ms\n"
	   "client_idle_pconn_timeout 0.5 minutes\n"
	   "server_idle_pconn_timeout 1 hour\n");
	cr_assert_eq(c.connect_timeout_ms, 2000);
	cr_assert_eq(c.forward_timeout_ms, 60000);
	cr_assert_eq(c.read_timeout_ms, 90000);
	cr_assert_eq(c.request_timeout_ms, 1500);
	cr_assert_eq(c.client_idle_ms, 30000);
	cr_assert_eq(c.server_idle_ms, 3600000);
	cr_assert_eq(config_parse_time("250", "milliseconds", &ms), 0);
	cr_assert_eq(ms, 250);
	bad("connect_timeout\n", 1, "expected a time");
	bad("connect_timeout 5 fortnights\n", 1, "expected a time");
	bad("connect_timeout -5\n", 1, "expected a time");
	bad("connect_timeout 0\n", 1, "positive");
	bad("read_timeout 1 2 3\n", 1, "expected a time");
	bad("forward_timeout 9999 hours\n", 1, "expected a time");
}

Test(config, connect_timeout_capped_by_forward_timeout)
{
	ok("connect_timeout 5 minutes\nforward_timeout 1 minute\n");
	cr_assert_eq(c.connect_timeout_ms, 60000);
}

Test(config, misc_directives)
{
	ok("access_log /tmp/x.log squid\nmax_connections 10\n"
	   "visible_hostname proxy.test\nconnect_ports 443 8443\n"
	   "connect_ports 563\n");
	cr_assert_str_eq(c.access_log, "/tmp/x.log");
	cr_assert_eq(c.max_connections, 10);
	cr_assert_str_eq(c.visible_hostname, "proxy.test");
	cr_assert_eq(c.nconnect_ports, 3);
	cr_assert_eq(c.connect_ports[2], 563);
	config_free(&c);
	config_init(&c);
	ok("access_log stdio:/tmp/y.log\n");
	cr_assert_str_eq(c.access_log, "/tmp/y.log");
	config_free(&c);
	config_init(&c);
	ok("access_log /tmp/z\naccess_log none\n");
	cr_assert_str_eq(c.access_log, "");
	bad("access_log\n", 1, "usage");
	bad("access_log /x combined\n", 1, "usage");
	bad("max_connections 0\n", 1, "count");
	bad("max_connections many\n", 1, "count");
	bad("visible_hostname a b\n", 1, "usage");
	bad("visible_hostname a/b\n", 1, "bad host name");
	bad("connect_ports\n", 1, "usage");
	bad("connect_ports 443 0\n", 1, "bad port");
}

Test(config, unknown_directive_names_file_and_line)
{
	bad("http_port 3128\n\n# c\ncache_dir ufs /x 100 16 256\n", 4,
	    "unknown directive: cache_dir");
}

Test(config, long_line)
{
	char *s = malloc(PX_MAX_CONF_LINE + 20);

	memset(s, 'a', PX_MAX_CONF_LINE + 10);
	s[PX_MAX_CONF_LINE + 10] = '\0';
	bad(s, 1, "line too long");
	free(s);
}

Test(config, load_file)
{
	char path[] = "/tmp/test_proxy_config_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("http_port 1234\nbogus_directive\n", f);
	fclose(f);
	cr_assert_eq(config_load(&c, path, err, sizeof(err)), -1);
	cr_assert(strstr(err, ":2: unknown directive: bogus_directive"), "%s",
		  err);
	unlink(path);
	cr_assert_eq(config_load(&c, "/nonexistent/x.conf", err, sizeof(err)),
		     -1);
	cr_assert(strstr(err, "No such file"), "%s", err);
}

/* ctx() - An ACL context for client @src and @host:@port */
static struct acl_ctx ctx(struct sockaddr_storage *ss, const char *src,
			  const char *method, const char *host, uint16_t port)
{
	struct acl_ctx x = { .method = method, .host = host, .port = port };
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	unsigned char tmp[16];

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, src, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, src, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	x.src = (struct sockaddr *)ss;
	if (inet_pton(AF_INET, host, tmp) == 1)
		x.host_family = AF_INET;
	else if (inet_pton(AF_INET6, host, tmp) == 1)
		x.host_family = AF_INET6;
	return x;
}

Test(policy, default_access_is_local_only)
{
	struct sockaddr_storage ss;
	struct acl_ctx x;

	ok("");
	x = ctx(&ss, "127.0.0.1", "GET", "a.test", 80);
	cr_assert(policy_access(&c, &x));
	x = ctx(&ss, "::1", "GET", "a.test", 80);
	cr_assert(policy_access(&c, &x));
	x = ctx(&ss, "fd00:1::10", "GET", "a.test", 80);
	cr_assert(policy_access(&c, &x));
	x = ctx(&ss, "::ffff:10.1.2.3", "GET", "a.test", 80);
	cr_assert(policy_access(&c, &x));
	x = ctx(&ss, "198.51.100.7", "GET", "a.test", 80);
	cr_assert_not(policy_access(&c, &x));
	x = ctx(&ss, "2001:db8::7", "GET", "a.test", 80);
	cr_assert_not(policy_access(&c, &x));
}

Test(policy, first_match_wins_and_implicit_last)
{
	struct sockaddr_storage ss;
	struct acl_ctx x;

	ok("acl lan src 10.0.0.0/8\nacl blocked dstdomain .bad.test\n"
	   "acl post method POST\nacl web port 80\nacl lit dst 192.0.2.0/24\n"
	   "http_access deny blocked\nhttp_access deny lit\n"
	   "http_access allow lan web !post\n");
	x = ctx(&ss, "10.1.1.1", "GET", "a.test", 80);
	cr_assert(policy_access(&c, &x));
	x = ctx(&ss, "10.1.1.1", "POST", "a.test", 80);
	cr_assert_not(policy_access(&c, &x));
	x = ctx(&ss, "10.1.1.1", "GET", "a.test", 8080);
	cr_assert_not(policy_access(&c, &x));
	x = ctx(&ss, "10.1.1.1", "GET", "www.bad.test", 80);
	cr_assert_not(policy_access(&c, &x));
	x = ctx(&ss, "10.1.1.1", "GET", "bad.test", 80);
	cr_assert_not(policy_access(&c, &x));
	x = ctx(&ss, "10.1.1.1", "GET", "notbad.test", 80);
	cr_assert(policy_access(&c, &x));
	x = ctx(&ss, "10.1.1.1", "GET", "192.0.2.9", 80);
	cr_assert_not(policy_access(&c, &x));
	/* no line matched: the opposite of the last (allow) line */
	x = ctx(&ss, "172.16.0.1", "GET", "a.test", 80);
	cr_assert_not(policy_access(&c, &x));
}

Test(policy, implicit_allow_after_final_deny)
{
	struct sockaddr_storage ss;
	struct acl_ctx x;

	ok("acl bad src 10.9.9.9\nhttp_access deny bad\n");
	x = ctx(&ss, "198.51.100.1", "GET", "a.test", 80);
	cr_assert(policy_access(&c, &x));
}

Test(policy, connect_ports)
{
	ok("");
	cr_assert(policy_connect_port(&c, 443));
	cr_assert_not(policy_connect_port(&c, 22));
	config_free(&c);
	config_init(&c);
	ok("connect_ports 8443\n");
	cr_assert(policy_connect_port(&c, 8443));
	cr_assert_not(policy_connect_port(&c, 443));
}

Test(policy, no_outgoing_lines_means_both_unbound)
{
	struct sockaddr_storage ss;
	struct acl_ctx x;
	struct outgoing o;

	ok("");
	x = ctx(&ss, "127.0.0.1", "GET", "a.test", 80);
	policy_outgoing(&c, &x, &o);
	cr_assert(o.usable[0] && o.usable[1]);
	cr_assert_not(o.bind[0] || o.bind[1]);
}

Test(policy, outgoing_first_match_per_family)
{
	struct sockaddr_storage ss;
	struct acl_ctx x;
	struct outgoing o;
	char a[64];

	ok("acl lan src 10.0.0.0/8\nacl other src 172.16.0.0/12\n"
	   "tcp_outgoing_address 192.0.2.1 other\n"
	   "tcp_outgoing_address 2001:db8::1 lan\n"
	   "tcp_outgoing_address 192.0.2.2 lan\n"
	   "tcp_outgoing_address 192.0.2.3\n");
	x = ctx(&ss, "10.0.0.5", "GET", "a.test", 80);
	policy_outgoing(&c, &x, &o);
	cr_assert(o.usable[0] && o.usable[1]);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&o.addr[1])->sin_addr, a,
		  sizeof(a));
	cr_assert_str_eq(a, "192.0.2.2");
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&o.addr[0])->sin6_addr, a,
		  sizeof(a));
	cr_assert_str_eq(a, "2001:db8::1");
	/* a client no IPv6 line matches: IPv6 skipped, IPv4 from the last */
	x = ctx(&ss, "198.51.100.1", "GET", "a.test", 80);
	policy_outgoing(&c, &x, &o);
	cr_assert_not(o.usable[0]);
	cr_assert(o.usable[1]);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&o.addr[1])->sin_addr, a,
		  sizeof(a));
	cr_assert_str_eq(a, "192.0.2.3");
}

Test(policy, outgoing_only_one_family)
{
	struct sockaddr_storage ss;
	struct acl_ctx x;
	struct outgoing o;

	ok("tcp_outgoing_address 127.0.0.1\n");
	x = ctx(&ss, "127.0.0.1", "GET", "a.test", 80);
	policy_outgoing(&c, &x, &o);
	cr_assert_not(o.usable[0]);
	cr_assert(o.usable[1] && o.bind[1]);
}
