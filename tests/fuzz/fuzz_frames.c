/* fuzz_frames.c - Ethernet frames into lwipd's links and lwIP
 *
 * Two interfaces, as lwipd makes them from its options (FRAMES_OPTIONS):
 * fz0 with static IPv4 and IPv6 addresses, SLAAC, and a stateless DHCPv6
 * client asking for information; fz1 with a DHCPv4 client that has sent
 * its DISCOVER.  A TCP listener (port LISTEN_PORT, both families) echoes
 * what it receives; a UDP socket (port UDP_PORT) echoes datagrams.
 *
 * An input is a list of records: one flags byte (bit 0: the interface;
 * bits 1-7: tenths of a second to let pass after the frame), a 16-bit
 * big-endian length, then that many bytes of frame (fewer if the input
 * ends).  Each frame is written to the interface's TAP and read by the
 * daemon's own TAP reader.  Checksums are not checked (LWIPD_FUZZ, see
 * daemon/lwipopts.h), and replies to the DHCP clients get the transaction
 * id the client is waiting for, so frames reach the parsers.
 *
 * Every input starts from the same state: the interfaces are taken down
 * and brought up again, DAD is skipped, and at the end every TCP
 * connection is aborted and 61 s pass, so fragments waiting for
 * reassembly are dropped.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lwip/dhcp.h"
#include "lwip/dhcp6.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "iface.h"
#include "stack.h"

#define FRAMES_OPTIONS "-i fz0 --mac 02:00:00:00:00:01 -a 10.0.0.2/24 -g 10.0.0.1 " \
	"-A fd00:1::10/64 -A fd00:1::2/64 -i fz1 --mac 02:00:00:00:00:02 --dhcp"
#define LISTEN_PORT 8000        /* shim_http_server's, as in the seeds */
#define UDP_PORT    7
#define FRAME_MAX   65535
#define ECHO_MAX    2048        /* bytes echoed per received segment */
#define REASS_FLUSH_MS 61000    /* > IPv4's 15 s and IPv6's 60 s reassembly
				 * timeouts: nothing carries over to the next
				 * input (LeakSanitizer cannot see the pbufs
				 * lwIP chains through unaligned pointers) */

/* echo_recv() - an accepted connection got data (or FIN): echo some back */
static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	uint8_t b[ECHO_MAX];
	u16_t n;

	if (!p) {
		tcp_close(pcb);
		return ERR_OK;
	}
	n = pbuf_copy_partial(p, b, sizeof(b) < p->tot_len ? sizeof(b) : p->tot_len, 0);
	if (n && n <= tcp_sndbuf(pcb))
		tcp_write(pcb, b, n, TCP_WRITE_FLAG_COPY);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

/* echo_accept() - the listener accepted a connection */
static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	tcp_recv(pcb, echo_recv);
	return ERR_OK;
}

/* udp_echo() - a datagram for the UDP socket: send it back */
static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		     const ip_addr_t *addr, u16_t port)
{
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

/* sockets() - the listener and the UDP socket, once */
static void sockets(void)
{
	struct tcp_pcb *t = tcp_new_ip_type(IPADDR_TYPE_ANY);
	struct udp_pcb *u = udp_new_ip_type(IPADDR_TYPE_ANY);

	if (!t || !u || tcp_bind(t, IP_ANY_TYPE, LISTEN_PORT) != ERR_OK ||
	    udp_bind(u, IP_ANY_TYPE, UDP_PORT) != ERR_OK)
		abort();
	t = tcp_listen_with_backlog(t, 4);
	if (!t)
		abort();
	tcp_accept(t, echo_accept);
	udp_recv(u, udp_echo, NULL);
}

/* netif_k() - the netif of interface @k */
static struct netif *netif_k(int k)
{
	struct iface *i = iface_first();

	for (; i && k > 0; k--)
		i = iface_next(i);
	return i ? &i->link.netif : NULL;
}

/* fresh_interfaces() - bring the interfaces up again, addresses valid,
 * fz0's DHCPv6 client asking (as after an RA with O set)
 */
static void fresh_interfaces(void)
{
	struct netif *nif;

	fuzz_stack_reset();
	for (int k = 0; (nif = netif_k(k)); k++)
		for (int a = 0; a < LWIP_IPV6_NUM_ADDRESSES; a++)
			if (ip6_addr_istentative(netif_ip6_addr_state(nif, a)))
				netif_ip6_addr_set_state(nif, a, IP6_ADDR_PREFERRED);
	dhcp6_nd6_ra_trigger(netif_k(0), 0, 1);
	fuzz_stack_run(0, FUZZ_TICK_MS);
}

/* patch_xid() - give a DHCP or DHCPv6 reply in @f the transaction id
 * the client on @nif waits for (plain IPv4/IPv6 + UDP only)
 */
static void patch_xid(uint8_t *f, size_t len, struct netif *nif)
{
	struct dhcp *d4 = netif_dhcp_data(nif);
	struct dhcp6 *d6 = netif_dhcp6_data(nif);
	size_t ihl, udp;

	if (len < 14 + 20)
		return;
	if (f[12] == 0x08 && f[13] == 0x00 && f[23] == 17 && d4) {
		ihl = (size_t)(f[14] & 0x0f) * 4;
		udp = 14 + ihl;
		if (len >= udp + 8 + 8 && f[udp + 2] == 0 && f[udp + 3] == 68) {
			uint32_t x = htonl(d4->xid);

			memcpy(f + udp + 8 + 4, &x, 4);
		}
	} else if (f[12] == 0x86 && f[13] == 0xdd && len >= 14 + 40 + 8 + 4 &&
		   f[14 + 6] == 17 && d6) {
		udp = 14 + 40;
		if (f[udp + 2] == 2 && f[udp + 3] == 0x22) {    /* port 546 */
			f[udp + 8 + 1] = (uint8_t)(d6->xid >> 16);
			f[udp + 8 + 2] = (uint8_t)(d6->xid >> 8);
			f[udp + 8 + 3] = (uint8_t)d6->xid;
		}
	}
}

/* abort_connections() - end every TCP connection but the listener */
static void abort_connections(void)
{
	while (tcp_active_pcbs)
		tcp_abort(tcp_active_pcbs);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_stack_init(FRAMES_OPTIONS);
	sockets();
	fuzz_stack_run(2000, FUZZ_TICK_MS);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[FRAME_MAX];
	size_t off = 0;

	fresh_interfaces();
	while (size - off >= 3) {
		int k = data[off] & 1;
		uint32_t ms = (uint32_t)(data[off] >> 1) * 100;
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];

		off += 3;
		if (len > size - off)
			len = size - off;
		memcpy(frame, data + off, len);
		off += len;
		patch_xid(frame, len, netif_k(k));
		send(fuzz_stack_tap(k), frame, len, MSG_DONTWAIT);
		fuzz_stack_run(ms, FUZZ_TICK_MS);
	}
	abort_connections();
	fuzz_stack_run(REASS_FLUSH_MS, 1000);   /* unfinished reassemblies expire */
	return 0;
}
