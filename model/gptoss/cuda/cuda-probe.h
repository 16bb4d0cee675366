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
#else
#define CUDA_PROBE_BUILT 0
static inline int
cuda_probe_device_count(void)
{
	return 0;
}
#endif

#endif
