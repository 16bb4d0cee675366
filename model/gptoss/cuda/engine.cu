/*
 * engine.cu: the CUDA path's host side: weights uploaded once into one
 * device arena, the KV cache (float; fp16 with GPTOSS_CUDA_KV=f16, half
 * the bytes, about 1e-3 relative off the CPU's logits) and activations, the
 * forward pass as a sequence of kernel launches on one stream (a decode step
 * captured as a CUDA graph, one per power-of-two count of attention ranges),
 * sampling on the device, and the device's copy bandwidth for the benchmark.
 *
 * The weights are uploaded once per model and shared by its contexts
 * (counted references). Each context has its KV caches and activations;
 * every row of a pass names its position and its sequence's caches
 * through device tables, so gptoss_cuda_decode_batch runs one decode step
 * of several contexts in one pass over the weights.
 *
 * Every CUDA call goes through CK, which returns GPTOSS_ERR_DEVICE with
 * the call and cudaGetErrorString's text. GPTOSS_CUDA_GRAPH=0 in the
 * environment launches decode steps without graphs (for bisecting).
 */
#include <cuda_runtime.h>
#include <pthread.h>
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

#define MAX_GRAPHS 64
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

/* A model's weights on the device, shared by its contexts. */
struct dweights {
	const struct gptoss_model *model;
	unsigned refs;
	char *arena;
	size_t arena_size, arena_used;
	const uint16_t *embed, *norm, *lm_head;
	struct dlayer *L;
	double *inv_freq;
	struct dweights *next;
};

static pthread_mutex_t weights_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dweights *weights_list;

/* A captured decode step: N rows, attention ranges for contexts of up to
 * CAP * GK_ATTN_CHUNK tokens. */
struct graph {
	uint32_t n, cap;
	cudaGraphExec_t exec;
};

