/* lwip-proxy: idle persistent server connections, see pool.h */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "loop.h"
#include "pool.h"

struct pconn {
	struct watcher w;
	struct timer t;
	struct pconn *prev, *next;	/* oldest first */
	struct sockaddr_storage peer;
	socklen_t len;
	char key[];
};

static struct pconn *head, *tail;
static unsigned count;

/* unlink_close() - Remove @p from the pool, close its socket, free it */
static void unlink_close(struct pconn *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		tail = p->prev;
	count--;
	timer_stop(&p->t);
	if (p->w.fd >= 0) {
		int fd = p->w.fd;

		loop_unwatch(&p->w);
		close(fd);
	}
	loop_defer(free, p);
}

/* idle_event() - A parked socket became readable or hung up: drop it */
static void idle_event(struct watcher *w, uint32_t ev)
{
	(void)ev;
	unlink_close(container_of(w, struct pconn, w));
}

/* idle_timeout() - server_idle_pconn_timeout passed: drop it */
static void idle_timeout(struct timer *t)
{
	unlink_close(container_of(t, struct pconn, t));
}

/* pool_put() - Park connected socket @fd (ownership passes to the pool).
 * On any failure the socket is simply closed. */
void pool_put(int fd, const char *key, const struct sockaddr *peer,
	      socklen_t len, uint32_t idle_ms)
{
	struct pconn *p, *q;
	unsigned same = 0;

	for (q = head; q; q = q->next)
		same += !strcmp(q->key, key);
	if (same >= PX_POOL_PER_KEY) {
		for (q = head; strcmp(q->key, key); q = q->next)
			;
		unlink_close(q);
	}
	if (count >= PX_POOL_MAX)
		unlink_close(head);
	p = calloc(1, sizeof(*p) + strlen(key) + 1);
	if (!p || len > sizeof(p->peer)) {
		free(p);
		close(fd);
		return;
	}
	strcpy(p->key, key);
	memcpy(&p->peer, peer, len);
	p->len = len;
	watcher_init(&p->w);
	timer_init(&p->t, idle_timeout);
	if (loop_watch(&p->w, fd, EPOLLIN | EPOLLRDHUP, idle_event) < 0) {
		free(p);
		close(fd);
		return;
	}
	timer_arm(&p->t, loop_now() + idle_ms);
	p->prev = tail;
	if (tail)
		tail->next = p;
	else
		head = p;
	tail = p;
	count++;
}

/* pool_get() - Take the most recently parked socket for @key.
 * Return: the fd (now the caller's) with its peer address, or -1 */
int pool_get(const char *key, struct sockaddr_storage *peer, socklen_t *len)
{
	struct pconn *p;
	int fd;

	for (p = tail; p && strcmp(p->key, key); p = p->prev)
		;
	if (!p)
		return -1;
	fd = p->w.fd;
	loop_unwatch(&p->w);
	memcpy(peer, &p->peer, p->len);
	*len = p->len;
	unlink_close(p);
	return fd;
}

/* pool_count() - Parked sockets */
unsigned pool_count(void)
{
	return count;
}

/* pool_clear() - Close every parked socket */
void pool_clear(void)
{
	while (head)
		unlink_close(head);
}
