/* proto.c - control protocol checks shared by lwipd and the shim
 *
 * Both sides validate every header before reading a body: the version,
 * the op, and a body length that must equal the op's fixed body size.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proto.h"

#define NAME_PREFIX "lwipd."

/* proto_fd_attach() - pass @fd (SCM_RIGHTS) with the message @m, its
 * control data in @buf; nothing if @fd < 0.  @buf must live until the
 * message is sent.
 */
void proto_fd_attach(struct msghdr *m, union proto_fdbuf *buf, int fd)
{
	struct cmsghdr *cm;

	if (fd < 0)
		return;
	memset(buf, 0, sizeof(*buf));
	m->msg_control = buf->b;
	m->msg_controllen = sizeof(buf->b);
	cm = CMSG_FIRSTHDR(m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

/* proto_body_size() - the exact body size of @op's request or reply */
size_t proto_body_size(enum proto_op op, bool reply)
{
	switch (op) {
	case OP_CREATE:
		return reply ? sizeof(struct proto_sockinfo) : sizeof(struct proto_create);
	case OP_BIND:
	case OP_CONNECT:
		return reply ? 0 : sizeof(struct proto_addr_req);
	case OP_LISTEN:
		return reply ? sizeof(struct proto_sockinfo) : sizeof(struct proto_listen);
	case OP_GETSOCKNAME:
	case OP_GETPEERNAME:
		return reply ? sizeof(struct proto_addr) : sizeof(struct proto_id);
	case OP_SETSOCKOPT:
		return reply ? 0 : sizeof(struct proto_sockopt);
	case OP_GETSOCKOPT:
		return reply ? sizeof(struct proto_optval) : sizeof(struct proto_sockopt);
	case OP_IFINFO:
		return reply ? sizeof(struct proto_ifinfo) : sizeof(struct proto_ifinfo_req);
	case OP_MAX:
		break;
	}
	return 0;
}

/* proto_check_hdr() - 0 if @h is a well-formed header; -EPROTO otherwise.
 * A reply carrying an error has no body.
 */
int proto_check_hdr(const struct proto_hdr *h, bool reply)
{
	if (h->version != PROTO_VERSION)
		return -EPROTO;
	if (h->op == 0 || h->op >= OP_MAX)
		return -EPROTO;
	if (reply && h->err != 0)
		return h->len == 0 ? 0 : -EPROTO;
	if (!reply && h->err != 0)
		return -EPROTO;
	if (h->len > PROTO_MAX_BODY ||
	    h->len != proto_body_size((enum proto_op)h->op, reply))
		return -EPROTO;
	return 0;
}

/* proto_name_format() - the abstract name for @n into @buf (no leading
 * NUL); returns its length or -1 if it does not fit
 */
int proto_name_format(const struct proto_name *n, char *buf, size_t len)
{
	int k = snprintf(buf, len, NAME_PREFIX "%016" PRIx64 ".%" PRIu64 ".%c%c",
			 n->instance, n->id, n->family == AF_INET6 ? '6' : '4',
			 n->type == SOCK_DGRAM ? 'u' : 't');

	return (k < 0 || (size_t)k >= len) ? -1 : k;
}

/* proto_name_parse() - parse an abstract name of @len bytes (no leading
 * NUL, not NUL-terminated); 0 if it is one of ours, -1 otherwise
 */
int proto_name_parse(const char *buf, size_t len, struct proto_name *n)
{
	char s[PROTO_NAME_MAX + 1], fam, type, tail;
	uint64_t inst, id;

	if (len < sizeof(NAME_PREFIX) - 1 || len > PROTO_NAME_MAX ||
	    memcmp(buf, NAME_PREFIX, sizeof(NAME_PREFIX) - 1))
		return -1;
	memcpy(s, buf, len);
	s[len] = '\0';
	if (sscanf(s + sizeof(NAME_PREFIX) - 1, "%16" SCNx64 ".%" SCNu64 ".%c%c%c",
		   &inst, &id, &fam, &type, &tail) != 4)
		return -1;
	if ((fam != '4' && fam != '6') || (type != 't' && type != 'u'))
		return -1;
	n->instance = inst;
	n->id = id;
	n->family = fam == '6' ? AF_INET6 : AF_INET;
	n->type = type == 'u' ? SOCK_DGRAM : SOCK_STREAM;
	return 0;
}
