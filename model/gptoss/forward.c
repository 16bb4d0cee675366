/*
 * forward.c: the model object, the context (KV cache + activations) and the
 * gpt-oss forward pass (spec 1.2), float32 throughout in the exact
 * precision; the fast one (gptoss.h) calls the fast ops of the backend for
 * the attention, expert and unembedding matmuls, keeps K and V in
 * float16, and has the model repack its experts once.
 *
 *   x = embed[tok]
 *   per layer: x += o_proj(attn(rope(q, k), v, sinks, window)) (with bias)
 *              x += sum_k w_k * down_k(swiglu(gate_up_k(rmsnorm(x))))
 *   logits = lm_head(rmsnorm(x))
 *
 * The KV cache holds K after RoPE. Full layers keep context_length slots;
 * sliding layers keep window + batch - 1 slots as a ring, enough for the
 * oldest query of a batch to see its whole window.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "model/gptoss/backend.h"
#include "model/gptoss/gptoss-cuda.h"
#include "model/gptoss/gptoss-impl.h"

#define DEFAULT_CONTEXT 4096
#define DEFAULT_BATCH 256
#define GPTOSS_MAX_BATCH_SEQS 256 /* contexts in one batched decode */

struct gptoss_context {
	struct gptoss_model *model;
	struct gptoss_backend *cpu, *be;
	uint32_t ctx_len, batch, ntok;
	uint32_t *slots;     /* [layers] ring sizes */
	float **kc, **vc;    /* [layers][slots][nkv * d] */
	int fast;	     /* GPTOSS_PRECISION_FAST */
	uint16_t **kh, **vh; /* fast: the cache in float16 instead */
	/* Activations for one batch of B tokens. */
	float *x, *t, *q, *k, *v, *att, *tmp; /* [B][H or widths] */
	float *cosb, *sinb;		      /* [B][d / 2] */
	float *router;			      /* [B][E] */
	uint32_t *sel;			      /* [B][K] expert ids */
	float *selw;			      /* [B][K] weights */
	float *xin, *gu, *act, *dn; /* expert gather buffers [B][...] */
	uint32_t *rowmap;	    /* [B] token*K+slot for the gathered rows */
	float *moe;		    /* [B][K][H] expert outputs */
	float *logits;		    /* [vocab] last token */
	int have_logits;
	/* device=cuda: the whole pass runs there (cuda/engine.cu); the
	 * logits are copied back only when asked for. */
	struct gptoss_cuda *dev;
	int logits_on_dev;
};

enum gptoss_status
gptoss_model_load(const char *dir, struct gptoss_model **model_out,
    char **err_out)
{
	struct gptoss_model *m = xcalloc(1, sizeof *m);
	enum gptoss_status st;

	pthread_mutex_init(&m->fast_lock, NULL);
	if ((st = gptoss_config_load(dir, &m->cfg, err_out)) != GPTOSS_OK ||
	    (st = gptoss_weights_load(dir, m->cfg, &m->w, err_out)) !=
		GPTOSS_OK) {
		gptoss_model_free(m);
		return st;
	}
	*model_out = m;
	return GPTOSS_OK;
}

void
gptoss_model_free(struct gptoss_model *m)
{
	uint32_t l;

	if (m == NULL)
		return;
	if (m->fast != NULL) {
		for (l = 0; l < m->cfg->num_layers; l++)
			free(m->fast->buf[l]);
		free(m->fast->buf);
		free(m->fast->gu);
		free(m->fast->dn);
		free(m->fast);
	}
	if (m->cfg != NULL)
		gptoss_weights_free(m->w, m->cfg->num_layers);
	gptoss_config_free(m->cfg);
	pthread_mutex_destroy(&m->fast_lock);
	free(m);
}

/* Lets the kernel drop the mapped pages of [P, P + LEN): they are read
 * again from the file should an exact context need them. */
