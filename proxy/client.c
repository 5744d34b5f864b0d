/* lwip-proxy: client connections and HTTP transactions, see client.h
 *
 * Buffers, per client: cin (from the client), sout (to the server), sin
 * (from the server), cout (to the client).  Heads are parsed in cin/sin
 * and rewritten into sout/cout; body bytes are moved by the framers in
 * body.c, at most PX_RELAY_BUF at a time, and a sender is read only while
 * its buffer has room: a slow reader slows the writer down instead of
 * making the proxy buffer without bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accesslog.h"
#include "body.h"
#include "client.h"
#include "connector.h"
#include "errpage.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "pool.h"

#define LINGER_MS	2000	/* drain time after our last byte to a client */
#define HEAD_BUF_MAX	(PX_MAX_HEAD + 2048)	/* a head plus our additions */

enum cstate {
	CS_READ_HEAD,	/* waiting for (the rest of) a request head */
	CS_CONNECTING,	/* connector running */
	CS_FORWARD,	/* request and response being relayed */
	CS_TUNNEL,	/* CONNECT established */
	CS_REPLY,	/* sending our own (error) response, then close */
	CS_LINGER,	/* our side shut down; draining until EOF */
};

struct client {
	struct watcher cw, sw;
	int cfd, sfd;
	struct timer t;
	enum cstate state;
	bool dead;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct buf cin, cout, sin, sout;
	bool c_rd, s_rd;		/* readable per the last event */
	bool cin_eof, sin_eof, c_err, s_err;
	bool sout_shut, cout_shut;
	bool persistent;		/* keep the client after this txn */
	unsigned ntxn;
	uint64_t last_io, head_start, linger_until;
	size_t head_seen;		/* cin bytes searched for a head's end */

	/* the current transaction */
	uint64_t t_start;
	char method[PX_MAX_METHOD + 1];
	char url[PX_MAX_URL + 1];
	char host[PX_MAX_HOST + 3];
	int host_family;
	uint16_t port;
	bool is_connect, client_10, head_req;
	struct body reqbody, respbody;
	bool resp_head_done, resp_any;
	int status;
	char ctype[128];
	uint64_t bytes_out;
	bool srv_persistent, reused, retried, can_retry;
	struct buf reqcopy;
	struct outgoing out;
	char pool_key[PX_MAX_HOST + 3 + 8 + 2 * 64];
	struct sockaddr_storage speer;
	socklen_t speerlen;
	struct connector *conn;
	const char *code;
	bool logged;
};

static const struct config *cfg;
static struct he_budget budget;
static struct he_params params;
static char via[PX_MAX_HOST + 40];	/* "host (lwip-proxy/V)" */
static char via_token[PX_MAX_HOST + 40];	/* loop detection */
static unsigned nclients;

static void pump(struct client *c);
static void begin_connect(struct client *c, bool use_pool);
static void server_event(struct watcher *w, uint32_t ev);

/* client_setup() - Keep the configuration and derive per-proxy values.
 * Assumes @c outlives every client.  Return: 0 */
int client_setup(const struct config *c)
{
	cfg = c;
	params.prefer_family = c->dns_v4_first ? AF_INET : AF_INET6;
	params.spare_delay_ms = c->he_connect_timeout_ms;
	params.gap_ms = c->he_connect_gap_ms < 0 ? 0
			: (uint32_t)c->he_connect_gap_ms;
	params.limit = c->he_connect_limit;
	params.connect_timeout_ms = c->connect_timeout_ms;
	params.resolution_delay_ms = 50;
	snprintf(via, sizeof(via), "%s (lwip-proxy/%s)", c->visible_hostname,
		 PROXY_VERSION);
	snprintf(via_token, sizeof(via_token), " %s (lwip-proxy/",
		 c->visible_hostname);
	return 0;
}

/* client_count() - Open client connections */
unsigned client_count(void)
{
	return nclients;
}

/* free_client() - Deferred free of a dead client */
static void free_client(void *p)
{
	struct client *c = p;

	buf_free(&c->cin);
	buf_free(&c->cout);
	buf_free(&c->sin);
	buf_free(&c->sout);
	buf_free(&c->reqcopy);
	free(c);
}

/* log_txn() - Write the access log line for the current transaction,
 * once */
