/*
 * k-attn.cu: attention with learned sinks and the sliding window over the
 * fp16 KV cache, split-K (flash-decoding).
 *
 * A block takes one query token, one KV head (with the G query heads that
 * share it) and one of NSPLIT ranges of the allowed keys. It walks its
 * range GK_ATTN_CHUNK keys at a time: scores for every (key, head) into
 * shared memory, an online-softmax update of each head's running max and
 * sum, then the value rows weighted into each (head, dim) accumulator.
 * The combine merges the ranges' partial states with the sink. Decode
 * (one query) spreads a long context over many blocks; prefill gets
 * fewer ranges per query, and the G heads sharing a KV head read each K
 * and V row once.
 */
#include "model/gptoss/cuda/gptoss-math.h"
#include "model/gptoss/cuda/kernels.h"

#define ACC_PER_THREAD (GK_ATTN_MAX_GD / GK_THREADS)

static __device__ __forceinline__ float
kv_load(const uint16_t *p)
{
	return gm_f16_to_f32(__ldg(p));
}

static __device__ __forceinline__ float
kv_load(const float *p)
{
	return __ldg(p);
}

template <typename KVT>
GK_KERNEL
k_attn_part(const float *__restrict__ q, const void *const *kct,
    const void *const *vct, float *pm, float *pl, float *pacc,
    const uint32_t *pos, uint32_t slots, uint32_t window, uint32_t nq,
    uint32_t nkv, uint32_t d, float scale, uint32_t nsplit)
{
	extern __shared__ float sh[];
	uint32_t split = blockIdx.x, g = blockIdx.y, i = blockIdx.z;
	uint32_t G = nq / nkv, GD = G * d, KV = nkv * d;
	uint32_t p = pos[i], lo, nk, per, k0, k1;
	const KVT *__restrict__ kc = (const KVT *)kct[i];
	const KVT *__restrict__ vc = (const KVT *)vct[i];
	float *qs = sh, *sc = sh + GD, *mh = sc + G * GK_ATTN_CHUNK;
	float *lh = mh + G, *rh = lh + G;
	float acc[ACC_PER_THREAD];
	uint32_t j, idx;

	lo = window != 0 && p + 1 > window ? p + 1 - window : 0;
	nk = p - lo + 1;
	per = (nk + nsplit - 1) / nsplit;
	k0 = lo + split * per;
	k1 = k0 + per < p + 1 ? k0 + per : p + 1;
	for (idx = threadIdx.x; idx < GD; idx += blockDim.x)
		qs[idx] = q[(size_t)i * nq * d + (size_t)g * GD + idx];
	for (idx = threadIdx.x; idx < G; idx += blockDim.x) {
		mh[idx] = -INFINITY;
		lh[idx] = 0;
	}
	for (j = 0; j < ACC_PER_THREAD; j++)
		acc[j] = 0;
	__syncthreads();
	for (uint32_t c0 = k0; c0 < k1; c0 += GK_ATTN_CHUNK) {
		uint32_t cn = k1 - c0 < GK_ATTN_CHUNK ? k1 - c0 : GK_ATTN_CHUNK;

		/* Scores of every (key, head) of the chunk. */
		for (idx = threadIdx.x; idx < cn * G; idx += blockDim.x) {
			uint32_t kk = idx / G, h = idx % G;
			const KVT *kr = kc + (size_t)((c0 + kk) % slots) * KV +
			    (size_t)g * d;
			const float *qh = qs + h * d;
			float dot = 0;
			for (uint32_t c = 0; c < d; c++)
				dot += qh[c] * kv_load(&kr[c]);
			sc[h * GK_ATTN_CHUNK + kk] = dot * scale;
		}
		__syncthreads();
		/* Online softmax, one warp per head. */
		for (uint32_t h = threadIdx.x >> 5; h < G;
		     h += blockDim.x >> 5) {
			uint32_t lane = threadIdx.x & 31;
			float m = -INFINITY, sum = 0, mnew;
			for (uint32_t kk = lane; kk < cn; kk += 32)
				m = fmaxf(m, sc[h * GK_ATTN_CHUNK + kk]);
			for (int off = 16; off > 0; off >>= 1)
				m = fmaxf(m,
				    __shfl_xor_sync(0xffffffffu, m, off));
			mnew = fmaxf(m, mh[h]);
			for (uint32_t kk = lane; kk < cn; kk += 32) {
				float e = expf(sc[h * GK_ATTN_CHUNK + kk] -
				    mnew);
				sc[h * GK_ATTN_CHUNK + kk] = e;
				sum += e;
			}
			for (int off = 16; off > 0; off >>= 1)
				sum += __shfl_xor_sync(0xffffffffu, sum, off);
			__syncwarp();
			if (lane == 0) {
				float r = gm_sm_rescale(mh[h], mnew);
				rh[h] = r;
				lh[h] = lh[h] * r + sum;
				mh[h] = mnew;
			}
		}
		__syncthreads();
		/* Value rows into the (head, dim) accumulators. */
		for (j = 0; j < ACC_PER_THREAD; j++) {
			idx = threadIdx.x + j * GK_THREADS;
			if (idx < GD) {
				uint32_t h = idx / d, c = idx % d;
				float a = acc[j] * rh[h];
				for (uint32_t kk = 0; kk < cn; kk++)
					a += sc[h * GK_ATTN_CHUNK + kk] *
					    kv_load(&vc[(size_t)((c0 + kk) %
							    slots) *
						    KV +
						(size_t)g * d + c]);
				acc[j] = a;
			}
		}
		__syncthreads();
	}
	/* The partial state of this range (empty: max -inf, sum 0). */
	for (j = 0; j < ACC_PER_THREAD; j++) {
		idx = threadIdx.x + j * GK_THREADS;
		if (idx < GD) {
			uint32_t h = idx / d, c = idx % d;
			size_t part = ((size_t)i * nq + g * G + h) * nsplit +
			    split;
			pacc[part * d + c] = acc[j];
			if (c == 0) {
				pm[part] = mh[h];
				pl[part] = lh[h];
			}
		}
	}
}

