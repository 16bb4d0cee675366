/*
 * mxfp4.c: the CPU dot kernels: bf16 and MXFP4 rows decoded to float, and
 * a float dot product over up to four activation rows at once.
 *
 * MXFP4 (spec 2.4): 32 E2M1 values in 16 bytes, the low nibble of byte b is
 * element 2b and the high nibble element 2b+1, times 2^(scale - 127). The
 * decode is exact in float. An AVX2+FMA path is chosen at run time when the
 * CPU has it; the portable path is plain C. For a given path, a dot
 * product's result depends only on its two vectors (not on how many rows
 * share the call, nor on the thread), which keeps prefill, decode and every
 * thread count bit-identical.
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
static const int8_t fp4x2[16] = {0, 1, 2, 3, 4, 6, 8, 12,
				 0, -1, -2, -3, -4, -6, -8, -12};
static float e8m0_half[256];
static int use_avx2, use_avx512vl;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init(void)
{
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
	/* For tests: GPTOSS_KERNEL=portable forces the plain C path. */
	if (getenv("GPTOSS_KERNEL") != NULL &&
	    strcmp(getenv("GPTOSS_KERNEL"), "portable") == 0)
		use_avx2 = use_avx512vl = 0;
}

const char *
gptoss_kernel_name(void)
{
	pthread_once(&once, init);
	return use_avx2 ? "avx2" : "portable";
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
dot_tile_c(float *out, const float *w, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
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
		v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const void *)
		    (in + i)));
		_mm256_storeu_ps(out + i, _mm256_castsi256_ps(
		    _mm256_slli_epi32(v, 16)));
	}
	for (; i < n; i++)
		out[i] = gptoss_bf16(in[i]);
}

__attribute__((target("avx2,fma"))) static void
mxfp4_to_f32_avx2(float *out, const uint8_t *blocks, const uint8_t *scales,
    size_t nblocks)
{
	const __m128i lut = _mm_loadu_si128((const void *)fp4x2);
	const __m128i m4 = _mm_set1_epi8(15);
	__m128i b, lo, hi, e0, e1;
	__m256 s;
	size_t g;

	for (g = 0; g < nblocks; g++, out += 32) {
		b = _mm_loadu_si128((const void *)(blocks + 16 * g));
		lo = _mm_and_si128(b, m4);
		hi = _mm_and_si128(_mm_srli_epi16(b, 4), m4);
		e0 = _mm_shuffle_epi8(lut, _mm_unpacklo_epi8(lo, hi));
		e1 = _mm_shuffle_epi8(lut, _mm_unpackhi_epi8(lo, hi));
		s = _mm256_set1_ps(e8m0_half[scales[g]]);
		_mm256_storeu_ps(out, _mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(e0))));
		_mm256_storeu_ps(out + 8, _mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(_mm_srli_si128(e0, 8)))));
		_mm256_storeu_ps(out + 16, _mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(e1))));
		_mm256_storeu_ps(out + 24, _mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(_mm_srli_si128(e1, 8)))));
	}
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

/* Weight vectors from float or from bf16 (converted exactly). */
__attribute__((target("avx2,fma"))) static inline __m256
load_w(const void *w, int bf, uint32_t i)
{
	if (bf)
		return _mm256_castsi256_ps(_mm256_slli_epi32(
		    _mm256_cvtepu16_epi32(_mm_loadu_si128((const void *)
		    ((const uint16_t *)w + i))), 16));
	return _mm256_loadu_ps((const float *)w + i);
}

/* Tail and reduction of dot_n, shared so every N rounds alike. */
__attribute__((target("avx2,fma"), always_inline)) static inline float
finish(__m256 a0, __m256 a1, const void *w, int bf, const float *x,
    uint32_t end, uint32_t cols)
{
	float tail = 0, wi;
	uint32_t i;

	for (i = end; i < cols; i++) {
		wi = bf ? gptoss_bf16(((const uint16_t *)w)[i]) :
		    ((const float *)w)[i];
		tail += wi * x[i];
	}
	return hsum(_mm256_add_ps(a0, a1)) + tail;
}

/*
 * N (constant after inlining) rows at once; token t has its own two
 * accumulators, so its result is the same for every N and weight type.
 */
