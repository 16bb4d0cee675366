/*
 * k-moe.cu: the router's top-k softmax, each expert's list of entries,
 * and the MXFP4 expert matmuls: gate_up with the fused clamped SwiGLU
 * (rows 2j and 2j+1 are gate j and up j) and down with its bias.
 *
 * A block takes 8 rows (a warp each) of one expert and runs them over the
 * expert's entries GK_TOKENS at a time, so a batch reads each expert's
 * weights once per GK_TOKENS entries; blocks of experts no token chose
 * return at once. A lane reads one 16-byte block (32 weights) and its
 * scale byte per step, decoding in registers; accumulation is fp32.
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

/* One block: each token's top K, then the counts, the offsets and each
 * expert's entries in order. */
static __global__ void
k_route(const float *router, uint32_t *sel, float *selw, uint32_t *cnt,
    uint32_t *off, uint32_t *list, uint32_t n, uint32_t E, uint32_t K)
{
	uint32_t e, j, c, i, nk = n * K;

	for (i = threadIdx.x; i < n; i += blockDim.x)
		gm_route(router + (size_t)i * E, E, K, sel + (size_t)i * K,
		    selw + (size_t)i * K);
	__syncthreads();
	for (e = threadIdx.x; e < E; e += blockDim.x) {
		for (c = 0, j = 0; j < nk; j++)
			c += sel[j] == e;
		cnt[e] = c;
	}
	__syncthreads();
	if (threadIdx.x == 0)
		for (c = 0, e = 0; e < E; e++) {
			off[e] = c;
			c += cnt[e];
		}
	__syncthreads();
	for (e = threadIdx.x; e < E; e += blockDim.x)
		for (c = off[e], j = 0; j < nk; j++)
			if (sel[j] == e)
				list[c++] = j;
}

void
gk_route(cudaStream_t s, const float *router, uint32_t *sel, float *selw,
    uint32_t *cnt, uint32_t *off, uint32_t *list, uint32_t n, uint32_t E,
    uint32_t K)
{
	k_route<<<1, GK_THREADS, 0, s>>>(router, sel, selw, cnt, off, list, n,
	    E, K);
}

/*
 * ROWS (1 or 2) MXFP4 rows starting at R0 (nb blocks each) times the
 * activation rows of entries list[e0..e0+nt), ACT_K activation rows per
 * token (K for gate_up, whose input is the token's row; 1 for down, whose
 * input is the entry's own row): acc[row][t], summed over the warp.
 */
template <int ROWS>
static __device__ __forceinline__ void
mx_dot(float acc[ROWS][GK_TOKENS], const uint8_t *__restrict__ blocks,
    const uint8_t *__restrict__ scales, uint32_t r0, uint32_t nb,
    const float *__restrict__ x, uint32_t ldx, const uint32_t *rowsx,
    uint32_t nt)
{
	uint32_t lane = threadIdx.x & 31;

#pragma unroll
	for (int r = 0; r < ROWS; r++)
#pragma unroll
		for (int t = 0; t < GK_TOKENS; t++)
			acc[r][t] = 0;
#pragma unroll 2
	for (uint32_t b = lane; b < nb; b += 32) {
		uint4 raw[ROWS];
		uint32_t sc[ROWS];
#pragma unroll
		for (int r = 0; r < ROWS; r++) {
			raw[r] = __ldg((const uint4 *)(blocks +
			    ((size_t)(r0 + r) * nb + b) * 16));
			sc[r] = __ldg(scales + (size_t)(r0 + r) * nb + b);
		}
#pragma unroll
		for (int q = 0; q < 4; q++) {
#pragma unroll
			for (int by = 0; by < 4; by++) {
				/* Bytes 4q + by: elements 8q + 2by, +1. */
				float we[ROWS], wo[ROWS];
#pragma unroll
				for (int r = 0; r < ROWS; r++) {
					uint32_t word = q == 0 ? raw[r].x :
					    q == 1	       ? raw[r].y :
					    q == 2	       ? raw[r].z :
								 raw[r].w;
					gm_mxfp4_byte((word >> (8 * by)) &
						0xffu,
					    sc[r], &we[r], &wo[r]);
				}
#pragma unroll
				for (int t = 0; t < GK_TOKENS; t++) {
					if ((uint32_t)t < nt) {
						float2 xv = *(
						    const float2 *)(x +
						    (size_t)rowsx[t] * ldx +
						    b * 32 + 8 * q + 2 * by);
#pragma unroll
						for (int r = 0; r < ROWS; r++)
							acc[r][t] += we[r] *
								xv.x +
							    wo[r] * xv.y;
					}
				}
			}
		}
	}
#pragma unroll
	for (int r = 0; r < ROWS; r++)
#pragma unroll
		for (int t = 0; t < GK_TOKENS; t++)
			acc[r][t] = warp_sum(acc[r][t]);
}

