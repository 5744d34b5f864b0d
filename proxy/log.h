/* lwip-proxy: diagnostics on stderr (the access log is separate).
 *
 * Level 0 always prints (startup, fatal and unexpected errors); level 1
 * with -v (connect attempts, DNS answers); level 2 with -vv.
 */
#ifndef PROXY_LOG_H
#define PROXY_LOG_H

extern int plog_level;

void plog(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PROXY_LOG_H */
