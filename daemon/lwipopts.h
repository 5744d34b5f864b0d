/* lwipopts.h - lwIP 2.2.1 configuration for lwipd
 *
 * One thread owns the stack (NO_SYS=1, raw API only).  Every option that
 * differs from lwIP's default says why on its line.  Frames come from an
 * untrusted wire: limits on out-of-order data and listen backlogs matter.
 */
#ifndef LWIPD_LWIPOPTS_H
#define LWIPD_LWIPOPTS_H

/* ---- System ---------------------------------------------------------- */
#define NO_SYS                     1  /* one thread, our own epoll loop */
#define SYS_LIGHTWEIGHT_PROT       0  /* no other thread touches the stack */
#define LWIP_SOCKET                0  /* raw API: sockets live in the daemon */
#define LWIP_NETCONN               0  /* same */
#define LWIP_TIMERS                1  /* sys_check_timeouts() from the loop */
#define LWIP_NETIF_API             0  /* no tcpip thread to call through */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1 /* htons() etc. come from the C library */

/* ---- Memory ---------------------------------------------------------- */
#define MEM_LIBC_MALLOC            1  /* heap from malloc: no fixed arena to size */
#define MEMP_MEM_MALLOC            1  /* pools from malloc: 10k+ pcbs without a static cap */
#define MEM_ALIGNMENT              8  /* 64-bit hosts */
#define PBUF_POOL_SIZE            64  /* only a fallback: the link allocates PBUF_RAM */
#define PBUF_POOL_BUFSIZE       1536
#define MEMP_NUM_TCP_PCB        4096  /* not a cap with MEMP_MEM_MALLOC; stats sizing */
#define MEMP_NUM_UDP_PCB        1024
#define MEMP_NUM_TCP_PCB_LISTEN  256
#define MEMP_NUM_SYS_TIMEOUT      64  /* lwIP's own timers plus ours */

/* ---- Link layer ------------------------------------------------------ */
#define LWIP_ARP                   1
#define LWIP_ETHERNET              1
#define ARP_TABLE_SIZE            64  /* a lab segment can hold more than 10 hosts */
#define ARP_QUEUEING               1  /* queue the first packets while ARP resolves */
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_NETIF_HOSTNAME        1  /* DHCP option 12 */
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1 /* log address, DAD and link changes once */
#define LWIP_NETIF_LOOPBACK        1  /* packets to our own addresses */
#define LWIP_HAVE_LOOPIF           1  /* 127.0.0.1 and ::1 inside the stack */
#define LWIP_LOOPBACK_MAX_PBUFS   256 /* bound the loopback queue */
#define LWIP_SINGLE_NETIF          0  /* one netif per -i, plus loopback */
#define LWIP_NUM_NETIF_CLIENT_DATA 1  /* our per-link state hangs off the netif */

/* ---- IPv4 ------------------------------------------------------------ */
#define LWIP_IPV4                  1
#define IP_REASSEMBLY              1
#define IP_FRAG                    1
#define IP_REASS_MAX_PBUFS       128  /* bound reassembly memory (untrusted wire) */
#define LWIP_ICMP                  1
#define LWIP_BROADCAST_PING        0  /* do not answer pings to broadcast */
#define LWIP_IGMP                  1  /* IP_ADD_MEMBERSHIP and the MAC filter */
#define MEMP_NUM_IGMP_GROUP       64  /* all-systems plus programs' joins */
#define LWIP_DHCP                  1  /* --dhcp */
#define LWIP_DHCP_DOES_ACD_CHECK   1  /* probe the offered address before use */
#define LWIP_DHCP_GET_NTP_SRV      0
#define LWIP_DHCP_MAX_DNS_SERVERS  DNS_MAX_SERVERS

/* ---- IPv6 ------------------------------------------------------------ */
#define LWIP_IPV6                  1
#define LWIP_IPV6_NUM_ADDRESSES   16  /* link-local, SLAAC and temporaries per prefix, manual ones */
#define LWIP_IPV6_AUTOCONFIG       1  /* compiled in but off per netif: slaac.c forms addresses */
#define LWIP_IPV6_ADDRESS_LIFETIMES 1 /* honour valid/preferred lifetimes */
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1 /* DAD stays on, as in the seed */
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1 /* ask for an RA at start */
#define LWIP_IPV6_MLD              1  /* reports for solicited-node groups */
#define MEMP_NUM_MLD6_GROUP       64  /* >= addresses (solicited-node) + programs' joins */
#define LWIP_IPV6_FRAG             1
#define LWIP_IPV6_REASS            1
#define IPV6_FRAG_COPYHEADER       1  /* required on 64-bit: pointers do not fit the header */
#define LWIP_ND6_NUM_NEIGHBORS    64
#define LWIP_ND6_NUM_DESTINATIONS 64
#define LWIP_ND6_NUM_PREFIXES      8
#define LWIP_ND6_NUM_ROUTERS       4
#define LWIP_ND6_QUEUEING          1
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS 2 /* DNS servers from the RA */
#define LWIP_IPV6_DHCP6            1  /* nd6.c calls dhcp6_nd6_ra_trigger() on each RA ... */
#define LWIP_IPV6_DHCP6_STATELESS  0  /* ... which daemon/dhcp6c.c provides: lwIP's */
#define LWIP_IPV6_DHCP6_STATEFUL   0  /* dhcp6.c is not built (tools/lwip.mk) */
#define LWIP_DHCP6_GET_NTP_SRV     0

