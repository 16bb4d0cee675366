/*
 * gptoss-cuda.h: the engine's CUDA path (private to model/gptoss).
 *
 * A struct gptoss_cuda holds one context's device state: the model's
 * weights, uploaded once, the KV cache (float, or fp16 with
 * GPTOSS_CUDA_KV=f16) and the activations. The
 * whole forward pass runs on the device (embedding to logits), a decode
 * step as one CUDA graph; sampling runs there too, so only token ids
 * cross the bus. Every CUDA call is checked: a failure returns
 * GPTOSS_ERR_DEVICE with the call and CUDA's error string in *err_out.
 *
 * Without CUDA (configure --with-cuda=no or no nvcc) the inline
 * functions below answer GPTOSS_ERR_DEVICE (this build has no CUDA), so
 * callers need no #ifdef; gptoss_device_resolve refuses the device first.
 */
#ifndef GPTOSS_CUDA_H
#define GPTOSS_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "model/gptoss/gptoss.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gptoss_model;
struct gptoss_cuda;

#ifdef HAVE_CUDA
#define GPTOSS_CUDA_BUILT 1
/* Usable devices; 0 (with the reason in *why when not NULL, static)
 * without a driver or a GPU. */
int gptoss_cuda_device_count(const char **why);
/* "NVIDIA H200 (sm_90, 139.8 GiB), kernels: ..." for device 0; heap. */
char *gptoss_cuda_describe(void);
/* The architectures this build has code for ("sm_80 sm_90 ... + PTX"). */
const char *gptoss_cuda_built_for(void);

/* Uploads M's weights and makes a context of CTX_LEN tokens and prefill
 * batches of BATCH on device 0. */
enum gptoss_status gptoss_cuda_new(const struct gptoss_model *m,
    uint32_t ctx_len, uint32_t batch, struct gptoss_cuda **out, char **err_out);
void gptoss_cuda_free(struct gptoss_cuda *c);
/*
 * Runs N (<= batch) tokens at positions POS0..; the last row's logits stay
 * on the device; ALL_LOGITS (host, [n][vocab]) gets every row when not
 * NULL.
 */
enum gptoss_status gptoss_cuda_forward(struct gptoss_cuda *c,
    const uint32_t *tok, uint32_t n, uint32_t pos0, float *all_logits,
    char **err_out);
/*
 * One decode step of N contexts (the same model, context length and
 * batch; N at most the batch) in one pass: token TOK[i] at position
 * POS[i] of context GS[i], whose logits then stay on the device for its
 * sampling. GS[0]'s activations and stream run the pass.
 */
enum gptoss_status gptoss_cuda_decode_batch(struct gptoss_cuda **gs,
    const uint32_t *tok, const uint32_t *pos, uint32_t n, char **err_out);
/* Copies the last row's logits to OUT [vocab]. */
enum gptoss_status gptoss_cuda_logits(struct gptoss_cuda *c, float *out,
    char **err_out);
/* Samples from the last logits on the device: greedy at temperature 0,
 * else with the draw RND of the host's generator (sampler.c). */
enum gptoss_status gptoss_cuda_sample(struct gptoss_cuda *c,
    const struct gptoss_sampler_params *p, uint64_t rnd, uint32_t *tok_out,
    char **err_out);
/* Device-to-device copy bandwidth (bytes read + written per second). */
enum gptoss_status gptoss_cuda_copy_bandwidth(double *bps, char **err_out);
#else
#define GPTOSS_CUDA_BUILT 0
static inline int
gptoss_cuda_device_count(const char **why)
{
	if (why != NULL)
		*why = "this stockagent was built without CUDA (configure "
		       "--with-cuda)";
	return 0;
}
static inline char *
gptoss_cuda_describe(void)
{
	return NULL;
}
static inline const char *
gptoss_cuda_built_for(void)
{
	return "";
}
static inline enum gptoss_status
gptoss_cuda_new(const struct gptoss_model *m, uint32_t ctx_len, uint32_t batch,
    struct gptoss_cuda **out, char **err_out)
{
	(void)m, (void)ctx_len, (void)batch, (void)out, (void)err_out;
	return GPTOSS_ERR_DEVICE;
}
static inline void
gptoss_cuda_free(struct gptoss_cuda *c)
{
	(void)c;
}
static inline enum gptoss_status
gptoss_cuda_forward(struct gptoss_cuda *c, const uint32_t *tok, uint32_t n,
    uint32_t pos0, float *all_logits, char **err_out)
{
	(void)c, (void)tok, (void)n, (void)pos0, (void)all_logits,
	    (void)err_out;
	return GPTOSS_ERR_DEVICE;
}
static inline enum gptoss_status
gptoss_cuda_decode_batch(struct gptoss_cuda **gs, const uint32_t *tok,
    const uint32_t *pos, uint32_t n, char **err_out)
{
	(void)gs, (void)tok, (void)pos, (void)n, (void)err_out;
	return GPTOSS_ERR_DEVICE;
}
static inline enum gptoss_status
gptoss_cuda_logits(struct gptoss_cuda *c, float *out, char **err_out)
{
	(void)c, (void)out, (void)err_out;
	return GPTOSS_ERR_DEVICE;
}
static inline enum gptoss_status
gptoss_cuda_sample(struct gptoss_cuda *c, const struct gptoss_sampler_params *p,
    uint64_t rnd, uint32_t *tok_out, char **err_out)
{
	(void)c, (void)p, (void)rnd, (void)tok_out, (void)err_out;
	return GPTOSS_ERR_DEVICE;
}
static inline enum gptoss_status
gptoss_cuda_copy_bandwidth(double *bps, char **err_out)
{
	(void)bps, (void)err_out;
	return GPTOSS_ERR_DEVICE;
}
#endif

#ifdef __cplusplus
}
#endif

#endif
