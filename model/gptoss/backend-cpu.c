/*
 * backend-cpu.c: the CPU backend: every op, multi-threaded over output rows
 * (matmuls) or over (token, head) pairs (attention) on one pthread pool.
 *
 * A matmul first puts the activation rows in the kernels' panel order
 * (gptoss-impl.h); a task then decodes a few weight rows to float once
 * (bf16 or MXFP4, in the same order) and takes their dot products with the
 * activation rows four at a time, so a prefill batch reads each weight
 * once. Each output is computed by the same instructions whatever the
 * batch or thread count. The fast precision's ops (fast.c) convert the
 * activation rows once per matmul (bf16, or Q8 blocks) and split the rows
 * (in groups of 16 for the repacked experts) the same way.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "model/gptoss/backend.h"
#include "model/gptoss/gptoss-impl.h"

#define TASKS_PER_THREAD 4
#define MIN_ROWS_PER_TASK 4

struct cpu {
	struct gptoss_pool *pool;
	float **scratch; /* [threads][cap] */
	size_t cap;
	float *xp; /* activations in panel order */
	size_t xp_cap;
	uint16_t *xb; /* fast: activations in bf16 */
	size_t xb_cap;
	struct gptoss_q8 *xq; /* fast: activations quantized */
	size_t xq_cap;
};

struct mm_job {
	float *y;
	size_t ldy, ldx;
	const uint16_t *w16, *bias;
	const uint8_t *blocks, *scales;
	const float *x;
	uint32_t rows, cols, n;
	uint32_t rows_per_task;
	struct cpu *cpu;
	const uint16_t *xb;	    /* fast bf16: [n][cols] */
	const struct gptoss_q8 *xq; /* fast MXFP4: [n][cols / 32] */
	const struct gptoss_mx16 *mx;
};

static void
reserve(struct cpu *c, size_t floats)
{
	uint32_t i, n = gptoss_pool_size(c->pool);

	if (floats <= c->cap)
		return;
	for (i = 0; i < n; i++) {
		free(c->scratch[i]);
		c->scratch[i] = xcalloc(floats, sizeof(float));
	}
	c->cap = floats;
}

/* Row R of the job's weights as floats in DST. */
static void
decode_row(const struct mm_job *j, uint32_t r, float *dst)
{
	uint32_t nb = j->cols / 32;

	if (j->w16 != NULL)
		gptoss_panel_bf16(dst, j->w16 + (size_t)r * j->cols, j->cols);
	else
		gptoss_panel_mxfp4(dst, j->blocks + (size_t)r * nb * 16,
		    j->scales + (size_t)r * nb, nb);
}

static void
put(const struct mm_job *j, uint32_t r, uint32_t t, float v)
{
	j->y[t * j->ldy + r] = v + (j->bias ? gptoss_bf16(j->bias[r]) : 0.0f);
}

/* Single-token and small-batch rows straight from the weights; 0 when
 * row R was done. */
static int
fused_row(const struct mm_job *j, uint32_t r)
{
	float out[4];
	uint32_t k, nb = j->cols / 32;

	if (j->w16 != NULL && j->n <= 4 &&
	    gptoss_dot_bf16_tile(out, j->w16 + (size_t)r * j->cols, j->x,
		j->ldx, j->n, j->cols) == 0) {
		for (k = 0; k < j->n; k++)
			put(j, r, k, out[k]);
		return 0;
	}
	if (j->w16 == NULL && j->n == 1 &&
	    gptoss_dot_mxfp4_1(out, j->blocks + (size_t)r * nb * 16,
		j->scales + (size_t)r * nb, j->x, nb) == 0) {
		put(j, r, 0, out[0]);
		return 0;
	}
	return -1;
}

/* Row R, decoded into W, times the tokens from T on. */
static void
row_tail(const struct mm_job *j, uint32_t r, const float *w, uint32_t t)
{
	float out[4];
	uint32_t k;

	for (; t < j->n; t += 4) {
		k = j->n - t < 4 ? j->n - t : 4;
		gptoss_dot_f32_tile(out, w, j->x + t * j->ldx, j->ldx, k,
		    j->cols);
		while (k-- > 0)
			put(j, r, t + k, out[k]);
	}
}

