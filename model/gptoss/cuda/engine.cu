/*
 * engine.cu: the CUDA path's host side: weights uploaded once into one
 * device arena, the KV cache (float; fp16 with GPTOSS_CUDA_KV=f16, half
 * the bytes, about 1e-3 relative off the CPU's logits) and activations, the
 * forward pass as a sequence of kernel launches on one stream (a decode step
 * captured as a CUDA graph, one per power-of-two count of attention ranges),
 * sampling on the device, and the device's copy bandwidth for the benchmark.
 *
 * Every CUDA call goes through CK, which returns GPTOSS_ERR_DEVICE with
 * the call and cudaGetErrorString's text. GPTOSS_CUDA_GRAPH=0 in the
 * environment launches decode steps without graphs (for bisecting).
 */
#include <cuda_runtime.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cub/device/device_radix_sort.cuh>

extern "C" {
#include "config.h"
#include "model/gptoss/gptoss-impl.h"
}
#include "model/gptoss/cuda/kernels.h"
#include "model/gptoss/gptoss-cuda.h"

#define MAX_GRAPHS 32
#define DECODE_SPLIT_MAX 256u /* attention ranges of one query */
#define PREFILL_PART_BYTES ((size_t)64 << 20) /* partials of a batch */

#define CK(call)                                                               \
	do {                                                                   \
		cudaError_t e_ = (call);                                       \
		if (e_ != cudaSuccess)                                         \
			return fail(err_out, #call, e_);                       \
	} while (0)
#define CKL() CK(cudaGetLastError())
/* The same inside gptoss_cuda_new: the context is freed at out. */
#define CKG(call)                                                              \
	do {                                                                   \
		cudaError_t e_ = (call);                                       \
		if (e_ != cudaSuccess) {                                       \
			st = fail(err_out, #call, e_);                         \
			goto out;                                              \
		}                                                              \
	} while (0)

struct dlayer {
	const uint16_t *ln1, *ln2, *q_w, *k_w, *v_w, *o_w;
	const uint16_t *q_b, *k_b, *v_b, *o_b, *sinks, *router_w, *router_b;
	const uint8_t *gu_blocks, *gu_scales, *dn_blocks, *dn_scales;
	const uint16_t *gu_bias, *dn_bias;
	int sliding;
};

struct gptoss_cuda {
	const struct gptoss_config *c;
	cudaStream_t st;
	char *arena;
	size_t arena_size, arena_used;
	const uint16_t *embed, *norm, *lm_head;
	struct dlayer *L;
	double *inv_freq;
	void **kc, **vc;
	int kv16; /* GPTOSS_CUDA_KV=f16: an fp16 cache, else float */
	uint32_t *slots;
	uint32_t batch, ctx_len, split_pre, split_dec;
	float *x, *t, *q, *k, *v, *att, *cs, *sn, *router, *selw, *act, *moe;
	float *logits, *last, *pm, *pl, *pacc;
	uint32_t *sel, *cnt, *off, *list;
	uint32_t *d_tok, *d_pos, *d_best, *d_pick;
	uint32_t *h_tok, *h_pos, *h_pick; /* pinned */
	float *keys, *keys2;
	uint32_t *ids, *ids2;
	void *sort_tmp;
	size_t sort_tmp_bytes;
	cudaGraphExec_t graph[MAX_GRAPHS];
	int use_graphs;
	void **allocs;
	size_t nallocs;
};

static enum gptoss_status
fail(char **err_out, const char *call, cudaError_t e)
{
	const char *p = strchr(call, '(');
	int len = p != NULL ? (int)(p - call) : (int)strlen(call);

	gptoss_set_err(err_out, "CUDA: %.*s failed: %s (%s)", len, call,
	    cudaGetErrorString(e), cudaGetErrorName(e));
	(void)cudaGetLastError(); /* clear a non-sticky error */
	return GPTOSS_ERR_DEVICE;
}

extern "C" int
gptoss_cuda_device_count(const char **why)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);

	if (e != cudaSuccess) {
		if (why != NULL)
			*why = cudaGetErrorString(e);
		(void)cudaGetLastError();
		return 0;
	}
	if (n == 0 && why != NULL)
		*why = "the driver reports no GPU";
	return n;
}

