/*
 * gptoss-impl.h: what the engine's files share (private to model/gptoss).
 *
 * safetensors.c parses and mmaps shards; config.c reads config.json and
 * generation_config.json; weights.c binds every tensor, checked against the
 * config; threadpool.c runs tasks on one pthread pool; mxfp4.c holds the dot
 * kernels, fast.c those of the fast precision; backend-cpu.c implements
 * the backend vtable (backend.h);
 * forward.c the context and the forward pass; sampler.c the sampler.
 */
#ifndef GPTOSS_IMPL_H
#define GPTOSS_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "model/gptoss/gptoss.h"

/* Explicit limits on what files may ask for. */
#define GPTOSS_ST_HEADER_MAX (100u << 20) /* safetensors JSON header */
#define GPTOSS_JSON_FILE_MAX (64u << 20)  /* config / index JSON files */
#define GPTOSS_ST_MAX_DIMS 8
#define GPTOSS_MAX_LAYERS 1024
#define GPTOSS_MAX_DIM 65536 /* hidden, intermediate, head widths */
#define GPTOSS_MAX_VOCAB (1u << 24)
#define GPTOSS_MAX_EXPERTS 4096
#define GPTOSS_MAX_STOP 64

/* Sets *err_out (when not NULL) to a formatted heap message. */
void gptoss_set_err(char **err_out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- safetensors.c ---- */

enum gptoss_dtype {
	GPTOSS_DT_BOOL,
	GPTOSS_DT_U8,
	GPTOSS_DT_I8,
	GPTOSS_DT_F8_E5M2,
	GPTOSS_DT_F8_E4M3,
	GPTOSS_DT_I16,
	GPTOSS_DT_U16,
	GPTOSS_DT_F16,
	GPTOSS_DT_BF16,
	GPTOSS_DT_I32,
	GPTOSS_DT_U32,
	GPTOSS_DT_F32,
	GPTOSS_DT_F64,
	GPTOSS_DT_I64,
	GPTOSS_DT_U64,
	GPTOSS_DT_COUNT
};

const char *gptoss_dtype_name(enum gptoss_dtype dt);

struct gptoss_st_tensor {
	char *name;
	enum gptoss_dtype dtype;
	uint32_t ndim;
	uint64_t shape[GPTOSS_ST_MAX_DIMS];
	uint64_t begin, end; /* byte offsets into the data area */
};

struct gptoss_st_file {
	char *path;
	int fd;
	uint8_t *map;			  /* whole file, PROT_READ */
	uint64_t size;			  /* file bytes */
	const uint8_t *data;		  /* map + 8 + header length */
	struct gptoss_st_tensor *tensors; /* [n], sorted by name */
	size_t n;
};

/*
 * Parses a safetensors JSON header of LEN bytes (not NUL-terminated) whose
 * data area holds DATA_LEN bytes. Checks dtypes, shapes, that every tensor's
 * byte range matches its shape and lies inside the data area, and that no
 * name repeats. *tensors_out (sorted by name) is freed with
 * gptoss_st_tensors_free. NAME is used in messages.
 */
enum gptoss_status gptoss_st_parse_header(const char *name, const char *json,
    size_t len, uint64_t data_len, struct gptoss_st_tensor **tensors_out,
    size_t *n_out, char **err_out);
void gptoss_st_tensors_free(struct gptoss_st_tensor *t, size_t n);

/* Opens and mmaps the shard at PATH and parses its header. */
enum gptoss_status gptoss_st_open(const char *path,
    struct gptoss_st_file **file_out, char **err_out);
void gptoss_st_close(struct gptoss_st_file *f);
/* The tensor called NAME in F, or NULL. */
const struct gptoss_st_tensor *gptoss_st_find(const struct gptoss_st_file *f,
    const char *name);

/* ---- config.c ---- */

struct gptoss_config {
	char *architecture;
	uint32_t vocab_size, hidden_size, intermediate_size;
	uint32_t num_layers, num_heads, num_kv_heads, head_dim;
	uint32_t num_experts, experts_per_token;
	uint32_t sliding_window;
	uint8_t *layer_sliding; /* [num_layers] 1 = sliding */
	uint32_t max_position_embeddings;
	float rms_norm_eps, swiglu_limit;
	int attention_bias, tie_word_embeddings;
	/* RoPE: per pair frequency and the cos/sin multiplier. */
	double *inv_freq; /* [head_dim / 2] */
	double rope_attention_factor;
	uint32_t stop_tokens[GPTOSS_MAX_STOP];
	uint32_t num_stop_tokens;
};

/* Reads DIR/config.json (and DIR/generation_config.json if present). */
enum gptoss_status gptoss_config_load(const char *dir,
    struct gptoss_config **cfg_out, char **err_out);
void gptoss_config_free(struct gptoss_config *cfg);
/* Reads a whole file of at most LIMIT bytes, NUL-terminated. */
enum gptoss_status gptoss_read_file(const char *path, size_t limit,
    char **data_out, size_t *len_out, char **err_out);

/* ---- weights.c ---- */

struct gptoss_layer {
	const uint16_t *ln1, *ln2;	       /* [H] bf16 */
	const uint16_t *q_w, *k_w, *v_w, *o_w; /* [out, in] bf16 */
	const uint16_t *q_b, *k_b, *v_b, *o_b; /* [out] or NULL */
	const uint16_t *sinks;		       /* [nq] */
	const uint16_t *router_w, *router_b;   /* [E, H], [E] */
	const uint8_t *gu_blocks, *gu_scales;  /* [E, 2I, H/32, 16|] */
	const uint16_t *gu_bias;	       /* [E, 2I] */
	const uint8_t *dn_blocks, *dn_scales;  /* [E, H, I/32, 16|] */
	const uint16_t *dn_bias;	       /* [E, H] */
	int sliding;
};

struct gptoss_weights {
	struct gptoss_st_file **shards;
	size_t num_shards;
	const uint16_t *embed;	 /* [V, H] */
	const uint16_t *norm;	 /* [H] */
	const uint16_t *lm_head; /* [V, H] */
	struct gptoss_layer *layers;
	uint64_t bytes_total;
};

enum gptoss_status gptoss_weights_load(const char *dir,
    const struct gptoss_config *cfg, struct gptoss_weights **w_out,
    char **err_out);
void gptoss_weights_free(struct gptoss_weights *w, uint32_t num_layers);

/* One expert matrix repacked for the fast kernels (gptoss_mx16_pack). */
struct gptoss_mx16 {
	const uint8_t *q; /* [rows / 16][cols / 32][256] nibbles */
	const uint8_t *s; /* [rows / 16][cols / 32][16] E8M0 scales */
};

/* The fast precision's copy of every layer's experts. */
struct gptoss_fast_experts {
	uint8_t **buf;		/* [layers] the repacked bytes */
	struct gptoss_mx16 *gu; /* [layers * E] gate_up */
	struct gptoss_mx16 *dn; /* [layers * E] down */
};

struct gptoss_model {
	struct gptoss_config *cfg;
	struct gptoss_weights *w;
	pthread_mutex_t fast_lock;	  /* guards the making of fast */
	struct gptoss_fast_experts *fast; /* NULL until a fast context */
};

/* Repacks the experts for the fast kernels once (on NTHREADS threads);
 * later calls return at once. */
void gptoss_fast_experts_make(struct gptoss_model *m, uint32_t nthreads);

/* ---- sampler.c ---- */

/*
 * For sampling elsewhere (the CUDA path): the sampler's parameters and the
 * generator's next draw, which gptoss_sampler_sample would have taken
 * (none at temperature 0: *rnd_out is 0 and the state is unchanged).
 */
void gptoss_sampler_device_args(struct gptoss_sampler *s,
    struct gptoss_sampler_params *p_out, uint64_t *rnd_out);

/* ---- threadpool.c ---- */

struct gptoss_pool;
/* FN(arg, task, thread) is called once for each task in [0, ntasks). */
typedef void (*gptoss_task_fn)(void *arg, uint32_t task, uint32_t thread);

/* A pool of NTHREADS (the caller counts as one; >= 1). */
struct gptoss_pool *gptoss_pool_new(uint32_t nthreads);
void gptoss_pool_free(struct gptoss_pool *pool);
uint32_t gptoss_pool_size(const struct gptoss_pool *pool);
/* Runs every task and returns when all have finished. */
void gptoss_pool_run(struct gptoss_pool *pool, gptoss_task_fn fn, void *arg,
    uint32_t ntasks);

/* ---- mxfp4.c: kernels ---- */

/* Converts N bf16 values to float. */
void gptoss_bf16_to_f32(float *out, const uint16_t *in, size_t n);
/* Decodes NBLOCKS MXFP4 blocks (16 bytes + one E8M0 scale) to 32*n floats. */
void gptoss_mxfp4_to_f32(float *out, const uint8_t *blocks,
    const uint8_t *scales, size_t nblocks);
/*
 * Matmul rows in the kernels' panel order: the SIMD kernels read each
 * 32-element chunk as its 16 even elements then its 16 odd ones (a tail
 * shorter than 32 stays in order); the portable kernels read the natural
 * order. A dot product of a panel-ordered weight row with a panel-ordered
 * vector is the dot product of the two. gptoss_panel_x reorders a vector
 * of COLS floats; the other two decode a weight row into that order.
 */
void gptoss_panel_x(float *out, const float *x, uint32_t cols);
void gptoss_panel_bf16(float *out, const uint16_t *w, uint32_t cols);
void gptoss_panel_mxfp4(float *out, const uint8_t *blocks,
    const uint8_t *scales, uint32_t nblocks);
/*
 * out[t] = w . x[t] for t < n (n <= 4), x rows LDX floats apart, COLS
 * long, both in the same order. The result for one x does not depend on
 * n or on the thread.
 */
void gptoss_dot_f32_tile(float *out, const float *w, const float *x, size_t ldx,
    uint32_t n, uint32_t cols);
/*
 * The same straight from a bf16 weight row, with x in panel order:
 * bit-identical to gptoss_panel_bf16 then gptoss_dot_f32_tile. Returns -1
 * (nothing done) where the portable path is in use.
 */
int gptoss_dot_bf16_tile(float *out, const uint16_t *w, const float *x,
    size_t ldx, uint32_t n, uint32_t cols);
/*
 * *out = (MXFP4 row of NBLOCKS blocks) . x with x in panel order,
 * bit-identical to gptoss_panel_mxfp4 then gptoss_dot_f32_tile with n = 1.
 * Returns -1 (nothing done) where the portable path is in use.
 */
int gptoss_dot_mxfp4_1(float *out, const uint8_t *blocks, const uint8_t *scales,
    const float *x, uint32_t nblocks);
/*
 * out[r * 4 + t] = w[r] . x[t] for 3 rows LDW apart and N (1-4) vectors,
 * bit-identical to gptoss_dot_f32_tile; -1 (nothing done) without
 * AVX-512VL.
 */
int gptoss_dot_f32_3xn(float *out, const float *w, size_t ldw, const float *x,
    size_t ldx, uint32_t n, uint32_t cols);
/* y[i] += a * x[i] for i < n. */
void gptoss_axpy_f32(float *y, float a, const float *x, uint32_t n);
/* "avx512", "avx2" or "portable": the kernel family in use. */
const char *gptoss_kernel_name(void);

/* ---- fast.c: the fast precision's kernels ---- */

/*
 * 32 activations quantized to 8 bits: x[i] ~ q[i] * 2 * d. The scale is
 * halved, and corr is -12 * sum(q), because the weights enter the integer
 * dot products as doubled E2M1 values plus 12 (0..24, unsigned).
 */
struct gptoss_q8 {
	int8_t q[32];
	float d;
	int32_t corr;
};

/* Quantizes NB blocks of 32 floats (amax / 127 per block, rounded to
 * nearest even). */
void gptoss_q8_quantize(struct gptoss_q8 *out, const float *x, uint32_t nb);
/*
 * Bytes of an MXFP4 matrix of ROWS x NB blocks repacked: rows in groups of
 * 16 (the last one padded with zero weights), per group and block 256
 * bytes of nibbles and 16 scales. Byte 4l + j of the block's 64-byte
 * chunk c holds row l's element 8c + j (low nibble) and 8c + 4 + j (high
 * nibble), so one 512-bit register of a chunk's nibbles gives 16 rows' dot
 * products over 4 + 4 elements.
 */
size_t gptoss_mx16_size(uint32_t rows, uint32_t nb);
void gptoss_mx16_pack(uint8_t *dst, const uint8_t *blocks,
    const uint8_t *scales, uint32_t rows, uint32_t nb);
/*
 * acc[t * 16 + l] += (row l of the group at Q, S) . x[t] for t < M and the
 * group's 16 rows, X rows LDX blocks apart, NB blocks long. Per block the
 * dot product is an exact integer, then acc = fma(float(dot), scale_w *
 * d, acc): every kernel family gives the same bits, for any M.
 */
void gptoss_mx16_dot(float *acc, const uint8_t *q, const uint8_t *s,
    const struct gptoss_q8 *x, size_t ldx, uint32_t m, uint32_t nb);
/* Rounds N floats to bf16 (nearest even). */
void gptoss_f32_to_bf16(uint16_t *out, const float *x, size_t n);
/*
 * out[r * 4 + t] = w[r] . x[t] for r < ROWS, t < N (both <= 4) with bf16
 * W (rows LDW apart) and X (LDX apart) in bf16 dot products, each result
 * the same for any tile; -1 (nothing done) without AVX512_BF16.
 */
int gptoss_dot_bf16x_tile(float *out, const uint16_t *w, size_t ldw,
    const uint16_t *x, size_t ldx, uint32_t rows, uint32_t n, uint32_t cols);
/* float16 <-> float for the fast KV cache (nearest even). */
void gptoss_f32_to_f16(uint16_t *out, const float *x, size_t n);
void gptoss_f16_to_f32(float *out, const uint16_t *x, size_t n);
/* q . k over D elements, K in float16; y[i] += a * x[i], X in float16. */
float gptoss_dot_f16(const float *q, const uint16_t *k, uint32_t d);
void gptoss_axpy_f16(float *y, float a, const uint16_t *x, uint32_t n);
/*
 * One query head Q [D] over NK keys of float16 caches, key LO + i at slot
 * (LO + i) % SLOTS, STRIDE elements apart: softmax of scale * q . k with
 * the SINK logit as an extra column, times V, into OUT [D]. S is scratch
 * for NK floats.
 */
void gptoss_attn_f16(float *out, const float *q, const uint16_t *kc,
    const uint16_t *vc, size_t stride, uint32_t lo, uint32_t nk, uint32_t slots,
    uint32_t d, float scale, float sink, float *s);
/* "avx512-vnni", "avx-vnni", "avx2" or "portable": the integer kernels. */
const char *gptoss_fast_kernel_name(void);
/* The same with the bf16 kernels, for gptoss_model_info. */
const char *gptoss_fast_kernels(void);

static inline float
gptoss_bf16(uint16_t h)
{
	union {
		uint32_t u;
		float f;
	} v = { .u = (uint32_t)h << 16 };
	return v.f;
}

#endif