struct gptoss_cuda {
	const struct gptoss_config *c;
	struct dweights *w;
	cudaStream_t st;
	void **kc, **vc; /* [layers] this context's caches */
	int kv16;	 /* GPTOSS_CUDA_KV=f16: an fp16 cache, else float */
	uint32_t *slots;
	uint32_t batch, ctx_len, split_pre, split_dec;
	float *x, *t, *q, *k, *v, *att, *cs, *sn, *router, *selw, *act, *moe;
	float *logits, *last, *pm, *pl, *pacc;
	uint32_t *sel, *cnt, *off, *list;
	uint32_t *d_tok, *d_pos, *d_best, *d_pick;
	void **d_kct, **d_vct; /* [layers][batch] caches of each row */
	void **h_kct, **h_vct; /* pinned copies, what d_* hold */
	uint32_t *h_tok, *h_pos, *h_pick; /* pinned */
	int tables_own; /* the tables name this context's caches */
	float *keys, *keys2;
	uint32_t *ids, *ids2;
	void *sort_tmp;
	size_t sort_tmp_bytes;
	struct graph graph[MAX_GRAPHS];
	uint32_t ngraphs;
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

/* cudaMalloc'd memory remembered in *LIST for release. */
static enum gptoss_status
dalloc_in(void ***list, size_t *n, void **p, size_t bytes, char **err_out)
{
	CK(cudaMalloc(p, bytes > 0 ? bytes : 1));
	*list = (void **)realloc(*list, (*n + 1) * sizeof **list);
	if (*list == NULL)
		abort();
	(*list)[(*n)++] = *p;
	return GPTOSS_OK;
}

#define DALLOC(ptr, bytes)                                                     \
	do {                                                                   \
		void *p_;                                                      \
		if ((st = dalloc_in(&g->allocs, &g->nallocs, &p_, (bytes),     \
			 err_out)) != GPTOSS_OK)                               \
			goto out;                                              \
		(ptr) = (decltype(ptr))p_;                                     \
	} while (0)

/* Copies BYTES at SRC into the arena (256-byte aligned); NULL stays NULL. */
template <typename T>
static enum gptoss_status
up(struct dweights *w, const T **dst, const T *src, size_t bytes,
    char **err_out)
{
	if (src == NULL) {
		*dst = NULL;
		return GPTOSS_OK;
	}
	w->arena_used = (w->arena_used + 255) & ~(size_t)255;
	if (w->arena_used + bytes > w->arena_size) {
		gptoss_set_err(err_out, "CUDA: weight arena overflow");
		return GPTOSS_ERR_DEVICE;
	}
	CK(cudaMemcpy(w->arena + w->arena_used, src, bytes,
	    cudaMemcpyHostToDevice));
	*dst = (const T *)(w->arena + w->arena_used);
	w->arena_used += bytes;
	return GPTOSS_OK;
}

#define UP(dst, src, bytes)                                                    \
	do {                                                                   \
		if ((st = up(w, &(dst), (src), (bytes), err_out)) !=           \
		    GPTOSS_OK)                                                 \
			goto out;                                              \
	} while (0)

static void
weights_release(struct dweights *w)
{
	struct dweights **pp;

	if (w == NULL)
		return;
	pthread_mutex_lock(&weights_lock);
	if (--w->refs > 0) {
		pthread_mutex_unlock(&weights_lock);
		return;
	}
	for (pp = &weights_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&weights_lock);
	cudaFree(w->arena);
	cudaFree(w->inv_freq);
	free(w->L);
	free(w);
}

/* M's weights on the device: uploaded by the first context, shared by
 * the next ones. */
static enum gptoss_status
weights_get(const struct gptoss_model *m, struct dweights **out, char **err_out)
{
	const struct gptoss_config *c = m->cfg;
	const struct gptoss_weights *ws = m->w;
	struct dweights *w;
	size_t H = c->hidden_size, I = c->intermediate_size, E = c->num_experts;
	size_t V = c->vocab_size, d = c->head_dim;
	size_t Q = (size_t)c->num_heads * d, KV = (size_t)c->num_kv_heads * d;
	size_t gu = 2 * I * (H / 32), dn = H * (I / 32);
	enum gptoss_status st = GPTOSS_OK;
	cudaError_t e;
	uint32_t l;

	pthread_mutex_lock(&weights_lock);
	for (w = weights_list; w != NULL && w->model != m; w = w->next)
		;
	if (w != NULL) {
		w->refs++;
		pthread_mutex_unlock(&weights_lock);
		*out = w;
		return GPTOSS_OK;
	}
	w = (struct dweights *)calloc(1, sizeof *w);
	if (w == NULL)
		abort();
	w->model = m;
	w->refs = 1;
	w->arena_size = V * H * 2 * (ws->lm_head == ws->embed ? 1 : 2) + H * 2 +
	    4096 +
	    (size_t)c->num_layers *
		(2 * H * 2 + (2 * Q * H + 2 * KV * H) * 2 +
		    (Q + 2 * KV + H) * 2 + c->num_heads * 2 + E * H * 2 +
		    E * 2 + E * gu * 17 + E * 2 * I * 2 + E * dn * 17 +
		    E * H * 2 + 20 * 256);
	if ((e = cudaMalloc((void **)&w->arena, w->arena_size)) !=
	    cudaSuccess) {
		st = fail(err_out, "cudaMalloc(weights)", e);
		goto out;
	}
	if ((e = cudaMalloc((void **)&w->inv_freq, d / 2 * sizeof(double))) !=
		cudaSuccess ||
	    (e = cudaMemcpy(w->inv_freq, c->inv_freq, d / 2 * sizeof(double),
		 cudaMemcpyHostToDevice)) != cudaSuccess) {
		st = fail(err_out, "cudaMemcpy(inv_freq)", e);
		goto out;
	}
	UP(w->embed, ws->embed, V * H * 2);
	if (ws->lm_head == ws->embed)
		w->lm_head = w->embed;
	else
		UP(w->lm_head, ws->lm_head, V * H * 2);
	UP(w->norm, ws->norm, H * 2);
	w->L = (struct dlayer *)calloc(c->num_layers, sizeof *w->L);
	if (w->L == NULL)
		abort();
	for (l = 0; l < c->num_layers; l++) {
		const struct gptoss_layer *s = &ws->layers[l];
		struct dlayer *D = &w->L[l];

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
	}
out:
	if (st != GPTOSS_OK) {
		pthread_mutex_unlock(&weights_lock);
		w->refs = 1;
		cudaFree(w->arena);
		cudaFree(w->inv_freq);
		free(w->L);
		free(w);
		return st;
	}
	w->next = weights_list;
	weights_list = w;
	pthread_mutex_unlock(&weights_lock);
	*out = w;
	return GPTOSS_OK;
}

extern "C" void
gptoss_cuda_free(struct gptoss_cuda *g)
{
	size_t i;

	if (g == NULL)
		return;
	if (g->st != NULL)
		cudaStreamSynchronize(g->st);
	for (i = 0; i < g->ngraphs; i++)
		cudaGraphExecDestroy(g->graph[i].exec);
	for (i = 0; i < g->nallocs; i++)
		cudaFree(g->allocs[i]);
	if (g->h_tok != NULL)
		cudaFreeHost(g->h_tok);
	if (g->h_kct != NULL)
		cudaFreeHost(g->h_kct);
	if (g->st != NULL)
		cudaStreamDestroy(g->st);
	weights_release(g->w);
	free(g->allocs);
	free(g->kc);
	free(g->vc);
	free(g->slots);
	free(g);
}

/* Points every row of the tables at this context's caches. */
static enum gptoss_status
own_tables(struct gptoss_cuda *g, char **err_out)
{
	uint32_t L = g->c->num_layers, l, i;

	if (g->tables_own)
		return GPTOSS_OK;
	for (l = 0; l < L; l++)
		for (i = 0; i < g->batch; i++) {
			g->h_kct[(size_t)l * g->batch + i] = g->kc[l];
			g->h_vct[(size_t)l * g->batch + i] = g->vc[l];
		}
	CK(cudaMemcpyAsync(g->d_kct, g->h_kct,
	    (size_t)L * g->batch * sizeof(void *), cudaMemcpyHostToDevice,
	    g->st));
	CK(cudaMemcpyAsync(g->d_vct, g->h_vct,
	    (size_t)L * g->batch * sizeof(void *), cudaMemcpyHostToDevice,
	    g->st));
	g->tables_own = 1;
	return GPTOSS_OK;
}

extern "C" enum gptoss_status
gptoss_cuda_new(const struct gptoss_model *m, uint32_t ctx_len, uint32_t batch,
    struct gptoss_cuda **out, char **err_out)
{
	const struct gptoss_config *c = m->cfg;
	struct gptoss_cuda *g;
	size_t H = c->hidden_size, I = c->intermediate_size, E = c->num_experts;
	size_t V = c->vocab_size, K = c->experts_per_token, d = c->head_dim;
	size_t Q = (size_t)c->num_heads * d, KV = (size_t)c->num_kv_heads * d;
	size_t B = batch, L = c->num_layers, parts;
	size_t G = c->num_heads / c->num_kv_heads;
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
	if ((st = weights_get(m, &g->w, err_out)) != GPTOSS_OK)
		goto out;

