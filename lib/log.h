/*
 * log.h: messages for people, on stderr.
 *
 * Results go to stdout; everything here goes to stderr. The level is set
 * once from --quiet / --verbose. Colour is used only on a terminal and never
 * when NO_COLOR is set.
 */
#ifndef STOCKAGENT_LOG_H
#define STOCKAGENT_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_QUIET = 0, /* errors only */
	LOG_LEVEL_INFO = 1,  /* default: errors, warnings, notes */
	LOG_LEVEL_DEBUG = 2, /* --verbose */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* The color setting for the tags of messages ("auto", "always", "never";
 * see color.h). WHEN must stay valid while messages are written. */
void log_set_color(const char *when);

/* "stockagent: error: ..." always printed. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "stockagent: warning: ..." unless --quiet. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "stockagent: ..." unless --quiet. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with --verbose. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "PREFIX: MESSAGE" on stderr at every level, for usage errors
 * ("stockagent analyze: ..."). Like the functions above, it masks the
 * secrets of URLs in the message and escapes control characters, so every
 * message is one line.
 */
void log_line(const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vline(const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
