/* Unit tests: error mapping (connect plan outcome / parse error -> status,
 * Squid error name, message) and the rendered error response. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../proxy/errpage.h"

Test(errors, outcome_to_status)
{
	static const struct { enum he_outcome o; int status; enum perr e; }
	cases[] = {
		{ HE_OUT_DNS_NXDOMAIN, 503, PERR_DNS_NXDOMAIN },
		{ HE_OUT_DNS_SERVFAIL, 503, PERR_DNS_SERVFAIL },
		{ HE_OUT_DNS_TIMEOUT, 503, PERR_DNS_TIMEOUT },
		{ HE_OUT_DNS_NODATA, 503, PERR_DNS_NODATA },
		{ HE_OUT_DNS_ERROR, 503, PERR_DNS_FAIL },
		{ HE_OUT_NO_OUTGOING, 503, PERR_NO_OUTGOING },
		{ HE_OUT_CONNECT_FAILED, 503, PERR_CONNECT_FAIL },
		{ HE_OUT_CONNECT_TIMEOUT, 504, PERR_CONNECT_TIMEOUT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum perr e = perr_from_outcome(cases[i].o);

		cr_assert_eq(e, cases[i].e, "outcome %s",
			     he_outcome_str(cases[i].o));
		cr_assert_eq(perr_info(e)->status, cases[i].status);
	}
	cr_assert_eq(perr_from_outcome(HE_OUT_CONNECTED), PERR_NONE);
}

Test(errors, dns_messages_are_distinct)
{
	enum perr d[] = { PERR_DNS_NXDOMAIN, PERR_DNS_SERVFAIL,
			  PERR_DNS_TIMEOUT, PERR_DNS_NODATA, PERR_NO_OUTGOING };
	size_t i, j;

	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++)
			cr_assert_str_neq(perr_info(d[i])->title,
					  perr_info(d[j])->title);
	cr_assert(strstr(perr_info(PERR_DNS_NXDOMAIN)->title, "NXDOMAIN"));
	cr_assert(strstr(perr_info(PERR_DNS_SERVFAIL)->title, "SERVFAIL"));
	cr_assert(strstr(perr_info(PERR_DNS_TIMEOUT)->title, "timeout"));
}

Test(errors, other_statuses)
{
	cr_assert_eq(perr_info(PERR_INVALID_RESP)->status, 502);
	cr_assert_eq(perr_info(PERR_ZERO_RESP)->status, 502);
	cr_assert_eq(perr_info(PERR_ACCESS_DENIED)->status, 403);
	cr_assert_eq(perr_info(PERR_CONNECT_PORT)->status, 403);
	cr_assert_eq(perr_info(PERR_INVALID_REQ)->status, 400);
	cr_assert_eq(perr_info(PERR_INVALID_URL)->status, 400);
	cr_assert_eq(perr_info(PERR_READ_TIMEOUT)->status, 504);
	cr_assert_eq(perr_info(PERR_REQUEST_TIMEOUT)->status, 408);
	cr_assert_eq(perr_from_parse(HPE_TOO_BIG), PERR_TOO_BIG);
	cr_assert_eq(perr_info(PERR_TOO_BIG)->status, 431);
	cr_assert_eq(perr_from_parse(HPE_HEADER), PERR_INVALID_REQ);
	cr_assert_eq(perr_from_parse(HPE_SCHEME), PERR_INVALID_URL);
	cr_assert_eq(perr_from_parse(HPE_VERSION_UNSUPPORTED), PERR_VERSION);
	cr_assert_eq(perr_from_parse(HPE_TRANSFER_ENCODING),
		     PERR_UNSUPPORTED_TE);
	cr_assert_eq(perr_info(PERR_COUNT)->status, 500);
}

Test(errors, rendered_page)
{
	struct buf b;
	char *s, *body;

	buf_init(&b, 16384);
	cr_assert_eq(perr_render(&b, PERR_CONNECT_FAIL, ECONNREFUSED,
				 "http://a.test/<x>", "1 attempt(s)", "px",
				 false), 0);
	s = strndup(buf_head(&b), b.len);
	cr_assert_eq(strncmp(s, "HTTP/1.1 503 Service Unavailable\r\n", 34), 0);
	cr_assert(strstr(s, "X-Squid-Error: ERR_CONNECT_FAIL 111\r\n"));
	cr_assert(strstr(s, "Connection: close\r\n"));
	cr_assert(strstr(s, "http://a.test/&lt;x&gt;"));
	cr_assert(strstr(s, "errno 111 (Connection refused)"));
	cr_assert(strstr(s, "1 attempt(s)"));
	body = strstr(s, "\r\n\r\n") + 4;
	cr_assert_eq(atoi(strstr(s, "Content-Length: ") + 16),
		     (int)strlen(body));
	free(s);
	buf_free(&b);
}

Test(errors, gateway_timeout_page)
{
	struct buf b;
	char *s;

	buf_init(&b, 16384);
	cr_assert_eq(perr_render(&b, PERR_CONNECT_TIMEOUT, ETIMEDOUT, "u", NULL,
				 "px", true), 0);
	s = strndup(buf_head(&b), b.len);
	cr_assert_eq(strncmp(s, "HTTP/1.1 504 Gateway Timeout\r\n", 30), 0);
	cr_assert(strstr(s, "Connection: keep-alive\r\n"));
	free(s);
	buf_free(&b);
}

Test(errors, does_not_overflow_small_buffer)
{
	struct buf b;

	buf_init(&b, 64);
	cr_assert_eq(perr_render(&b, PERR_CONNECT_FAIL, 0, "u", NULL, "px",
				 false), -1);
	cr_assert_eq(b.len, 0);
	buf_free(&b);
}
