/*
 * unit-engine.c: the engine's building blocks: the safetensors header
 * parser on good and bad headers, the MXFP4 and bf16 decoders against the
 * spec's table, the dot kernel, the thread pool and the sampler.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-impl.h"
#include "tests/testlib.h"

static enum gptoss_status
parse(const char *json, uint64_t data_len, char **err)
{
	struct gptoss_st_tensor *t = NULL;
	size_t n = 0;
	enum gptoss_status st;

	free(*err);
	*err = NULL;
	st = gptoss_st_parse_header("x", json, strlen(json), data_len, &t, &n,
	    err);
	gptoss_st_tensors_free(t, n);
	return st;
}

static void
test_header(void)
{
	struct gptoss_st_tensor *t = NULL;
	char *err = NULL;
	size_t n = 0;
	const char *good =
	    "{\"__metadata__\":{\"format\":\"pt\"},"
	    "\"b\":{\"dtype\":\"U8\",\"shape\":[2,3],\"data_offsets\":[8,14]},"
	    "\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}";

	TEST_CHECK("a good header parses",
	    gptoss_st_parse_header("x", good, strlen(good), 14, &t, &n, &err) ==
		    GPTOSS_OK &&
		n == 2);
	TEST_CHECK("tensors are sorted by name",
	    n == 2 && strcmp(t[0].name, "a") == 0 && t[1].shape[1] == 3 &&
		t[1].begin == 8 && t[1].dtype == GPTOSS_DT_U8);
	gptoss_st_tensors_free(t, n);
	TEST_CHECK("data past the end is refused",
	    parse(good, 13, &err) == GPTOSS_ERR_FORMAT &&
		strstr(err, "past the end") != NULL);
	TEST_CHECK("a range that does not match the shape is refused",
	    parse("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],"
		  "\"data_offsets\":[0,6]}}",
		8, &err) == GPTOSS_ERR_FORMAT &&
		strstr(err, "'a'") != NULL);
	TEST_CHECK("an unknown dtype is refused",
	    parse("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],"
		  "\"data_offsets\":[0,1]}}",
		8, &err) == GPTOSS_ERR_FORMAT);
	TEST_CHECK("a repeated name is refused",
	    parse(
		"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":"
		"[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":"
		"[0,1]}}",
		8, &err) == GPTOSS_ERR_FORMAT &&
		strstr(err, "twice") != NULL);
	TEST_CHECK("an overflowing shape is refused",
	    parse("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,"
		  "4294967296],\"data_offsets\":[0,0]}}",
		8, &err) == GPTOSS_ERR_FORMAT);
	TEST_CHECK("a negative offset is refused",
	    parse("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
		  "\"data_offsets\":[-1,0]}}",
		8, &err) == GPTOSS_ERR_FORMAT);
	TEST_CHECK("non-JSON is refused",
	    parse("{\"a\":", 8, &err) == GPTOSS_ERR_FORMAT);
	free(err);
}

static void
test_decode(void)
{
	/* Byte 0x9F: low nibble 15 (-6.0) is element 0, high 9 (-0.5). */
	uint8_t blk[16] = { 0x9F, 0x21, 0x70 }, sc = 127 + 2;
	uint16_t bf[3] = { 0x3F80, 0xC040, 0x0000 };
	float out[32], f[3];

	gptoss_mxfp4_to_f32(out, blk, &sc, 1);
	TEST_NEAR("element 0 is the low nibble", out[0], -6.0 * 4, 0, 0);
	TEST_NEAR("element 1 is the high nibble", out[1], -0.5 * 4, 0, 0);
	TEST_NEAR("element 2", out[2], 0.5 * 4, 0, 0);
	TEST_NEAR("element 3", out[3], 1.0 * 4, 0, 0);
	TEST_NEAR("element 4", out[4], 0.0, 0, 0);
	TEST_NEAR("element 5", out[5], 6.0 * 4, 0, 0);
	TEST_NEAR("element 31", out[31], 0.0, 0, 0);
	gptoss_bf16_to_f32(f, bf, 3);
	TEST_CHECK("bf16 decodes",
	    f[0] == 1.0f && f[1] == -3.0f && f[2] == 0.0f);
}

static void
test_dot(void)
{
	float w[37], x[4 * 37], one[4], many[4];
	uint32_t i, t;

	for (i = 0; i < 37; i++) {
		w[i] = (float)i / 7 - 2;
		for (t = 0; t < 4; t++)
			x[t * 37 + i] = (float)(t + 1) * (i % 5) / 3;
	}
	gptoss_dot_f32_tile(many, w, x, 37, 4, 37);
	for (t = 0; t < 4; t++) {
		double ref = 0;
		gptoss_dot_f32_tile(&one[t], w, x + t * 37, 37, 1, 37);
		for (i = 0; i < 37; i++)
			ref += (double)w[i] * x[t * 37 + i];
		TEST_NEAR("dot product", many[t], ref, 1e-5, 1e-5);
		TEST_CHECK("a dot does not depend on the tile",
		    one[t] == many[t]);
	}
}