static void log_txn(struct client *c)
{
	struct access_entry e = {
		.elapsed_ms = loop_now() - c->t_start,
		.client = (struct sockaddr *)&c->peer,
		.code = c->code ? c->code : c->is_connect ? "TCP_TUNNEL"
							  : "TCP_MISS",
		.status = c->status,
		.bytes = c->bytes_out,
		.method = c->method[0] ? c->method : NULL,
		.url = c->url[0] ? c->url : NULL,
		.peer = c->speerlen ? (struct sockaddr *)&c->speer : NULL,
		.type = c->ctype,
	};

	if (c->logged || (!c->method[0] && !c->status))
		return;
	c->logged = true;
	accesslog_write(&e);
}

/* close_server() - Close the server socket (if any) and cancel a running
 * connector */
static void close_server(struct client *c)
{
	if (c->conn) {
		connector_free(c->conn);
		c->conn = NULL;
	}
	if (c->sfd >= 0) {
		loop_unwatch(&c->sw);
		close(c->sfd);
		c->sfd = -1;
	}
	buf_free(&c->sin);
	buf_free(&c->sout);
	c->sin_eof = c->s_err = c->s_rd = c->sout_shut = false;
}

/* close_client() - Log, close everything and free the client later */
static void close_client(struct client *c)
{
	if (c->dead)
		return;
	log_txn(c);
	close_server(c);
	timer_stop(&c->t);
	loop_unwatch(&c->cw);
	close(c->cfd);
	c->dead = true;
	nclients--;
	loop_defer(free_client, c);
}

/* abort_client() - The transaction cannot go on: log it as aborted and
 * close the connection */
static void abort_client(struct client *c)
{
	if (c->code == NULL && c->status)
		c->code = c->is_connect ? "TCP_TUNNEL_ABORTED" : "TCP_MISS_ABORTED";
	close_client(c);
}

/* start_linger() - Done with this client: shut our side down and drain
 * its input briefly, so unread request bytes never turn our last bytes
 * into a reset */
static void start_linger(struct client *c)
{
	log_txn(c);
	close_server(c);
	if (c->cin_eof || c->c_err) {
		close_client(c);
		return;
	}
	shutdown(c->cfd, SHUT_WR);
	c->state = CS_LINGER;
	c->linger_until = loop_now() + LINGER_MS;
}

/* send_error() - Answer the current request with error @e (errno @xerr,
 * optional @detail) and close afterwards.  If a response is already under
 * way, only close. */
static void send_error(struct client *c, enum perr e, int xerr,
		       const char *detail)
{
	const struct perr_info *i = perr_info(e);

	plog(1, "%s %s: %d %s%s%s", c->method, c->url, i->status, i->title,
	     detail ? ": " : "", detail ? detail : "");
	close_server(c);
	if (c->resp_head_done && !c->is_connect) {
		abort_client(c);
		return;
	}
	c->status = i->status;
	if (!c->code)
		c->code = i->status == 403 ? "TCP_DENIED"
			  : c->method[0] && c->url[0] ? "TCP_MISS" : "NONE_NONE";
	c->persistent = false;
	buf_free(&c->cout);
	c->cout.max = HEAD_BUF_MAX;
	if (perr_render(&c->cout, e, xerr, c->url, detail,
			cfg->visible_hostname, false) < 0) {
		close_client(c);
		return;
	}
	c->resp_head_done = true;
	c->state = CS_REPLY;
}

/* reset_txn() - Forget the finished transaction, keep the connection */
static void reset_txn(struct client *c)
{
	c->t_start = loop_now();
	c->head_start = loop_now();
	c->head_seen = 0;
	c->method[0] = c->url[0] = c->host[0] = c->ctype[0] = '\0';
	c->is_connect = c->client_10 = c->head_req = false;
	c->resp_head_done = c->resp_any = false;
	c->status = 0;
	c->bytes_out = 0;
	c->srv_persistent = c->reused = c->retried = c->can_retry = false;
	buf_free(&c->reqcopy);
	c->speerlen = 0;
	c->code = NULL;
	c->logged = false;
	body_init(&c->reqbody, BODY_NONE, 0, false);
	body_init(&c->respbody, BODY_NONE, 0, false);
	buf_release_if_empty(&c->cin);
	buf_release_if_empty(&c->cout);
	c->state = CS_READ_HEAD;
}

