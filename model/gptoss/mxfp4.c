/*
 * mxfp4.c: the CPU dot kernels: bf16 and MXFP4 rows decoded to float, and
 * a float dot product over up to four activation rows at once.
 *
 * MXFP4 (spec 2.4): 32 E2M1 values in 16 bytes, the low nibble of byte b is
 * element 2b and the high nibble element 2b+1, times 2^(scale - 127). The
 * decode is exact in float. AVX-512 and AVX2+FMA kernels are chosen at run
 * time when the CPU has them (they compute the same operations, so their
 * results are the same bits); the portable path is plain C. The SIMD
 * kernels read matmul rows in "panel order" (gptoss-impl.h), which lets
 * bf16 and MXFP4 widen to float without shuffles. For a given path, a dot
 * product's result depends only on its two vectors (not on how many rows
 * share the call, nor on the thread), which keeps prefill, decode and
 * every thread count bit-identical.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/gptoss/gptoss-impl.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86 1
#include <immintrin.h>
#endif

/* Doubled E2M1 values; the scale table holds 2^(e - 128) to compensate. */
static const int8_t fp4x2[16] = { 0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4,
	-6, -8, -12 };
static float e8m0_half[256];
static int use_avx2, use_avx512vl;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init(void)
{
	const char *k;
	int i;

	for (i = 0; i < 256; i++)
		e8m0_half[i] = ldexpf(1.0f, i - 128);
#ifdef HAVE_X86
	__builtin_cpu_init();
	use_avx2 = __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("fma");
	use_avx512vl = use_avx2 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512vl");
#endif
	/* GPTOSS_KERNEL=portable|avx2 narrows the choice (tests, bisecting). */
	k = getenv("GPTOSS_KERNEL");
	if (k != NULL && strcmp(k, "portable") == 0)
		use_avx2 = use_avx512vl = 0;
	if (k != NULL && strcmp(k, "avx2") == 0)
		use_avx512vl = 0;
}

const char *
gptoss_kernel_name(void)
{
	pthread_once(&once, init);
	return use_avx512vl ? "avx512" : use_avx2 ? "avx2" : "portable";
}

/* ---- portable ---- */

static void
bf16_to_f32_c(float *out, const uint16_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = gptoss_bf16(in[i]);
}

static void
mxfp4_to_f32_c(float *out, const uint8_t *blocks, const uint8_t *scales,
    size_t nblocks)
{
	size_t g, b;
	float s;

	for (g = 0; g < nblocks; g++) {
		s = e8m0_half[scales[g]];
		for (b = 0; b < 16; b++) {
			uint8_t v = blocks[16 * g + b];
			out[32 * g + 2 * b] = fp4x2[v & 15] * s;
			out[32 * g + 2 * b + 1] = fp4x2[v >> 4] * s;
		}
	}
}

static void
dot_tile_c(float *out, const float *w, const float *x, size_t ldx, uint32_t n,
    uint32_t cols)
{
	uint32_t t, i;
	float a0, a1, a2, a3;
	const float *xt;

	for (t = 0; t < n; t++) {
		xt = x + t * ldx;
		a0 = a1 = a2 = a3 = 0;
		for (i = 0; i + 4 <= cols; i += 4) {
			a0 += w[i] * xt[i];
			a1 += w[i + 1] * xt[i + 1];
			a2 += w[i + 2] * xt[i + 2];
			a3 += w[i + 3] * xt[i + 3];
		}
		for (; i < cols; i++)
			a0 += w[i] * xt[i];
		out[t] = (a0 + a1) + (a2 + a3);
	}
}

/* ---- AVX2 + FMA ---- */

#ifdef HAVE_X86
__attribute__((target("avx2,fma"))) static void
bf16_to_f32_avx2(float *out, const uint16_t *in, size_t n)
{
	size_t i;
	__m256i v;

	for (i = 0; i + 8 <= n; i += 8) {
		v = _mm256_cvtepu16_epi32(
		    _mm_loadu_si128((const void *)(in + i)));
		_mm256_storeu_ps(out + i,
		    _mm256_castsi256_ps(_mm256_slli_epi32(v, 16)));
	}
	for (; i < n; i++)
		out[i] = gptoss_bf16(in[i]);
}

