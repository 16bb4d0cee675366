/*
 * cuda-probe.cu: the smallest CUDA unit, built when configure enables CUDA.
 *
 * It proves the .cu rule, the nvcc flags and the cudart link, and tells the
 * program how many devices the machine has. The engine's kernels join it.
 */
#include <cuda_runtime.h>

#include "config.h"

extern "C" int cuda_probe_device_count(void);
extern "C" const char *cuda_probe_archs(void);

extern "C" const char *
cuda_probe_archs(void)
{
	return GPTOSS_CUDA_ARCHS;
}

static __global__ void
cuda_probe_touch(int *p)
{
	p[threadIdx.x] = 1;
}

/* Number of usable CUDA devices; 0 without a driver or a GPU. */
extern "C" int
cuda_probe_device_count(void)
{
	int n = 0;

	if (cudaGetDeviceCount(&n) != cudaSuccess)
		return 0;
	(void)cuda_probe_touch;
	return n;
}
