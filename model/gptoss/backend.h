/*
 * backend.h: the compute backend vtable (ggml-backend style).
 *
 * forward.c calls every heavy op through a struct gptoss_backend. The CPU
 * backend implements all ops; another backend (CUDA, later) implements a
 * subset and says which through supports_op; gptoss_backend_for picks the
 * CPU for the rest. Buffers are host float arrays; weights are pointers
 * into the mmapped shards.
 */
#ifndef GPTOSS_BACKEND_H
#define GPTOSS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct gptoss_mx16;

enum gptoss_op {
	GPTOSS_OP_MATMUL_BF16,
	GPTOSS_OP_MATMUL_MXFP4,
	GPTOSS_OP_ATTENTION,
	GPTOSS_OP_MATMUL_BF16_FAST, /* the fast precision's ops (gptoss.h) */
	GPTOSS_OP_MATMUL_MX16_Q8,
	GPTOSS_OP_ATTENTION_F16,
	GPTOSS_OP_COUNT
};

/* One attention call: N queries at positions pos0.. over the KV cache. */
struct gptoss_attn_args {
	float *out;	       /* [n][num_heads * head_dim] */
	const float *q;	       /* [n][num_heads * head_dim], after RoPE */
	const float *k_cache;  /* [slots][num_kv_heads * head_dim] */
	const float *v_cache;  /* [slots][num_kv_heads * head_dim] */
	const uint16_t *sinks; /* [num_heads] bf16 logits */
	uint32_t n, pos0;
	uint32_t slots;	 /* position p lives in slot p % slots */
	uint32_t window; /* 0: full causal; else keys p-window < k <= p */
	uint32_t num_heads, num_kv_heads, head_dim;
	float scale; /* 1/sqrt(head_dim) */
	/* GPTOSS_OP_ATTENTION_F16: float16 caches instead of k/v_cache. */
	const uint16_t *k16, *v16; /* [slots][num_kv_heads * head_dim] */
};

struct gptoss_backend {
	const char *name; /* "cpu" */
	int (*supports_op)(const struct gptoss_backend *be, enum gptoss_op op);
	/*
	 * y[t][r] = W[r] . x[t] + bias[r] for r < rows, t < n; W is [rows,
	 * cols] bf16 row-major, bias bf16 or NULL; x rows are LDX floats
	 * apart, y rows LDY.
	 */
	void (*matmul_bf16)(struct gptoss_backend *be, float *y, size_t ldy,
	    const uint16_t *w, const uint16_t *bias, const float *x, size_t ldx,
	    uint32_t rows, uint32_t cols, uint32_t n);
	/* The same with W in MXFP4: BLOCKS [rows][cols/32][16], SCALES
	 * [rows][cols/32]. */
	void (*matmul_mxfp4)(struct gptoss_backend *be, float *y, size_t ldy,
	    const uint8_t *blocks, const uint8_t *scales, const uint16_t *bias,
	    const float *x, size_t ldx, uint32_t rows, uint32_t cols,
	    uint32_t n);
	void (*attention)(struct gptoss_backend *be,
	    const struct gptoss_attn_args *a);
	void (*free)(struct gptoss_backend *be);
	void *impl;
	/* The fast precision (gptoss.h). matmul_bf16 with x rounded to bf16
	 * first, where the backend has bf16 dot products (else the same as
	 * matmul_bf16). */
	void (*matmul_bf16_fast)(struct gptoss_backend *be, float *y,
	    size_t ldy, const uint16_t *w, const uint16_t *bias, const float *x,
	    size_t ldx, uint32_t rows, uint32_t cols, uint32_t n);
	/* matmul_mxfp4 with W repacked (gptoss_mx16_pack) and x quantized
	 * to 8 bits per block of 32. */
	void (*matmul_mx16_q8)(struct gptoss_backend *be, float *y, size_t ldy,
	    const struct gptoss_mx16 *w, const uint16_t *bias, const float *x,
	    size_t ldx, uint32_t rows, uint32_t cols, uint32_t n);
	/* attention over the float16 caches a->k16, a->v16. */
	void (*attention_f16)(struct gptoss_backend *be,
	    const struct gptoss_attn_args *a);
};

/* The CPU backend with a pool of NTHREADS threads (0: online CPUs). */
struct gptoss_backend *gptoss_backend_cpu_new(uint32_t nthreads);

/* BE if it supports OP, else FALLBACK (the CPU backend). */
struct gptoss_backend *gptoss_backend_for(struct gptoss_backend *be,
    struct gptoss_backend *fallback, enum gptoss_op op);

#endif
