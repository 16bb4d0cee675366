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

/* VEC: rows of a multiple of 8 columns, 16-byte loads; else scalar. */
template <bool VEC>
GK_KERNEL
k_matvec(float *__restrict__ y, uint32_t ldy, const uint16_t *__restrict__ w,
    const uint16_t *__restrict__ bias, const float *__restrict__ x,
    uint32_t ldx, uint32_t rows, uint32_t cols, uint32_t n, int accumulate)
{
	uint32_t lane = threadIdx.x & 31;
	uint32_t r = blockIdx.x * WARPS + (threadIdx.x >> 5);
	uint32_t t0 = blockIdx.y * GK_TOKENS;
	uint32_t nt = n - t0 < GK_TOKENS ? n - t0 : GK_TOKENS;
	const uint16_t *row = w + (size_t)r * cols;
	float acc[GK_TOKENS];

	if (r >= rows)
		return;
	for (uint32_t t = 0; t < GK_TOKENS; t++)
		acc[t] = 0;
	if (VEC) {
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
					float4 a = xp[0], b = xp[1];
					acc[t] += wv[0] * a.x + wv[1] * a.y +
					    wv[2] * a.z + wv[3] * a.w +
					    wv[4] * b.x + wv[5] * b.y +
					    wv[6] * b.z + wv[7] * b.w;
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
		float b = bias != NULL ? gm_bf16(bias[r]) : 0.0f;
		for (uint32_t t = 0; t < nt; t++) {
			float *o = &y[(size_t)(t0 + t) * ldy + r];
			*o = accumulate ? *o + (acc[t] + b) : acc[t] + b;
		}
	}
}

void
gk_matvec_bf16(cudaStream_t s, float *y, uint32_t ldy, const uint16_t *w,
    const uint16_t *bias, const float *x, uint32_t ldx, uint32_t rows,
    uint32_t cols, uint32_t n, int accumulate)
{
	dim3 grid((rows + WARPS - 1) / WARPS, (n + GK_TOKENS - 1) / GK_TOKENS);

	if (cols % 8 == 0 && ldx % 4 == 0)
		k_matvec<true><<<grid, GK_THREADS, 0, s>>>(y, ldy, w, bias, x,
		    ldx, rows, cols, n, accumulate);
	else
		k_matvec<false><<<grid, GK_THREADS, 0, s>>>(y, ldy, w, bias, x,
		    ldx, rows, cols, n, accumulate);
}