extern "C" const char *
gptoss_cuda_built_for(void)
{
	return GPTOSS_CUDA_ARCHS;
}

extern "C" char *
gptoss_cuda_describe(void)
{
	struct cudaDeviceProp p;
	char buf[512];
	int rt = 0, drv = 0;

	if (gptoss_cuda_device_count(NULL) == 0 ||
	    cudaGetDeviceProperties(&p, 0) != cudaSuccess)
		return NULL;
	cudaRuntimeGetVersion(&rt);
	cudaDriverGetVersion(&drv);
	snprintf(buf, sizeof buf,
	    "%s (sm_%d%d, %.1f GiB, driver %d.%d, runtime %d.%d); kernels: "
	    "bf16 matvec, MXFP4 experts with fused SwiGLU, split-K attention "
	    "over %s KV cache, device sampling, %s",
	    p.name, p.major, p.minor, p.totalGlobalMem / 1073741824.0,
	    drv / 1000, drv % 1000 / 10, rt / 1000, rt % 1000 / 10,
	    getenv("GPTOSS_CUDA_KV") != NULL &&
		    strcmp(getenv("GPTOSS_CUDA_KV"), "f16") == 0 ?
		"an fp16" :
		"a float",
	    getenv("GPTOSS_CUDA_GRAPH") != NULL &&
		    strcmp(getenv("GPTOSS_CUDA_GRAPH"), "0") == 0 ?
		"decode graphs off" :
		"decode step as a CUDA graph");
	return strdup(buf);
}

/* cudaMalloc'd memory remembered for gptoss_cuda_free. */
static enum gptoss_status
dalloc(struct gptoss_cuda *g, void **p, size_t bytes, char **err_out)
{
	CK(cudaMalloc(p, bytes > 0 ? bytes : 1));
	g->allocs = (void **)realloc(g->allocs,
	    (g->nallocs + 1) * sizeof *g->allocs);
	if (g->allocs == NULL)
		abort();
	g->allocs[g->nallocs++] = *p;
	return GPTOSS_OK;
}

#define DALLOC(ptr, bytes)                                                     \
	do {                                                                   \
		void *p_;                                                      \
		if ((st = dalloc(g, &p_, (bytes), err_out)) != GPTOSS_OK)      \
			goto out;                                              \
		(ptr) = (decltype(ptr))p_;                                     \
	} while (0)

/* Copies BYTES at SRC into the arena (256-byte aligned); NULL stays NULL. */
template <typename T>
static enum gptoss_status
up(struct gptoss_cuda *g, const T **dst, const T *src, size_t bytes,
    char **err_out)
{
	if (src == NULL) {
		*dst = NULL;
		return GPTOSS_OK;
	}
	g->arena_used = (g->arena_used + 255) & ~(size_t)255;
	if (g->arena_used + bytes > g->arena_size) {
		gptoss_set_err(err_out, "CUDA: weight arena overflow");
		return GPTOSS_ERR_DEVICE;
	}
	CK(cudaMemcpy(g->arena + g->arena_used, src, bytes,
	    cudaMemcpyHostToDevice));
	*dst = (const T *)(g->arena + g->arena_used);
	g->arena_used += bytes;
	return GPTOSS_OK;
}

#define UP(dst, src, bytes)                                                    \
	do {                                                                   \
		if ((st = up(g, &(dst), (src), (bytes), err_out)) !=           \
		    GPTOSS_OK)                                                 \
			goto out;                                              \
	} while (0)

extern "C" void
gptoss_cuda_free(struct gptoss_cuda *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < MAX_GRAPHS; i++)
		if (g->graph[i] != NULL)
			cudaGraphExecDestroy(g->graph[i]);
	for (i = 0; i < g->nallocs; i++)
		cudaFree(g->allocs[i]);
	if (g->h_tok != NULL)
		cudaFreeHost(g->h_tok);
	if (g->st != NULL)
		cudaStreamDestroy(g->st);
	free(g->allocs);
	free(g->L);
	free(g->kc);
	free(g->vc);
	free(g->slots);
	free(g);
}

