/*
 * log.c: stderr messages with a level.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/log.h"

static enum log_level log_level = LOG_LEVEL_INFO;

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

/* Whether stderr is a terminal that may show progress and colour. */
static int
log_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

static int
use_colour(void)
{
	const char *nc = getenv("NO_COLOR");

	return log_is_tty() && (nc == NULL || *nc == '\0');
}

static void
log_vprint(const char *tag, const char *colour, const char *fmt, va_list ap)
{
	int c = colour != NULL && use_colour();

	fputs("stockagent: ", stderr);
	if (tag != NULL)
		fprintf(stderr, "%s%s:%s ", c ? colour : "", tag, c ? "\033[0m" : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("error", "\033[1;31m", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vprint("warning", "\033[1;33m", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vprint(NULL, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vprint("debug", "\033[2m", fmt, ap);
	va_end(ap);
}