__attribute__((target("avx2,fma"))) static inline float
hsum(__m256 v)
{
	__m128 a = _mm_add_ps(_mm256_castps256_ps128(v),
	    _mm256_extractf128_ps(v, 1));

	a = _mm_add_ps(a, _mm_movehl_ps(a, a));
	a = _mm_add_ss(a, _mm_movehdup_ps(a));
	return _mm_cvtss_f32(a);
}

/* Eight bf16 weights from W + I as floats (exact). */
__attribute__((target("avx2,fma"))) static inline __m256
load_bf16(const uint16_t *w, uint32_t i)
{
	return _mm256_castsi256_ps(_mm256_slli_epi32(
	    _mm256_cvtepu16_epi32(_mm_loadu_si128((const void *)(w + i))), 16));
}

/*
 * The reduction every SIMD dot product follows (with W and X in panel
 * order): four 8-lane accumulators, a0..a3, take the four 8-element
 * quarters of each 32-element chunk in turn; a last 16-element chunk goes
 * to a0 and a1; a shorter tail is summed in order; the result is
 * hsum((a0 + a2) + (a1 + a3)) + tail. Four independent FMA chains (not
 * two) keep a single-token dot from waiting on FMA latency; a 512-bit
 * kernel holds a0|a1 and a2|a3 in two registers and adds the same pairs.
 */
__attribute__((target("avx2,fma"), always_inline)) static inline float
finish(__m256 s02, __m256 s13, const void *w, int bf, const float *x,
    uint32_t end, uint32_t cols)
{
	float tail = 0, wi;
	uint32_t i;

	for (i = end; i < cols; i++) {
		wi = bf ? gptoss_bf16(((const uint16_t *)w)[i]) :
			  ((const float *)w)[i];
		tail += wi * x[i];
	}
	return hsum(_mm256_add_ps(s02, s13)) + tail;
}

/* The four quarters of the 32-element chunk at W + I as floats: float
 * weights, or bf16 weights in panel order (a shift or a mask each). */
__attribute__((target("avx2,fma"), always_inline)) static inline void
load_chunk(const void *w, int bf, uint32_t i, __m256 q[4])
{
	const __m256i hi = _mm256_set1_epi32((int)0xffff0000u);
	__m256i v0, v1;

	if (!bf) {
		q[0] = _mm256_loadu_ps((const float *)w + i);
		q[1] = _mm256_loadu_ps((const float *)w + i + 8);
		q[2] = _mm256_loadu_ps((const float *)w + i + 16);
		q[3] = _mm256_loadu_ps((const float *)w + i + 24);
		return;
	}
	v0 = _mm256_loadu_si256((const void *)((const uint16_t *)w + i));
	v1 = _mm256_loadu_si256((const void *)((const uint16_t *)w + i + 16));
	q[0] = _mm256_castsi256_ps(_mm256_slli_epi32(v0, 16));
	q[1] = _mm256_castsi256_ps(_mm256_slli_epi32(v1, 16));
	q[2] = _mm256_castsi256_ps(_mm256_and_si256(v0, hi));
	q[3] = _mm256_castsi256_ps(_mm256_and_si256(v1, hi));
}

/* Eight weights from W + I in natural order (the 16-element tail). */
__attribute__((target("avx2,fma"), always_inline)) static inline __m256
load_w(const void *w, int bf, uint32_t i)
{
	if (bf)
		return load_bf16(w, i);
	return _mm256_loadu_ps((const float *)w + i);
}

/*
 * N (1 or 2) x rows in panel order times one row of float or bf16 (BF)
 * weights, both constant after inlining; token t has its own four
 * accumulators, so its result is the same for every N, and bf16 weights
 * give what their float decoding gives.
 */
