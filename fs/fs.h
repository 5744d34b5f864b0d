/* fs.h - the /servers/socket filesystem lwipd mounts on its socket dir */
#ifndef LWIPD_FS_H
#define LWIPD_FS_H

#include <stdbool.h>
#include <stddef.h>

int fs_start(const char *dir, bool for_user, char *err, size_t errlen);
void fs_stop(void);

#endif
