/*
 * k-basic.cu: the embedding gather, RMSNorm, the YaRN RoPE tables, the
 * rotation with the KV cache store, and the experts' weighted sum.
 */
#include "model/gptoss/cuda/gptoss-math.h"
#include "model/gptoss/cuda/kernels.h"

static __global__ void
k_embed(float *x, const uint16_t *embed, const uint32_t *tok, uint32_t H)
{
	const uint16_t *row = embed + (size_t)tok[blockIdx.x] * H;
	float *out = x + (size_t)blockIdx.x * H;

	for (uint32_t h = threadIdx.x; h < H; h += blockDim.x)
		out[h] = gm_bf16(row[h]);
}

void
gk_embed(cudaStream_t s, float *x, const uint16_t *embed, const uint32_t *tok,
    uint32_t n, uint32_t H)
{
	k_embed<<<n, GK_THREADS, 0, s>>>(x, embed, tok, H);
}

/* Sum of squares in double, as the CPU engine. */
static __global__ void
k_rmsnorm(float *out, const float *in, const uint16_t *w, uint32_t H, float eps)
{
	__shared__ double part[GK_THREADS / 32];
	__shared__ float r;
	const float *x = in + (size_t)blockIdx.x * H;
	float *o = out + (size_t)blockIdx.x * H;
	double ss = 0;

	for (uint32_t h = threadIdx.x; h < H; h += blockDim.x)
		ss += (double)x[h] * x[h];
	for (int off = 16; off > 0; off >>= 1)
		ss += __shfl_xor_sync(0xffffffffu, ss, off);
	if ((threadIdx.x & 31) == 0)
		part[threadIdx.x >> 5] = ss;
	__syncthreads();
	if (threadIdx.x == 0) {
		ss = 0;
		for (uint32_t i = 0; i < blockDim.x / 32; i++)
			ss += part[i];
		r = (float)(1.0 / sqrt(ss / H + eps));
	}
	__syncthreads();
	for (uint32_t h = threadIdx.x; h < H; h += blockDim.x)
		o[h] = x[h] * r * gm_bf16(w[h]);
}

void
gk_rmsnorm(cudaStream_t s, float *out, const float *in, const uint16_t *w,
    uint32_t n, uint32_t H, float eps)
{
	k_rmsnorm<<<n, GK_THREADS, 0, s>>>(out, in, w, H, eps);
}

static __global__ void
k_rope_table(float *cs, float *sn, const double *inv_freq, double factor,
    const uint32_t *pos, uint32_t n, uint32_t half)
{
	uint32_t idx = blockIdx.x * blockDim.x + threadIdx.x;

	if (idx >= n * half)
		return;
	gm_rope_cs(pos[idx / half], inv_freq[idx % half], factor, &cs[idx],
	    &sn[idx]);
}

void
gk_rope_table(cudaStream_t s, float *cs, float *sn, const double *inv_freq,
    double factor, const uint32_t *pos, uint32_t n, uint32_t half)
{
	uint32_t total = n * half;

	k_rope_table<<<(total + GK_THREADS - 1) / GK_THREADS, GK_THREADS, 0,
	    s>>>(cs, sn, inv_freq, factor, pos, n, half);
}

static __device__ __forceinline__ void
kv_store(uint16_t *p, float v)
{
	*p = gm_f32_to_f16(v);
}

static __device__ __forceinline__ void
kv_store(float *p, float v)
{
	*p = v;
}

/* One block per token: the q and k pairs, then k and v into the cache. */
template <typename KVT>
static __global__ void
k_rope_store(float *q, float *k, const float *v, void *const *kct,
    void *const *vct, const float *cs, const float *sn, const uint32_t *pos,
    uint32_t slots, uint32_t nq, uint32_t nkv, uint32_t d)
{
	uint32_t i = blockIdx.x, half = d / 2, Q = nq * d, KV = nkv * d;
	uint32_t slot = pos[i] % slots;
	KVT *kc = (KVT *)kct[i], *vc = (KVT *)vct[i];
	const float *c = cs + (size_t)i * half, *sg = sn + (size_t)i * half;
	float *qi = q + (size_t)i * Q, *ki = k + (size_t)i * KV;

	for (uint32_t p = threadIdx.x; p < (nq + nkv) * half; p += blockDim.x) {
		uint32_t h = p / half, j = p % half;
		float *base = h < nq ? qi + h * d : ki + (h - nq) * d;
		gm_rope_pair(&base[j], &base[j + half], c[j], sg[j]);
	}
	__syncthreads();
	for (uint32_t e = threadIdx.x; e < KV; e += blockDim.x) {
		kv_store(&kc[(size_t)slot * KV + e], ki[e]);
		kv_store(&vc[(size_t)slot * KV + e], v[(size_t)i * KV + e]);
	}
}

void
gk_rope_store(cudaStream_t s, float *q, float *k, const float *v,
    void *const *kct, void *const *vct, int kv16, const float *cs,
    const float *sn, const uint32_t *pos, uint32_t n, uint32_t slots,
    uint32_t nq, uint32_t nkv, uint32_t d)
{
	if (kv16)
		k_rope_store<uint16_t><<<n, GK_THREADS, 0, s>>>(q, k, v, kct,
		    vct, cs, sn, pos, slots, nq, nkv, d);
	else
		k_rope_store<float><<<n, GK_THREADS, 0, s>>>(q, k, v, kct, vct,
		    cs, sn, pos, slots, nq, nkv, d);
}

static __global__ void
k_moe_sum(float *x, const float *moe, const float *selw, uint32_t K, uint32_t H)
{
	uint32_t i = blockIdx.x;
	float *xi = x + (size_t)i * H;

	for (uint32_t h = threadIdx.x; h < H; h += blockDim.x) {
		float sum = 0;
		for (uint32_t k = 0; k < K; k++)
			sum += selw[i * K + k] *
			    moe[((size_t)i * K + k) * H + h];
		xi[h] += sum;
	}
}

void
gk_moe_sum(cudaStream_t s, float *x, const float *moe, const float *selw,
    uint32_t n, uint32_t K, uint32_t H)
{
	k_moe_sum<<<n, GK_THREADS, 0, s>>>(x, moe, selw, K, H);
}