/* ---- UDP and DNS ----------------------------------------------------- */
#define LWIP_UDP                   1
#define LWIP_UDPLITE               0
#define LWIP_RAW                   1  /* ICMP sockets later; cheap */
#define LWIP_DNS                   1  /* only as the store of learned servers */
#define DNS_MAX_SERVERS            4  /* DHCPv4, RDNSS, DHCPv6 all write here */
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0

/* ---- TCP ------------------------------------------------------------- */
#define LWIP_TCP                   1
#define TCP_MSS                16000  /* lwIP caps MSS below 16382; the MTU still bounds it */
#define TCP_CALCULATE_EFF_SEND_MSS 1  /* advertise and send by the netif MTU */
#define LWIP_WND_SCALE             1  /* windows beyond 64 KiB */
#define TCP_RCV_SCALE              4  /* 65535 << 4 covers TCP_WND */
#define TCP_WND          (512 * 1024) /* fills a fast local path; only used as the app drains */
#define TCP_SND_BUF      (512 * 1024) /* what lwIP may hold unacked per connection */
#define TCP_SND_QUEUELEN        4096  /* SND_BUF in 1460-byte segments, with room */
#define TCP_SNDLOWAT            1024  /* read only by lwIP's sockets layer; must satisfy init.c */
#define TCP_SNDQUEUELOWAT        256
#define TCP_OOSEQ_MAX_BYTES   TCP_WND  /* bound out-of-order memory per pcb (untrusted wire) by
                                      * the window: below it, a loss early in a full window
                                      * makes lwIP drop data it SACKed, and Linux senders then
                                      * stall for seconds in backed-off RTOs (docs/reliability.md) */
#define TCP_OOSEQ_MAX_PBUFS     1024  /* a full window even of 536-byte segments */
#define TCP_QUEUE_OOSEQ            1
#define LWIP_TCP_SACK_OUT          1  /* tell the peer what arrived out of order */
#define LWIP_TCP_MAX_SACK_NUM      4
#define TCP_LISTEN_BACKLOG         1  /* honour listen(fd, backlog) */
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE         1  /* SO_KEEPALIVE with per-pcb idle/intvl/cnt */
#define TCP_TMR_INTERVAL          25  /* RTO counted in 50 ms ticks, not 500 ms: ~10x faster
                                      * loss recovery; data unacked for ~2 min (12 tries)
                                      * aborts (docs/reliability.md) */
#define LWIP_TCP_TIMESTAMPS        0
#define TCP_MSL               30000  /* TIME-WAIT 2 MSL = 60 s, as Linux */

/* ---- Hooks: lwipd functions lwIP calls (declared in lwip_hooks.h) ----- */
#define LWIP_HOOK_FILENAME "lwip_hooks.h"
/* a SYN reopens a TIME-WAIT connection, as in BSD and Linux (timewait.c) */
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
	timewait_inpacket(pcb, hdr, optlen, opt1len, opt2, p)
/* TIME-WAIT connections parked off lwIP's list, found again by hash (timewait.c) */
#define LWIP_HOOK_IP4_INPUT(p, inp)  timewait_ipinput(p, inp)
#define LWIP_HOOK_IP6_INPUT(p, inp)  timewait_ipinput(p, inp)
#define TCP_OVERSIZE         TCP_MSS  /* fewer, fuller segments from small writes */
#define LWIP_TCP_PCB_NUM_EXT_ARGS  0
#define SO_REUSE                   1  /* SO_REUSEADDR */
#define LWIP_SO_RCVBUF             0

/* ---- Checksums ------------------------------------------------------- */
/* Per-netif control: a TAP frame the kernel vouches for (virtio_net_hdr
 * flags) is input with the checks off (link_input_csum()), and so is what
 * lwIP loops back to itself (loop.c).  LWIPD_CHECKSUM_CHECKS: the checks
 * those turn off (a netif's chksum_flags bits; needs lwip/netif.h). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIPD_CHECKSUM_CHECKS (NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_UDP | \
	NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_ICMP | NETIF_CHECKSUM_CHECK_ICMP6)
/* LWIPD_FUZZ builds skip input checksum checks so fuzzers reach the parsers. */
#ifdef LWIPD_FUZZ
#define CHECKSUM_CHECK_IP          0
#define CHECKSUM_CHECK_UDP         0
#define CHECKSUM_CHECK_TCP         0
#define CHECKSUM_CHECK_ICMP        0
#define CHECKSUM_CHECK_ICMP6       0
#endif

/* ---- Statistics and debugging ---------------------------------------- */
#define LWIP_STATS                 1  /* the filesystem shows them */
#define LWIP_STATS_DISPLAY         0
#define LINK_STATS                 1
#define ETHARP_STATS               1
#define IP_STATS                   1
#define IPFRAG_STATS               1
#define ICMP_STATS                 1
#define IGMP_STATS                 1
#define UDP_STATS                  1
#define TCP_STATS                  1
#define MEM_STATS                  1
#define MEMP_STATS                 1
#define IP6_STATS                  1
#define ICMP6_STATS                1
#define IP6_FRAG_STATS             1
#define MLD6_STATS                 1
#define ND6_STATS                  1
#define MIB2_STATS                 1  /* TCP retransmissions and segment counts in `stats` */
#define LWIP_DEBUG_TIMERNAMES      0

#endif /* LWIPD_LWIPOPTS_H */
