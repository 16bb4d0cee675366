/*
 * unit-cuda-math.c: the CUDA kernels' per-element math
 * (model/gptoss/cuda/gptoss-math.h), compiled here as host C, against the
 * CPU engine: MXFP4 and bf16 decoding bit for bit, the fp16 KV cache
 * conversion, the clamped SwiGLU, the YaRN tables, split-K softmax with
 * sinks (emulating the attention kernel's ranges and chunks) against the
 * CPU backend's attention, routing, and the device sampler's algorithm
 * against gptoss_sampler_sample for the same seeds. Needs no GPU.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/gptoss/backend.h"
#include "model/gptoss/cuda/gptoss-math.h"
#include "model/gptoss/gptoss-impl.h"

static int failures, checks;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                            \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);            \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

static uint64_t rs = 42;

static double
urand(void)
{
	return (gm_splitmix64(&rs) >> 11) * 0x1.0p-53;
}

static float
nrand(void)
{
	return (float)(sqrt(-2 * log(urand() + 1e-300)) *
	    cos(6.283185307179586 * urand()));
}

static void
test_mxfp4(void)
{
	uint8_t blk[16], sc;
	float cpu[32], even, odd;
	int bad = 0;
	uint32_t b, s, i;

	for (s = 0; s < 256; s++) {
		for (b = 0; b < 256; b += 16) {
			for (i = 0; i < 16; i++)
				blk[i] = (uint8_t)(b + i);
			sc = (uint8_t)s;
			gptoss_mxfp4_to_f32(cpu, blk, &sc, 1);
			for (i = 0; i < 16; i++) {
				gm_mxfp4_byte(blk[i], s, &even, &odd);
				bad += memcmp(&even, &cpu[2 * i], 4) != 0 ||
				    memcmp(&odd, &cpu[2 * i + 1], 4) != 0;
			}
		}
	}
	CHECK(bad == 0, "MXFP4: %d of 65536 bytes decode differently", bad);
}

static void
test_bf16_f16(void)
{
	uint32_t h;
	int bad = 0, bad16 = 0, badr = 0;
	float a, b;

	for (h = 0; h < 65536; h++) {
		a = gm_bf16((uint16_t)h);
		b = gptoss_bf16((uint16_t)h);
		bad += memcmp(&a, &b, 4) != 0;
		/* Every half value survives the round trip. */
		if (((h >> 10) & 31) != 31 &&
		    gm_f32_to_f16(gm_f16_to_f32((uint16_t)h)) != h)
			bad16++;
	}
	CHECK(bad == 0, "bf16: %d values differ", bad);
	CHECK(bad16 == 0, "fp16 round trip: %d values differ", bad16);
	for (h = 0; h < 200000; h++) {
		float f = nrand() * (float)pow(2.0, (int)(urand() * 40) - 20);
		float g = gm_f16_to_f32(gm_f32_to_f16(f));
#ifdef __FLT16_MAX__
		_Float16 ref = (_Float16)f;
		badr += g != (float)ref;
#else
		badr += fabsf(g - f) > fabsf(f) * 0x1.0p-11f + 0x1.0p-25f;
#endif
	}
	CHECK(badr == 0, "fp16 rounding: %d of 200000 values off", badr);
}

/* The CPU engine's SwiGLU (forward.c), as the spec writes it. */
static float
swiglu_ref(float g, float u, float limit)
{
	g = g > limit ? limit : g;
	u = u > limit ? limit : u < -limit ? -limit : u;
	return g / (1.0f + expf(-1.702f * g)) * (u + 1.0f);
}

static void
test_swiglu(void)
{
	static const float pts[] = { -20, -7.01f, -7, -3, -1e-3f, 0, 1e-3f,
		0.5f, 3, 6.99f, 7, 7.01f, 20 };
	int bad = 0;
	size_t i, j;

	for (i = 0; i < sizeof pts / sizeof *pts; i++)
		for (j = 0; j < sizeof pts / sizeof *pts; j++) {
			float a = gm_swiglu(pts[i], pts[j], 7.0f);
			float b = swiglu_ref(pts[i], pts[j], 7.0f);
			bad += memcmp(&a, &b, 4) != 0;
		}
	CHECK(bad == 0, "SwiGLU: %d points differ", bad);
	/* Gate clamped above only, up on both sides, the +1 on up. */
	CHECK(gm_swiglu(100, 0, 7) == gm_swiglu(7, 0, 7), "gate clamp");
	CHECK(gm_swiglu(-100, 0, 7) != gm_swiglu(-7, 0, 7), "gate not below");
	CHECK(gm_swiglu(1, -100, 7) == gm_swiglu(1, -7, 7), "up clamp below");
	CHECK(fabsf(gm_swiglu(1, 0, 7) - 1 / (1 + expf(-1.702f))) < 1e-7f,
	    "the +1 on up");
}