extern "C" enum gptoss_status
gptoss_cuda_new(const struct gptoss_model *m, uint32_t ctx_len, uint32_t batch,
    struct gptoss_cuda **out, char **err_out)
{
	const struct gptoss_config *c = m->cfg;
	const struct gptoss_weights *w = m->w;
	struct gptoss_cuda *g;
	size_t H = c->hidden_size, I = c->intermediate_size, E = c->num_experts;
	size_t V = c->vocab_size, K = c->experts_per_token, d = c->head_dim;
	size_t Q = (size_t)c->num_heads * d, KV = (size_t)c->num_kv_heads * d;
	size_t B = batch, gu = 2 * I * (H / 32), dn = H * (I / 32), bytes;
	size_t G = c->num_heads / c->num_kv_heads, parts;
	enum gptoss_status st = GPTOSS_OK;
	const char *why = NULL, *env;
	uint32_t l;

	if (gptoss_cuda_device_count(&why) == 0) {
		gptoss_set_err(err_out, "no usable CUDA device: %s", why);
		return GPTOSS_ERR_DEVICE;
	}
	if (G * d > GK_ATTN_MAX_GD || d % 2 != 0 || H % 32 != 0 ||
	    I % 32 != 0) {
		gptoss_set_err(err_out,
		    "the CUDA kernels need (query heads per kv head) * "
		    "head_dim "
		    "<= %d and hidden and intermediate sizes multiple of 32",
		    GK_ATTN_MAX_GD);
		return GPTOSS_ERR_UNSUPPORTED;
	}
	g = (struct gptoss_cuda *)calloc(1, sizeof *g);
	if (g == NULL)
		abort();
	g->c = c;
	g->batch = batch;
	g->ctx_len = ctx_len;
	env = getenv("GPTOSS_CUDA_GRAPH");
	g->use_graphs = env == NULL || strcmp(env, "0") != 0;
	env = getenv("GPTOSS_CUDA_KV");
	g->kv16 = env != NULL && strcmp(env, "f16") == 0;
	CKG(cudaSetDevice(0));
	CKG(cudaStreamCreateWithFlags(&g->st, cudaStreamNonBlocking));