static void
mm_task(void *arg, uint32_t task, uint32_t thread)
{
	const struct mm_job *j = arg;
	float *w = j->cpu->scratch[thread], out[12];
	uint32_t r, r1, t, i, k, m;

	r1 = (task + 1) * j->rows_per_task;
	r1 = r1 > j->rows ? j->rows : r1;
	for (r = task * j->rows_per_task; r < r1;) {
		if (fused_row(j, r) == 0) {
			r++;
			continue;
		}
		if (r + 3 <= r1) {
			/* Three decoded rows times up to four tokens. */
			for (i = 0; i < 3; i++)
				decode_row(j, r + i, w + (size_t)i * j->cols);
			for (t = 0; t < j->n; t += k) {
				k = j->n - t < 4 ? j->n - t : 4;
				if (gptoss_dot_f32_3xn(out, w, j->cols,
					j->x + t * j->ldx, j->ldx, k,
					j->cols) != 0)
					break;
				for (i = 0; i < 3; i++)
					for (m = 0; m < k; m++)
						put(j, r + i, t + m,
						    out[i * 4 + m]);
			}
			for (i = 0; i < 3; i++)
				row_tail(j, r + i, w + (size_t)i * j->cols, t);
			r += 3;
			continue;
		}
		decode_row(j, r, w);
		row_tail(j, r, w, 0);
		r++;
	}
}

static void
run_mm(struct gptoss_backend *be, struct mm_job *j)
{
	struct cpu *c = be->impl;
	size_t need = (size_t)j->n * j->cols;
	uint32_t nt, t;

	j->cpu = c;
	reserve(c, (size_t)3 * j->cols);
	if (need > c->xp_cap) {
		free(c->xp);
		c->xp = xmalloc(need * sizeof *c->xp);
		c->xp_cap = need;
	}
	for (t = 0; t < j->n; t++)
		gptoss_panel_x(c->xp + (size_t)t * j->cols, j->x + t * j->ldx,
		    j->cols);
	j->x = c->xp;
	j->ldx = j->cols;
	/* A few long contiguous ranges per thread keep the prefetchers
	 * streaming; the split never changes a result. */
	nt = gptoss_pool_size(c->pool) * TASKS_PER_THREAD;
	j->rows_per_task = (j->rows + nt - 1) / nt;
	if (j->rows_per_task < MIN_ROWS_PER_TASK)
		j->rows_per_task = MIN_ROWS_PER_TASK;
	gptoss_pool_run(c->pool, mm_task, j,
	    (j->rows + j->rows_per_task - 1) / j->rows_per_task);
}

static void
cpu_matmul_bf16(struct gptoss_backend *be, float *y, size_t ldy,
    const uint16_t *w, const uint16_t *bias, const float *x, size_t ldx,
    uint32_t rows, uint32_t cols, uint32_t n)
{
	struct mm_job j = { .y = y,
		.ldy = ldy,
		.ldx = ldx,
		.w16 = w,
		.bias = bias,
		.x = x,
		.rows = rows,
		.cols = cols,
		.n = n };

	run_mm(be, &j);
}

static void
cpu_matmul_mxfp4(struct gptoss_backend *be, float *y, size_t ldy,
    const uint8_t *blocks, const uint8_t *scales, const uint16_t *bias,
    const float *x, size_t ldx, uint32_t rows, uint32_t cols, uint32_t n)
{
	struct mm_job j = { .y = y,
		.ldy = ldy,
		.ldx = ldx,
		.blocks = blocks,
		.scales = scales,
		.bias = bias,
		.x = x,
		.rows = rows,
		.cols = cols,
		.n = n };

	run_mm(be, &j);
}

struct attn_job {
	const struct gptoss_attn_args *a;
	struct cpu *cpu;
};

/* One query token and head: softmax over the allowed keys plus the sink. */
static void
attn_task(void *arg, uint32_t task, uint32_t thread)
{
	const struct attn_job *j = arg;
	const struct gptoss_attn_args *a = j->a;
	uint32_t i = task / a->num_heads, h = task % a->num_heads;
	uint32_t d = a->head_dim, kvh = h / (a->num_heads / a->num_kv_heads);
	uint32_t p = a->pos0 + i, lo, kp, c, nk;
	size_t qw = (size_t)a->num_heads * d, kw = (size_t)a->num_kv_heads * d;
	const float *q = a->q + i * qw + (size_t)h * d, *kv;
	float *s = j->cpu->scratch[thread],
	      *o = a->out + i * qw + (size_t)h * d;
	float sink = gptoss_bf16(a->sinks[h]), m = sink, acc, sum, e;

	lo = a->window && p + 1 > a->window ? p + 1 - a->window : 0;
	nk = p - lo + 1;
	for (kp = lo; kp <= p; kp++) {
		kv = a->k_cache + (size_t)(kp % a->slots) * kw +
		    (size_t)kvh * d;
		gptoss_dot_f32_tile(&acc, q, kv, 0, 1, d);
		s[kp - lo] = acc * a->scale;
		m = s[kp - lo] > m ? s[kp - lo] : m;
	}
	sum = expf(sink - m);
	for (c = 0; c < d; c++)
		o[c] = 0;
	for (kp = 0; kp < nk; kp++) {
		e = expf(s[kp] - m);
		sum += e;
		kv = a->v_cache + (size_t)((lo + kp) % a->slots) * kw +
		    (size_t)kvh * d;
		gptoss_axpy_f32(o, e, kv, d);
	}
	for (c = 0; c < d; c++)
		o[c] /= sum;
}