/* YaRN: config.c's frequencies (spec 1.2 values) through gm_rope_cs. */
static void
test_rope(void)
{
	char dir[] = "/tmp/unit-cuda-math-XXXXXX", path[256];
	struct gptoss_config *c = NULL;
	FILE *f;
	float cs, sn, a = 1, b = 0;
	char *msg = NULL;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/config.json", dir);
	f = fopen(path, "w");
	fprintf(f,
	    "{\"architectures\": [\"GptOssForCausalLM\"], \"model_type\": "
	    "\"gpt_oss\", \"hidden_size\": "
	    "2880, \"intermediate_size\": 2880, \"head_dim\": 64, "
	    "\"num_attention_heads\": 64, \"num_key_value_heads\": 8, "
	    "\"num_hidden_layers\": 2, \"num_local_experts\": 32, "
	    "\"experts_per_token\": 4, \"vocab_size\": 201088, "
	    "\"sliding_window\": 128, \"layer_types\": [\"sliding_attention\", "
	    "\"full_attention\"], \"max_position_embeddings\": 131072, "
	    "\"rms_norm_eps\": 1e-05, \"swiglu_limit\": 7.0, "
	    "\"attention_bias\": true, \"tie_word_embeddings\": false, "
	    "\"rope_theta\": 150000, \"initial_context_length\": 4096, "
	    "\"rope_scaling\": {\"beta_fast\": 32.0, \"beta_slow\": 1.0, "
	    "\"factor\": 32.0, \"original_max_position_embeddings\": 4096, "
	    "\"rope_type\": \"yarn\", \"truncate\": false}}\n");
	fclose(f);
	if (gptoss_config_load(dir, &c, &msg) != GPTOSS_OK) {
		CHECK(0, "config.json of the 20b shape does not load: %s", msg);
		free(msg);
		remove(path);
		rmdir(dir);
		return;
	}
	CHECK(fabs(c->rope_attention_factor - 1.3465735902799727) < 1e-12,
	    "attention factor %.17g", c->rope_attention_factor);
	CHECK(fabs(c->inv_freq[1] - 0.6890443058881633) < 1e-12 &&
		fabs(c->inv_freq[9] - 0.03170569618466377) < 1e-12 &&
		fabs(c->inv_freq[31] - 3.0235114281192144e-07) < 1e-18,
	    "inv_freq differs from the spec");
	gm_rope_cs(0, c->inv_freq[5], c->rope_attention_factor, &cs, &sn);
	CHECK(cs == (float)c->rope_attention_factor && sn == 0,
	    "position 0: cos is the factor, sin 0");
	gm_rope_cs(1000, c->inv_freq[3], c->rope_attention_factor, &cs, &sn);
	CHECK(cs ==
		    (float)(cos(1000 * c->inv_freq[3]) *
			c->rope_attention_factor) &&
		sn ==
		    (float)(sin(1000 * c->inv_freq[3]) *
			c->rope_attention_factor),
	    "cos/sin in double, as the CPU tables");
	gm_rope_pair(&a, &b, 0.6f, 0.8f);
	CHECK(a == 0.6f && b == 0.8f, "half-split rotation (%g, %g)", a, b);
	gptoss_config_free(c);
	remove(path);
	rmdir(dir);
}

/*
 * The attention kernel's algorithm on the host: NSPLIT ranges of the
 * allowed keys, each walked CHUNK keys at a time with the online softmax,
 * merged with the sink.
 */