/* want_client_bytes() - How many more bytes to read from the client now */
static size_t want_client_bytes(const struct client *c)
{
	switch (c->state) {
	case CS_READ_HEAD:
		return buf_space(&c->cin);
	case CS_CONNECTING:
	case CS_FORWARD:
	case CS_TUNNEL:
		if (c->reqbody.done || c->reqbody.error ||
		    c->cin.len >= PX_RELAY_BUF)
			return 0;
		return PX_RELAY_BUF - c->cin.len;
	case CS_LINGER:
		return PX_RELAY_BUF;
	case CS_REPLY:
		break;
	}
	return 0;
}

/* want_server_bytes() - How many more bytes to read from the server now */
static size_t want_server_bytes(const struct client *c)
{
	size_t lim = c->resp_head_done ? PX_RELAY_BUF : PX_MAX_HEAD;

	if (c->sfd < 0 || c->sin_eof ||
	    (c->state != CS_FORWARD && c->state != CS_TUNNEL) ||
	    c->sin.len >= lim)
		return 0;
	return lim - c->sin.len;
}

/* read_client() - Read from the client if it was readable and we want
 * bytes.  Return: true if anything changed */
static bool read_client(struct client *c)
{
	size_t want = want_client_bytes(c);
	ssize_t n;

	if (!c->c_rd || c->cin_eof || !want)
		return false;
	if (c->state == CS_READ_HEAD && !c->cin.len)
		c->head_start = loop_now();
	n = buf_read_fd(&c->cin, c->cfd, want);
	if (n > 0) {
		c->last_io = loop_now();
		if (c->state == CS_LINGER)
			buf_consume(&c->cin, c->cin.len);
		return true;
	}
	c->c_rd = false;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	c->cin_eof = true;
	c->c_err = n < 0;
	return true;
}

/* write_client() - Write pending bytes to the client.
 * Return: true if anything changed */
static bool write_client(struct client *c)
{
	ssize_t n = buf_write_fd(&c->cout, c->cfd);

	if (n > 0) {
		c->last_io = loop_now();
		c->bytes_out += (uint64_t)n;
		return true;
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		c->c_err = true;
		c->cin_eof = true;
		abort_client(c);
		return true;
	}
	return false;
}

/* server_failed() - The server connection broke before a complete
 * response head: retry once on a fresh connection if the request allows
 * it (reused pooled connection, nothing received, idempotent, no body),
 * else answer 502 */
static void server_failed(struct client *c, int err)
{
	if (c->reused && !c->resp_any && c->can_retry && !c->retried) {
		plog(1, "%s: pooled connection failed, retrying", c->url);
		close_server(c);
		c->retried = true;
		c->speerlen = 0;
		c->sout.max = HEAD_BUF_MAX;
		if (buf_append(&c->sout, buf_head(&c->reqcopy),
			       c->reqcopy.len) < 0) {
			send_error(c, PERR_CONNECT_FAIL, ENOMEM, NULL);
			return;
		}
		begin_connect(c, false);
		return;
	}
	send_error(c, c->resp_any ? PERR_INVALID_RESP : PERR_ZERO_RESP, err,
		   NULL);
}

/* io_server() - Write to and read from the server.
 * Return: true if anything changed */
static bool io_server(struct client *c)
{
	bool progress = false;
	size_t want;
	ssize_t n;

	if (c->sfd < 0)
		return false;
	n = buf_write_fd(&c->sout, c->sfd);
	if (n > 0) {
		c->last_io = loop_now();
		progress = true;
	} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		if (c->is_connect) {
			abort_client(c);
			return true;
		}
		if (!c->resp_head_done) {
			server_failed(c, errno);
			return true;
		}
		c->srv_persistent = false;
		buf_consume(&c->sout, c->sout.len);
	}
	want = want_server_bytes(c);
	if (c->s_rd && want) {
		n = buf_read_fd(&c->sin, c->sfd, want);
		if (n > 0) {
			c->last_io = loop_now();
			c->resp_any = true;
			return true;
		}
		c->s_rd = false;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			c->sin_eof = true;
			c->s_err = n < 0;
			return true;
		}
	}
	return progress;
}

/* relay_request() - Move request body bytes from cin to sout.
 * Return: true if anything changed */
static bool relay_request(struct client *c)
{
	size_t in, n;

	if (c->reqbody.done || c->reqbody.error || !c->cin.len ||
	    c->sout.len >= PX_RELAY_BUF)
		return false;
	in = c->cin.len;
	if (in > PX_RELAY_BUF - c->sout.len)
		in = PX_RELAY_BUF - c->sout.len;
	n = body_feed(&c->reqbody, buf_head(&c->cin), in, &c->sout);
	buf_consume(&c->cin, n);
	if (c->reqbody.error) {
		if (c->resp_head_done)
			abort_client(c);
		else
			send_error(c, PERR_INVALID_REQ, 0,
				   "malformed chunked request body");
		return true;
	}
	return n > 0;
}