	/* The weights, in one arena. */
	bytes = V * H * 2 * (w->lm_head == w->embed ? 1 : 2) + H * 2 + 4096;
	bytes += (size_t)c->num_layers *
	    (2 * H * 2 + (2 * Q * H + 2 * KV * H) * 2 + (Q + 2 * KV + H) * 2 +
		c->num_heads * 2 + E * H * 2 + E * 2 + E * gu * 17 +
		E * 2 * I * 2 + E * dn * 17 + E * H * 2 + 20 * 256);
	g->arena_size = bytes;
	DALLOC(g->arena, bytes);
	UP(g->embed, w->embed, V * H * 2);
	if (w->lm_head == w->embed)
		g->lm_head = g->embed;
	else
		UP(g->lm_head, w->lm_head, V * H * 2);
	UP(g->norm, w->norm, H * 2);
	g->L = (struct dlayer *)calloc(c->num_layers, sizeof *g->L);
	g->kc = (void **)calloc(c->num_layers, sizeof *g->kc);
	g->vc = (void **)calloc(c->num_layers, sizeof *g->vc);
	g->slots = (uint32_t *)calloc(c->num_layers, sizeof *g->slots);
	if (!g->L || !g->kc || !g->vc || !g->slots)
		abort();
	for (l = 0; l < c->num_layers; l++) {
		const struct gptoss_layer *s = &w->layers[l];
		struct dlayer *D = &g->L[l];
		uint64_t sl = ctx_len;

		UP(D->ln1, s->ln1, H * 2);
		UP(D->ln2, s->ln2, H * 2);
		UP(D->q_w, s->q_w, Q * H * 2);
		UP(D->k_w, s->k_w, KV * H * 2);
		UP(D->v_w, s->v_w, KV * H * 2);
		UP(D->o_w, s->o_w, H * Q * 2);
		UP(D->q_b, s->q_b, Q * 2);
		UP(D->k_b, s->k_b, KV * 2);
		UP(D->v_b, s->v_b, KV * 2);
		UP(D->o_b, s->o_b, H * 2);
		UP(D->sinks, s->sinks, c->num_heads * 2);
		UP(D->router_w, s->router_w, E * H * 2);
		UP(D->router_b, s->router_b, E * 2);
		UP(D->gu_blocks, s->gu_blocks, E * gu * 16);
		UP(D->gu_scales, s->gu_scales, E * gu);
		UP(D->gu_bias, s->gu_bias, E * 2 * I * 2);
		UP(D->dn_blocks, s->dn_blocks, E * dn * 16);
		UP(D->dn_scales, s->dn_scales, E * dn);
		UP(D->dn_bias, s->dn_bias, E * H * 2);
		D->sliding = s->sliding;
		/* The same ring sizes as the CPU context. */
		if (c->layer_sliding[l] &&
		    (uint64_t)c->sliding_window + batch - 1 < sl)
			sl = (uint64_t)c->sliding_window + batch - 1;
		g->slots[l] = (uint32_t)sl;
		DALLOC(g->kc[l], sl * KV * (g->kv16 ? 2 : 4));
		DALLOC(g->vc[l], sl * KV * (g->kv16 ? 2 : 4));
	}
	DALLOC(g->inv_freq, d / 2 * sizeof(double));
	CKG(cudaMemcpy(g->inv_freq, c->inv_freq, d / 2 * sizeof(double),
	    cudaMemcpyHostToDevice));

	/* Activations. */
	DALLOC(g->x, B * H * 4);
	DALLOC(g->t, B * H * 4);
	DALLOC(g->q, B * Q * 4);
	DALLOC(g->att, B * Q * 4);
	DALLOC(g->k, B * KV * 4);
	DALLOC(g->v, B * KV * 4);
	DALLOC(g->cs, B * d / 2 * 4);
	DALLOC(g->sn, B * d / 2 * 4);
	DALLOC(g->router, B * E * 4);
	DALLOC(g->sel, B * K * 4);
	DALLOC(g->selw, B * K * 4);
	DALLOC(g->cnt, E * 4);
	DALLOC(g->off, E * 4);
	DALLOC(g->list, B * K * 4);
	DALLOC(g->act, B * K * I * 4);
	DALLOC(g->moe, B * K * H * 4);
	DALLOC(g->logits, B * V * 4);
	/* Attention ranges: many for one query, fewer for a batch. */
	g->split_dec = (ctx_len + GK_ATTN_CHUNK - 1) / GK_ATTN_CHUNK;
	if (g->split_dec > DECODE_SPLIT_MAX)
		g->split_dec = DECODE_SPLIT_MAX;
	g->split_pre = (uint32_t)(PREFILL_PART_BYTES /
	    (B * c->num_heads * (d + 2) * 4));
	g->split_pre = g->split_pre < 1 ? 1 :
	    g->split_pre > g->split_dec ? g->split_dec :
					  g->split_pre;
	parts = B * g->split_pre > g->split_dec ? B * g->split_pre :
						  g->split_dec;
	parts *= c->num_heads;
	DALLOC(g->pm, parts * 4);
	DALLOC(g->pl, parts * 4);
	DALLOC(g->pacc, parts * d * 4);
	/* Sampling. */
	DALLOC(g->d_tok, B * 4);
	DALLOC(g->d_pos, 4);
	DALLOC(g->d_best, 4);
	DALLOC(g->d_pick, 4);
	DALLOC(g->keys, V * 4);
	DALLOC(g->keys2, V * 4);
	DALLOC(g->ids, V * 4);
	DALLOC(g->ids2, V * 4);
	CKG(cub::DeviceRadixSort::SortPairsDescending(NULL, g->sort_tmp_bytes,
	    g->keys, g->keys2, g->ids, g->ids2, (int)V));
	DALLOC(g->sort_tmp, g->sort_tmp_bytes);
	CKG(cudaMallocHost((void **)&g->h_tok, (B + 2) * 4));
	g->h_pos = g->h_tok + B;
	g->h_pick = g->h_tok + B + 1;
	g->last = g->logits;
out:
	if (st != GPTOSS_OK) {
		gptoss_cuda_free(g);
		return st;
	}
	*out = g;
	return GPTOSS_OK;
}