static void
attn_emul(const struct gptoss_attn_args *a, uint32_t nsplit, uint32_t chunk)
{
	uint32_t d = a->head_dim, G = a->num_heads / a->num_kv_heads;
	size_t qw = (size_t)a->num_heads * d, kw = (size_t)a->num_kv_heads * d;
	float pm[64], pl[64], pacc[64][128], e[256];

	for (uint32_t i = 0; i < a->n; i++)
		for (uint32_t h = 0; h < a->num_heads; h++) {
			uint32_t p = a->pos0 + i, g = h / G, lo, nk, per;
			const float *q = a->q + i * qw + (size_t)h * d;
			float sink = gm_bf16(a->sinks[h]), M = sink, L = 0;

			lo = a->window && p + 1 > a->window ?
			    p + 1 - a->window :
			    0;
			nk = p - lo + 1;
			per = (nk + nsplit - 1) / nsplit;
			for (uint32_t s = 0; s < nsplit; s++) {
				uint32_t k0 = lo + s * per;
				uint32_t k1 = k0 + per < p + 1 ? k0 + per :
								 p + 1;
				float m = -INFINITY, l = 0;
				memset(pacc[s], 0, sizeof pacc[s]);
				for (uint32_t c0 = k0; c0 < k1; c0 += chunk) {
					uint32_t cn = k1 - c0 < chunk ?
					    k1 - c0 :
					    chunk;
					float cm = -INFINITY, sum = 0, mn, r;
					for (uint32_t kk = 0; kk < cn; kk++) {
						const float *kr = a->k_cache +
						    (size_t)((c0 + kk) %
							a->slots) *
							kw +
						    (size_t)g * d;
						float dot = 0;
						for (uint32_t c = 0; c < d; c++)
							dot += q[c] * kr[c];
						e[kk] = dot * a->scale;
						cm = fmaxf(cm, e[kk]);
					}
					mn = fmaxf(cm, m);
					for (uint32_t kk = 0; kk < cn; kk++)
						sum += e[kk] = expf(e[kk] - mn);
					r = gm_sm_rescale(m, mn);
					l = l * r + sum;
					m = mn;
					for (uint32_t c = 0; c < d; c++) {
						float acc = pacc[s][c] * r;
						for (uint32_t kk = 0; kk < cn;
						     kk++)
							acc += e[kk] *
							    a->v_cache
								[(size_t)((c0 +
									      kk) %
								     a->slots) *
									kw +
								    (size_t)g *
									d +
								    c];
						pacc[s][c] = acc;
					}
				}
				pm[s] = m;
				pl[s] = l;
			}
			for (uint32_t s = 0; s < nsplit; s++)
				M = fmaxf(M, pm[s]);
			for (uint32_t s = 0; s < nsplit; s++)
				L += pl[s] * gm_sm_rescale(pm[s], M);
			L = gm_sm_denominator(L, M, sink);
			for (uint32_t c = 0; c < d; c++) {
				float o = 0;
				for (uint32_t s = 0; s < nsplit; s++)
					o += pacc[s][c] *
					    gm_sm_rescale(pm[s], M);
				a->out[i * qw + (size_t)h * d + c] = o / L;
			}
		}
}

static void
test_attention(void)
{
	enum { NQ = 4, NKV = 2, D = 16, N = 5, SLOTS = 40 };
	static float q[N * NQ * D], kc[SLOTS * NKV * D], vc[SLOTS * NKV * D];
	static float ref[N * NQ * D], out[N * NQ * D];
	uint16_t sinks[NQ];
	struct gptoss_backend *cpu = gptoss_backend_cpu_new(1);
	static const uint32_t splits[] = { 1, 3, 7, 64 };
	static const uint32_t chunks[] = { 4, 128 };
	double worst = 0, err, scale;
	uint32_t i, w, s, ch;

	for (i = 0; i < N * NQ * D; i++)
		q[i] = nrand();
	for (i = 0; i < SLOTS * NKV * D; i++) {
		kc[i] = nrand();
		vc[i] = nrand();
	}
	/* bf16 1.0, -0.5, 2.0 and 0.0 */
	sinks[0] = 0x3f80;
	sinks[1] = 0xbf00;
	sinks[2] = 0x4000;
	sinks[3] = 0x0000;
	for (w = 0; w < 2; w++) {
		struct gptoss_attn_args a = { .out = ref,
			.q = q,
			.k_cache = kc,
			.v_cache = vc,
			.sinks = sinks,
			.n = N,
			.pos0 = 30,
			.slots = SLOTS,
			.window = w ? 8 : 0,
			.num_heads = NQ,
			.num_kv_heads = NKV,
			.head_dim = D,
			.scale = 0.25f };
		cpu->attention(cpu, &a);
		for (s = 0; s < sizeof splits / sizeof *splits; s++)
			for (ch = 0; ch < 2; ch++) {
				a.out = out;
				attn_emul(&a, splits[s], chunks[ch]);
				a.out = ref;
				/* Relative to the largest output, as the
				 * logits are compared. */
				for (scale = 0, i = 0; i < N * NQ * D; i++)
					scale = fmax(scale, fabs(ref[i]));
				for (i = 0; i < N * NQ * D; i++) {
					err = fabs(out[i] - ref[i]) / scale;
					worst = err > worst ? err : worst;
				}
			}
	}
	CHECK(worst < 1e-5,
	    "split-K attention with sinks differs from the CPU backend "
	    "(worst relative %.3g)",
	    worst);
	cpu->free(cpu);
}

static void
test_route(void)
{
	float r[6] = { 0.5f, 2.0f, -1.0f, 2.0f, 1.0f, 0.0f }, wt[3];
	uint32_t sel[3];

	gm_route(r, 6, 3, sel, wt);
	/* The tie between experts 1 and 3 goes to the lower id. */
	CHECK(sel[0] == 1 && sel[1] == 3 && sel[2] == 4, "top-3 order %u %u %u",
	    sel[0], sel[1], sel[2]);
	CHECK(fabsf(wt[0] + wt[1] + wt[2] - 1) < 1e-6f && wt[0] == wt[1] &&
		fabsf(wt[2] / wt[0] - expf(-1.0f)) < 1e-6f,
	    "softmax over the selected logits");
}

