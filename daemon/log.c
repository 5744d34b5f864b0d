/* log.c - leveled logging to stderr
 *
 * One line per message: "lwipd: LEVEL: text".  Used from the event-loop
 * thread and the filesystem thread; each message is one write(2), so lines
 * from two threads do not interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static enum log_level current = LOG_INFO;

static const char *const names[] = {
	[LOG_ERR] = "error", [LOG_WARN] = "warning",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* log_set_level() - show messages at @level and more severe ones */
void log_set_level(enum log_level level)
{
	current = level;
}

/* log_get_level() - the level set by log_set_level() */
enum log_level log_get_level(void)
{
	return current;
}

/* log_msg() - format one message and write it to stderr in one write(2)
 * Assumes: messages are short; longer ones are truncated at 1 KiB.
 */
void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (level > current)
		return;
	n = snprintf(buf, sizeof(buf), "lwipd: %s: ", names[level]);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}
