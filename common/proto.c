/* proto.c - control protocol checks shared by lwipd and the shim
 *
 * Both sides validate every header before reading a body: the version,
 * the op, and a body length that must equal the op's fixed body size.
 */
#include <arpa/inet.h>
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
	case OP_CONNECT_NOWAIT:
		return reply ? 0 : sizeof(struct proto_connect);
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

static const char hexdig[] = "0123456789abcdef";

/* peer_format() - append ".pF.ADDR.PORT.SCOPE" for peer @a (hex, port in
 * host order) to @buf (@len bytes of room); the length added, or -1
 */
static int peer_format(const struct proto_addr *a, char *buf, size_t len)
{
	size_t alen = a->family == 6 ? 16 : 4, k;
	int m = snprintf(buf, len, ".p%u.", a->family);

	if (m < 0 || (size_t)m >= len)
		return -1;
	k = (size_t)m;
	if (k + 2 * alen >= len)
		return -1;
	for (size_t i = 0; i < alen; i++) {
		buf[k++] = hexdig[a->addr[i] >> 4];
		buf[k++] = hexdig[a->addr[i] & 15];
	}
	m = snprintf(buf + k, len - k, ".%x.%" PRIx32, ntohs(a->port), a->scope);
	if (m < 0 || (size_t)m >= len - k)
		return -1;
	return (int)(k + (size_t)m);
}

/* peer_parse() - the ".pF.ADDR.PORT.SCOPE" part of a name, all of @s;
 * 0 and @a filled, or -1
 */
static int peer_parse(const char *s, struct proto_addr *a)
{
	char hex[33], tail;
	unsigned fam, port;
	uint32_t scope;
	size_t alen;

	if (strncmp(s, ".p", 2) || strspn(s + 2, "0123456789abcdef.") != strlen(s + 2) ||
	    sscanf(s, ".p%1u.%32[0-9a-f].%x.%" SCNx32 "%c", &fam, hex, &port, &scope, &tail) != 4)
		return -1;
	alen = fam == 6 ? 16 : fam == 4 ? 4 : 0;
	if (!alen || strlen(hex) != 2 * alen || port > 0xffff)
		return -1;
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < alen; i++)       /* hex digits only: %32[0-9a-f] */
		a->addr[i] = (uint8_t)((strchr(hexdig, hex[2 * i]) - hexdig) << 4 |
				       (strchr(hexdig, hex[2 * i + 1]) - hexdig));
	a->family = (uint8_t)fam;
	a->port = htons((uint16_t)port);
	a->scope = scope;
	return 0;
}

/* proto_name_format() - the abstract name for @n into @buf (no leading
 * NUL), with its peer's address if n->peer has one; returns its length
 * or -1 if it does not fit
 */
int proto_name_format(const struct proto_name *n, char *buf, size_t len)
{
	int k = snprintf(buf, len, NAME_PREFIX "%016" PRIx64 ".%" PRIu64 ".%c%c",
			 n->instance, n->id, n->family == AF_INET6 ? '6' : '4',
			 n->type == SOCK_DGRAM ? 'u' : 't');
	int m;

	if (k < 0 || (size_t)k >= len)
		return -1;
	if (!n->peer.family)
		return k;
	m = peer_format(&n->peer, buf + k, len - (size_t)k);
	return m < 0 ? -1 : k + m;
}

/* proto_name_parse() - parse an abstract name of @len bytes (no leading
 * NUL, not NUL-terminated); 0 if it is one of ours, -1 otherwise
 */
int proto_name_parse(const char *buf, size_t len, struct proto_name *n)
{
	char s[PROTO_ANAME_MAX + 1], fam, type;
	uint64_t inst, id;
	int end = 0;

	if (len < sizeof(NAME_PREFIX) - 1 || len > PROTO_ANAME_MAX ||
	    memcmp(buf, NAME_PREFIX, sizeof(NAME_PREFIX) - 1))
		return -1;
	memcpy(s, buf, len);
	s[len] = '\0';
	if (sscanf(s + sizeof(NAME_PREFIX) - 1, "%16" SCNx64 ".%" SCNu64 ".%c%c%n",
		   &inst, &id, &fam, &type, &end) != 4 || !end)
		return -1;
	if ((fam != '4' && fam != '6') || (type != 't' && type != 'u'))
		return -1;
	memset(&n->peer, 0, sizeof(n->peer));
	if (s[sizeof(NAME_PREFIX) - 1 + (size_t)end] &&
	    peer_parse(s + sizeof(NAME_PREFIX) - 1 + end, &n->peer))
		return -1;
	n->instance = inst;
	n->id = id;
	n->family = fam == '6' ? AF_INET6 : AF_INET;
	n->type = type == 'u' ? SOCK_DGRAM : SOCK_STREAM;
	return 0;
}
