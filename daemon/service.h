/* service.h - the socket service: endpoints 2 and 26, control connections */
#ifndef LWIPD_SERVICE_H
#define LWIPD_SERVICE_H

#include <stddef.h>
#include <sys/types.h>

#define SERVICE_MAX_CLIENTS 1024

int service_prepare_dir(const char *dir, char *err, size_t errlen);
int service_start(const char *dir, int files, char *err, size_t errlen);
void service_stop(void);
void service_publish_resolv(void);

struct client;
struct client *service_client_add(int fd, int family, pid_t pid, uid_t uid);
void service_client_input(struct client *c);

#endif