__attribute__((target("avx2,fma"), always_inline)) static inline void
dot_n(float *out, const void *w, int bf, const float *x, size_t ldx, uint32_t n,
    uint32_t cols)
{
	__m256 a[2][4], q[4];
	uint32_t t, k, i, end32 = cols & ~31u, end = cols & ~15u;

	for (t = 0; t < n; t++)
		for (k = 0; k < 4; k++)
			a[t][k] = _mm256_setzero_ps();
	for (i = 0; i < end32; i += 32) {
		load_chunk(w, bf, i, q);
		for (t = 0; t < n; t++) {
			const float *xt = x + t * ldx + i;
			a[t][0] = _mm256_fmadd_ps(q[0], _mm256_loadu_ps(xt),
			    a[t][0]);
			a[t][1] = _mm256_fmadd_ps(q[1], _mm256_loadu_ps(xt + 8),
			    a[t][1]);
			a[t][2] = _mm256_fmadd_ps(q[2],
			    _mm256_loadu_ps(xt + 16), a[t][2]);
			a[t][3] = _mm256_fmadd_ps(q[3],
			    _mm256_loadu_ps(xt + 24), a[t][3]);
		}
	}
	if (i < end) {
		q[0] = load_w(w, bf, i);
		q[1] = load_w(w, bf, i + 8);
		for (t = 0; t < n; t++) {
			const float *xt = x + t * ldx + i;
			a[t][0] = _mm256_fmadd_ps(q[0], _mm256_loadu_ps(xt),
			    a[t][0]);
			a[t][1] = _mm256_fmadd_ps(q[1], _mm256_loadu_ps(xt + 8),
			    a[t][1]);
		}
	}
	for (t = 0; t < n; t++)
		out[t] = finish(_mm256_add_ps(a[t][0], a[t][2]),
		    _mm256_add_ps(a[t][1], a[t][3]), w, bf, x + t * ldx, end,
		    cols);
}

/* Float (BF 0) or bf16 (BF 1) weights times N x rows, two at a time. */
__attribute__((target("avx2,fma"))) static void
dot_tile_avx2(float *out, const void *w, int bf, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
{
	for (; n >= 2; n -= 2, out += 2, x += 2 * ldx) {
		if (bf)
			dot_n(out, w, 1, x, ldx, 2, cols);
		else
			dot_n(out, w, 0, x, ldx, 2, cols);
	}
	if (n == 1 && bf)
		dot_n(out, w, 1, x, ldx, 1, cols);
	else if (n == 1)
		dot_n(out, w, 0, x, ldx, 1, cols);
}
#endif

#ifdef HAVE_X86
/* hsum((a0 + a2) + (a1 + a3)) + tail from C01 = a0|a1 and C23 = a2|a3. */
__attribute__((target("avx2,fma,avx512f"), always_inline)) static inline float
finish512(__m512 c01, __m512 c23, const void *w, int bf, const float *x,
    uint32_t end, uint32_t cols)
{
	__m512 s = _mm512_add_ps(c01, c23);

	return finish(_mm512_castps512_ps256(s),
	    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)), w,
	    bf, x, end, cols);
}

/*
 * Three weight rows (LDW apart) times M (1-4, constant after inlining) x
 * rows for prefill, in 512-bit registers: per (row, vector) the reduction
 * above, so bit-identical to gptoss_dot_f32_tile. With M = 4 the 24
 * accumulators and six weight registers fill AVX-512's 32; the
 * accumulators are named so that they stay there.
 */
#define ACC(R, T)                                                              \
	__m512 c##R##T##l = _mm512_setzero_ps(),                               \
	       c##R##T##h = _mm512_setzero_ps()
#define FMA2(R, T)                                                             \
	do {                                                                   \
		c##R##T##l = _mm512_fmadd_ps(w##R##l, xl, c##R##T##l);         \
		c##R##T##h = _mm512_fmadd_ps(w##R##h, xh, c##R##T##h);         \
	} while (0)
