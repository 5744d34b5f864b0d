/* fuzz_control.c - the control protocol as lwipd serves it
 *
 * The input is what one program's shim sends on a control connection
 * (common/proto.h): the first byte picks the endpoint (bit 0: `26`, the
 * AF_INET6 one, else `2`), the rest are requests, served by the daemon's
 * own code (service.c: reading, proto_check_hdr(), dispatch to the socket
 * operations over lwIP).  The stack has one interface with IPv4 and IPv6
 * addresses and lwIP's loopback, so BIND, LISTEN and CONNECT to the
 * daemon's own addresses make real connections.
 *
 * So that an input means the same thing on every run, a socket id below
 * ID_RELATIVE in a request is taken as relative to the first socket this
 * input creates (ids are otherwise drawn at random by the daemon), and a
 * CONNECT or CONNECT_NOWAIT carries an fd, as the shim's does.  After the requests, the
 * harness hangs up and lets the loop run, which closes what was made.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "service.h"
#include "sock.h"
#include "stack.h"

#define CONTROL_OPTIONS "-i fz0 --mac 02:00:00:00:00:01 -a 10.0.0.2/24 " \
	"-g 10.0.0.1 -A fd00:1::10/64"
#define ID_RELATIVE 64
#define INPUT_MAX   65536
#define SETTLE_MS   3000        /* past the daemon's 2 s listener sweep */

/* send_msg() - send @len bytes of one request on @fd, with a fresh fd
 * attached if @with_fd
 */
static void send_msg(int fd, const uint8_t *p, size_t len, int with_fd)
{
	struct iovec iov = { (void *)p, len };
	union proto_fdbuf u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int pair[2] = { -1, -1 };

	if (with_fd && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0)
		proto_fd_attach(&mh, &u, pair[1]);
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		abort();        /* the harness's own socket: cannot fail */
	if (pair[0] >= 0) {
		close(pair[0]);
		close(pair[1]);
	}
}

/* send_requests() - send @len bytes as requests, fixing up relative ids */
static void send_requests(int fd, uint8_t *p, size_t len, uint64_t base)
{
	while (len) {
		struct proto_hdr h;
		size_t n = len;
		int with_fd = 0;

		if (len >= sizeof(h)) {
			memcpy(&h, p, sizeof(h));
			if (h.len <= PROTO_MAX_BODY && sizeof(h) + h.len <= len)
				n = sizeof(h) + h.len;
			if (n > sizeof(h) + sizeof(uint64_t) && h.op != OP_CREATE) {
				uint64_t id;

				memcpy(&id, p + sizeof(h), sizeof(id));
				if (id < ID_RELATIVE)
					id += base;
				memcpy(p + sizeof(h), &id, sizeof(id));
			}
			with_fd = h.op == OP_CONNECT || h.op == OP_CONNECT_NOWAIT;
		}
		send_msg(fd, p, n, with_fd);
		p += n;
		len -= n;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_stack_init(CONTROL_OPTIONS);
	sock_init();
	fuzz_stack_run(2000, FUZZ_TICK_MS);    /* DAD done */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[INPUT_MAX];
	struct client *c;
	int pair[2];

	if (size < 1 || size > INPUT_MAX)
		return 0;
	memcpy(buf, data, size);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		abort();
	send_requests(pair[1], buf + 1, size - 1, sock_next_id());
	shutdown(pair[1], SHUT_WR);
	if (fcntl(pair[0], F_SETFL, O_NONBLOCK) < 0)
		abort();
	c = service_client_add(pair[0], data[0] & 1 ? AF_INET6 : AF_INET, getpid(), getuid());
	if (!c)
		abort();
	service_client_input(c);        /* serves, then frees c at EOF */
	fuzz_stack_run(100, FUZZ_TICK_MS);
	close(pair[1]);                 /* the program exits: its fds close */
	fuzz_stack_run(SETTLE_MS, FUZZ_TICK_MS);
	return 0;
}