/* Attention ranges for queries up to position LAST on layer L. */
static uint32_t
splits(const struct gptoss_cuda *g, uint32_t l, uint32_t last, uint32_t cap)
{
	uint32_t keys = last + 1, n;

	if (g->L[l].sliding && g->c->sliding_window < keys)
		keys = g->c->sliding_window;
	n = (keys + GK_ATTN_CHUNK - 1) / GK_ATTN_CHUNK;
	return n < 1 ? 1 : n > cap ? cap : n;
}

/* Queues the forward pass of N tokens (ids and first position already in
 * d_tok and d_pos); NSPLIT bounds the attention ranges of full layers. */
static enum gptoss_status
enqueue(struct gptoss_cuda *g, uint32_t n, uint32_t last_pos, uint32_t cap,
    int all, char **err_out)
{
	const struct gptoss_config *c = g->c;
	uint32_t H = c->hidden_size, I = c->intermediate_size;
	uint32_t E = c->num_experts, K = c->experts_per_token;
	uint32_t d = c->head_dim, nq = c->num_heads, nkv = c->num_kv_heads;
	uint32_t Q = nq * d, KV = nkv * d, V = c->vocab_size, l;
	float eps = c->rms_norm_eps, scale = (float)(1.0 / sqrt((double)d));
	cudaStream_t s = g->st;

	gk_embed(s, g->x, g->embed, g->d_tok, n, H);
	gk_rope_table(s, g->cs, g->sn, g->inv_freq, c->rope_attention_factor,
	    g->d_pos, n, d / 2);
	CKL();
	for (l = 0; l < c->num_layers; l++) {
		const struct dlayer *D = &g->L[l];

		gk_rmsnorm(s, g->t, g->x, D->ln1, n, H, eps);
		gk_matvec_bf16(s, g->q, Q, D->q_w, D->q_b, g->t, H, Q, H, n, 0);
		gk_matvec_bf16(s, g->k, KV, D->k_w, D->k_b, g->t, H, KV, H, n,
		    0);
		gk_matvec_bf16(s, g->v, KV, D->v_w, D->v_b, g->t, H, KV, H, n,
		    0);
		gk_rope_store(s, g->q, g->k, g->v, g->kc[l], g->vc[l], g->kv16,
		    g->cs, g->sn, g->d_pos, n, g->slots[l], nq, nkv, d);
		gk_attention(s, g->att, g->q, g->kc[l], g->vc[l], g->kv16,
		    D->sinks, g->pm, g->pl, g->pacc, g->d_pos, n, g->slots[l],
		    D->sliding ? c->sliding_window : 0, nq, nkv, d, scale,
		    splits(g, l, last_pos, cap));
		gk_matvec_bf16(s, g->x, H, D->o_w, D->o_b, g->att, Q, H, Q, n,
		    1);
		gk_rmsnorm(s, g->t, g->x, D->ln2, n, H, eps);
		gk_matvec_bf16(s, g->router, E, D->router_w, D->router_b, g->t,
		    H, E, H, n, 0);
		gk_route(s, g->router, g->sel, g->selw, g->cnt, g->off, g->list,
		    n, E, K);
		gk_moe_gate_up(s, g->act, g->t, D->gu_blocks, D->gu_scales,
		    D->gu_bias, g->cnt, g->off, g->list, E, K, H, I,
		    c->swiglu_limit);
		gk_moe_down(s, g->moe, g->act, D->dn_blocks, D->dn_scales,
		    D->dn_bias, g->cnt, g->off, g->list, E, H, I);
		gk_moe_sum(s, g->x, g->moe, g->selw, n, K, H);
		CKL();
	}
	if (all) {
		gk_rmsnorm(s, g->t, g->x, g->norm, n, H, eps);
		gk_matvec_bf16(s, g->logits, V, g->lm_head, NULL, g->t, H, V, H,
		    n, 0);
	} else {
		gk_rmsnorm(s, g->t, g->x + (size_t)(n - 1) * H, g->norm, 1, H,
		    eps);
		gk_matvec_bf16(s, g->logits, V, g->lm_head, NULL, g->t, H, V, H,
		    1, 0);
	}
	CKL();
	return GPTOSS_OK;
}