GK_KERNEL
k_gate_up(float *act, const float *t, const uint8_t *blocks,
    const uint8_t *scales, const uint16_t *bias, const uint32_t *cnt,
    const uint32_t *off, const uint32_t *list, uint32_t K, uint32_t H,
    uint32_t I, float limit)
{
	uint32_t e = blockIdx.y, j = blockIdx.x * WARPS + (threadIdx.x >> 5);
	uint32_t m = cnt[e], nb = H / 32;
	const uint8_t *eb = blocks + (size_t)e * 2 * I * nb * 16;
	const uint8_t *es = scales + (size_t)e * 2 * I * nb;
	const uint16_t *ebias = bias + (size_t)e * 2 * I;
	float acc[2][GK_TOKENS];
	uint32_t rowsx[GK_TOKENS];

	if (m == 0 || j >= I)
		return;
	for (uint32_t e0 = 0; e0 < m; e0 += GK_TOKENS) {
		uint32_t nt = m - e0 < GK_TOKENS ? m - e0 : GK_TOKENS;
		for (uint32_t q = 0; q < GK_TOKENS; q++)
			rowsx[q] = q < nt ? list[off[e] + e0 + q] / K : 0;
		mx_dot<2>(acc, eb, es, 2 * j, nb, t, H, rowsx, nt);
		if ((threadIdx.x & 31) == 0)
			for (uint32_t q = 0; q < nt; q++)
				act[(size_t)list[off[e] + e0 + q] * I + j] =
				    gm_swiglu(acc[0][q] + gm_bf16(ebias[2 * j]),
					acc[1][q] + gm_bf16(ebias[2 * j + 1]),
					limit);
	}
}

void
gk_moe_gate_up(cudaStream_t s, float *act, const float *t,
    const uint8_t *blocks, const uint8_t *scales, const uint16_t *bias,
    const uint32_t *cnt, const uint32_t *off, const uint32_t *list, uint32_t E,
    uint32_t K, uint32_t H, uint32_t I, float limit)
{
	dim3 grid((I + WARPS - 1) / WARPS, E);

	k_gate_up<<<grid, GK_THREADS, 0, s>>>(act, t, blocks, scales, bias, cnt,
	    off, list, K, H, I, limit);
}

GK_KERNEL
k_down(float *moe, const float *act, const uint8_t *blocks,
    const uint8_t *scales, const uint16_t *bias, const uint32_t *cnt,
    const uint32_t *off, const uint32_t *list, uint32_t H, uint32_t I)
{
	uint32_t e = blockIdx.y, h = blockIdx.x * WARPS + (threadIdx.x >> 5);
	uint32_t m = cnt[e], nb = I / 32;
	const uint8_t *eb = blocks + (size_t)e * H * nb * 16;
	const uint8_t *es = scales + (size_t)e * H * nb;
	float acc[1][GK_TOKENS];
	uint32_t rowsx[GK_TOKENS];

	if (m == 0 || h >= H)
		return;
	for (uint32_t e0 = 0; e0 < m; e0 += GK_TOKENS) {
		uint32_t nt = m - e0 < GK_TOKENS ? m - e0 : GK_TOKENS;
		for (uint32_t q = 0; q < GK_TOKENS; q++)
			rowsx[q] = q < nt ? list[off[e] + e0 + q] : 0;
		mx_dot<1>(acc, eb, es, h, nb, act, I, rowsx, nt);
		if ((threadIdx.x & 31) == 0)
			for (uint32_t q = 0; q < nt; q++)
				moe[(size_t)rowsx[q] * H + h] = acc[0][q] +
				    gm_bf16(bias[(size_t)e * H + h]);
	}
}

void
gk_moe_down(cudaStream_t s, float *moe, const float *act, const uint8_t *blocks,
    const uint8_t *scales, const uint16_t *bias, const uint32_t *cnt,
    const uint32_t *off, const uint32_t *list, uint32_t E, uint32_t H,
    uint32_t I)
{
	dim3 grid((H + WARPS - 1) / WARPS, E);

	k_down<<<grid, GK_THREADS, 0, s>>>(moe, act, blocks, scales, bias, cnt,
	    off, list, H, I);
}