/* The candidate order of the sampler: higher logit, then lower id. */
static const float *sort_l;

static int
cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return gm_before(sort_l[x], x, sort_l[y], y) ? -1 :
	    gm_before(sort_l[y], y, sort_l[x], x)    ? 1 :
						       0;
}

#define RUNS 1024

/* k_sample_pick on the host: runs of candidates, their prefix sums, the
 * top-p cut and the draw. */
static uint32_t
pick_emul(const float *logits, uint32_t V,
    const struct gptoss_sampler_params *p, uint64_t rnd)
{
	static uint32_t ids[4096];
	static double run[RUNS + 1];
	uint32_t n = V, i, best = 0, cut, per, r, pick;
	double total, cum = 0, cut_sum, target;
	float m;

	for (i = 0; i < V; i++) {
		ids[i] = i;
		if (gm_before(logits[i], i, logits[best], best))
			best = i;
	}
	if (p->temperature == 0)
		return best;
	m = logits[best];
	if ((p->top_k > 0 && p->top_k < V) || p->top_p < 1) {
		sort_l = logits;
		qsort(ids, V, sizeof *ids, cmp);
		if (p->top_k > 0 && p->top_k < V)
			n = p->top_k;
	}
	per = (n + RUNS - 1) / RUNS;
	run[0] = 0;
	for (r = 0; r < RUNS; r++) {
		double s = 0;
		for (i = r * per; i < (r + 1) * per && i < n; i++)
			s += gm_temp_weight(logits[ids[i]], m, p->temperature);
		run[r + 1] = run[r] + s;
	}
	total = run[RUNS];
	cut = n;
	cut_sum = total;
	if (p->top_p < 1)
		for (r = 0; r < RUNS; r++)
			if (r * per < n && run[r] / total < p->top_p &&
			    run[r + 1] / total >= p->top_p) {
				cum = run[r];
				for (i = r * per; i < (r + 1) * per && i < n;
				     i++) {
					cum += gm_temp_weight(logits[ids[i]], m,
					    p->temperature);
					if (cum / total >= p->top_p) {
						cut = i + 1;
						cut_sum = cum;
						break;
					}
				}
			}
	target = gm_draw(rnd, cut_sum);
	pick = ids[cut - 1];
	for (r = 0; r < RUNS; r++)
		if (run[r] <= target && target < run[r + 1])
			break;
	if (r < RUNS)
		for (cum = run[r], i = r * per; i < (r + 1) * per && i < cut;
		     i++) {
			cum += gm_temp_weight(logits[ids[i]], m,
			    p->temperature);
			if (target < cum) {
				pick = ids[i];
				break;
			}
		}
	return pick;
}

static void
test_sampler(void)
{
	enum { V = 3000 };
	static float logits[V];
	static const struct gptoss_sampler_params ps[] = {
		{ 0, 0, 1, 1 },
		{ 1.0f, 0, 1, 7 },
		{ 0.7f, 40, 1, 8 },
		{ 1.3f, 0, 0.9f, 9 },
		{ 0.8f, 50, 0.5f, 10 },
		{ 2.0f, 1, 1, 11 },
	};
	int agree = 0, total = 0;
	size_t k;
	uint32_t i, t;

	for (i = 0; i < V; i++)
		logits[i] = 3 * nrand();
	logits[17] = logits[2000]; /* a tie */
	for (k = 0; k < sizeof ps / sizeof *ps; k++) {
		struct gptoss_sampler *a, *b;
		if (gptoss_sampler_new(&ps[k], V, &a) != GPTOSS_OK ||
		    gptoss_sampler_new(&ps[k], V, &b) != GPTOSS_OK) {
			CHECK(0, "sampler_new");
			return;
		}
		for (t = 0; t < 200; t++) {
			struct gptoss_sampler_params dp;
			uint64_t rnd;
			uint32_t x = gptoss_sampler_sample(a, logits), y;

			gptoss_sampler_device_args(b, &dp, &rnd);
			y = pick_emul(logits, V, &dp, rnd);
			agree += x == y;
			total++;
			logits[(t * 37) % V] += 0.5f; /* vary the input */
		}
		gptoss_sampler_free(a);
		gptoss_sampler_free(b);
	}
	/* Sums in another order may move a draw that lands within a
	 * rounding error of a boundary; none should here. */
	CHECK(agree == total, "device sampler agrees on %d of %d draws", agree,
	    total);
}

int
main(void)
{
	test_mxfp4();
	test_bf16_f16();
	test_swiglu();
	test_rope();
	test_attention();
	test_route();
	test_sampler();
	printf("unit-cuda-math: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