static void
cpu_attention(struct gptoss_backend *be, const struct gptoss_attn_args *a)
{
	struct attn_job j = { .a = a, .cpu = be->impl };

	reserve(j.cpu, (size_t)a->pos0 + a->n);
	gptoss_pool_run(j.cpu->pool, attn_task, &j, a->n * a->num_heads);
}

/* ---- the fast precision ---- */

/* Splits the job's ROWS (in units of UNIT rows) into tasks as run_mm. */
static uint32_t
split(struct cpu *c, struct mm_job *j, uint32_t units)
{
	uint32_t nt = gptoss_pool_size(c->pool) * TASKS_PER_THREAD;

	j->rows_per_task = (units + nt - 1) / nt;
	if (j->rows_per_task < 1)
		j->rows_per_task = 1;
	return (units + j->rows_per_task - 1) / j->rows_per_task;
}

/* Tokens per pass over a task's rows: their bf16 rows stay in L2. */
#define BF16X_TILE 64

static void
bf16x_task(void *arg, uint32_t task, uint32_t thread)
{
	const struct mm_job *j = arg;
	float out[16];
	uint32_t r, r0, r1, t, t0, t1, k, nr, i;

	(void)thread;
	r0 = task * j->rows_per_task;
	r1 = (task + 1) * j->rows_per_task;
	r1 = r1 > j->rows ? j->rows : r1;
	for (t0 = 0; t0 < j->n; t0 += BF16X_TILE) {
		t1 = j->n - t0 < BF16X_TILE ? j->n : t0 + BF16X_TILE;
		for (r = r0; r < r1; r += nr) {
			nr = r1 - r < 4 ? r1 - r : 4;
			for (t = t0; t < t1; t += k) {
				k = t1 - t < 4 ? t1 - t : 4;
				gptoss_dot_bf16x_tile(out,
				    j->w16 + (size_t)r * j->cols, j->cols,
				    j->xb + (size_t)t * j->cols, j->cols, nr, k,
				    j->cols);
				for (i = 0; i < nr * 4; i++)
					if (i % 4 < k)
						put(j, r + i / 4, t + i % 4,
						    out[i]);
			}
		}
	}
}

static void
cpu_matmul_bf16_fast(struct gptoss_backend *be, float *y, size_t ldy,
    const uint16_t *w, const uint16_t *bias, const float *x, size_t ldx,
    uint32_t rows, uint32_t cols, uint32_t n)
{
	struct cpu *c = be->impl;
	struct mm_job j = { .y = y,
		.ldy = ldy,
		.w16 = w,
		.bias = bias,
		.rows = rows,
		.cols = cols,
		.n = n,
		.cpu = c };
	size_t need = (size_t)n * cols;
	uint32_t t;

	if (gptoss_dot_bf16x_tile(NULL, NULL, 0, NULL, 0, 0, 0, 0) != 0) {
		cpu_matmul_bf16(be, y, ldy, w, bias, x, ldx, rows, cols, n);
		return;
	}
	if (need > c->xb_cap) {
		free(c->xb);
		c->xb = xmalloc(need * sizeof *c->xb);
		c->xb_cap = need;
	}
	for (t = 0; t < n; t++)
		gptoss_f32_to_bf16(c->xb + (size_t)t * cols, x + t * ldx, cols);
	j.xb = c->xb;
	gptoss_pool_run(c->pool, bf16x_task, &j, split(c, &j, rows));
}

/* Tokens per pass over a group's weights: their accumulators and
 * quantized rows stay in cache. */
#define Q8_TILE 32

static void
mx16_task(void *arg, uint32_t task, uint32_t thread)
{
	const struct mm_job *j = arg;
	float *acc = j->cpu->scratch[thread];
	uint32_t nb = j->cols / 32, g, g1, t, k, l, r;
	size_t gq = (size_t)nb * 256, gs = (size_t)nb * 16;

	g1 = (task + 1) * j->rows_per_task;
	g1 = g1 > (j->rows + 15) / 16 ? (j->rows + 15) / 16 : g1;
	for (g = task * j->rows_per_task; g < g1; g++)
		for (t = 0; t < j->n; t += k) {
			k = j->n - t < Q8_TILE ? j->n - t : Q8_TILE;
			memset(acc, 0, (size_t)k * 16 * sizeof *acc);
			gptoss_mx16_dot(acc, j->mx->q + g * gq,
			    j->mx->s + g * gs, j->xq + (size_t)t * nb, nb, k,
			    nb);
			for (r = 0; r < k; r++)
				for (l = 0; l < 16 && g * 16 + l < j->rows; l++)
					put(j, g * 16 + l, t + r,
					    acc[r * 16 + l]);
		}
}

