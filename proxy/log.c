/* lwip-proxy: diagnostics on stderr, see log.h */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

int plog_level;

/* plog() - Print one line prefixed with monotonic milliseconds, if
 * @level is enabled.  One write() per line. */
void plog(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (level > plog_level)
		return;
	n = snprintf(line, sizeof(line), "lwip-proxy[%llu]: ",
		     (unsigned long long)now_ms());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