static void
drop_pages(const void *p, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p, b = a + len;

	if (pg <= 0)
		return;
	a = (a + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	b &= ~((uintptr_t)pg - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

/* LEN bytes, 2 MiB aligned and, where the kernel has them, on huge pages:
 * the experts are read in long streams, so fewer TLB misses. */
static uint8_t *
alloc_huge(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, (size_t)2 << 20, len) != 0)
		return xmalloc(len);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

struct pack_job {
	struct gptoss_model *m;
	struct gptoss_fast_experts *f;
	uint32_t first, step; /* layers first, first + step, ... */
};

/* Repacks the experts of the job's layers. */
static void *
pack_layers(void *arg)
{
	const struct pack_job *j = arg;
	const struct gptoss_config *c = j->m->cfg;
	uint32_t E = c->num_experts, l, e;
	uint32_t H = c->hidden_size, I = c->intermediate_size;
	size_t gub = (size_t)2 * I * (H / 32), dnb = (size_t)H * (I / 32);
	size_t gsz = gptoss_mx16_size(2 * I, H / 32);
	size_t dsz = gptoss_mx16_size(H, I / 32);
	const struct gptoss_layer *w;
	uint8_t *b;

	for (l = j->first; l < c->num_layers; l += j->step) {
		w = &j->m->w->layers[l];
		b = j->f->buf[l] = alloc_huge((gsz + dsz) * E);
		for (e = 0; e < E; e++, b += gsz + dsz) {
			gptoss_mx16_pack(b, w->gu_blocks + e * gub * 16,
			    w->gu_scales + e * gub, 2 * I, H / 32);
			gptoss_mx16_pack(b + gsz, w->dn_blocks + e * dnb * 16,
			    w->dn_scales + e * dnb, H, I / 32);
			j->f->gu[(size_t)l * E + e] = (struct gptoss_mx16){ b,
				b + gsz / (256 + 16) * 256 };
			j->f->dn[(size_t)l * E + e] = (struct gptoss_mx16){
				b + gsz, b + gsz + dsz / (256 + 16) * 256
			};
		}
		drop_pages(w->gu_blocks, gub * 16 * E);
		drop_pages(w->dn_blocks, dnb * 16 * E);
	}
	return NULL;
}

void
gptoss_fast_experts_make(struct gptoss_model *m, uint32_t nthreads)
{
	uint32_t L = m->cfg->num_layers, E = m->cfg->num_experts, i;
	struct gptoss_fast_experts *f;
	struct pack_job jobs[64];
	pthread_t th[64];
	int started[64];

	pthread_mutex_lock(&m->fast_lock);
	if (m->fast != NULL) {
		pthread_mutex_unlock(&m->fast_lock);
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->buf = xcalloc(L, sizeof *f->buf);
	f->gu = xcalloc((size_t)L * E, sizeof *f->gu);
	f->dn = xcalloc((size_t)L * E, sizeof *f->dn);
	nthreads = nthreads < 1 ? 1 : nthreads > 64 ? 64 : nthreads;
	for (i = 0; i < nthreads; i++) {
		jobs[i] = (struct pack_job){ m, f, i, nthreads };
		started[i] = i > 0 &&
		    pthread_create(&th[i], NULL, pack_layers, &jobs[i]) == 0;
		if (i > 0 && !started[i])
			pack_layers(&jobs[i]);
	}
	pack_layers(&jobs[0]);
	for (i = 1; i < nthreads; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	m->fast = f;
	pthread_mutex_unlock(&m->fast_lock);
}

void
gptoss_model_get_info(const struct gptoss_model *m, struct gptoss_model_info *o)
{
	const struct gptoss_config *c = m->cfg;
	uint64_t H = c->hidden_size, I = c->intermediate_size,
		 E = c->num_experts, L = c->num_layers, V = c->vocab_size;
	uint64_t Q = (uint64_t)c->num_heads * c->head_dim;
	uint64_t K = (uint64_t)c->num_kv_heads * c->head_dim;
	uint64_t attn = H * Q * 2 + H * K * 2 + (Q + 2 * K + H) + c->num_heads +
	    2 * H + E * H + E;
	uint64_t expert = 2 * I * H + 2 * I + H * I + H;
	uint64_t expert_bytes = (2 * I * H + H * I) / 32 * 17 + (2 * I + H) * 2;
	const char *k;
	uint32_t i;

	memset(o, 0, sizeof *o);
	o->architecture = c->architecture;
	k = gptoss_kernel_name();
	o->backend = strcmp(k, "avx512") == 0 ? "cpu (avx-512 kernels)" :
	    strcmp(k, "avx2") == 0	      ? "cpu (avx2+fma kernels)" :
						"cpu (portable kernels)";
	o->vocab_size = c->vocab_size;
	o->hidden_size = c->hidden_size;
	o->intermediate_size = c->intermediate_size;
	o->num_layers = c->num_layers;
	for (i = 0; i < c->num_layers; i++)
		o->num_sliding_layers += c->layer_sliding[i];
	o->num_heads = c->num_heads;
	o->num_kv_heads = c->num_kv_heads;
	o->head_dim = c->head_dim;
	o->num_experts = c->num_experts;
	o->experts_per_token = c->experts_per_token;
	o->sliding_window = c->sliding_window;
	o->max_position_embeddings = c->max_position_embeddings;
	o->params_total = L * (attn + E * expert) + H +
	    V * H * (c->tie_word_embeddings ? 1 : 2);
	o->params_active = L * (attn + c->experts_per_token * expert) + H +
	    V * H;
	o->bytes_total = m->w->bytes_total;
	/* attention/router/norm bf16 + k experts + lm_head + one embed row */
	o->bytes_per_token = L *
		(attn * 2 + c->experts_per_token * expert_bytes) +
	    2 * H + V * H * 2 + H * 2;
	o->num_stop_tokens = c->num_stop_tokens;
	o->stop_tokens = c->stop_tokens;
	o->fast_kernels = gptoss_fast_kernels();
}

/* ---- context ---- */

void
gptoss_context_free(struct gptoss_context *x)
{
	uint32_t l;

	if (x == NULL)
		return;
	gptoss_cuda_free(x->dev);
	for (l = 0; x->kc != NULL && l < x->model->cfg->num_layers; l++) {
		free(x->kc[l]);
		free(x->vc[l]);
		free(x->kh[l]);
		free(x->vh[l]);
	}
	free(x->kc);
	free(x->vc);
	free(x->kh);
	free(x->vh);
	free(x->slots);
	free(x->x);
	free(x->t);
	free(x->q);
	free(x->k);
	free(x->v);
	free(x->att);
	free(x->tmp);
	free(x->cosb);
	free(x->sinb);
	free(x->router);
	free(x->sel);
	free(x->selw);
	free(x->xin);
	free(x->gu);
	free(x->act);
	free(x->dn);
	free(x->rowmap);
	free(x->moe);
	free(x->logits);
	if (x->cpu != NULL)
		x->cpu->free(x->cpu);
	free(x);
}

/* Bytes of K and V cache (float, or float16 when fast) for a context of
 * LEN tokens. */
static double
kv_bytes(const struct gptoss_config *c, uint32_t len,
    const struct gptoss_context_params *p)
{
	uint32_t b = p && p->batch_size ? p->batch_size : DEFAULT_BATCH, l;
	double slots = 0;

	for (l = 0; l < c->num_layers; l++)
		slots += c->layer_sliding[l] &&
			c->sliding_window + b - 1.0 < len ?
		    c->sliding_window + b - 1.0 :
		    len;
	return slots * 2 * c->num_kv_heads * c->head_dim *
	    (p && p->precision == GPTOSS_PRECISION_FAST ? sizeof(uint16_t) :
							  sizeof(float));
}

/* The most a context may ask for: half of physical memory. */
static double
mem_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), sz = sysconf(_SC_PAGESIZE);

	return pages > 0 && sz > 0 ? (double)pages * sz / 2 : 1e18;
}

enum gptoss_status
gptoss_context_new(struct gptoss_model *m,
    const struct gptoss_context_params *p, struct gptoss_context **ctx_out,
    char **err_out)
{
	const struct gptoss_config *c = m->cfg;
	struct gptoss_context *x;
	size_t B, H = c->hidden_size, I = c->intermediate_size;
	size_t Q = (size_t)c->num_heads * c->head_dim;
	size_t KV = (size_t)c->num_kv_heads * c->head_dim;
	size_t K = c->experts_per_token;
	uint32_t l, want;
	enum gptoss_device dev = GPTOSS_DEVICE_CPU;
	enum gptoss_status st;

	if (p != NULL &&
	    (st = gptoss_device_resolve(p->device, &dev, err_out)) != GPTOSS_OK)
		return st;
	want = p && p->context_length ? p->context_length : DEFAULT_CONTEXT;
	if (want > c->max_position_embeddings) {
		if (p && p->context_length) {
			gptoss_set_err(err_out,
			    "context length %u is over the "
			    "model's max_position_embeddings (%u)",
			    want, c->max_position_embeddings);
			return GPTOSS_ERR_ARGUMENT;
		}
		want = c->max_position_embeddings;
	}
	if (dev == GPTOSS_DEVICE_CPU && kv_bytes(c, want, p) > mem_limit()) {
		gptoss_set_err(err_out,
		    "context length %u needs %.1f GiB of KV "
		    "cache, over half this machine's memory; use a shorter "
		    "context",
		    want, kv_bytes(c, want, p) / 1073741824.0);
		return GPTOSS_ERR_TOO_LARGE;
	}
	x = xcalloc(1, sizeof *x);
	x->model = m;
	x->ctx_len = want;
	x->batch = p && p->batch_size ? p->batch_size : DEFAULT_BATCH;
	x->batch = x->batch > want ? want : x->batch;
	x->cpu = gptoss_backend_cpu_new(p ? p->num_threads : 0);
	x->be = x->cpu;
	/* The CUDA path computes exactly whatever the precision asked. */
	x->fast = dev == GPTOSS_DEVICE_CPU && p &&
	    p->precision == GPTOSS_PRECISION_FAST;
	if (x->fast)
		gptoss_fast_experts_make(m,
		    p->num_threads ? p->num_threads :
				     (uint32_t)sysconf(_SC_NPROCESSORS_ONLN));
	B = x->batch;
	x->slots = xcalloc(c->num_layers, sizeof *x->slots);
	x->kc = xcalloc(c->num_layers, sizeof *x->kc);
	x->vc = xcalloc(c->num_layers, sizeof *x->vc);
	x->kh = xcalloc(c->num_layers, sizeof *x->kh);
	x->vh = xcalloc(c->num_layers, sizeof *x->vh);
	for (l = 0; l < c->num_layers; l++) {
		uint64_t s = want;
		if (c->layer_sliding[l] &&
		    (uint64_t)c->sliding_window + x->batch - 1 < s)
			s = (uint64_t)c->sliding_window + x->batch - 1;
		x->slots[l] = (uint32_t)s;
		if (dev != GPTOSS_DEVICE_CPU)
			continue; /* the device holds the cache */
		if (x->fast) {
			x->kh[l] = xcalloc(s * KV, sizeof(uint16_t));
			x->vh[l] = xcalloc(s * KV, sizeof(uint16_t));
		} else {
			x->kc[l] = xcalloc(s * KV, sizeof(float));
			x->vc[l] = xcalloc(s * KV, sizeof(float));
		}
	}
	x->x = xcalloc(B * H, sizeof(float));
	x->t = xcalloc(B * H, sizeof(float));
	x->tmp = xcalloc(B * H, sizeof(float));
	x->q = xcalloc(B * Q, sizeof(float));
	x->att = xcalloc(B * Q, sizeof(float));
	x->k = xcalloc(B * KV, sizeof(float));
	x->v = xcalloc(B * KV, sizeof(float));
	x->cosb = xcalloc(B * c->head_dim / 2, sizeof(float));
	x->sinb = xcalloc(B * c->head_dim / 2, sizeof(float));
	x->router = xcalloc(B * c->num_experts, sizeof(float));
	x->sel = xcalloc(B * K, sizeof(uint32_t));
	x->selw = xcalloc(B * K, sizeof(float));
	x->xin = xcalloc(B * H, sizeof(float));
	x->gu = xcalloc(B * 2 * I, sizeof(float));
	x->act = xcalloc(B * I, sizeof(float));
	x->dn = xcalloc(B * H, sizeof(float));
	x->rowmap = xcalloc(B, sizeof(uint32_t));
	x->moe = xcalloc(B * K * H, sizeof(float));
	x->logits = xcalloc(c->vocab_size, sizeof(float));
	if (dev == GPTOSS_DEVICE_CUDA &&
	    (st = gptoss_cuda_new(m, want, x->batch, &x->dev, err_out)) !=
		GPTOSS_OK) {
		gptoss_context_free(x);
		return st;
	}
	*ctx_out = x;
	return GPTOSS_OK;
}

enum gptoss_device
gptoss_context_device(const struct gptoss_context *x)
{
	return x->dev != NULL ? GPTOSS_DEVICE_CUDA : GPTOSS_DEVICE_CPU;
}

void
gptoss_context_reset(struct gptoss_context *x)
{
	x->ntok = 0;
	x->have_logits = 0;
}

uint32_t
gptoss_context_num_tokens(const struct gptoss_context *x)
{
	return x->ntok;
}

uint32_t
gptoss_context_length(const struct gptoss_context *x)
{
	return x->ctx_len;
}

const float *
gptoss_context_logits(const struct gptoss_context *x)
{
	/* The copy from the device is a cache fill, not a change. */
	struct gptoss_context *w = (struct gptoss_context *)x;

	if (x->have_logits && x->logits_on_dev) {
		if (gptoss_cuda_logits(w->dev, w->logits, NULL) != GPTOSS_OK)
			return NULL;
		w->logits_on_dev = 0;
	}
	return x->have_logits ? x->logits : NULL;
}

/* ---- the forward pass ---- */

static void
rmsnorm(float *out, const float *in, const uint16_t *w, uint32_t n, float eps)
{
	double ss = 0;
	float r;
	uint32_t i;

	for (i = 0; i < n; i++)
		ss += (double)in[i] * in[i];
	r = (float)(1.0 / sqrt(ss / n + eps));
	for (i = 0; i < n; i++)
		out[i] = in[i] * r * gptoss_bf16(w[i]);
}

/* cos/sin tables for positions pos0..pos0+n-1, times the YaRN factor. */
static void
rope_tables(struct gptoss_context *x, uint32_t pos0, uint32_t n)
{
	const struct gptoss_config *c = x->model->cfg;
	uint32_t half = c->head_dim / 2, i, j;
	double a;

	for (i = 0; i < n; i++) {
		for (j = 0; j < half; j++) {
			a = (double)(pos0 + i) * c->inv_freq[j];
			x->cosb[i * half + j] = (float)(cos(a) *
			    c->rope_attention_factor);
			x->sinb[i * half + j] = (float)(sin(a) *
			    c->rope_attention_factor);
		}
	}
}

/* Half-split (NeoX) rotation of NH heads of one token. */
static void
rope(float *v, uint32_t nh, uint32_t d, const float *cs, const float *sn)
{
	uint32_t h, j, half = d / 2;
	float a, b;

	for (h = 0; h < nh; h++, v += d) {
		for (j = 0; j < half; j++) {
			a = v[j];
			b = v[j + half];
			v[j] = a * cs[j] - b * sn[j];
			v[j + half] = b * cs[j] + a * sn[j];
		}
	}
}

/* A bf16 matmul of the attention or the unembedding, in the context's
 * precision (the router's stays exact: it picks the experts). */
static void
matmul(struct gptoss_context *x, float *y, size_t ldy, const uint16_t *w,
    const uint16_t *bias, const float *in, size_t ldx, uint32_t rows,
    uint32_t cols, uint32_t n)
{
	struct gptoss_backend *mm = gptoss_backend_for(x->be, x->cpu,
	    x->fast ? GPTOSS_OP_MATMUL_BF16_FAST : GPTOSS_OP_MATMUL_BF16);

	if (x->fast)
		mm->matmul_bf16_fast(mm, y, ldy, w, bias, in, ldx, rows, cols,
		    n);
	else
		mm->matmul_bf16(mm, y, ldy, w, bias, in, ldx, rows, cols, n);
}

static void
attention_block(struct gptoss_context *x, uint32_t l, uint32_t pos0, uint32_t n)
{
	const struct gptoss_config *c = x->model->cfg;
	const struct gptoss_layer *w = &x->model->w->layers[l];
	struct gptoss_backend *ab = gptoss_backend_for(x->be, x->cpu,
	    x->fast ? GPTOSS_OP_ATTENTION_F16 : GPTOSS_OP_ATTENTION);
	uint32_t H = c->hidden_size, Q = c->num_heads * c->head_dim;
	uint32_t KV = c->num_kv_heads * c->head_dim, half = c->head_dim / 2;
	uint32_t i, j, slot;
	struct gptoss_attn_args a;

	for (i = 0; i < n; i++)
		rmsnorm(x->t + (size_t)i * H, x->x + (size_t)i * H, w->ln1, H,
		    c->rms_norm_eps);
	matmul(x, x->q, Q, w->q_w, w->q_b, x->t, H, Q, H, n);
	matmul(x, x->k, KV, w->k_w, w->k_b, x->t, H, KV, H, n);
	matmul(x, x->v, KV, w->v_w, w->v_b, x->t, H, KV, H, n);
	for (i = 0; i < n; i++) {
		rope(x->q + (size_t)i * Q, c->num_heads, c->head_dim,
		    x->cosb + i * half, x->sinb + i * half);
		rope(x->k + (size_t)i * KV, c->num_kv_heads, c->head_dim,
		    x->cosb + i * half, x->sinb + i * half);
		slot = (pos0 + i) % x->slots[l];
		if (x->fast) {
			gptoss_f32_to_f16(x->kh[l] + (size_t)slot * KV,
			    x->k + (size_t)i * KV, KV);
			gptoss_f32_to_f16(x->vh[l] + (size_t)slot * KV,
			    x->v + (size_t)i * KV, KV);
			continue;
		}
		memcpy(x->kc[l] + (size_t)slot * KV, x->k + (size_t)i * KV,
		    KV * sizeof(float));
		memcpy(x->vc[l] + (size_t)slot * KV, x->v + (size_t)i * KV,
		    KV * sizeof(float));
	}
	a = (struct gptoss_attn_args){ .out = x->att,
		.q = x->q,
		.k_cache = x->kc[l],
		.v_cache = x->vc[l],
		.sinks = w->sinks,
		.n = n,
		.pos0 = pos0,
		.slots = x->slots[l],
		.window = w->sliding ? c->sliding_window : 0,
		.num_heads = c->num_heads,
		.num_kv_heads = c->num_kv_heads,
		.head_dim = c->head_dim,
		.scale = (float)(1.0 / sqrt((double)c->head_dim)),
		.k16 = x->kh[l],
		.v16 = x->vh[l] };
	if (x->fast)
		ab->attention_f16(ab, &a);
	else
		ab->attention(ab, &a);
	matmul(x, x->tmp, H, w->o_w, w->o_b, x->att, Q, H, Q, n);
	for (j = 0; j < n * H; j++)
		x->x[j] += x->tmp[j];
}

/* Top-k of the router logits (ties: lower id), softmax over the k. */
static void
route(const float *r, uint32_t E, uint32_t K, uint32_t *sel, float *wt)
{
	uint32_t k, e, best;
	float m, sum = 0;

	for (k = 0; k < K; k++) {
		best = UINT32_MAX;
		for (e = 0; e < E; e++) {
			uint32_t j;
			for (j = 0; j < k && sel[j] != e; j++)
				;
			if (j == k && (best == UINT32_MAX || r[e] > r[best]))
				best = e;
		}
		sel[k] = best;
	}
	m = r[sel[0]];
	for (k = 0; k < K; k++)
		sum += wt[k] = expf(r[sel[k]] - m);
	for (k = 0; k < K; k++)
		wt[k] /= sum;
}

static void
swiglu(float *out, const float *gu, uint32_t I, float limit)
{
	uint32_t j;
	float g, u;

	for (j = 0; j < I; j++) {
		g = gu[2 * j];
		u = gu[2 * j + 1];
		g = g > limit ? limit : g;
		u = u > limit ? limit : u < -limit ? -limit : u;
		out[j] = g / (1.0f + expf(-1.702f * g)) * (u + 1.0f);
	}
}

static void
moe_block(struct gptoss_context *x, uint32_t l, uint32_t n)
{
	const struct gptoss_config *c = x->model->cfg;
	const struct gptoss_layer *w = &x->model->w->layers[l];
	struct gptoss_backend *mm = gptoss_backend_for(x->be, x->cpu,
	    GPTOSS_OP_MATMUL_BF16);
	struct gptoss_backend *mx = gptoss_backend_for(x->be, x->cpu,
	    x->fast ? GPTOSS_OP_MATMUL_MX16_Q8 : GPTOSS_OP_MATMUL_MXFP4);
	const struct gptoss_mx16 *fgu = NULL, *fdn = NULL;
	uint32_t H = c->hidden_size, I = c->intermediate_size;
	uint32_t E = c->num_experts, K = c->experts_per_token;
	uint32_t i, k, e, m, r, h;
	size_t gub = (size_t)2 * I * (H / 32), dnb = (size_t)H * (I / 32);
	float *xi, *o;

	for (i = 0; i < n; i++)
		rmsnorm(x->t + (size_t)i * H, x->x + (size_t)i * H, w->ln2, H,
		    c->rms_norm_eps);
	mm->matmul_bf16(mm, x->router, E, w->router_w, w->router_b, x->t, H, E,
	    H, n);
	for (i = 0; i < n; i++)
		route(x->router + (size_t)i * E, E, K, x->sel + i * K,
		    x->selw + i * K);
	/* Gather the tokens of each expert, so a batch reads it once. */
	for (e = 0; e < E; e++) {
		for (m = 0, i = 0; i < n; i++)
			for (k = 0; k < K; k++)
				if (x->sel[i * K + k] == e) {
					memcpy(x->xin + (size_t)m * H,
					    x->t + (size_t)i * H,
					    H * sizeof(float));
					x->rowmap[m++] = i * K + k;
				}
		if (m == 0)
			continue;
		if (x->fast) {
			fgu = &x->model->fast->gu[(size_t)l * E + e];
			fdn = &x->model->fast->dn[(size_t)l * E + e];
			mx->matmul_mx16_q8(mx, x->gu, 2 * I, fgu,
			    w->gu_bias + (size_t)e * 2 * I, x->xin, H, 2 * I, H,
			    m);
		} else
			mx->matmul_mxfp4(mx, x->gu, 2 * I,
			    w->gu_blocks + e * gub * 16, w->gu_scales + e * gub,
			    w->gu_bias + (size_t)e * 2 * I, x->xin, H, 2 * I, H,
			    m);
		for (r = 0; r < m; r++)
			swiglu(x->act + (size_t)r * I,
			    x->gu + (size_t)r * 2 * I, I, c->swiglu_limit);
		if (x->fast)
			mx->matmul_mx16_q8(mx, x->dn, H, fdn,
			    w->dn_bias + (size_t)e * H, x->act, I, H, I, m);
		else
			mx->matmul_mxfp4(mx, x->dn, H,
			    w->dn_blocks + e * dnb * 16, w->dn_scales + e * dnb,
			    w->dn_bias + (size_t)e * H, x->act, I, H, I, m);
		for (r = 0; r < m; r++)
			memcpy(x->moe + (size_t)x->rowmap[r] * H,
			    x->dn + (size_t)r * H, H * sizeof(float));
	}
	/* The weighted sum in routing order, the same for every batch. */
	for (i = 0; i < n; i++) {
		xi = x->x + (size_t)i * H;
		for (h = 0; h < H; h++) {
			float s = 0;
			for (k = 0; k < K; k++) {
				o = x->moe + ((size_t)i * K + k) * H;
				s += x->selw[i * K + k] * o[h];
			}
			xi[h] += s;
		}
	}
}

/* Runs N (<= batch) tokens at positions ntok..; logits for the rows
 * [first_logit, n) go to LOGITS_OUT (or the last to x->logits). */
static void
forward_batch(struct gptoss_context *x, const uint32_t *tok, uint32_t n,
    float *all_logits)
{
	const struct gptoss_config *c = x->model->cfg;
	const struct gptoss_weights *w = x->model->w;
	uint32_t H = c->hidden_size, i, l, pos0 = x->ntok;

	for (i = 0; i < n; i++)
		gptoss_bf16_to_f32(x->x + (size_t)i * H,
		    w->embed + (size_t)tok[i] * H, H);
	rope_tables(x, pos0, n);
	for (l = 0; l < c->num_layers; l++) {
		attention_block(x, l, pos0, n);
		moe_block(x, l, n);
	}
	if (all_logits != NULL) {
		for (i = 0; i < n; i++)
			rmsnorm(x->t + (size_t)i * H, x->x + (size_t)i * H,
			    w->norm, H, c->rms_norm_eps);
		matmul(x, all_logits, c->vocab_size, w->lm_head, NULL, x->t, H,
		    c->vocab_size, H, n);
		memcpy(x->logits, all_logits + (size_t)(n - 1) * c->vocab_size,
		    c->vocab_size * sizeof(float));
	} else {
		rmsnorm(x->t, x->x + (size_t)(n - 1) * H, w->norm, H,
		    c->rms_norm_eps);
		matmul(x, x->logits, c->vocab_size, w->lm_head, NULL, x->t, H,
		    c->vocab_size, H, 1);
	}
	x->ntok += n;
	x->have_logits = 1;
}

enum gptoss_status
gptoss_context_append(struct gptoss_context *x, const uint32_t *tokens,
    size_t n, float *all_logits_out, char **err_out)
{
	const struct gptoss_config *c = x->model->cfg;
	size_t i, b;

	for (i = 0; i < n; i++) {
		if (tokens[i] >= c->vocab_size) {
			gptoss_set_err(err_out,
			    "token %u (at %zu) is out of "
			    "range: the vocabulary has %u ids",
			    tokens[i], i, c->vocab_size);
			return GPTOSS_ERR_ARGUMENT;
		}
	}
	if (n > (size_t)(x->ctx_len - x->ntok)) {
		gptoss_set_err(err_out,
		    "%zu more tokens do not fit: %u of the "
		    "context length %u are used (raise the context length)",
		    n, x->ntok, x->ctx_len);
		return GPTOSS_ERR_CONTEXT_OVERFLOW;
	}
	for (i = 0; i < n; i += b) {
		b = n - i < x->batch ? n - i : x->batch;
		if (x->dev != NULL) {
			enum gptoss_status st = gptoss_cuda_forward(x->dev,
			    tokens + i, (uint32_t)b, x->ntok,
			    all_logits_out ?
				all_logits_out + i * c->vocab_size :
				NULL,
			    err_out);
			if (st != GPTOSS_OK)
				return st;
			x->ntok += b;
			x->have_logits = 1;
			x->logits_on_dev = 1;
			continue;
		}
		forward_batch(x, tokens + i, (uint32_t)b,
		    all_logits_out ? all_logits_out + i * c->vocab_size : NULL);
	}
	return GPTOSS_OK;
}

enum gptoss_status
gptoss_context_append_batch(struct gptoss_context **xs, const uint32_t *tokens,
    size_t n, char **err_out)
{
	struct gptoss_cuda *gs[GPTOSS_MAX_BATCH_SEQS];
	uint32_t pos[GPTOSS_MAX_BATCH_SEQS] = { 0 };
	enum gptoss_status st;
	size_t i;
	int together = n > 1 && n <= GPTOSS_MAX_BATCH_SEQS &&
	    xs[0]->dev != NULL && n <= xs[0]->batch;

	for (i = 0; i < n; i++) {
		const struct gptoss_config *c = xs[i]->model->cfg;
		if (xs[i]->model != xs[0]->model) {
			gptoss_set_err(err_out,
			    "batched decode: context %zu is "
			    "of another model",
			    i);
			return GPTOSS_ERR_ARGUMENT;
		}
		if (tokens[i] >= c->vocab_size) {
			gptoss_set_err(err_out,
			    "token %u (at %zu) is out of "
			    "range: the vocabulary has %u ids",
			    tokens[i], i, c->vocab_size);
			return GPTOSS_ERR_ARGUMENT;
		}
		if (xs[i]->ntok >= xs[i]->ctx_len) {
			gptoss_set_err(err_out,
			    "context %zu is full: %u of %u tokens "
			    "(raise the context length)",
			    i, xs[i]->ntok, xs[i]->ctx_len);
			return GPTOSS_ERR_CONTEXT_OVERFLOW;
		}
		together &= xs[i]->dev != NULL &&
		    xs[i]->ctx_len == xs[0]->ctx_len &&
		    xs[i]->batch == xs[0]->batch;
		/* A context twice would decode one sequence twice. */
		for (size_t j = 0; j < i; j++)
			together &= xs[j] != xs[i];
	}
	if (!together) {
		for (i = 0; i < n; i++)
			if ((st = gptoss_context_append(xs[i], &tokens[i], 1,
				 NULL, err_out)) != GPTOSS_OK)
				return st;
		return GPTOSS_OK;
	}
	for (i = 0; i < n; i++) {
		gs[i] = xs[i]->dev;
		pos[i] = xs[i]->ntok;
	}
	if ((st = gptoss_cuda_decode_batch(gs, tokens, pos, (uint32_t)n,
		 err_out)) != GPTOSS_OK)
		return st;
	for (i = 0; i < n; i++) {
		xs[i]->ntok++;
		xs[i]->have_logits = 1;
		xs[i]->logits_on_dev = 1;
	}
	return GPTOSS_OK;
}

enum gptoss_status
gptoss_generate(struct gptoss_context *x, struct gptoss_sampler *sampler,
    const uint32_t *prompt, size_t n, uint32_t max_tokens, gptoss_token_cb cb,
    void *user, uint32_t *out, uint32_t *n_out, char **err_out)
{
	const struct gptoss_config *c = x->model->cfg;
	enum gptoss_status st;
	uint32_t made = 0, tok, s;
	int stop = 0;

	*n_out = 0;
	if (n > 0 &&
	    (st = gptoss_context_append(x, prompt, n, NULL, err_out)) !=
		GPTOSS_OK)
		return st;
	if (!x->have_logits) {
		gptoss_set_err(err_out,
		    "generation needs at least one prompt "
		    "token");
		return GPTOSS_ERR_ARGUMENT;
	}
	while (made < max_tokens && !stop) {
		if (x->dev != NULL) {
			/* On the device: only the id comes back. */
			struct gptoss_sampler_params sp;
			uint64_t rnd;

			gptoss_sampler_device_args(sampler, &sp, &rnd);
			if ((st = gptoss_cuda_sample(x->dev, &sp, rnd, &tok,
				 err_out)) != GPTOSS_OK)
				return st;
		} else {
			tok = gptoss_sampler_sample(sampler, x->logits);
		}
		out[made++] = tok;
		*n_out = made;
		if (cb != NULL && cb(tok, user) != 0)
			break;
		for (s = 0; s < c->num_stop_tokens; s++)
			stop |= c->stop_tokens[s] == tok;
		if (stop || made == max_tokens)
			break;
		if ((st = gptoss_context_append(x, &tok, 1, NULL, err_out)) !=
		    GPTOSS_OK)
			return st;
	}
	return GPTOSS_OK;
}