static void
test_dot_3x4(void)
{
	float w[3 * 40], x[4 * 40], out[12], one;
	uint32_t i, n, r, t, same = 1;

	for (i = 0; i < 3 * 40; i++)
		w[i] = (float)((int)(i * 7 % 23) - 11) / 5;
	for (i = 0; i < 4 * 40; i++)
		x[i] = (float)((int)(i * 11 % 19) - 9) / 7;
	for (n = 1; n <= 4; n++) {
		if (gptoss_dot_f32_3xn(out, w, 40, x, 40, n, 40) != 0) {
			TEST_SKIP("3xN kernels: no AVX-512VL on this CPU");
			return;
		}
		for (r = 0; r < 3; r++)
			for (t = 0; t < n; t++) {
				gptoss_dot_f32_tile(&one, w + r * 40,
				    x + t * 40, 40, 1, 40);
				same &= one == out[r * 4 + t];
			}
	}
	TEST_CHECK("3xN prefill kernels are bit-identical to single dots",
	    same);
}

/* The fused kernels against decoding the row (panel order) and the float
 * dot, and the panel-order dot against the natural-order one. */
static void
test_mxfp4_dot(void)
{
	uint8_t blocks[3 * 16], scales[3];
	float w[96], x[96], xp[96], wn[96], fused, ref, nat;
	uint32_t i;

	for (i = 0; i < sizeof blocks; i++)
		blocks[i] = (uint8_t)(i * 37 + 11);
	for (i = 0; i < 3; i++)
		scales[i] = (uint8_t)(120 + 3 * i);
	for (i = 0; i < 96; i++)
		x[i] = (float)((int)(i * 13 % 29) - 14) / 9;
	gptoss_panel_x(xp, x, 96);
	gptoss_panel_mxfp4(w, blocks, scales, 3);
	gptoss_dot_f32_tile(&ref, w, xp, 96, 1, 96);
	gptoss_mxfp4_to_f32(wn, blocks, scales, 3);
	gptoss_dot_f32_tile(&nat, wn, x, 96, 1, 96);
	TEST_NEAR("panel-order MXFP4 dot equals the natural one", ref, nat,
	    1e-5, 1e-5);
	if (gptoss_dot_mxfp4_1(&fused, blocks, scales, xp, 3) == 0)
		TEST_CHECK("fused MXFP4 dot is bit-identical", fused == ref);
	else
		TEST_SKIP("fused MXFP4 dot: no AVX2 on this CPU");
}

static void
test_bf16_dot(void)
{
	/* Two 32-element panels then a 16-element natural tail; a panel and
	 * a scalar tail; a row shorter than one panel. */
	static const uint32_t sizes[] = { 80, 40, 8 };
	uint16_t w[80];
	float wf[80], wn[80], x[2 * 80], xp[2 * 80], fused[2], ref, nat;
	uint32_t i, t, k, c, same = 1;

	for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		c = sizes[k];
		for (i = 0; i < c; i++)
			w[i] = (uint16_t)(0x3c00 + (i * 97 % 1021)) ^
			    (i % 3 ? 0 : 0x8000);
		for (i = 0; i < 2 * c; i++)
			x[i] = (float)((int)(i * 11 % 31) - 15) / 8;
		for (t = 0; t < 2; t++)
			gptoss_panel_x(xp + t * c, x + t * c, c);
		gptoss_panel_bf16(wf, w, c);
		gptoss_bf16_to_f32(wn, w, c);
		if (gptoss_dot_bf16_tile(fused, w, xp, c, 2, c) != 0) {
			TEST_SKIP("fused bf16 dot: no AVX2 on this CPU");
			return;
		}
		for (t = 0; t < 2; t++) {
			gptoss_dot_f32_tile(&ref, wf, xp + t * c, c, 1, c);
			gptoss_dot_f32_tile(&nat, wn, x + t * c, c, 1, c);
			same &= fused[t] == ref;
			TEST_NEAR("panel-order bf16 dot equals the natural one",
			    ref, nat, 1e-5, 1e-5);
		}
	}
	TEST_CHECK("fused bf16 dot is bit-identical", same);
}

static void
count_task(void *arg, uint32_t task, uint32_t thread)
{
	(void)thread;
	((uint32_t *)arg)[task] += task + 1;
}