/* response_framing() - Set up the response body framer for head @m */
static void response_framing(struct client *c, const struct http_msg *m)
{
	if (c->head_req || m->status == 204 || m->status == 304)
		body_init(&c->respbody, BODY_NONE, 0, false);
	else if (m->chunked)
		body_init(&c->respbody, BODY_CHUNKED, 0, c->client_10);
	else if (m->has_length)
		body_init(&c->respbody, BODY_LENGTH, m->length, false);
	else
		body_init(&c->respbody, BODY_EOF, 0, false);
}

/* handle_response_head() - Parse a response head in sin and rewrite it
 * into cout; 1xx interim responses are passed to HTTP/1.1 clients.
 * Return: true if anything changed */
static bool handle_response_head(struct client *c)
{
	struct http_msg *m = malloc(sizeof(*m));
	enum hp_error err;
	enum hp_result r;
	const struct http_field *ct;
	bool eof_framed;

	if (!m) {
		send_error(c, PERR_INVALID_RESP, ENOMEM, NULL);
		return true;
	}
	r = http_parse_response(buf_head(&c->sin), c->sin.len, m, &err);
	if (r == HP_INCOMPLETE) {
		free(m);
		if (!c->sin_eof)
			return false;
		server_failed(c, c->s_err ? ECONNRESET : 0);
		return true;
	}
	if (r == HP_ERROR || m->status == 101) {
		send_error(c, PERR_INVALID_RESP, 0,
			   r == HP_ERROR ? http_error_text(err)
					 : "unexpected protocol switch");
		free(m);
		return true;
	}
	c->cout.max = HEAD_BUF_MAX;
	if (m->status < 200) {
		if (!c->client_10 &&
		    http_write_response(&c->cout, m, -1, false, via) < 0) {
			free(m);
			send_error(c, PERR_INVALID_RESP, 0, "interim head too large");
			return true;
		}
		buf_consume(&c->sin, m->head_len);
		c->resp_any = false;
		free(m);
		return true;
	}
	response_framing(c, m);
	eof_framed = c->respbody.kind == BODY_EOF;
	c->srv_persistent = http_response_persistent(m) && !eof_framed;
	if (eof_framed || (m->chunked && c->client_10))
		c->persistent = false;
	if (http_write_response(&c->cout, m, c->persistent,
				m->chunked && c->client_10, via) < 0) {
		free(m);
		send_error(c, PERR_INVALID_RESP, 0, "response head too large");
		return true;
	}
	c->status = m->status;
	if ((ct = http_find(m, "Content-Type")))
		snprintf(c->ctype, sizeof(c->ctype), "%.*s", (int)ct->vlen,
			 ct->value);
	buf_consume(&c->sin, m->head_len);
	c->resp_head_done = true;
	free(m);
	return true;
}

/* relay_response() - Handle the response head, then move body bytes
 * from sin to cout.  Return: true if anything changed */
static bool relay_response(struct client *c)
{
	size_t in, n;

	if (!c->resp_head_done)
		return handle_response_head(c);
	if (!c->respbody.done && c->respbody.kind == BODY_EOF && c->sin_eof &&
	    !c->sin.len) {
		c->respbody.done = true;
		return true;
	}
	if (c->respbody.done || !c->sin.len || c->cout.len >= PX_RELAY_BUF) {
		if (c->sin_eof && !c->sin.len && !c->respbody.done) {
			/* truncated: deliver what we have, then close */
			c->persistent = false;
			c->code = "TCP_MISS_ABORTED";
			c->state = CS_REPLY;
			close_server(c);
			return true;
		}
		return false;
	}
	in = c->sin.len;
	if (in > PX_RELAY_BUF - c->cout.len)
		in = PX_RELAY_BUF - c->cout.len;
	c->cout.max = HEAD_BUF_MAX;
	n = body_feed(&c->respbody, buf_head(&c->sin), in, &c->cout);
	buf_consume(&c->sin, n);
	if (c->respbody.error) {
		c->srv_persistent = false;
		c->persistent = false;
		c->code = "TCP_MISS_ABORTED";
		c->state = CS_REPLY;
		close_server(c);
		return true;
	}
	return n > 0;
}

