/* notify.h - readiness and status for a service manager (sd_notify) */
#ifndef LWIPD_NOTIFY_H
#define LWIPD_NOTIFY_H

void notify_init(void);
void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);

#endif