#define FMA1(R, T)                                                             \
	c##R##T##l = _mm512_fmadd_ps(_mm512_loadu_ps(r##R + i),                \
	    _mm512_loadu_ps(xr##T + i), c##R##T##l)
#define COL(T, OP)                                                             \
	do {                                                                   \
		if ((T) < m) {                                                 \
			OP(0, T);                                              \
			OP(1, T);                                              \
			OP(2, T);                                              \
		}                                                              \
	} while (0)
#define XCOL(T)                                                                \
	do {                                                                   \
		if ((T) < m) {                                                 \
			xl = _mm512_loadu_ps(xr##T + i);                       \
			xh = _mm512_loadu_ps(xr##T + i + 16);                  \
			FMA2(0, T);                                            \
			FMA2(1, T);                                            \
			FMA2(2, T);                                            \
		}                                                              \
	} while (0)
#define FIN(R, T)                                                              \
	out[(R)*4 + (T)] = finish512(c##R##T##l, c##R##T##h, r##R, 0, xr##T,   \
	    end, cols)

__attribute__((target("avx2,fma,avx512f,avx512vl"),
    always_inline)) static inline void
dot_3xm(float *out, const float *w, size_t ldw, const float *x, size_t ldx,
    uint32_t m, uint32_t cols)
{
	const float *r0 = w, *r1 = w + ldw, *r2 = w + 2 * ldw;
	const float *xr0 = x, *xr1 = x + ldx, *xr2 = x + 2 * ldx,
		    *xr3 = x + 3 * ldx;
	__m512 w0l, w0h, w1l, w1h, w2l, w2h, xl, xh;
	uint32_t i, end32 = cols & ~31u, end = cols & ~15u;
	ACC(0, 0);
	ACC(1, 0);
	ACC(2, 0);
	ACC(0, 1);
	ACC(1, 1);
	ACC(2, 1);
	ACC(0, 2);
	ACC(1, 2);
	ACC(2, 2);
	ACC(0, 3);
	ACC(1, 3);
	ACC(2, 3);

	for (i = 0; i < end32; i += 32) {
		w0l = _mm512_loadu_ps(r0 + i);
		w0h = _mm512_loadu_ps(r0 + i + 16);
		w1l = _mm512_loadu_ps(r1 + i);
		w1h = _mm512_loadu_ps(r1 + i + 16);
		w2l = _mm512_loadu_ps(r2 + i);
		w2h = _mm512_loadu_ps(r2 + i + 16);
		XCOL(0);
		XCOL(1);
		XCOL(2);
		XCOL(3);
	}
	if (i < end) {
		COL(0, FMA1);
		COL(1, FMA1);
		COL(2, FMA1);
		COL(3, FMA1);
	}
	COL(0, FIN);
	COL(1, FIN);
	COL(2, FIN);
	COL(3, FIN);
}
#undef ACC
#undef FMA2
#undef FMA1
#undef COL
#undef XCOL
#undef FIN

/* Three rows times N (1-4) vectors, out[r * 4 + t]. */
__attribute__((target("avx2,fma,avx512f,avx512vl"))) static void
dot_3xn_any(float *out, const float *w, size_t ldw, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
{
	switch (n) {
	case 1:
		dot_3xm(out, w, ldw, x, ldx, 1, cols);
		break;
	case 2:
		dot_3xm(out, w, ldw, x, ldx, 2, cols);
		break;
	case 3:
		dot_3xm(out, w, ldw, x, ldx, 3, cols);
		break;
	default:
		dot_3xm(out, w, ldw, x, ldx, 4, cols);
		break;
	}
}

/*
 * Panel order (see gptoss_panel_x): a 32-element chunk is read as its 16
 * even elements then its 16 odd ones. For MXFP4 these are a block's low
 * nibbles then its high nibbles; for bf16 the low and high halves of each
 * 32-bit word, which become floats with one shift or one mask, no shuffle.
 * Every kernel below follows the reduction described at finish(), so fused
 * and decoded paths, AVX2 and AVX-512, agree bit for bit.
 */
__attribute__((target("avx2,fma"), always_inline)) static inline void
mxfp4_block_avx2(const uint8_t *block, uint8_t scale, __m256 w[4])
{
	const __m128i lut = _mm_loadu_si128((const void *)fp4x2);
	const __m128i m4 = _mm_set1_epi8(15);
	__m128i b = _mm_loadu_si128((const void *)block);
	__m128i e0 = _mm_shuffle_epi8(lut, _mm_and_si128(b, m4));
	__m128i e1 = _mm_shuffle_epi8(lut,
	    _mm_and_si128(_mm_srli_epi16(b, 4), m4));
	__m256 s = _mm256_set1_ps(e8m0_half[scale]);

	w[0] = _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(e0)));
	w[1] = _mm256_mul_ps(s,
	    _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(e0, 8))));
	w[2] = _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(e1)));
	w[3] = _mm256_mul_ps(s,
	    _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(e1, 8))));
}

