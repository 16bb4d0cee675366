/*
 * k-matvec.cu: bf16 matrix times activation rows, with the bias (q, k, v,
 * o_proj, router, unembedding).
 *
 * A warp owns one weight row and takes GK_TOKENS activation rows per
 * pass, so a prefill batch reads each row once per GK_TOKENS tokens from
 * memory (the rest from L2). Each lane reads 8 bf16 weights (16 bytes) at
 * a time, consecutive lanes consecutive chunks: a warp reads 512 bytes of
 * the row per step, coalesced. Accumulation is fp32.
 */
#include "model/gptoss/cuda/gptoss-math.h"
#include "model/gptoss/cuda/kernels.h"

#define WARPS (GK_THREADS / 32)

static __device__ __forceinline__ float
warp_sum(float v)
{
	for (int off = 16; off > 0; off >>= 1)
		v += __shfl_xor_sync(0xffffffffu, v, off);
	return v;
}

/* Up to three matrices of the same width over the same activations (q,
 * k and v in one launch): rows are numbered across them. */
struct mv_args {
	float *y[3];
	const uint16_t *w[3], *bias[3];
	uint32_t ldy[3], rows[3];
	const float *x;
	uint32_t ldx, cols, n, total;
	int accumulate;
};

/* VEC: rows of a multiple of 8 columns, 16-byte loads; else scalar. */
template <bool VEC>
GK_KERNEL
k_matvec(const struct mv_args a)
{
	uint32_t lane = threadIdx.x & 31;
	uint32_t r = blockIdx.x * WARPS + (threadIdx.x >> 5), m = 0;
	uint32_t t0 = blockIdx.y * GK_TOKENS, cols = a.cols, ldx = a.ldx;
	uint32_t nt = a.n - t0 < GK_TOKENS ? a.n - t0 : GK_TOKENS;
	const float *__restrict__ x = a.x;
	const uint16_t *__restrict__ row;
	float acc[GK_TOKENS];

	if (r >= a.total)
		return;
	while (r >= a.rows[m]) {
		r -= a.rows[m];
		m++;
	}
	row = a.w[m] + (size_t)r * cols;
	for (uint32_t t = 0; t < GK_TOKENS; t++)
		acc[t] = 0;
	if (VEC) {
#pragma unroll 4
		for (uint32_t c = lane * 8; c < cols; c += 32 * 8) {
			uint4 raw = __ldg((const uint4 *)(row + c));
			float wv[8];
			wv[0] = gm_bf16((uint16_t)(raw.x & 0xffff));
			wv[1] = gm_bf16((uint16_t)(raw.x >> 16));
			wv[2] = gm_bf16((uint16_t)(raw.y & 0xffff));
			wv[3] = gm_bf16((uint16_t)(raw.y >> 16));
			wv[4] = gm_bf16((uint16_t)(raw.z & 0xffff));
			wv[5] = gm_bf16((uint16_t)(raw.z >> 16));
			wv[6] = gm_bf16((uint16_t)(raw.w & 0xffff));
			wv[7] = gm_bf16((uint16_t)(raw.w >> 16));
#pragma unroll
			for (uint32_t t = 0; t < GK_TOKENS; t++) {
				if (t < nt) {
					const float4 *xp = (const float4 *)(x +
					    (size_t)(t0 + t) * ldx + c);
					float4 p = xp[0], q = xp[1];
					acc[t] += wv[0] * p.x + wv[1] * p.y +
					    wv[2] * p.z + wv[3] * p.w +
					    wv[4] * q.x + wv[5] * q.y +
					    wv[6] * q.z + wv[7] * q.w;
				}
			}
		}
	} else {
		for (uint32_t c = lane; c < cols; c += 32) {
			float wv = gm_bf16(row[c]);
#pragma unroll
			for (uint32_t t = 0; t < GK_TOKENS; t++)
				if (t < nt)
					acc[t] += wv *
					    x[(size_t)(t0 + t) * ldx + c];
		}
	}
#pragma unroll
	for (uint32_t t = 0; t < GK_TOKENS; t++)
		acc[t] = warp_sum(acc[t]);
	if (lane == 0) {
		float b = a.bias[m] != NULL ? gm_bf16(a.bias[m][r]) : 0.0f;
		for (uint32_t t = 0; t < nt; t++) {
			float *o = &a.y[m][(size_t)(t0 + t) * a.ldy[m] + r];
			*o = a.accumulate ? *o + (acc[t] + b) : acc[t] + b;
		}
	}
}

static void
launch(cudaStream_t s, struct mv_args *a)
{
	dim3 grid((a->total + WARPS - 1) / WARPS,
	    (a->n + GK_TOKENS - 1) / GK_TOKENS);

	if (a->cols % 8 == 0 && a->ldx % 4 == 0)
		k_matvec<true><<<grid, GK_THREADS, 0, s>>>(*a);
	else
		k_matvec<false><<<grid, GK_THREADS, 0, s>>>(*a);
}

void
gk_matvec_bf16(cudaStream_t s, float *y, uint32_t ldy, const uint16_t *w,
    const uint16_t *bias, const float *x, uint32_t ldx, uint32_t rows,
    uint32_t cols, uint32_t n, int accumulate)
{
	struct mv_args a = {};

	a.y[0] = y;
	a.ldy[0] = ldy;
	a.w[0] = w;
	a.bias[0] = bias;
	a.rows[0] = rows;
	a.x = x;
	a.ldx = ldx;
	a.cols = cols;
	a.n = n;
	a.total = rows;
	a.accumulate = accumulate;
	launch(s, &a);
}

void
gk_matvec_bf16_3(cudaStream_t s, float *const y[3], const uint32_t ldy[3],
    const uint16_t *const w[3], const uint16_t *const bias[3],
    const uint32_t rows[3], const float *x, uint32_t ldx, uint32_t cols,
    uint32_t n)
{
	struct mv_args a = {};

	for (int i = 0; i < 3; i++) {
		a.y[i] = y[i];
		a.ldy[i] = ldy[i];
		a.w[i] = w[i];
		a.bias[i] = bias[i];
		a.rows[i] = rows[i];
		a.total += rows[i];
	}
	a.x = x;
	a.ldx = ldx;
	a.cols = cols;
	a.n = n;
	launch(s, &a);
}
