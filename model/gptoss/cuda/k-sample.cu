/*
 * k-sample.cu: sampling on the device, so only the chosen id crosses the
 * bus: argmax (greedy), and temperature with top-k / top-p over
 * candidates already in the sampler's order (engine.cu sorts them with
 * CUB when top-k or top-p asks for it), in one block.
 */
#include "model/gptoss/cuda/gptoss-math.h"
#include "model/gptoss/cuda/kernels.h"

#define PICK_THREADS 1024

static __global__ void
k_argmax(uint32_t *best, const float *logits, uint32_t V)
{
	__shared__ float bv[PICK_THREADS];
	__shared__ uint32_t bi[PICK_THREADS];
	float v = -INFINITY;
	uint32_t id = 0xffffffffu;

	for (uint32_t i = threadIdx.x; i < V; i += blockDim.x)
		if (id == 0xffffffffu || gm_before(logits[i], i, v, id)) {
			v = logits[i];
			id = i;
		}
	bv[threadIdx.x] = v;
	bi[threadIdx.x] = id;
	__syncthreads();
	for (uint32_t w = blockDim.x / 2; w > 0; w >>= 1) {
		if (threadIdx.x < w) {
			uint32_t o = threadIdx.x + w;
			if (bi[o] != 0xffffffffu &&
			    (bi[threadIdx.x] == 0xffffffffu ||
				gm_before(bv[o], bi[o], bv[threadIdx.x],
				    bi[threadIdx.x]))) {
				bv[threadIdx.x] = bv[o];
				bi[threadIdx.x] = bi[o];
			}
		}
		__syncthreads();
	}
	if (threadIdx.x == 0)
		*best = bi[0];
}

void
gk_argmax(cudaStream_t s, uint32_t *best, const float *logits, uint32_t V)
{
	k_argmax<<<1, PICK_THREADS, 0, s>>>(best, logits, V);
}

static __global__ void
k_sort_input(float *keys, uint32_t *ids, const float *logits, uint32_t V)
{
	uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < V) {
		keys[i] = logits[i] + 0.0f; /* -0 sorts as +0 */
		ids[i] = i;
	}
}

void
gk_sort_input(cudaStream_t s, float *keys, uint32_t *ids, const float *logits,
    uint32_t V)
{
	k_sort_input<<<(V + GK_THREADS - 1) / GK_THREADS, GK_THREADS, 0, s>>>(
	    keys, ids, logits, V);
}

/*
 * Each thread sums the weights of a contiguous run of candidates; a
 * prefix over the runs (thread 0) finds the top-p cut and the run where
 * the draw falls, which that run's thread scans in order.
 */
static __global__ void
k_sample_pick(uint32_t *tok, const float *keys, const uint32_t *ids,
    const float *logits, const uint32_t *best, uint32_t n, float t, float top_p,
    uint64_t rnd)
{
	__shared__ double run[PICK_THREADS + 1];
	__shared__ uint32_t cut, pick_run;
	__shared__ double cut_sum, target;
	uint32_t per = (n + PICK_THREADS - 1) / PICK_THREADS;
	uint32_t a = threadIdx.x * per, b = a + per < n ? a + per : n, i;
	float m = logits[*best];
	double sum = 0, total, cum;

	for (i = a; i < b; i++)
		sum += gm_temp_weight(keys[i], m, t);
	run[threadIdx.x + 1] = sum;
	__syncthreads();
	if (threadIdx.x == 0) {
		run[0] = 0;
		for (i = 1; i <= PICK_THREADS; i++)
			run[i] += run[i - 1];
		cut = n;
		cut_sum = run[PICK_THREADS];
	}
	__syncthreads();
	total = run[PICK_THREADS];
	/* top-p: the first candidate where the mass reaches top_p. */
	if (top_p < 1 && a < b && run[threadIdx.x] / total < top_p &&
	    run[threadIdx.x + 1] / total >= top_p) {
		cum = run[threadIdx.x];
		for (i = a; i < b; i++) {
			cum += gm_temp_weight(keys[i], m, t);
			if (cum / total >= top_p) {
				cut = i + 1;
				cut_sum = cum;
				break;
			}
		}
	}
	__syncthreads();
	if (threadIdx.x == 0) {
		target = gm_draw(rnd, cut_sum);
		pick_run = 0;
		for (i = 0; i < PICK_THREADS; i++)
			if (run[i] <= target && target < run[i + 1])
				pick_run = i;
		*tok = ids[cut - 1];
	}
	__syncthreads();
	if (threadIdx.x == pick_run && a < b) {
		cum = run[a / per];
		for (i = a; i < b && i < cut; i++) {
			cum += gm_temp_weight(keys[i], m, t);
			if (target < cum) {
				*tok = ids[i];
				break;
			}
		}
	}
}

void
gk_sample_pick(cudaStream_t s, uint32_t *tok, const float *keys,
    const uint32_t *ids, const float *logits, const uint32_t *best, uint32_t n,
    float t, float top_p, uint64_t rnd)
{
	k_sample_pick<<<1, PICK_THREADS, 0, s>>>(tok, keys, ids, logits, best,
	    n, t, top_p, rnd);
}
