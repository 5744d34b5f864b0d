/* link_spec.h - what an -i word names: a TAP, a TAP in a private
 * namespace, passt, or a QEMU-style stream socket
 */
#ifndef LWIPD_LINK_SPEC_H
#define LWIPD_LINK_SPEC_H

#include <stddef.h>

#define LINK_NAME_MAX   128   /* an -i word: "stream-listen:" and a socket path */
#define LINK_PATH_MAX   108   /* sizeof(sun_path), with its NUL */
#define LINK_TAPNS_NAME "tap0" /* the TAP's name inside tap-ns's namespace */

enum link_kind {
	LINK_TAP,               /* NAME or tap:NAME: an existing TAP */
	LINK_TAPNS,             /* tap-ns[:NAME]: a TAP lwipd makes in its own namespace */
	LINK_PASST,             /* passt:PATH: connect to passt's socket */
	LINK_STREAM,            /* stream:PATH: connect to a stream peer */
	LINK_STREAM_LISTEN,     /* stream-listen:PATH: wait for a stream peer */
};

struct link_spec {
	enum link_kind kind;
	char arg[LINK_NAME_MAX];        /* TAP name or socket path */
};

int link_spec_parse(const char *word, struct link_spec *s,
		    char *canon, size_t canonlen, char *err, size_t errlen);
const char *link_kind_name(enum link_kind kind);

#endif