	/* The KV caches: the same ring sizes as the CPU context. */
	g->kc = (void **)calloc(L, sizeof *g->kc);
	g->vc = (void **)calloc(L, sizeof *g->vc);
	g->slots = (uint32_t *)calloc(L, sizeof *g->slots);
	if (!g->kc || !g->vc || !g->slots)
		abort();
	for (l = 0; l < L; l++) {
		uint64_t sl = ctx_len;

		if (c->layer_sliding[l] &&
		    (uint64_t)c->sliding_window + batch - 1 < sl)
			sl = (uint64_t)c->sliding_window + batch - 1;
		g->slots[l] = (uint32_t)sl;
		DALLOC(g->kc[l], sl * KV * (g->kv16 ? 2 : 4));
		DALLOC(g->vc[l], sl * KV * (g->kv16 ? 2 : 4));
	}

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
	/* Rows: tokens, positions, caches; sampling. */
	DALLOC(g->d_tok, B * 4);
	DALLOC(g->d_pos, B * 4);
	DALLOC(g->d_kct, L * B * sizeof(void *));
	DALLOC(g->d_vct, L * B * sizeof(void *));
	DALLOC(g->d_best, 4);
	DALLOC(g->d_pick, 4);
	DALLOC(g->keys, V * 4);
	DALLOC(g->keys2, V * 4);
	DALLOC(g->ids, V * 4);
	DALLOC(g->ids2, V * 4);
	CKG(cub::DeviceRadixSort::SortPairsDescending(NULL, g->sort_tmp_bytes,
	    g->keys, g->keys2, g->ids, g->ids2, (int)V));
	DALLOC(g->sort_tmp, g->sort_tmp_bytes);
	CKG(cudaMallocHost((void **)&g->h_tok, (2 * B + 1) * 4));
	g->h_pos = g->h_tok + B;
	g->h_pick = g->h_tok + 2 * B;
	CKG(cudaMallocHost((void **)&g->h_kct, 2 * L * B * sizeof(void *)));
	g->h_vct = g->h_kct + L * B;
	if ((st = own_tables(g, err_out)) != GPTOSS_OK)
		goto out;
	CKG(cudaStreamSynchronize(g->st));
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