static void
test_pool(void)
{
	struct gptoss_pool *p = gptoss_pool_new(3);
	uint32_t v[100] = { 0 }, i, ok = 1;

	for (i = 0; i < 5; i++)
		gptoss_pool_run(p, count_task, v, 100);
	for (i = 0; i < 100; i++)
		ok &= v[i] == 5 * (i + 1);
	TEST_CHECK("every task runs exactly once per run", ok);
	gptoss_pool_free(p);
}

static void
test_sampler(void)
{
	struct gptoss_sampler *s = NULL, *s2 = NULL;
	float logits[5] = { 0.1f, 3.0f, 2.9f, -1.0f, 0.0f };
	uint32_t i, a, b, seen[5] = { 0 }, same = 1;

	gptoss_sampler_new(&(struct gptoss_sampler_params){ .top_p = 1 }, 5,
	    &s);
	TEST_CHECK("temperature 0 is argmax",
	    gptoss_sampler_sample(s, logits) == 1);
	gptoss_sampler_free(s);
	gptoss_sampler_new(&(struct gptoss_sampler_params){ .temperature = 1,
			       .top_k = 2,
			       .top_p = 1,
			       .seed = 3 },
	    5, &s);
	gptoss_sampler_new(&(struct gptoss_sampler_params){ .temperature = 1,
			       .top_k = 2,
			       .top_p = 1,
			       .seed = 3 },
	    5, &s2);
	for (i = 0; i < 200; i++) {
		a = gptoss_sampler_sample(s, logits);
		b = gptoss_sampler_sample(s2, logits);
		same &= a == b;
		seen[a]++;
	}
	TEST_CHECK("a seed reproduces the draws", same);
	TEST_CHECK("top-k 2 keeps only the two best",
	    seen[1] > 50 && seen[2] > 50 && seen[0] + seen[3] + seen[4] == 0);
	gptoss_sampler_free(s);
	gptoss_sampler_free(s2);
	gptoss_sampler_new(&(struct gptoss_sampler_params){ .temperature = 1,
			       .top_p = 0.3f,
			       .seed = 1 },
	    5, &s);
	for (same = 1, i = 0; i < 50; i++)
		same &= gptoss_sampler_sample(s, logits) == 1;
	TEST_CHECK("top-p 0.3 keeps only the best token", same);
	gptoss_sampler_free(s);
	TEST_CHECK("top-p 0 is refused",
	    gptoss_sampler_new(&(struct gptoss_sampler_params){ .top_p = 0 }, 5,
		&s) == GPTOSS_ERR_ARGUMENT);
}

/* The fast precision's pieces: Q8 blocks, the repacked MXFP4 dot against
 * decoded weights, its independence of the batch, float16 and bf16
 * rounding. */