/* finish_txn() - Response delivered: log, park or close the server
 * connection, then wait for the next request or close */
static void finish_txn(struct client *c)
{
	bool reuse = c->srv_persistent && c->reqbody.done && !c->sout.len &&
		     !c->sin.len && !c->sin_eof && c->sfd >= 0;

	log_txn(c);
	if (reuse) {
		int fd = c->sfd;

		loop_unwatch(&c->sw);
		c->sfd = -1;
		pool_put(fd, c->pool_key, (struct sockaddr *)&c->speer,
			 c->speerlen, cfg->server_idle_ms);
	}
	close_server(c);
	c->ntxn++;
	if (!c->reqbody.done || c->cin_eof)
		c->persistent = false;
	if (!c->persistent) {
		start_linger(c);
		return;
	}
	reset_txn(c);
}

/* step_tunnel() - Propagate half-closes through a CONNECT tunnel and end
 * it when both directions are done.  Return: true if anything changed */
static bool step_tunnel(struct client *c)
{
	bool progress = false;

	if (c->c_err || c->s_err) {
		abort_client(c);
		return true;
	}
	if (c->cin_eof && !c->cin.len && !c->sout.len && !c->sout_shut) {
		shutdown(c->sfd, SHUT_WR);
		c->sout_shut = true;
		progress = true;
	}
	if (c->sin_eof && !c->sin.len && !c->cout.len && !c->cout_shut) {
		shutdown(c->cfd, SHUT_WR);
		c->cout_shut = true;
		progress = true;
	}
	if (c->sout_shut && c->cout_shut) {
		close_client(c);
		return true;
	}
	return progress;
}

/* url_for_log() - Remember method and URL for logs and error pages */
static void remember_request(struct client *c, const struct http_msg *m)
{
	snprintf(c->method, sizeof(c->method), "%.*s", (int)m->mlen,
		 m->method);
	snprintf(c->url, sizeof(c->url), "%.*s", (int)m->tlen, m->target);
}

/* make_pool_key() - "host:port|v6bind|v4bind" */
static void make_pool_key(struct client *c)
{
	char b6[64] = "-", b4[64] = "-";

	if (c->out.bind[0])
		sockaddr_str((struct sockaddr *)&c->out.addr[0], b6, sizeof(b6));
	if (c->out.bind[1])
		sockaddr_str((struct sockaddr *)&c->out.addr[1], b4, sizeof(b4));
	snprintf(c->pool_key, sizeof(c->pool_key), "%s:%u|%s|%s", c->host,
		 c->port, b6, b4);
}

/* check_request() - Policy on a parsed request: loop, http_access,
 * CONNECT port.  Return: PERR_NONE or the error to send */
static enum perr check_request(struct client *c, const struct http_msg *m)
{
	struct acl_ctx x = {
		.src = (struct sockaddr *)&c->peer,
		.method = c->method,
		.host = c->host,
		.host_family = c->host_family,
		.port = c->port,
	};

	if (http_has_via(m, via_token))
		return PERR_LOOP;
	if (!policy_access(cfg, &x))
		return PERR_ACCESS_DENIED;
	if (c->is_connect && !policy_connect_port(cfg, c->port))
		return PERR_CONNECT_PORT;
	policy_outgoing(cfg, &x, &c->out);
	return PERR_NONE;
}

/* start_request() - A complete request head is in cin: validate it, set
 * up framing and the upstream head, and start connecting */
static void start_request(struct client *c, const struct http_msg *m)
{
	struct http_url u;
	enum hp_error err;
	enum perr pe;

	c->t_start = loop_now();
	remember_request(c, m);
	c->is_connect = http_method_is(m, "CONNECT");
	c->head_req = http_method_is(m, "HEAD");
	c->client_10 = m->minor == 0;
	c->persistent = http_request_persistent(m);
	if (http_parse_url(m->target, m->tlen, c->is_connect, &u, &err) < 0) {
		send_error(c, PERR_INVALID_URL, 0, http_error_text(err));
		return;
	}
	snprintf(c->host, sizeof(c->host), "%s", u.host);
	c->host_family = u.ip_family;
	c->port = u.port;
	if ((pe = check_request(c, m))) {
		send_error(c, pe, 0, NULL);
		return;
	}
	make_pool_key(c);
	c->sout.max = HEAD_BUF_MAX;
	if (c->is_connect) {
		body_init(&c->reqbody, BODY_EOF, 0, false);
		c->persistent = false;
	} else {
		if (http_write_request(&c->sout, m, &u, via) < 0) {
			send_error(c, PERR_TOO_BIG, 0, NULL);
			return;
		}
		if (m->chunked)
			body_init(&c->reqbody, BODY_CHUNKED, 0, false);
		else
			body_init(&c->reqbody, BODY_LENGTH,
				  m->has_length ? m->length : 0, false);
		c->can_retry = c->reqbody.done && http_method_idempotent(m);
		if (c->can_retry) {
			c->reqcopy.max = HEAD_BUF_MAX;
			if (buf_append(&c->reqcopy, buf_head(&c->sout),
				       c->sout.len) < 0)
				c->can_retry = false;
		}
	}
	buf_consume(&c->cin, m->head_len);
	begin_connect(c, true);
}

