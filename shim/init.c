/* init.c - the real libc functions behind our wrappers, the constructor
 * and the fork handlers
 *
 * Every wrapper calls the real function through REAL(fn) (shim.h): the
 * pointer the constructor filled in with dlsym(RTLD_NEXT), or, if a wrapper
 * runs before the constructor (another library's constructor opening a
 * socket), a lazy lookup.  Until shim_ready is set, wrappers only pass
 * through, so nothing here depends on the constructor order.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "shim.h"

#define REAL_DEF(fn) __typeof__(fn) *real_##fn

REAL_DEF(socket);
REAL_DEF(socketpair);
REAL_DEF(bind);
REAL_DEF(listen);
REAL_DEF(accept);
REAL_DEF(accept4);
REAL_DEF(connect);
REAL_DEF(getsockname);
REAL_DEF(getpeername);
REAL_DEF(getsockopt);
REAL_DEF(setsockopt);
REAL_DEF(send);
REAL_DEF(sendto);
REAL_DEF(sendmsg);
REAL_DEF(sendmmsg);
REAL_DEF(recv);
REAL_DEF(recvfrom);
REAL_DEF(recvmsg);
REAL_DEF(recvmmsg);
REAL_DEF(read);
REAL_DEF(write);
REAL_DEF(readv);
REAL_DEF(writev);
REAL_DEF(close);
REAL_DEF(close_range);
REAL_DEF(closefrom);
REAL_DEF(dup);
REAL_DEF(dup2);
REAL_DEF(dup3);
REAL_DEF(fcntl);
REAL_DEF(fcntl64);
REAL_DEF(ioctl);
REAL_DEF(getaddrinfo);
REAL_DEF(freeaddrinfo);
REAL_DEF(getnameinfo);
REAL_DEF(gethostbyname);
REAL_DEF(gethostbyname2);
REAL_DEF(gethostbyname_r);
REAL_DEF(gethostbyname2_r);
REAL_DEF(gethostbyaddr);
REAL_DEF(getifaddrs);
REAL_DEF(freeifaddrs);
REAL_DEF(if_nameindex);
REAL_DEF(if_nametoindex);
REAL_DEF(if_indextoname);

volatile int shim_ready;

/* shim_dlsym() - the next definition of @name after this library
 * (RTLD_NEXT); NULL if there is none.  Assumes libdl is usable, which it is
 * once the loader runs any code of ours. */
void *shim_dlsym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* shim_fcntl() - fcntl(2) through the real function, for the shim's own
 * use (never our wrapper) */
int shim_fcntl(int fd, int cmd, long arg)
{
	return REAL(fcntl)(fd, cmd, arg);
}

#define RESOLVE(fn) (void)REAL(fn)

/* shim_init() - the constructor: resolve every real function, install the
 * fork handlers, then let the wrappers emulate.  Runs once per process
 * image (exec runs it again in the new image). */
__attribute__((constructor)) static void shim_init(void)
{
	RESOLVE(socket); RESOLVE(socketpair); RESOLVE(bind); RESOLVE(listen);
	RESOLVE(accept); RESOLVE(accept4); RESOLVE(connect);
	RESOLVE(getsockname); RESOLVE(getpeername); RESOLVE(getsockopt);
	RESOLVE(setsockopt); RESOLVE(send); RESOLVE(sendto); RESOLVE(sendmsg);
	RESOLVE(sendmmsg); RESOLVE(recv); RESOLVE(recvfrom); RESOLVE(recvmsg);
	RESOLVE(recvmmsg); RESOLVE(read); RESOLVE(write); RESOLVE(readv);
	RESOLVE(writev); RESOLVE(close); RESOLVE(close_range);
	RESOLVE(closefrom); RESOLVE(dup); RESOLVE(dup2); RESOLVE(dup3);
	RESOLVE(fcntl); RESOLVE(fcntl64); RESOLVE(ioctl); RESOLVE(getaddrinfo);
	RESOLVE(freeaddrinfo); RESOLVE(getnameinfo); RESOLVE(gethostbyname);
	RESOLVE(gethostbyname2); RESOLVE(gethostbyname_r);
	RESOLVE(gethostbyname2_r); RESOLVE(gethostbyaddr); RESOLVE(getifaddrs);
	RESOLVE(freeifaddrs); RESOLVE(if_nameindex); RESOLVE(if_nametoindex);
	RESOLVE(if_indextoname);
	/* without the basics, stay a pass-through library */
	if (!real_socket || !real_connect || !real_getsockname ||
	    !real_getpeername || !real_recvmsg || !real_sendmsg ||
	    !real_close || !real_fcntl || !real_dup3 || !real_getsockopt ||
	    !real_setsockopt || !real_read || !real_write)
		return;
	pthread_atfork(shim_ctl_atfork_prepare, shim_ctl_atfork_parent,
		       shim_ctl_atfork_child);
	pthread_atfork(NULL, shim_socket_atfork, shim_socket_atfork);
	__atomic_store_n(&shim_ready, 1, __ATOMIC_RELEASE);
}
