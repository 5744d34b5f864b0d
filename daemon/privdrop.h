/* privdrop.h - --user: give up root after the privileged setup */
#ifndef LWIPD_PRIVDROP_H
#define LWIPD_PRIVDROP_H

#include <stddef.h>

int privdrop_check(const char *user, char *err, size_t errlen);
int privdrop(const char *user, const char *dir, char *err, size_t errlen);

#endif