/* head_arrived() - Has cin a whole request head (up to its empty line),
 * or as much as a head may be?  Searches only the bytes that came since
 * the last look, so a client sending its head a byte at a time costs
 * O(n), not a parse per byte; empty lines before the request line are
 * dropped first (RFC 9112 2.2), so they cannot pose as a head's end. */
static bool head_arrived(struct client *c)
{
	size_t lead = http_skip_empty_lines(buf_head(&c->cin), c->cin.len);

	if (lead) {
		buf_consume(&c->cin, lead);
		c->head_seen = 0;
	}
	if (c->cin.len >= PX_MAX_HEAD ||                /* the parser says 431 */
	    http_find_head_end(buf_head(&c->cin), c->cin.len,
			       c->head_seen > 2 ? c->head_seen - 2 : 0))
		return true;
	c->head_seen = c->cin.len;
	return false;
}

/* read_head() - In CS_READ_HEAD: parse what we have.
 * Return: true if anything changed */
static bool read_head(struct client *c)
{
	struct http_msg *m;
	enum hp_error err;
	enum hp_result r;

	if (!c->cin.len || !head_arrived(c)) {
		if (c->cin_eof) {
			close_client(c);
			return true;
		}
		return false;
	}
	if (!(m = malloc(sizeof(*m)))) {
		close_client(c);
		return true;
	}
	r = http_parse_request(buf_head(&c->cin), c->cin.len, m, &err);
	if (r == HP_OK) {
		start_request(c, m);
	} else if (r == HP_ERROR) {
		c->t_start = loop_now();
		send_error(c, perr_from_parse(err), 0, http_error_text(err));
	} else if (c->cin_eof) {
		close_client(c);
	} else {
		free(m);
		return false;
	}
	free(m);
	return true;
}

/* no_outgoing_detail() - Explain which families the destination had and
 * which ones have an outgoing address */
static void no_outgoing_detail(const struct client *c, char *d, size_t n)
{
	snprintf(d, n, "tcp_outgoing_address allows %s; %s",
		 c->out.usable[0] && c->out.usable[1] ? "IPv6 and IPv4"
		 : c->out.usable[0] ? "IPv6 only"
		 : c->out.usable[1] ? "IPv4 only" : "no family",
		 c->host_family ? "the destination is an address of the other "
				  "family"
				: "the name has addresses of the other family "
				  "only");
}

/* on_connected() - Connector result */
static void on_connected(void *arg, int fd, const struct he_plan *pl)
{
	struct client *c = arg;
	char detail[256];
	enum perr e;

	connector_free(c->conn);
	c->conn = NULL;
	if (fd < 0) {
		e = perr_from_outcome(pl->outcome);
		detail[0] = '\0';
		if (e == PERR_NO_OUTGOING)
			no_outgoing_detail(c, detail, sizeof(detail));
		else if (pl->ntried)
			snprintf(detail, sizeof(detail), "%d attempt(s), last "
				 "error: %s", pl->ntried,
				 strerror(pl->last_err));
		else
			snprintf(detail, sizeof(detail), "%s", c->host);
		send_error(c, e, pl->ntried ? pl->last_err : 0, detail);
		pump(c);
		return;
	}
	memcpy(&c->speer, &pl->d[pl->winner].sa, pl->d[pl->winner].salen);
	c->speerlen = pl->d[pl->winner].salen;
	c->sfd = fd;
	if (loop_watch(&c->sw, fd, EPOLLIN | EPOLLOUT, server_event) < 0) {
		send_error(c, PERR_CONNECT_FAIL, errno, NULL);
		pump(c);
		return;
	}
	c->s_rd = true;
	if (c->is_connect) {
		c->cout.max = HEAD_BUF_MAX;
		buf_printf(&c->cout, "HTTP/1.1 200 Connection established\r\n\r\n");
		c->resp_head_done = true;
		c->status = 200;
		body_init(&c->respbody, BODY_EOF, 0, false);
		c->state = CS_TUNNEL;
	} else {
		c->state = CS_FORWARD;
	}
	pump(c);
}

