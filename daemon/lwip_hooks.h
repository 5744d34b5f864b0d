/* lwip_hooks.h - lwipd's functions that lwIP calls through its hooks
 * (LWIP_HOOK_FILENAME in lwipopts.h: included by lwIP's own sources)
 */
#ifndef LWIPD_LWIP_HOOKS_H
#define LWIPD_LWIP_HOOKS_H

#include "lwip/arch.h"
#include "lwip/err.h"

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;
struct netif;

/* timewait.c: a SYN that reopens a TIME-WAIT connection */
err_t timewait_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen,
			u16_t opt1len, u8_t *opt2, struct pbuf *p);

/* timewait.c: a segment for a parked TIME-WAIT connection */
int timewait_ipinput(struct pbuf *p, struct netif *inp);

#endif