__attribute__((target("avx2,fma"), always_inline)) static inline void
dot_n(float *out, const void *w, int bf, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
{
	__m256 a0[4], a1[4], w0, w1;
	uint32_t t, i, end = cols & ~15u;

	for (t = 0; t < n; t++)
		a0[t] = a1[t] = _mm256_setzero_ps();
	for (i = 0; i < end; i += 16) {
		w0 = load_w(w, bf, i);
		w1 = load_w(w, bf, i + 8);
		for (t = 0; t < n; t++) {
			const float *xt = x + t * ldx + i;
			a0[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xt), a0[t]);
			a1[t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xt + 8),
			    a1[t]);
		}
	}
	for (t = 0; t < n; t++)
		out[t] = finish(a0[t], a1[t], w, bf, x + t * ldx, end, cols);
}

/* dot_n for N = 4 with the accumulators spelled out, so they stay in
 * registers (the same operations per row as dot_n). */
__attribute__((target("avx2,fma"))) static void
dot_4(float *out, const void *w, int bf, const float *x, size_t ldx,
    uint32_t cols)
{
	__m256 a00, a01, a10, a11, a20, a21, a30, a31, w0, w1;
	const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * ldx,
	    *x3 = x + 3 * ldx;
	uint32_t i, end = cols & ~15u;

	a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = _mm256_setzero_ps();
	for (i = 0; i < end; i += 16) {
		w0 = load_w(w, bf, i);
		w1 = load_w(w, bf, i + 8);
		a00 = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x0 + i), a00);
		a01 = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x0 + i + 8), a01);
		a10 = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x1 + i), a10);
		a11 = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x1 + i + 8), a11);
		a20 = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x2 + i), a20);
		a21 = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x2 + i + 8), a21);
		a30 = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x3 + i), a30);
		a31 = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x3 + i + 8), a31);
	}
	out[0] = finish(a00, a01, w, bf, x0, end, cols);
	out[1] = finish(a10, a11, w, bf, x1, end, cols);
	out[2] = finish(a20, a21, w, bf, x2, end, cols);
	out[3] = finish(a30, a31, w, bf, x3, end, cols);
}

__attribute__((target("avx2,fma"))) static void
dot_tile_avx2(float *out, const void *w, int bf, const float *x, size_t ldx,
    uint32_t n, uint32_t cols)
{
	switch (n) {
	case 1: dot_n(out, w, bf, x, ldx, 1, cols); break;
	case 2: dot_n(out, w, bf, x, ldx, 2, cols); break;
	case 3: dot_n(out, w, bf, x, ldx, 3, cols); break;
	default: dot_4(out, w, bf, x, ldx, cols); break;
	}
}
#endif

#ifdef HAVE_X86
/*
 * Three weight rows times four vectors for prefill: the 256-bit operations
 * of dot_n, per (row, vector) in the same order, but with the 24
 * accumulators that AVX-512VL's 32 registers can hold.
 */
#define ACC(R, T) __m256 a##R##T##0 = _mm256_setzero_ps(), \
	a##R##T##1 = _mm256_setzero_ps()
