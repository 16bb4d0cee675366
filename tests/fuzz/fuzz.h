/*
 * fuzz.h: what the libFuzzer harnesses of tests/fuzz share. Header-only:
 * each harness is one program built by run.sh, so the helpers are static.
 */
#ifndef STOCKAGENT_TESTS_FUZZ_H
#define STOCKAGENT_TESTS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DATA as a NUL-terminated heap string the caller frees (string
 * functions stop at an embedded NUL, as they would on a network body). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define FUZZ_FILES 2

/*
 * Puts DATA into in-memory file number SLOT (below FUZZ_FILES) and returns
 * a path that opens it ("/proc/self/fd/N", the same for the whole
 * process). For parsers that read a path: no disk, nothing left behind.
 */
static inline const char *
fuzz_file(int slot, const uint8_t *data, size_t size)
{
	static char paths[FUZZ_FILES][32];
	static int fds[FUZZ_FILES];

	if (paths[slot][0] == '\0') {
		if ((fds[slot] = memfd_create("fuzz", 0)) < 0)
			abort();
		snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d",
		    fds[slot]);
	}
	if (ftruncate(fds[slot], 0) != 0 ||
	    pwrite(fds[slot], data, size, 0) != (ssize_t)size)
		abort();
	return paths[slot];
}

/*
 * Hands DATA to FEED in pieces of PIECE bytes (the last one shorter), as
 * a network body arrives, until FEED returns non-zero; returns that.
 */
static inline int
fuzz_pieces(const uint8_t *data, size_t size, size_t piece,
    int (*feed)(void *arg, const uint8_t *p, size_t n), void *arg)
{
	size_t n;
	int rc = 0;

	while (rc == 0 && size > 0) {
		n = size < piece ? size : piece;
		rc = feed(arg, data, n);
		data += n;
		size -= n;
	}
	return rc;
}

#endif