static void
cpu_matmul_mx16_q8(struct gptoss_backend *be, float *y, size_t ldy,
    const struct gptoss_mx16 *w, const uint16_t *bias, const float *x,
    size_t ldx, uint32_t rows, uint32_t cols, uint32_t n)
{
	struct cpu *c = be->impl;
	struct mm_job j = { .y = y,
		.ldy = ldy,
		.bias = bias,
		.rows = rows,
		.cols = cols,
		.n = n,
		.cpu = c,
		.mx = w };
	size_t nb = cols / 32, need = (size_t)n * nb;
	uint32_t t;

	reserve(c, (size_t)Q8_TILE * 16);
	if (need > c->xq_cap) {
		free(c->xq);
		c->xq = xmalloc(need * sizeof *c->xq);
		c->xq_cap = need;
	}
	for (t = 0; t < n; t++)
		gptoss_q8_quantize(c->xq + t * nb, x + t * ldx, (uint32_t)nb);
	j.xq = c->xq;
	gptoss_pool_run(c->pool, mx16_task, &j, split(c, &j, (rows + 15) / 16));
}

/* attn_task over float16 caches. */
static void
attn_f16_task(void *arg, uint32_t task, uint32_t thread)
{
	const struct attn_job *j = arg;
	const struct gptoss_attn_args *a = j->a;
	uint32_t i = task / a->num_heads, h = task % a->num_heads;
	uint32_t d = a->head_dim, kvh = h / (a->num_heads / a->num_kv_heads);
	uint32_t p = a->pos0 + i, lo;
	size_t qw = (size_t)a->num_heads * d, kw = (size_t)a->num_kv_heads * d;

	lo = a->window && p + 1 > a->window ? p + 1 - a->window : 0;
	gptoss_attn_f16(a->out + i * qw + (size_t)h * d,
	    a->q + i * qw + (size_t)h * d, a->k16 + (size_t)kvh * d,
	    a->v16 + (size_t)kvh * d, kw, lo, p - lo + 1, a->slots, d, a->scale,
	    gptoss_bf16(a->sinks[h]), j->cpu->scratch[thread]);
}

static void
cpu_attention_f16(struct gptoss_backend *be, const struct gptoss_attn_args *a)
{
	struct attn_job j = { .a = a, .cpu = be->impl };

	reserve(j.cpu, (size_t)a->pos0 + a->n);
	gptoss_pool_run(j.cpu->pool, attn_f16_task, &j, a->n * a->num_heads);
}

static int
cpu_supports_op(const struct gptoss_backend *be, enum gptoss_op op)
{
	(void)be;
	return op < GPTOSS_OP_COUNT;
}

static void
cpu_free(struct gptoss_backend *be)
{
	struct cpu *c;
	uint32_t i;

	if (be == NULL)
		return;
	c = be->impl;
	for (i = 0; i < gptoss_pool_size(c->pool); i++)
		free(c->scratch[i]);
	free(c->scratch);
	free(c->xp);
	free(c->xb);
	free(c->xq);
	gptoss_pool_free(c->pool);
	free(c);
	free(be);
}

struct gptoss_backend *
gptoss_backend_cpu_new(uint32_t nthreads)
{
	struct gptoss_backend *be = xcalloc(1, sizeof *be);
	struct cpu *c = xcalloc(1, sizeof *c);
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (nthreads == 0)
		nthreads = n > 0 ? (uint32_t)n : 1;
	c->pool = gptoss_pool_new(nthreads);
	c->scratch = xcalloc(gptoss_pool_size(c->pool), sizeof *c->scratch);
	be->name = "cpu";
	be->supports_op = cpu_supports_op;
	be->matmul_bf16 = cpu_matmul_bf16;
	be->matmul_mxfp4 = cpu_matmul_mxfp4;
	be->attention = cpu_attention;
	be->matmul_bf16_fast = cpu_matmul_bf16_fast;
	be->matmul_mx16_q8 = cpu_matmul_mx16_q8;
	be->attention_f16 = cpu_attention_f16;
	be->free = cpu_free;
	be->impl = c;
	return be;
}

struct gptoss_backend *
gptoss_backend_for(struct gptoss_backend *be, struct gptoss_backend *fallback,
    enum gptoss_op op)
{
	return be != NULL && be->supports_op(be, op) ? be : fallback;
}
