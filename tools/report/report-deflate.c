/*
 * report-deflate.c: the deflate level of the PDF's streams (see
 * report-deflate.h).
 */
#include "config.h"

#include <dlfcn.h>
#include <stdatomic.h>

#include <zlib.h>

#include "tools/report/report-deflate.h"

static atomic_int report_level = Z_DEFAULT_COMPRESSION;

void
report_deflate_level(int level)
{
	atomic_store(&report_level, level);
}

typedef int (*report_init2_fn)(z_streamp, int, int, int, int, int, const char *,
    int);

/*
 * zlib's deflateInit_ (the function deflateInit expands to), for libharu:
 * the same stream with the level set above. Returns zlib's status, or
 * Z_VERSION_ERROR when zlib's deflateInit2_ cannot be found.
 */
int
deflateInit_(z_streamp strm, int level, const char *version, int stream_size)
{
	static _Atomic(report_init2_fn) init2;
	report_init2_fn f = atomic_load(&init2);

	(void)level;
	if (f == NULL) {
		f = (report_init2_fn)dlsym(RTLD_NEXT, "deflateInit2_");
		if (f == NULL)
			return Z_VERSION_ERROR;
		atomic_store(&init2, f);
	}
	return f(strm, atomic_load(&report_level), Z_DEFLATED, MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY, version, stream_size);
}