/* begin_connect() - Get a server connection: a parked one for the same
 * key if @use_pool, else start the connector */
static void begin_connect(struct client *c, bool use_pool)
{
	struct connector_req r = {
		.host = c->host,
		.literal_family = c->host_family,
		.port = c->port,
		.out = &c->out,
		.params = &params,
		.budget = &budget,
		.forward_deadline = loop_now() + cfg->forward_timeout_ms,
		.dns_timeout_ms = cfg->dns_timeout_ms,
	};
	int fd;

	if (use_pool && !c->is_connect &&
	    (fd = pool_get(c->pool_key, &c->speer, &c->speerlen)) >= 0) {
		c->sfd = fd;
		c->reused = true;
		if (loop_watch(&c->sw, fd, EPOLLIN | EPOLLOUT, server_event) == 0) {
			c->s_rd = true;
			c->state = CS_FORWARD;
			return;
		}
		close(fd);
		c->sfd = -1;
		c->reused = false;
	}
	c->reused = false;
	c->state = CS_CONNECTING;
	c->conn = connector_start(&r, on_connected, c);
	if (!c->conn)
		send_error(c, PERR_CONNECT_FAIL, ENOMEM, NULL);
}

/* step_state() - One round of the state machine.
 * Return: true if anything changed */
static bool step_state(struct client *c)
{
	bool p = false;

	switch (c->state) {
	case CS_READ_HEAD:
		return read_head(c);
	case CS_CONNECTING:
		p = relay_request(c);
		if (!c->dead && c->state == CS_CONNECTING && c->cin_eof &&
		    (!c->reqbody.done || c->is_connect) && !c->cin.len) {
			abort_client(c);
			return true;
		}
		return p;
	case CS_FORWARD:
		p |= relay_request(c);
		if (c->dead || c->state != CS_FORWARD)
			return true;
		if (c->cin_eof && !c->reqbody.done && !c->cin.len) {
			abort_client(c);        /* the body ended short */
			return true;
		}
		p |= io_server(c);
		if (c->dead || c->state != CS_FORWARD)
			return true;
		p |= relay_response(c);
		if (c->dead || c->state != CS_FORWARD)
			return true;
		if (c->resp_head_done && c->respbody.done && !c->cout.len) {
			finish_txn(c);
			return true;
		}
		return p;
	case CS_TUNNEL:
		p |= relay_request(c);
		/* the client's half-close ends its direction once all it
		 * sent has gone on (the server may be slower) */
		if (c->cin_eof && !c->reqbody.done && !c->cin.len)
			c->reqbody.done = true;
		p |= io_server(c);
		if (c->dead)
			return true;
		p |= relay_response(c);
		if (c->dead)
			return true;
		return step_tunnel(c) || p;
	case CS_REPLY:
		if (!c->cout.len) {
			start_linger(c);
			return true;
		}
		return false;
	case CS_LINGER:
		if (c->cin_eof) {
			close_client(c);
			return true;
		}
		return false;
	}
	return false;
}

/* update_interest() - Event masks from what each side may do next */
static void update_interest(struct client *c)
{
	uint32_t ce = 0, se = 0;

	if (want_client_bytes(c) && !c->cin_eof)
		ce |= EPOLLIN;
	else if (c->state == CS_CONNECTING || c->state == CS_FORWARD ||
		 c->state == CS_REPLY)
		ce |= EPOLLRDHUP;	/* notice a client that went away */
	if (c->cout.len)
		ce |= EPOLLOUT;
	loop_modify(&c->cw, ce);
	if (c->sfd >= 0 && c->sw.fd >= 0) {
		if (want_server_bytes(c))
			se |= EPOLLIN;
		if (c->sout.len)
			se |= EPOLLOUT;
		loop_modify(&c->sw, se);
	}
}

