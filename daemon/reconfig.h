/* reconfig.h - the running configuration and changes to it */
#ifndef LWIPD_RECONFIG_H
#define LWIPD_RECONFIG_H

#include <stddef.h>
#include "options.h"

struct config *reconfig_running(void);
void reconfig_set_argv(int argc, char **argv);
int reconfig_parse_all(struct config *c, char *err, size_t errlen);
void reconfig_reload(void);
int reconfig_line(const char *line, char *err, size_t errlen);

#endif
