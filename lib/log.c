/*
 * log.c: stderr messages with a level.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/color.h"
#include "lib/log.h"
#include "lib/redact.h"
#include "lib/xmalloc.h"

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

static const char *log_color_when; /* the color setting; NULL: auto */

void
log_set_color(const char *when)
{
	log_color_when = when;
}

static int
use_colour(void)
{
	return color_enabled(log_color_when, STDERR_FILENO);
}

/*
 * MSG as one safe line (heap string): the secrets of its URLs masked, and
 * control characters (a newline, ESC starting a terminal sequence) written
 * as \n, \t, \r or \xHH, so what a user typed cannot split the message or
 * drive the terminal.
 */
static char *
log_clean(const char *msg)
{
	char *r = redact_text(msg), *out, *o;
	const unsigned char *p;

	out = o = xmalloc(strlen(r) * 4 + 1);
	for (p = (const unsigned char *)r; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			*o++ = '\\';
			*o++ = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
		} else if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\x%02x", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	free(r);
	return out;
}

static void
log_vprint(const char *tag, const char *colour, const char *fmt, va_list ap)
{
	int c = colour != NULL && use_colour();
	char *msg = xvasprintf(fmt, ap), *line = log_clean(msg), *all;

	/* One write per message: the threads of a batch log at once. */
	if (tag != NULL)
		all = xasprintf("stockagent: %s%s:%s %s\n", c ? colour : "",
		    tag, c ? "\033[0m" : "", line);
	else
		all = xasprintf("stockagent: %s\n", line);
	fputs(all, stderr);
	free(all);
	free(line);
	free(msg);
}

void
log_vline(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap), *line = log_clean(msg);

	fprintf(stderr, "%s: %s\n", prefix, line);
	free(line);
	free(msg);
}

void
log_line(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(prefix, fmt, ap);
	va_end(ap);
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
