/*
 * xmalloc.h: allocation that never returns NULL.
 *
 * Every allocation in stockagent goes through these. On failure they print
 * the size asked for and abort, so callers never check for NULL. Sizes that
 * come from outside (files, HTTP bodies) are bounded before they get here.
 */
#ifndef STOCKAGENT_XMALLOC_H
#define STOCKAGENT_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a heap string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * A growable byte buffer with an upper bound (curl's dynbuf). Data is always
 * NUL-terminated. buf_append fails (returns -1) past the bound and leaves the
 * buffer unchanged.
 */
struct buf {
	char *data;   /* [len + 1], NUL-terminated */
	size_t len;   /* bytes used */
	size_t cap;   /* bytes allocated */
	size_t limit; /* most bytes it may hold; 0 means no limit */
};

void buf_init(struct buf *b, size_t limit);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (who frees it) and empties the buffer. */
char *buf_take(struct buf *b);
void buf_free(struct buf *b);

#endif
