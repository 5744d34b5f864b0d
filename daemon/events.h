/* events.h - log what the stack learns, once per change */
#ifndef LWIPD_EVENTS_H
#define LWIPD_EVENTS_H

void events_init(void);
const char *events_addr6_state_name(unsigned char state);

#endif