static void
test_fast(void)
{
	enum { ROWS = 20, NB = 3, K = NB * 32, M = 5 };
	uint8_t blocks[ROWS * NB * 16], scales[ROWS * NB], *packed;
	float x[M][K], w[ROWS][K], acc[2][M][16], one[16], err = 0;
	struct gptoss_q8 q[M][NB];
	uint16_t h[6], b[2];
	double ref, worst = 0, scale;
	uint32_t i, r, t, k, g;
	int same = 1, fits = 1;

	for (i = 0; i < sizeof blocks; i++)
		blocks[i] = (uint8_t)(i * 73 + 5);
	for (i = 0; i < sizeof scales; i++)
		scales[i] = (uint8_t)(122 + i % 9);
	for (t = 0; t < M; t++)
		for (k = 0; k < K; k++)
			x[t][k] = (float)((int)((t * 31 + k * 17) % 41) - 20) /
			    (7.0f + (float)t);
	for (r = 0; r < ROWS; r++)
		gptoss_mxfp4_to_f32(w[r], blocks + r * NB * 16, scales + r * NB,
		    NB);
	for (t = 0; t < M; t++) {
		gptoss_q8_quantize(q[t], x[t], NB);
		for (k = 0; k < K; k++) {
			err = fabsf(x[t][k] -
			    (float)q[t][k / 32].q[k % 32] * 2 * q[t][k / 32].d);
			fits &= err <= q[t][k / 32].d * 1.0001f;
		}
	}
	TEST_CHECK("Q8 blocks round to within half a step", fits);
	packed = xmalloc(gptoss_mx16_size(ROWS, NB));
	gptoss_mx16_pack(packed, blocks, scales, ROWS, NB);
	memset(acc, 0, sizeof acc);
	for (g = 0; g < 2; g++)
		gptoss_mx16_dot(acc[g][0], packed + g * NB * 256,
		    packed + 2 * NB * 256 + g * NB * 16, q[0], NB, M, NB);
	for (t = 0; t < M; t++)
		for (r = 0; r < ROWS; r++) {
			ref = scale = 0;
			for (k = 0; k < K; k++) {
				double xq = q[t][k / 32].q[k % 32] * 2.0 *
				    q[t][k / 32].d;
				ref += w[r][k] * xq;
				scale += fabs(w[r][k] * xq);
			}
			err = (float)fabs(acc[r / 16][t][r % 16] - ref);
			worst = err / (scale + 1e-30) > worst ?
			    err / (scale + 1e-30) :
			    worst;
		}
	TEST_CHECK("repacked MXFP4 x Q8 dots equal the decoded ones",
	    worst < 1e-6);
	for (t = 0; t < M; t++) {
		memset(one, 0, sizeof one);
		gptoss_mx16_dot(one, packed, packed + 2 * NB * 256, q[t], NB, 1,
		    NB);
		same &= memcmp(one, acc[0][t], sizeof one) == 0;
	}
	TEST_CHECK("a Q8 dot does not depend on the batch", same);
	free(packed);

	x[0][0] = 1.0f;
	x[0][1] = 65504.0f;
	x[0][2] = 65520.0f;
	x[0][3] = ldexpf(1.0f, -24);
	x[0][4] = 3 * ldexpf(1.0f, -25);
	x[0][5] = -0.1f;
	gptoss_f32_to_f16(h, x[0], 6);
	TEST_CHECK("float16 rounds to nearest even, subnormals and overflow",
	    h[0] == 0x3c00 && h[1] == 0x7bff && h[2] == 0x7c00 &&
		h[3] == 0x0001 && h[4] == 0x0002 && h[5] == 0xae66);
	gptoss_f16_to_f32(one, h, 6);
	TEST_CHECK("float16 decodes",
	    one[0] == 1.0f && one[1] == 65504.0f &&
		one[3] == ldexpf(1.0f, -24) && one[4] == ldexpf(1.0f, -23));
	x[0][0] = 1.00390625f; /* a tie: to 1 */
	x[0][1] = 1.01171875f; /* a tie: to 1 + 2^-6 */
	gptoss_f32_to_bf16(b, x[0], 2);
	TEST_CHECK("bf16 rounds to nearest even",
	    b[0] == 0x3f80 && b[1] == 0x3f82);
}

/* Attention over float16 caches (head_dim 64 has its own kernel) against
 * a double computation, through a wrapping ring. */
static void
test_attn_f16(void)
{
	enum { D = 64, SLOTS = 7, NK = 5, LO = 4, STRIDE = 2 * D };
	float q[D], kf[SLOTS * STRIDE], vf[SLOTS * STRIDE], out[D], s[NK];
	uint16_t kh[SLOTS * STRIDE], vh[SLOTS * STRIDE];
	double sc[NK], m = 0.3, sum, o, worst = 0;
	uint32_t i, c, slot;

	for (i = 0; i < D; i++)
		q[i] = (float)((int)(i * 7 % 13) - 6) / 5;
	for (i = 0; i < SLOTS * STRIDE; i++) {
		kf[i] = (float)((int)(i * 11 % 17) - 8) / 7;
		vf[i] = (float)((int)(i * 5 % 19) - 9) / 3;
	}
	gptoss_f32_to_f16(kh, kf, SLOTS * STRIDE);
	gptoss_f32_to_f16(vh, vf, SLOTS * STRIDE);
	gptoss_f16_to_f32(kf, kh, SLOTS * STRIDE);
	gptoss_f16_to_f32(vf, vh, SLOTS * STRIDE);
	gptoss_attn_f16(out, q, kh, vh, STRIDE, LO, NK, SLOTS, D, 0.125f, 0.3f,
	    s);
	for (i = 0; i < NK; i++) {
		slot = (LO + i) % SLOTS;
		sc[i] = 0;
		for (c = 0; c < D; c++)
			sc[i] += (double)q[c] * kf[slot * STRIDE + c];
		sc[i] *= 0.125;
		m = sc[i] > m ? sc[i] : m;
	}
	sum = exp(0.3 - m);
	for (i = 0; i < NK; i++)
		sum += exp(sc[i] - m);
	for (c = 0; c < D; c++) {
		o = 0;
		for (i = 0; i < NK; i++)
			o += exp(sc[i] - m) * vf[(LO + i) % SLOTS * STRIDE + c];
		o /= sum;
		worst = fabs(o - out[c]) > worst ? fabs(o - out[c]) : worst;
	}
	TEST_CHECK("float16 attention equals the double computation",
	    worst < 1e-5);
}

int
main(void)
{
	test_header();
	test_decode();
	test_dot();
	test_mxfp4_dot();
	test_bf16_dot();
	test_dot_3x4();
	test_pool();
	test_sampler();
	test_fast();
	test_attn_f16();
	return TEST_REPORT();
}