__attribute__((target("avx2,fma"))) static void
mxfp4_panel_avx2(float *out, const uint8_t *blocks, const uint8_t *scales,
    size_t nblocks)
{
	__m256 w[4];
	size_t g;

	for (g = 0; g < nblocks; g++, out += 32) {
		mxfp4_block_avx2(blocks + 16 * g, scales[g], w);
		_mm256_storeu_ps(out, w[0]);
		_mm256_storeu_ps(out + 8, w[1]);
		_mm256_storeu_ps(out + 16, w[2]);
		_mm256_storeu_ps(out + 24, w[3]);
	}
}

__attribute__((target("avx2,fma"))) static float
dot_mxfp4_1_avx2(const uint8_t *blocks, const uint8_t *scales, const float *x,
    uint32_t nblocks)
{
	__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, w[4];
	uint32_t g;

	for (g = 0; g < nblocks; g++, x += 32) {
		mxfp4_block_avx2(blocks + 16 * g, scales[g], w);
		a0 = _mm256_fmadd_ps(w[0], _mm256_loadu_ps(x), a0);
		a1 = _mm256_fmadd_ps(w[1], _mm256_loadu_ps(x + 8), a1);
		a2 = _mm256_fmadd_ps(w[2], _mm256_loadu_ps(x + 16), a2);
		a3 = _mm256_fmadd_ps(w[3], _mm256_loadu_ps(x + 24), a3);
	}
	return finish(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3), NULL, 0, x,
	    0, 0);
}

/* AVX-512: a block's bytes widened to 32-bit lanes index a 16-entry table
 * already times the block's scale (the permute reads the low 4 bits, the
 * low nibble; a shift gives the high one). */
__attribute__((target("avx2,fma,avx512f"), always_inline)) static inline void
mxfp4_block_512(const uint8_t *block, uint8_t scale, __m512 *w0, __m512 *w1)
{
	__m512 t = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
				     _mm_loadu_si128((const void *)fp4x2))),
	    _mm512_set1_ps(e8m0_half[scale]));
	__m512i idx = _mm512_cvtepu8_epi32(
	    _mm_loadu_si128((const void *)block));

	*w0 = _mm512_permutexvar_ps(idx, t);
	*w1 = _mm512_permutexvar_ps(_mm512_srli_epi32(idx, 4), t);
}

__attribute__((target("avx2,fma,avx512f"))) static void
mxfp4_panel_512(float *out, const uint8_t *blocks, const uint8_t *scales,
    size_t nblocks)
{
	__m512 w0, w1;
	size_t g;

	for (g = 0; g < nblocks; g++, out += 32) {
		mxfp4_block_512(blocks + 16 * g, scales[g], &w0, &w1);
		_mm512_storeu_ps(out, w0);
		_mm512_storeu_ps(out + 16, w1);
	}
}

__attribute__((target("avx2,fma,avx512f"))) static float
dot_mxfp4_1_512(const uint8_t *blocks, const uint8_t *scales, const float *x,
    uint32_t nblocks)
{
	__m512 c01 = _mm512_setzero_ps(), c23 = c01, w0, w1;
	uint32_t g;

	for (g = 0; g < nblocks; g++, x += 32) {
		mxfp4_block_512(blocks + 16 * g, scales[g], &w0, &w1);
		c01 = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x), c01);
		c23 = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x + 16), c23);
	}
	return finish512(c01, c23, NULL, 0, x, 0, 0);
}

__attribute__((target("avx2,fma"))) static void
bf16_panel_avx2(float *out, const uint16_t *in, uint32_t cols)
{
	const __m256i hi = _mm256_set1_epi32((int)0xffff0000u);
	uint32_t c, end = cols & ~31u;
	__m256i v0, v1;

	for (c = 0; c < end; c += 32) {
		v0 = _mm256_loadu_si256((const void *)(in + c));
		v1 = _mm256_loadu_si256((const void *)(in + c + 16));
		_mm256_storeu_si256((void *)(out + c),
		    _mm256_slli_epi32(v0, 16));
		_mm256_storeu_si256((void *)(out + c + 8),
		    _mm256_slli_epi32(v1, 16));
		_mm256_storeu_si256((void *)(out + c + 16),
		    _mm256_and_si256(v0, hi));
		_mm256_storeu_si256((void *)(out + c + 24),
		    _mm256_and_si256(v1, hi));
	}
	bf16_to_f32_avx2(out + end, in + end, cols - end);
}

