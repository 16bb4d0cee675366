/*
 * gptoss.h: the in-process gpt-oss inference engine (public API).
 *
 * Loads a Hugging Face gpt-oss checkpoint directory (config.json,
 * generation_config.json, model.safetensors.index.json, zero-based shards)
 * by mmapping the shards; bf16 and MXFP4 weights are used in place. A
 * context holds the KV cache and evaluates token ids; a sampler picks the
 * next id. Everything works on token ids; text is the tokenizer's job.
 *
 * Conventions: every function returns enum gptoss_status and fills its
 * _out parameters only on GPTOSS_OK. Where a function takes `char **err_out`
 * it may be NULL; otherwise on failure *err_out gets a one-line heap message
 * (the caller frees it) naming the file, tensor or value at fault.
 * Objects are created by _new/_load and released by _free, which accept
 * NULL. A model may be shared by several contexts; a context is used by one
 * thread at a time.
 */
#ifndef GPTOSS_H
#define GPTOSS_H

#include <stddef.h>
#include <stdint.h>

#include "model/gptoss/status.h"

struct gptoss_model;
struct gptoss_context;
struct gptoss_sampler;

/* What gptoss_model_get_info reports. */
struct gptoss_model_info {
	const char *architecture; /* "GptOssForCausalLM" */
	const char *backend;	  /* "cpu" */
	uint32_t vocab_size;
	uint32_t hidden_size;
	uint32_t intermediate_size;
	uint32_t num_layers;
	uint32_t num_sliding_layers;
	uint32_t num_heads, num_kv_heads, head_dim;
	uint32_t num_experts, experts_per_token;
	uint32_t sliding_window;
	uint32_t max_position_embeddings;
	uint64_t params_total;	  /* every weight, MXFP4 counted per element */
	uint64_t params_active;	  /* per token: k experts + rest - embedding */
	uint64_t bytes_total;	  /* tensor bytes in the shards */
	uint64_t bytes_per_token; /* weight bytes a decode step reads */
	uint32_t num_stop_tokens;
	const uint32_t *stop_tokens; /* [num_stop_tokens], generation_config */
	const char *fast_kernels;    /* the fast precision's, e.g. "avx512-vnni
					integer dots, avx512-bf16 dots" */
};

/*
 * Loads the model in directory DIR. *model_out owns the mmapped shards.
 * Every tensor's dtype and shape is checked against config.json.
 */
enum gptoss_status gptoss_model_load(const char *dir,
    struct gptoss_model **model_out, char **err_out);
void gptoss_model_free(struct gptoss_model *model);
void gptoss_model_get_info(const struct gptoss_model *model,
    struct gptoss_model_info *info_out);

/*
 * Arithmetic of a context. EXACT is float32 throughout (bf16 and MXFP4
 * weights decoded exactly). FAST quantizes the activations of the MXFP4
 * expert matmuls to 8 bits per block of 32 with a float scale (as GGML's
 * Q8_0) and uses integer dot products on expert weights repacked at the
 * first fast context (gptoss_model_free releases them); rounds the
 * activations of the attention and unembedding matmuls to bf16 where the
 * CPU has bf16 dot products (AVX512_BF16); and keeps the KV cache in
 * float16. Results then differ from EXACT by about 1% of a logit.
 */
enum gptoss_precision { GPTOSS_PRECISION_EXACT = 0, GPTOSS_PRECISION_FAST = 1 };

/* Where a context computes: the CPU (the default), CUDA device 0, or
 * CUDA when a device is present and the CPU otherwise. */
enum gptoss_device {
	GPTOSS_DEVICE_CPU = 0,
	GPTOSS_DEVICE_CUDA,
	GPTOSS_DEVICE_AUTO,
};

/* Per-context settings; zero fields take the defaults. */
struct gptoss_context_params {
	uint32_t context_length; /* tokens; default min(4096, max positions) */
	uint32_t num_threads;	 /* default: online CPUs */
	uint32_t batch_size;	 /* prefill batch; default 256 */
	uint32_t precision;	 /* enum gptoss_precision; default EXACT */
	enum gptoss_device device;
};