	if (g->w->L[l].sliding && g->c->sliding_window < keys)
		keys = g->c->sliding_window;
	n = (keys + GK_ATTN_CHUNK - 1) / GK_ATTN_CHUNK;
	return n < 1 ? 1 : n > cap ? cap : n;
}

/*
 * Queues the forward pass of N rows (ids, positions and cache tables
 * already on the device), LAST_POS the largest position; CAP bounds the
 * attention ranges. ALL: logits of every row, else of row N - 1 only.
 */
static enum gptoss_status
enqueue(struct gptoss_cuda *g, uint32_t n, uint32_t last_pos, uint32_t cap,
    int all, char **err_out)
{
	const struct gptoss_config *c = g->c;
	const struct dweights *w = g->w;
	uint32_t H = c->hidden_size, I = c->intermediate_size;
	uint32_t E = c->num_experts, K = c->experts_per_token;
	uint32_t d = c->head_dim, nq = c->num_heads, nkv = c->num_kv_heads;
	uint32_t Q = nq * d, KV = nkv * d, V = c->vocab_size, l, B = g->batch;
	float eps = c->rms_norm_eps, scale = (float)(1.0 / sqrt((double)d));
	cudaStream_t s = g->st;

	gk_embed(s, g->x, w->embed, g->d_tok, n, H);
	gk_rope_table(s, g->cs, g->sn, w->inv_freq, c->rope_attention_factor,
	    g->d_pos, n, d / 2);
	CKL();
	for (l = 0; l < c->num_layers; l++) {
		const struct dlayer *D = &w->L[l];
		void *const *kct = g->d_kct + (size_t)l * B;
		void *const *vct = g->d_vct + (size_t)l * B;

		gk_rmsnorm(s, g->t, g->x, D->ln1, n, H, eps);
		{
			float *const y[3] = { g->q, g->k, g->v };
			const uint32_t ld[3] = { Q, KV, KV };
			const uint16_t *const wq[3] = { D->q_w, D->k_w,
				D->v_w };
			const uint16_t *const bq[3] = { D->q_b, D->k_b,
				D->v_b };
			gk_matvec_bf16_3(s, y, ld, wq, bq, ld, g->t, H, H, n);
		}
		gk_rope_store(s, g->q, g->k, g->v, kct, vct, g->kv16, g->cs,
		    g->sn, g->d_pos, n, g->slots[l], nq, nkv, d);
		gk_attention(s, g->att, g->q, (const void *const *)kct,
		    (const void *const *)vct, g->kv16, D->sinks, g->pm, g->pl,
		    g->pacc, g->d_pos, n, g->slots[l],
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
		gk_rmsnorm(s, g->t, g->x, w->norm, n, H, eps);
		gk_matvec_bf16(s, g->logits, V, w->lm_head, NULL, g->t, H, V, H,
		    n, 0);
	} else {
		gk_rmsnorm(s, g->t, g->x + (size_t)(n - 1) * H, w->norm, 1, H,
		    eps);
		gk_matvec_bf16(s, g->logits, V, w->lm_head, NULL, g->t, H, V, H,
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

/*
 * One decode step of N rows (every row's logits) through the graph of its
 * kind, captured on first use; the ids and positions are copied from the
 * pinned buffers inside the graph. LAST: the largest position.
 */
static enum gptoss_status
decode_graph(struct gptoss_cuda *g, uint32_t n, uint32_t last, char **err_out)
{
	uint32_t cap = pow2_at_least((last + GK_ATTN_CHUNK) / GK_ATTN_CHUNK);
	enum gptoss_status st;
	cudaGraph_t graph;
	uint32_t i;

	cap = cap > g->split_dec ? g->split_dec : cap;
	for (i = 0; i < g->ngraphs; i++)
		if (g->graph[i].n == n && g->graph[i].cap == cap)
			break;
	if (i == g->ngraphs && i == MAX_GRAPHS) {
		/* Full: start over (a graph is cheap to capture again). */
		for (i = 0; i < g->ngraphs; i++)
			cudaGraphExecDestroy(g->graph[i].exec);
		g->ngraphs = i = 0;
	}
	if (i == g->ngraphs) {
		CK(cudaStreamBeginCapture(g->st,
		    cudaStreamCaptureModeThreadLocal));
		cudaMemcpyAsync(g->d_tok, g->h_tok, n * 4,
		    cudaMemcpyHostToDevice, g->st);
		cudaMemcpyAsync(g->d_pos, g->h_pos, n * 4,
		    cudaMemcpyHostToDevice, g->st);
		/* Ranges for the bucket's longest context. */
		st = enqueue(g, n, cap * GK_ATTN_CHUNK - 1, cap, n > 1,
		    err_out);
		CK(cudaStreamEndCapture(g->st, &graph));
		if (st != GPTOSS_OK) {
			cudaGraphDestroy(graph);
			return st;
		}
		CK(cudaGraphInstantiate(&g->graph[i].exec, graph, 0));
		CK(cudaGraphDestroy(graph));
		g->graph[i].n = n;
		g->graph[i].cap = cap;
		g->ngraphs++;
	}
	CK(cudaGraphLaunch(g->graph[i].exec, g->st));
	return GPTOSS_OK;
}

extern "C" enum gptoss_status
gptoss_cuda_forward(struct gptoss_cuda *g, const uint32_t *tok, uint32_t n,
    uint32_t pos0, float *all_logits, char **err_out)
{
	uint32_t V = g->c->vocab_size, i;
	enum gptoss_status st;

	if (n == 0 || n > g->batch || pos0 + n > g->ctx_len) {
		gptoss_set_err(err_out, "CUDA forward: bad batch");
		return GPTOSS_ERR_ARGUMENT;
	}
	/* The pinned buffers may still feed the last step's copies. */
	CK(cudaStreamSynchronize(g->st));
	if ((st = own_tables(g, err_out)) != GPTOSS_OK)
		return st;
	memcpy(g->h_tok, tok, n * sizeof *tok);
	for (i = 0; i < n; i++)
		g->h_pos[i] = pos0 + i;
	if (n == 1 && all_logits == NULL && g->use_graphs) {
		if ((st = decode_graph(g, 1, pos0, err_out)) != GPTOSS_OK)
			return st;
	} else {
		CK(cudaMemcpyAsync(g->d_tok, g->h_tok, n * 4,
		    cudaMemcpyHostToDevice, g->st));
		CK(cudaMemcpyAsync(g->d_pos, g->h_pos, n * 4,
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
gptoss_cuda_decode_batch(struct gptoss_cuda **gs, const uint32_t *tok,
    const uint32_t *pos, uint32_t n, char **err_out)
{
	struct gptoss_cuda *g = gs[0];
	uint32_t V = g->c->vocab_size, L = g->c->num_layers, i, l, last = 0;
	enum gptoss_status st;
	int same = 1;

	if (n == 0 || n > g->batch) {
		gptoss_set_err(err_out,
		    "CUDA batch: %u sequences, the first "
		    "context's batch holds %u",
		    n, g->batch);
		return GPTOSS_ERR_ARGUMENT;
	}
	for (i = 0; i < n; i++) {
		if (gs[i]->w != g->w || gs[i]->kv16 != g->kv16 ||
		    gs[i]->ctx_len != g->ctx_len || gs[i]->batch != g->batch) {
			gptoss_set_err(err_out,
			    "CUDA batch: sequence %u is not of "
			    "the first one's model, context length and batch",
			    i);
			return GPTOSS_ERR_ARGUMENT;
		}
		if (pos[i] >= g->ctx_len) {
			gptoss_set_err(err_out,
			    "CUDA batch: sequence %u is full "
			    "(%u tokens)",
			    i, g->ctx_len);
			return GPTOSS_ERR_CONTEXT_OVERFLOW;
		}
		last = pos[i] > last ? pos[i] : last;
	}
	for (i = 0; i < n; i++)
		CK(cudaStreamSynchronize(gs[i]->st));
	/* Row i reads and writes sequence i's caches. */
	for (l = 0; l < L; l++)
		for (i = 0; i < n; i++) {
			size_t r = (size_t)l * g->batch + i;
			same &= g->h_kct[r] == gs[i]->kc[l];
			g->h_kct[r] = gs[i]->kc[l];
			g->h_vct[r] = gs[i]->vc[l];
		}
	if (!same || g->tables_own) {
		g->tables_own = 0; /* rows past n may name other caches */
		CK(cudaMemcpyAsync(g->d_kct, g->h_kct,
		    (size_t)L * g->batch * sizeof(void *),
		    cudaMemcpyHostToDevice, g->st));
		CK(cudaMemcpyAsync(g->d_vct, g->h_vct,
		    (size_t)L * g->batch * sizeof(void *),
		    cudaMemcpyHostToDevice, g->st));
	}
	memcpy(g->h_tok, tok, n * sizeof *tok);
	memcpy(g->h_pos, pos, n * sizeof *pos);
	if (g->use_graphs) {
		if ((st = decode_graph(g, n, last, err_out)) != GPTOSS_OK)
			return st;
	} else {
		CK(cudaMemcpyAsync(g->d_tok, g->h_tok, n * 4,
		    cudaMemcpyHostToDevice, g->st));
		CK(cudaMemcpyAsync(g->d_pos, g->h_pos, n * 4,
		    cudaMemcpyHostToDevice, g->st));
		if ((st = enqueue(g, n, last, g->split_dec, 1, err_out)) !=
		    GPTOSS_OK)
			return st;
	}
	/* Each sequence's logits to its own context, for its sampling. */
	for (i = 0; i < n; i++) {
		if (gs[i] != g)
			CK(cudaMemcpyAsync(gs[i]->logits,
			    g->logits + (size_t)i * V, (size_t)V * 4,
			    cudaMemcpyDeviceToDevice, g->st));
		gs[i]->last = gs[i] == g ? g->logits + (size_t)i * V :
					   gs[i]->logits;
	}
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
