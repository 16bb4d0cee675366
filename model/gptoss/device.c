/*
 * device.c: choosing where a context computes (CPU or CUDA) and saying
 * what runs there.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-cuda.h"
#include "model/gptoss/gptoss-impl.h"

int
gptoss_device_parse(const char *s, enum gptoss_device *out)
{
	if (strcmp(s, "cpu") == 0)
		*out = GPTOSS_DEVICE_CPU;
	else if (strcmp(s, "cuda") == 0)
		*out = GPTOSS_DEVICE_CUDA;
	else if (strcmp(s, "auto") == 0)
		*out = GPTOSS_DEVICE_AUTO;
	else
		return -1;
	return 0;
}

enum gptoss_status
gptoss_device_resolve(enum gptoss_device want, enum gptoss_device *out,
    char **err_out)
{
	const char *why = NULL;
	int n = gptoss_cuda_device_count(&why);

	if (want == GPTOSS_DEVICE_CPU ||
	    (want == GPTOSS_DEVICE_AUTO && n == 0)) {
		*out = GPTOSS_DEVICE_CPU;
		return GPTOSS_OK;
	}
	if (n == 0) {
		gptoss_set_err(err_out,
		    "device cuda: no usable CUDA device (%s); use device cpu "
		    "(or auto)",
		    why);
		return GPTOSS_ERR_DEVICE;
	}
	*out = GPTOSS_DEVICE_CUDA;
	return GPTOSS_OK;
}

char *
gptoss_device_describe(enum gptoss_device dev)
{
	const char *k = gptoss_kernel_name();
	char *d;

	if (dev == GPTOSS_DEVICE_CUDA && (d = gptoss_cuda_describe()) != NULL) {
		char *s = xasprintf("cuda: %s", d);
		free(d);
		return s;
	}
	return xasprintf("cpu (%s kernels)",
	    strcmp(k, "avx512") == 0   ? "avx-512" :
		strcmp(k, "avx2") == 0 ? "avx2+fma" :
					 "portable");
}

enum gptoss_status
gptoss_device_copy_bandwidth(double *bps, char **err_out)
{
	if (!GPTOSS_CUDA_BUILT) {
		gptoss_set_err(err_out,
		    "this stockagent was built without "
		    "CUDA (configure --with-cuda)");
		return GPTOSS_ERR_DEVICE;
	}
	return gptoss_cuda_copy_bandwidth(bps, err_out);
}