__attribute__((target("avx2,fma"))) static void
axpy_avx2(float *y, float a, const float *x, uint32_t n)
{
	__m256 va = _mm256_set1_ps(a);
	uint32_t i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i,
		    _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i),
			_mm256_loadu_ps(y + i)));
	for (; i < n; i++)
		y[i] += a * x[i];
}
#endif

/* ---- dispatch ---- */

int
gptoss_dot_f32_3xn(float *out, const float *w, size_t ldw, const float *x,
    size_t ldx, uint32_t n, uint32_t cols)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx512vl) {
		dot_3xn_any(out, w, ldw, x, ldx, n, cols);
		return 0;
	}
#endif
	return -1;
}

int
gptoss_dot_mxfp4_1(float *out, const uint8_t *blocks, const uint8_t *scales,
    const float *x, uint32_t nblocks)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx512vl) {
		*out = dot_mxfp4_1_512(blocks, scales, x, nblocks);
		return 0;
	}
	if (use_avx2) {
		*out = dot_mxfp4_1_avx2(blocks, scales, x, nblocks);
		return 0;
	}
#endif
	return -1;
}

void
gptoss_axpy_f32(float *y, float a, const float *x, uint32_t n)
{
	uint32_t i;

	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx2) {
		axpy_avx2(y, a, x, n);
		return;
	}
#endif
	for (i = 0; i < n; i++)
		y[i] += a * x[i];
}

void
gptoss_bf16_to_f32(float *out, const uint16_t *in, size_t n)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx2) {
		bf16_to_f32_avx2(out, in, n);
		return;
	}
#endif
	bf16_to_f32_c(out, in, n);
}

void
gptoss_mxfp4_to_f32(float *out, const uint8_t *blocks, const uint8_t *scales,
    size_t nblocks)
{
	pthread_once(&once, init);
	mxfp4_to_f32_c(out, blocks, scales, nblocks);
}

/* Panel order is the SIMD kernels' own; the portable ones read rows in
 * natural order, so for them it is the identity. */
static uint32_t
panel_end(uint32_t cols)
{
	return use_avx2 ? cols & ~31u : 0;
}

void
gptoss_panel_x(float *out, const float *x, uint32_t cols)
{
	uint32_t c, k, end;

	pthread_once(&once, init);
	end = panel_end(cols);
	for (c = 0; c < end; c += 32)
		for (k = 0; k < 16; k++) {
			out[c + k] = x[c + 2 * k];
			out[c + 16 + k] = x[c + 2 * k + 1];
		}
	memcpy(out + end, x + end, (size_t)(cols - end) * sizeof *x);
}

void
gptoss_panel_bf16(float *out, const uint16_t *w, uint32_t cols)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx2) {
		bf16_panel_avx2(out, w, cols);
		return;
	}
#endif
	bf16_to_f32_c(out, w, cols);
}

void
gptoss_panel_mxfp4(float *out, const uint8_t *blocks, const uint8_t *scales,
    uint32_t nblocks)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx512vl) {
		mxfp4_panel_512(out, blocks, scales, nblocks);
		return;
	}
	if (use_avx2) {
		mxfp4_panel_avx2(out, blocks, scales, nblocks);
		return;
	}
#endif
	mxfp4_to_f32_c(out, blocks, scales, nblocks);
}

void
gptoss_dot_f32_tile(float *out, const float *w, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx2) {
		dot_tile_avx2(out, w, 0, x, ldx, n, cols);
		return;
	}
#endif
	dot_tile_c(out, w, x, ldx, n, cols);
}

int
gptoss_dot_bf16_tile(float *out, const uint16_t *w, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx2) {
		dot_tile_avx2(out, w, 1, x, ldx, n, cols);
		return 0;
	}
#endif
	return -1;
}