/* "cpu", "cuda" or "auto" into *out; -1 for anything else. */
int gptoss_device_parse(const char *s, enum gptoss_device *out);
/*
 * Resolves WANT to the device a context would use: AUTO becomes CUDA
 * when this build has CUDA and a device is present. CUDA without either
 * fails with GPTOSS_ERR_DEVICE and a one-line reason.
 */
enum gptoss_status gptoss_device_resolve(enum gptoss_device want,
    enum gptoss_device *out, char **err_out);
/* One line on DEV: the CPU kernels, or the GPU, its architecture and the
 * CUDA kernels in use (heap). */
char *gptoss_device_describe(enum gptoss_device dev);
/* The device CTX computes on. */
enum gptoss_device gptoss_context_device(const struct gptoss_context *ctx);
/* Device-to-device copy bandwidth of the CUDA device in bytes/s (read +
 * write), for benchmarks. */
enum gptoss_status gptoss_device_copy_bandwidth(double *bps, char **err_out);

/* A context (KV cache + activations) for MODEL, which must outlive it. */
enum gptoss_status gptoss_context_new(struct gptoss_model *model,
    const struct gptoss_context_params *params, struct gptoss_context **ctx_out,
    char **err_out);
void gptoss_context_free(struct gptoss_context *ctx);
/* Forgets every token (the cache is emptied). */
void gptoss_context_reset(struct gptoss_context *ctx);
/* Tokens evaluated so far. */
uint32_t gptoss_context_num_tokens(const struct gptoss_context *ctx);
uint32_t gptoss_context_length(const struct gptoss_context *ctx);

/*
 * Appends N tokens to the sequence and runs the forward pass over them in
 * batches. Afterwards gptoss_context_logits gives the last token's logits.
 * If ALL_LOGITS_OUT is not NULL it receives [n][vocab] float logits, one row
 * per appended token. Fails with GPTOSS_ERR_ARGUMENT for an id >= vocab and
 * GPTOSS_ERR_CONTEXT_OVERFLOW past the context length, leaving the context
 * unchanged.
 */
enum gptoss_status gptoss_context_append(struct gptoss_context *ctx,
    const uint32_t *tokens, size_t n, float *all_logits_out, char **err_out);

/*
 * Appends one token, TOKENS[i], to each of the N contexts CTXS[i] (all of
 * the same model). On device cuda, with the same context length and batch
 * size and N at most the batch, the N sequences run as one pass over the
 * weights (batched decode); otherwise one after the other. Errors as
 * gptoss_context_append's; an id out of range or a full context is
 * found before any context changes.
 */
enum gptoss_status gptoss_context_append_batch(struct gptoss_context **ctxs,
    const uint32_t *tokens, size_t n, char **err_out);

/* The logits [vocab] of the last appended token (valid until the next
 * append), or NULL when no token has been appended. */
const float *gptoss_context_logits(const struct gptoss_context *ctx);

/* Sampling: temperature 0 is greedy; top_k 0 and top_p 1 disable those. */
struct gptoss_sampler_params {
	float temperature;
	uint32_t top_k;
	float top_p;
	uint64_t seed;
};

enum gptoss_status gptoss_sampler_new(const struct gptoss_sampler_params *p,
    uint32_t vocab_size, struct gptoss_sampler **sampler_out);
void gptoss_sampler_free(struct gptoss_sampler *sampler);
/* Picks a token from LOGITS [vocab]; reproducible for a given seed. */
uint32_t gptoss_sampler_sample(struct gptoss_sampler *sampler,
    const float *logits);

/*
 * Called for every generated token; a non-zero return stops generation.
 */
typedef int (*gptoss_token_cb)(uint32_t token, void *user);

/*
 * Appends PROMPT (n tokens) and then generates up to MAX_TOKENS tokens with
 * SAMPLER, calling CB (may be NULL) for each. Stops after a stop token of
 * the model (the stop token is reported and counted). The generated ids go
 * to OUT (capacity max_tokens), their count to *n_out.
 */
enum gptoss_status gptoss_generate(struct gptoss_context *ctx,
    struct gptoss_sampler *sampler, const uint32_t *prompt, size_t n,
    uint32_t max_tokens, gptoss_token_cb cb, void *user, uint32_t *out,
    uint32_t *n_out, char **err_out);

#endif