/* One block per (query, head), a thread per output element. */
static __global__ void
k_attn_combine(float *out, const uint16_t *sinks, const float *pm,
    const float *pl, const float *pacc, uint32_t nq, uint32_t d,
    uint32_t nsplit)
{
	uint32_t ih = blockIdx.x, h = ih % nq;
	const float *m = pm + (size_t)ih * nsplit,
		    *l = pl + (size_t)ih * nsplit;
	float sink = gm_bf16(sinks[h]), M = sink, L = 0, o, r;
	uint32_t s;

	for (s = 0; s < nsplit; s++)
		M = fmaxf(M, m[s]);
	for (s = 0; s < nsplit; s++)
		L += l[s] * gm_sm_rescale(m[s], M);
	L = gm_sm_denominator(L, M, sink);
	for (uint32_t c = threadIdx.x; c < d; c += blockDim.x) {
		o = 0;
		for (s = 0; s < nsplit; s++) {
			r = gm_sm_rescale(m[s], M);
			o += pacc[((size_t)ih * nsplit + s) * d + c] * r;
		}
		out[(size_t)ih * d + c] = o / L;
	}
}

void
gk_attention(cudaStream_t s, float *out, const float *q, const void *const *kct,
    const void *const *vct, int kv16, const uint16_t *sinks, float *pm,
    float *pl, float *pacc, const uint32_t *pos, uint32_t n, uint32_t slots,
    uint32_t window, uint32_t nq, uint32_t nkv, uint32_t d, float scale,
    uint32_t nsplit)
{
	uint32_t G = nq / nkv;
	size_t shmem = ((size_t)G * d + (size_t)G * GK_ATTN_CHUNK + 3 * G) *
	    sizeof(float);
	dim3 grid(nsplit, nkv, n);
	uint32_t comb = d < GK_THREADS ? d : GK_THREADS;

	if (kv16)
		k_attn_part<uint16_t><<<grid, GK_THREADS, shmem, s>>>(q, kct,
		    vct, pm, pl, pacc, pos, slots, window, nq, nkv, d, scale,
		    nsplit);
	else
		k_attn_part<float><<<grid, GK_THREADS, shmem, s>>>(q, kct, vct,
		    pm, pl, pacc, pos, slots, window, nq, nkv, d, scale,
		    nsplit);
	k_attn_combine<<<n * nq, comb, 0, s>>>(out, sinks, pm, pl, pacc, nq, d,
	    nsplit);
}