/* arm_timer() - The client's single timer, per state (see docs) */
static void arm_timer(struct client *c)
{
	uint64_t when = 0;

	switch (c->state) {
	case CS_READ_HEAD:
		if (!c->cin.len && c->ntxn)
			when = c->last_io + cfg->client_idle_ms;
		else
			when = c->head_start + cfg->request_timeout_ms;
		break;
	case CS_CONNECTING:
		timer_stop(&c->t);
		return;
	case CS_FORWARD:
	case CS_TUNNEL:
	case CS_REPLY:
		when = c->last_io + cfg->read_timeout_ms;
		break;
	case CS_LINGER:
		when = c->linger_until;
		break;
	}
	if (!timer_armed(&c->t) || c->t.when != when)
		timer_arm(&c->t, when);
}

/* client_timeout() - The state's deadline passed */
static void client_timeout(struct timer *t)
{
	struct client *c = container_of(t, struct client, t);

	switch (c->state) {
	case CS_READ_HEAD:
		if (c->cin.len) {
			c->t_start = c->head_start;
			send_error(c, PERR_REQUEST_TIMEOUT, 0, NULL);
			pump(c);
		} else {
			close_client(c);
		}
		return;
	case CS_FORWARD:
		if (!c->resp_head_done) {
			send_error(c, PERR_READ_TIMEOUT, ETIMEDOUT, NULL);
			pump(c);
			return;
		}
		/* fall through */
	default:
		abort_client(c);
	}
}

/* pump() - Make all the progress possible now, then set interests and
 * the timer.  Every event ends up here. */
static void pump(struct client *c)
{
	bool progress = true;
	int rounds = 0;

	while (progress && !c->dead && rounds++ < 1000) {
		progress = read_client(c);
		if (c->dead)
			return;
		progress |= step_state(c);
		if (c->dead)
			return;
		progress |= write_client(c);
		if (c->dead)
			return;
	}
	update_interest(c);
	arm_timer(c);
}

/* client_event() - Readiness on the client socket.  EPOLLRDHUP is only
 * asked for while the client is not being read (see update_interest()) */
static void client_event(struct watcher *w, uint32_t ev)
{
	struct client *c = container_of(w, struct client, cw);

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		c->c_rd = true;
	/* Gone (or half-closed, which Squid treats as gone by default) while
	 * we are not reading it: nobody will take the response */
	if ((ev & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) && !want_client_bytes(c) &&
	    c->state != CS_LINGER && c->state != CS_READ_HEAD &&
	    c->state != CS_TUNNEL) {
		abort_client(c);
		return;
	}
	pump(c);
}

/* server_event() - Readiness on the server socket.  A hang-up while we
 * do not want to read stops watching it (data stays readable later). */
static void server_event(struct watcher *w, uint32_t ev)
{
	struct client *c = container_of(w, struct client, sw);

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		c->s_rd = true;
	if ((ev & (EPOLLHUP | EPOLLERR)) && !want_server_bytes(c) &&
	    !c->sout.len)
		loop_unwatch(&c->sw);
	pump(c);
}

/* client_accept() - Take a new client connection (fd non-blocking) */
void client_accept(int fd, const struct sockaddr *peer, socklen_t len)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct client *c;

	if (nclients >= cfg->max_connections ||
	    !(c = calloc(1, sizeof(*c)))) {
		plog(1, "refusing a client: %u connections", nclients);
		ssize_t w = write(fd, busy, sizeof(busy) - 1);

		(void)w;
		close(fd);
		return;
	}
	nclients++;
	watcher_init(&c->cw);
	watcher_init(&c->sw);
	c->cfd = fd;
	c->sfd = -1;
	if (len > sizeof(c->peer))
		len = sizeof(c->peer);
	memcpy(&c->peer, peer, len);
	c->peerlen = len;
	buf_init(&c->cin, PX_MAX_HEAD);
	buf_init(&c->cout, HEAD_BUF_MAX);
	buf_init(&c->sin, PX_MAX_HEAD);
	buf_init(&c->sout, HEAD_BUF_MAX);
	buf_init(&c->reqcopy, HEAD_BUF_MAX);
	timer_init(&c->t, client_timeout);
	c->last_io = loop_now();
	reset_txn(c);
	if (loop_watch(&c->cw, fd, EPOLLIN, client_event) < 0) {
		nclients--;
		close(fd);
		free(c);
		return;
	}
	arm_timer(c);
}

/* client_shutdown() - Drop parked server connections (clients are left to
 * the process exit) */
void client_shutdown(void)
{
	pool_clear();
}