#define FMA2(R, T)                                                         \
	do {                                                               \
		a##R##T##0 = _mm256_fmadd_ps(w##R##0,                      \
		    _mm256_loadu_ps(x##T + i), a##R##T##0);                \
		a##R##T##1 = _mm256_fmadd_ps(w##R##1,                      \
		    _mm256_loadu_ps(x##T + i + 8), a##R##T##1);            \
	} while (0)
#define FIN(R, T) out[(R) * 4 + (T)] = finish(a##R##T##0, a##R##T##1, \
	w + (R) * ldw, 0, x##T, end, cols)

__attribute__((target("avx2,fma,avx512f,avx512vl"))) static void
dot_3x4(float *out, const float *w, size_t ldw, const float *x, size_t ldx,
    uint32_t cols)
{
	const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * ldx,
	    *x3 = x + 3 * ldx;
	const float *r0 = w, *r1 = w + ldw, *r2 = w + 2 * ldw;
	__m256 w00, w01, w10, w11, w20, w21;
	uint32_t i, end = cols & ~15u;
	ACC(0, 0); ACC(0, 1); ACC(0, 2); ACC(0, 3);
	ACC(1, 0); ACC(1, 1); ACC(1, 2); ACC(1, 3);
	ACC(2, 0); ACC(2, 1); ACC(2, 2); ACC(2, 3);

	for (i = 0; i < end; i += 16) {
		w00 = _mm256_loadu_ps(r0 + i);
		w01 = _mm256_loadu_ps(r0 + i + 8);
		w10 = _mm256_loadu_ps(r1 + i);
		w11 = _mm256_loadu_ps(r1 + i + 8);
		w20 = _mm256_loadu_ps(r2 + i);
		w21 = _mm256_loadu_ps(r2 + i + 8);
		FMA2(0, 0); FMA2(1, 0); FMA2(2, 0);
		FMA2(0, 1); FMA2(1, 1); FMA2(2, 1);
		FMA2(0, 2); FMA2(1, 2); FMA2(2, 2);
		FMA2(0, 3); FMA2(1, 3); FMA2(2, 3);
	}
	FIN(0, 0); FIN(0, 1); FIN(0, 2); FIN(0, 3);
	FIN(1, 0); FIN(1, 1); FIN(1, 2); FIN(1, 3);
	FIN(2, 0); FIN(2, 1); FIN(2, 2); FIN(2, 3);
}
#undef ACC
#undef FMA2
#undef FIN

/*
 * One MXFP4 row times one vector without a decoded copy: the same
 * operations, in the same order, as gptoss_mxfp4_to_f32 then dot_n with
 * N = 1 (elements 0-7 and 16-23 of a block go to a0, 8-15 and 24-31 to
 * a1), so the result is bit-identical.
 */
__attribute__((target("avx2,fma"))) static float
dot_mxfp4_1(const uint8_t *blocks, const uint8_t *scales, const float *x,
    uint32_t nblocks)
{
	const __m128i lut = _mm_loadu_si128((const void *)fp4x2);
	const __m128i m4 = _mm_set1_epi8(15);
	__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), s;
	__m128i b, lo, hi, e0, e1;
	uint32_t g;

	for (g = 0; g < nblocks; g++, x += 32) {
		b = _mm_loadu_si128((const void *)(blocks + 16 * g));
		lo = _mm_and_si128(b, m4);
		hi = _mm_and_si128(_mm_srli_epi16(b, 4), m4);
		e0 = _mm_shuffle_epi8(lut, _mm_unpacklo_epi8(lo, hi));
		e1 = _mm_shuffle_epi8(lut, _mm_unpackhi_epi8(lo, hi));
		s = _mm256_set1_ps(e8m0_half[scales[g]]);
		a0 = _mm256_fmadd_ps(_mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(e0))), _mm256_loadu_ps(x), a0);
		a1 = _mm256_fmadd_ps(_mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(_mm_srli_si128(e0, 8)))),
		    _mm256_loadu_ps(x + 8), a1);
		a0 = _mm256_fmadd_ps(_mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(e1))), _mm256_loadu_ps(x + 16), a0);
		a1 = _mm256_fmadd_ps(_mm256_mul_ps(s, _mm256_cvtepi32_ps(
		    _mm256_cvtepi8_epi32(_mm_srli_si128(e1, 8)))),
		    _mm256_loadu_ps(x + 24), a1);
	}
	return hsum(_mm256_add_ps(a0, a1)) + 0.0f;
}

__attribute__((target("avx2,fma"))) static void
axpy_avx2(float *y, float a, const float *x, uint32_t n)
{
	__m256 va = _mm256_set1_ps(a);
	uint32_t i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, _mm256_fmadd_ps(va,
		    _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
	for (; i < n; i++)
		y[i] += a * x[i];
}
#endif

/* ---- dispatch ---- */

int
gptoss_dot_f32_3x4(float *out, const float *w, size_t ldw, const float *x,
    size_t ldx, uint32_t cols)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_avx512vl) {
		dot_3x4(out, w, ldw, x, ldx, cols);
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
	if (use_avx2) {
		*out = dot_mxfp4_1(blocks, scales, x, nblocks);
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
#ifdef HAVE_X86
	if (use_avx2) {
		mxfp4_to_f32_avx2(out, blocks, scales, nblocks);
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
gptoss_dot_bf16_tile(float *out, const uint16_t *w, const float *x,
    size_t ldx, uint32_t n, uint32_t cols)
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
