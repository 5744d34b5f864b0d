/* loop.h - the event loop that owns lwIP */
#ifndef LWIPD_LOOP_H
#define LWIPD_LOOP_H

#include <stdint.h>

typedef void (*loop_fn)(void *arg, uint32_t events);

/* One registered fd; must stay valid while registered. */
struct loop_watch {
	int fd;
	loop_fn fn;
	void *arg;
};

int loop_init(void);
int loop_add(struct loop_watch *w, int fd, uint32_t events, loop_fn fn, void *arg);
int loop_mod(struct loop_watch *w, uint32_t events);
void loop_del(struct loop_watch *w);
int loop_once(int timeout);
int loop_run(void);
void loop_stop(int status);
void loop_after_input(void (*fn)(void));
void loop_before_wait(void (*fn)(void));

#endif
