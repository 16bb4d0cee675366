/*
 * kernels.h: launchers of the CUDA kernels (private to model/gptoss/cuda).
 *
 * One .cu file per kernel family; engine.cu strings them into the forward
 * pass. Every launcher queues its kernel on STREAM and returns at once;
 * the caller checks cudaGetLastError. Each row i (a token) has its
 * position pos[i] and its sequence's KV caches kct[i], vct[i] in device
 * memory, so a captured decode graph serves every step, and one pass can
 * decode several sequences. Widths:
 * H hidden, Q = nq * d, KV = nkv * d, I intermediate, E experts, K top-k.
 */
#ifndef GPTOSS_CUDA_KERNELS_H
#define GPTOSS_CUDA_KERNELS_H

#include <cuda_runtime.h>
#include <stdint.h>

#define GK_THREADS 256	    /* threads per block of most kernels */
#define GK_ATTN_CHUNK 128   /* keys a block scores per pass */
#define GK_ATTN_MAX_GD 1024 /* (q heads per kv head) * head_dim */
#define GK_TOKENS 4	    /* tokens a warp takes per pass over a row */

/* A kernel of GK_THREADS threads a block (ptxas sizes its registers). */
#define GK_KERNEL static __global__ void __launch_bounds__(GK_THREADS, 1)

/* x[i] = embed[tok[i]] for i < n. */
void gk_embed(cudaStream_t s, float *x, const uint16_t *embed,
    const uint32_t *tok, uint32_t n, uint32_t H);
/* out[i] = rmsnorm(in[i]) * w, rows of H; in and out LD floats apart. */
void gk_rmsnorm(cudaStream_t s, float *out, const float *in, const uint16_t *w,
    uint32_t n, uint32_t H, float eps);
/*
 * y[t][r] = W[r] . x[t] + bias[r] (ACCUMULATE: y[t][r] += that), W bf16
 * [rows][cols], bias bf16 or NULL, x rows LDX floats apart, y rows LDY.
 */
void gk_matvec_bf16(cudaStream_t s, float *y, uint32_t ldy, const uint16_t *w,
    const uint16_t *bias, const float *x, uint32_t ldx, uint32_t rows,
    uint32_t cols, uint32_t n, int accumulate);
/* The same for three matrices of COLS columns over the same x (q, k and
 * v) in one launch; no accumulation. */
void gk_matvec_bf16_3(cudaStream_t s, float *const y[3], const uint32_t ldy[3],
    const uint16_t *const w[3], const uint16_t *const bias[3],
    const uint32_t rows[3], const float *x, uint32_t ldx, uint32_t cols,
    uint32_t n);
/* cos/sin [n][d/2] of positions pos[i] (YaRN, times FACTOR). */
void gk_rope_table(cudaStream_t s, float *cs, float *sn, const double *inv_freq,
    double factor, const uint32_t *pos, uint32_t n, uint32_t half);
/*
 * Rotates q [n][Q] and k [n][KV] in place and stores k and v [n][KV] at
 * slot pos[i] % SLOTS of row i's caches: fp16 when KV16, else float.
 */
void gk_rope_store(cudaStream_t s, float *q, float *k, const float *v,
    void *const *kct, void *const *vct, int kv16, const float *cs,
    const float *sn, const uint32_t *pos, uint32_t n, uint32_t slots,
    uint32_t nq, uint32_t nkv, uint32_t d);
/*
 * Attention with sinks over the caches for queries q [n][Q] at positions
 * pos[i]: each of NSPLIT blocks per (query, kv head) takes one range of
 * the allowed keys (split-K; a window of WINDOW keys when not 0) and
 * writes a partial (max, sum, unnormalised output) to PM, PL, PACC; the
 * combine merges the parts with the sink into out [n][Q]. The caches
 * are fp16 when KV16, else float.
 */
void gk_attention(cudaStream_t s, float *out, const float *q,
    const void *const *kct, const void *const *vct, int kv16,
    const uint16_t *sinks, float *pm, float *pl, float *pacc,
    const uint32_t *pos, uint32_t n, uint32_t slots, uint32_t window,
    uint32_t nq, uint32_t nkv, uint32_t d, float scale, uint32_t nsplit);
/* Top K of each router row [n][E] (sel, softmaxed weights [n][K]), then
 * each expert's entries (token * K + slot): cnt [E], off [E], list [n*K];
 * one block. */
void gk_route(cudaStream_t s, const float *router, uint32_t *sel, float *selw,
    uint32_t *cnt, uint32_t *off, uint32_t *list, uint32_t n, uint32_t E,
    uint32_t K);
/*
 * For each expert's entries: act[entry] = swiglu(gate_up(t[token])), the
 * gate/up rows interleaved (MXFP4 [E][2I][H/32][16] and scales, bias
 * [E][2I]); then moe[entry] = down(act[entry]) + bias.
 */
void gk_moe_gate_up(cudaStream_t s, float *act, const float *t,
    const uint8_t *blocks, const uint8_t *scales, const uint16_t *bias,
    const uint32_t *cnt, const uint32_t *off, const uint32_t *list, uint32_t E,
    uint32_t K, uint32_t H, uint32_t I, float limit);
void gk_moe_down(cudaStream_t s, float *moe, const float *act,
    const uint8_t *blocks, const uint8_t *scales, const uint16_t *bias,
    const uint32_t *cnt, const uint32_t *off, const uint32_t *list, uint32_t E,
    uint32_t H, uint32_t I);
/* x[i] += sum_k selw[i][k] * moe[i * K + k], k in routing order. */
void gk_moe_sum(cudaStream_t s, float *x, const float *moe, const float *selw,
    uint32_t n, uint32_t K, uint32_t H);
/* *best = the argmax of logits [V] (ties: the lower id). */
void gk_argmax(cudaStream_t s, uint32_t *best, const float *logits, uint32_t V);
/* keys[i] = logits[i] (-0 made +0), ids[i] = i: the sort's input. */
void gk_sort_input(cudaStream_t s, float *keys, uint32_t *ids,
    const float *logits, uint32_t V);
/*
 * Samples one of the N candidates (logits KEYS, ids IDS in the sampler's
 * order) with weights exp((l - logits[*best]) / t), cut at TOP_P of the
 * mass, drawn with RND; the id to *tok.
 */
void gk_sample_pick(cudaStream_t s, uint32_t *tok, const float *keys,
    const uint32_t *ids, const float *logits, const uint32_t *best, uint32_t n,
    float t, float top_p, uint64_t rnd);

#endif
