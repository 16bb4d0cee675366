/*
 * cuda-probe.h: how many CUDA devices this build can use.
 *
 * Without CUDA (configure --with-cuda=no or no nvcc) the stub below answers
 * 0, so callers need no #ifdef.
 */
#ifndef STOCKAGENT_CUDA_PROBE_H
#define STOCKAGENT_CUDA_PROBE_H

#ifdef HAVE_CUDA
#define CUDA_PROBE_BUILT 1
/* Number of usable CUDA devices; 0 without a driver or a GPU. */
int cuda_probe_device_count(void);
/* The GPU architectures compiled in ("sm_80 sm_90 sm_100 + PTX ..."). */
const char *cuda_probe_archs(void);
#else
#define CUDA_PROBE_BUILT 0
static inline int
cuda_probe_device_count(void)
{
	return 0;
}
static inline const char *
cuda_probe_archs(void)
{
	return "";
}
#endif

#endif