static uint32_t
pow2_at_least(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* One decode step through the graph of its bucket (captured on first
 * use): the token and position copies are part of the graph. */
static enum gptoss_status
decode_graph(struct gptoss_cuda *g, uint32_t pos, char **err_out)
{
	uint32_t need = (pos + GK_ATTN_CHUNK) / GK_ATTN_CHUNK;
	uint32_t cap = pow2_at_least(need), b = 0;
	enum gptoss_status st;
	cudaGraph_t graph;

	cap = cap > g->split_dec ? g->split_dec : cap;
	while ((1u << b) < cap)
		b++;
	if (b >= MAX_GRAPHS)
		b = MAX_GRAPHS - 1;
	if (g->graph[b] == NULL) {
		CK(cudaStreamBeginCapture(g->st,
		    cudaStreamCaptureModeThreadLocal));
		cudaMemcpyAsync(g->d_tok, g->h_tok, 4, cudaMemcpyHostToDevice,
		    g->st);
		cudaMemcpyAsync(g->d_pos, g->h_pos, 4, cudaMemcpyHostToDevice,
		    g->st);
		/* Splits for the bucket's longest context. */
		st = enqueue(g, 1, cap * GK_ATTN_CHUNK - 1, cap, 0, err_out);
		CK(cudaStreamEndCapture(g->st, &graph));
		if (st != GPTOSS_OK) {
			cudaGraphDestroy(graph);
			return st;
		}
		CK(cudaGraphInstantiate(&g->graph[b], graph, 0));
		CK(cudaGraphDestroy(graph));
	}
	CK(cudaGraphLaunch(g->graph[b], g->st));
	return GPTOSS_OK;
}

extern "C" enum gptoss_status
gptoss_cuda_forward(struct gptoss_cuda *g, const uint32_t *tok, uint32_t n,
    uint32_t pos0, float *all_logits, char **err_out)
{
	uint32_t V = g->c->vocab_size;
	enum gptoss_status st;

	if (n == 0 || n > g->batch || pos0 + n > g->ctx_len) {
		gptoss_set_err(err_out, "CUDA forward: bad batch");
		return GPTOSS_ERR_ARGUMENT;
	}
	/* The pinned buffers may still feed the last step's copies. */
	CK(cudaStreamSynchronize(g->st));
	memcpy(g->h_tok, tok, n * sizeof *tok);
	*g->h_pos = pos0;
	if (n == 1 && all_logits == NULL && g->use_graphs) {
		if ((st = decode_graph(g, pos0, err_out)) != GPTOSS_OK)
			return st;
	} else {
		CK(cudaMemcpyAsync(g->d_tok, g->h_tok, n * 4,
		    cudaMemcpyHostToDevice, g->st));
		CK(cudaMemcpyAsync(g->d_pos, g->h_pos, 4,
		    cudaMemcpyHostToDevice, g->st));
		if ((st = enqueue(g, n, pos0 + n - 1,
			 n == 1 ? g->split_dec : g->split_pre,
			 all_logits != NULL, err_out)) != GPTOSS_OK)
			return st;
	}
	g->last = all_logits != NULL ? g->logits + (size_t)(n - 1) * V :
				       g->logits;
	if (all_logits != NULL)
		CK(cudaMemcpyAsync(all_logits, g->logits, (size_t)n * V * 4,
		    cudaMemcpyDeviceToHost, g->st));
	CK(cudaStreamSynchronize(g->st));
	return GPTOSS_OK;
}

extern "C" enum gptoss_status
gptoss_cuda_logits(struct gptoss_cuda *g, float *out, char **err_out)
{
	CK(cudaMemcpyAsync(out, g->last, (size_t)g->c->vocab_size * 4,
	    cudaMemcpyDeviceToHost, g->st));
	CK(cudaStreamSynchronize(g->st));
	return GPTOSS_OK;
}

extern "C" enum gptoss_status
gptoss_cuda_sample(struct gptoss_cuda *g, const struct gptoss_sampler_params *p,
    uint64_t rnd, uint32_t *tok_out, char **err_out)
{
	uint32_t V = g->c->vocab_size, n = V;
	cudaStream_t s = g->st;

	gk_argmax(s, g->d_best, g->last, V);
	CKL();
	if (p->temperature == 0) {
		CK(cudaMemcpyAsync(g->h_pick, g->d_best, 4,
		    cudaMemcpyDeviceToHost, s));
	} else {
		const float *keys = g->keys;
		const uint32_t *ids = g->ids;

		gk_sort_input(s, g->keys, g->ids, g->last, V);
		CKL();
		if ((p->top_k > 0 && p->top_k < V) || p->top_p < 1) {
			CK(cub::DeviceRadixSort::SortPairsDescending(
			    g->sort_tmp, g->sort_tmp_bytes, g->keys, g->keys2,
			    g->ids, g->ids2, (int)V, 0, 32, s));
			keys = g->keys2;
			ids = g->ids2;
			if (p->top_k > 0 && p->top_k < V)
				n = p->top_k;
		}
		gk_sample_pick(s, g->d_pick, keys, ids, g->last, g->d_best, n,
		    p->temperature, p->top_p, rnd);
		CKL();
		CK(cudaMemcpyAsync(g->h_pick, g->d_pick, 4,
		    cudaMemcpyDeviceToHost, s));
	}
	CK(cudaStreamSynchronize(s));
	*tok_out = *g->h_pick;
	return GPTOSS_OK;
}

extern "C" enum gptoss_status
gptoss_cuda_copy_bandwidth(double *bps, char **err_out)
{
	size_t len = (size_t)1 << 30;
	void *a = NULL, *b = NULL;
	cudaEvent_t e0 = NULL, e1 = NULL;
	enum gptoss_status st = GPTOSS_OK;
	float ms;
	double best = 0;
	int r;

#define CKB(call)                                                              \
	do {                                                                   \
		cudaError_t e_ = (call);                                       \
		if (e_ != cudaSuccess) {                                       \
			st = fail(err_out, #call, e_);                         \
			goto done;                                             \
		}                                                              \
	} while (0)
	CKB(cudaMalloc(&a, len));
	CKB(cudaMalloc(&b, len));
	CKB(cudaMemset(a, 1, len));
	CKB(cudaEventCreate(&e0));
	CKB(cudaEventCreate(&e1));
	for (r = 0; r < 6; r++) {
		CKB(cudaEventRecord(e0));
		CKB(cudaMemcpy(b, a, len, cudaMemcpyDeviceToDevice));
		CKB(cudaEventRecord(e1));
		CKB(cudaEventSynchronize(e1));
		CKB(cudaEventElapsedTime(&ms, e0, e1));
		if (r > 0 && 2.0 * len / (ms * 1e-3) > best)
			best = 2.0 * len / (ms * 1e-3);
	}
	*bps = best;
done:
	if (e0 != NULL)
		cudaEventDestroy(e0);
	if (e1 != NULL)
		cudaEventDestroy(e1);
	cudaFree(a);
	cudaFree(b);
	return st;
#undef CKB
}
