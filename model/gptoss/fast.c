/*
 * fast.c: the kernels of the fast precision (gptoss.h).
 *
 * MXFP4 expert matmuls: the activations are quantized per block of 32 to
 * int8 with a float scale (GGML's Q8_0 scheme), the weights are repacked
 * at load (gptoss_mx16_pack) so that one 512-bit register holds 16 rows'
 * nibbles, and a block's dot products are exact integers: AVX-512 VNNI
 * (vpdpbusd), AVX-VNNI (the same on 256 bits) or AVX2 (vpmaddubsw +
 * vpmaddwd), chosen at run time, or plain C. The weights enter as doubled
 * E2M1 values plus 12 (unsigned 0..24, what vpdpbusd multiplies), and the
 * activation block carries -12 * sum(q) to take the 12 back. Each block's
 * integer then goes into a float accumulator with one fused multiply-add,
 * in block order, so every family gives the same bits for any batch.
 *
 * bf16 matmuls: the activations rounded to bf16 and vdpbf16ps where the
 * CPU has AVX512_BF16. The KV cache: float16 (F16C or plain C, the same
 * bits).
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

#define GROUP 16

/* Doubled E2M1 values plus 12. */
static const uint8_t fp4u[16] = { 12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9,
	8, 6, 4, 0 };
static int use_vnni512, use_avxvnni, use_avx2, use_bf16, use_f16c;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init(void)
{
	const char *k = getenv("GPTOSS_KERNEL");

#ifdef HAVE_X86
	__builtin_cpu_init();
	use_avx2 = __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("fma");
	use_f16c = use_avx2 && __builtin_cpu_supports("f16c");
	use_vnni512 = use_avx2 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") &&
	    __builtin_cpu_supports("avx512vnni");
	use_avxvnni = use_avx2 && __builtin_cpu_supports("avxvnni");
	use_bf16 = use_avx2 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512bf16");
#endif
	/* As in mxfp4.c: GPTOSS_KERNEL=portable|avx2 narrows the choice. */
	if (k != NULL && strcmp(k, "portable") == 0)
		use_vnni512 = use_avxvnni = use_avx2 = use_bf16 = use_f16c = 0;
	if (k != NULL && strcmp(k, "avx2") == 0)
		use_vnni512 = use_avxvnni = use_bf16 = 0;
}

const char *
gptoss_fast_kernel_name(void)
{
	pthread_once(&once, init);
	return use_vnni512 ? "avx512-vnni" :
	    use_avxvnni	   ? "avx-vnni" :
	    use_avx2	   ? "avx2" :
			     "portable";
}

const char *
gptoss_fast_kernels(void)
{
	pthread_once(&once, init);
	if (use_bf16)
		return use_vnni512 ?
		    "avx512-vnni integer dots, avx512-bf16 dots" :
		    "avx2 integer dots, avx512-bf16 dots";
	return use_vnni512 ? "avx512-vnni integer dots, float32 bf16 dots" :
	    use_avxvnni	   ? "avx-vnni integer dots, float32 bf16 dots" :
	    use_avx2	   ? "avx2 integer dots, float32 bf16 dots" :
			     "portable integer dots, float32 bf16 dots";
}

static float
bits_f(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t
f_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

/* ---- activations ---- */

void
gptoss_q8_quantize(struct gptoss_q8 *out, const float *x, uint32_t nb)
{
	uint32_t b, i;
	float amax, d, id, a;
	long v;
	int32_t sum;

	for (b = 0; b < nb; b++, x += 32, out++) {
		amax = 0;
		for (i = 0; i < 32; i++) {
			a = fabsf(x[i]);
			amax = a > amax ? a : amax;
		}
		d = amax / 127.0f;
		id = d != 0 ? 1.0f / d : 0.0f;
		sum = 0;
		for (i = 0; i < 32; i++) {
			v = lrintf(x[i] * id);
			v = v > 127 ? 127 : v < -127 ? -127 : v;
			out->q[i] = (int8_t)v;
			sum += (int32_t)v;
		}
		out->d = d * 0.5f;
		out->corr = -12 * sum;
	}
}

/* ---- repacking ---- */

size_t
gptoss_mx16_size(uint32_t rows, uint32_t nb)
{
	return (size_t)(rows + GROUP - 1) / GROUP * nb * (256 + GROUP);
}

void
gptoss_mx16_pack(uint8_t *dst, const uint8_t *blocks, const uint8_t *scales,
    uint32_t rows, uint32_t nb)
{
	static const uint8_t zero[16];
	uint32_t groups = (rows + GROUP - 1) / GROUP, g, b, c, l, r;
	uint8_t *q = dst, *s = dst + (size_t)groups * nb * 256, sc;
	const uint8_t *src[GROUP], *p;

	for (g = 0; g < groups; g++) {
		for (b = 0; b < nb; b++) {
			/* Rows past the last are zero weights (+0). */
			for (l = 0; l < GROUP; l++) {
				r = g * GROUP + l;
				src[l] = r < rows ?
				    blocks + ((size_t)r * nb + b) * 16 :
				    zero;
			}
			/* Bytes 4c..4c+3 of a block hold elements 8c..8c+7,
			 * low nibble first: element 8c + j goes low, 8c + 4 + j
			 * high. */
			for (c = 0; c < 4; c++)
				for (l = 0; l < GROUP; l++, q += 4) {
					p = src[l] + 4 * c;
					q[0] = (uint8_t)((p[0] & 15) |
					    (p[2] & 15) << 4);
					q[1] = (uint8_t)(p[0] >> 4 |
					    (p[2] & 0xf0));
					q[2] = (uint8_t)((p[1] & 15) |
					    (p[3] & 15) << 4);
					q[3] = (uint8_t)(p[1] >> 4 |
					    (p[3] & 0xf0));
				}
			for (l = 0; l < GROUP; l++) {
				r = g * GROUP + l;
				/* 255 (NaN in OCP MX) reads as 254. */
				sc = r < rows ? scales[(size_t)r * nb + b] :
						127;
				*s++ = sc == 255 ? 254 : sc;
			}
		}
	}
}

/* ---- the integer dot products ---- */

/* 2^(s - 127) for a repacked scale byte (0 reads as 0). */
static float
e8m0(uint8_t s)
{
	return bits_f((uint32_t)s << 23);
}

static void
mx16_dot_c(float *acc, const uint8_t *q, const uint8_t *s,
    const struct gptoss_q8 *x, size_t ldx, uint32_t m, uint32_t nb)
{
	uint32_t b, t, l, c, j;
	const struct gptoss_q8 *xb;
	const uint8_t *p;
	int32_t isum;
	float ws;

	for (b = 0; b < nb; b++, q += 256, s += GROUP) {
		for (t = 0; t < m; t++) {
			xb = x + t * ldx + b;
			for (l = 0; l < GROUP; l++) {
				isum = xb->corr;
				for (c = 0; c < 4; c++) {
					p = q + c * 64 + 4 * l;
					for (j = 0; j < 4; j++)
						isum += fp4u[p[j] & 15] *
							xb->q[8 * c + j] +
						    fp4u[p[j] >> 4] *
							xb->q[8 * c + 4 + j];
				}
				ws = e8m0(s[l]);
				acc[t * GROUP + l] = fmaf((float)isum,
				    ws * xb->d, acc[t * GROUP + l]);
			}
		}
	}
}

#ifdef HAVE_X86
static int32_t
load4(const int8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/*
 * T (1-8, constant after inlining) tokens: their accumulators stay in
 * registers across the blocks; the unpacked weights (8 registers) serve
 * all T.
 */
__attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni"),
    always_inline)) static inline void
mx16_tile_vnni512(float *acc, const uint8_t *q, const uint8_t *s,
    const struct gptoss_q8 *x, size_t ldx, uint32_t T, uint32_t nb)
{
	const __m512i lut = _mm512_broadcast_i32x4(
	    _mm_loadu_si128((const void *)fp4u));
	const __m512i m4 = _mm512_set1_epi8(15);
	__m512i w[8], z, a0, a1;
	__m512 ws, f[8];
	const struct gptoss_q8 *xb;
	uint32_t b, t, c;

#pragma GCC unroll 8
	for (t = 0; t < T; t++)
		f[t] = _mm512_loadu_ps(acc + t * GROUP);
	for (b = 0; b < nb; b++, q += 256, s += GROUP) {
#pragma GCC unroll 4
		for (c = 0; c < 4; c++) {
			z = _mm512_loadu_si512((const void *)(q + 64 * c));
			w[2 * c] = _mm512_shuffle_epi8(lut,
			    _mm512_and_si512(z, m4));
			w[2 * c + 1] = _mm512_shuffle_epi8(lut,
			    _mm512_and_si512(_mm512_srli_epi16(z, 4), m4));
		}
		ws = _mm512_castsi512_ps(_mm512_slli_epi32(
		    _mm512_cvtepu8_epi32(_mm_loadu_si128((const void *)s)),
		    23));
#pragma GCC unroll 8
		for (t = 0; t < T; t++) {
			xb = x + t * ldx + b;
			a0 = _mm512_set1_epi32(xb->corr);
			a1 = _mm512_setzero_si512();
#pragma GCC unroll 4
			for (c = 0; c < 4; c++) {
				a0 = _mm512_dpbusd_epi32(a0, w[2 * c],
				    _mm512_set1_epi32(load4(xb->q + 8 * c)));
				a1 = _mm512_dpbusd_epi32(a1, w[2 * c + 1],
				    _mm512_set1_epi32(load4(xb->q + 8 * c +
					4)));
			}
			f[t] = _mm512_fmadd_ps(
			    _mm512_cvtepi32_ps(_mm512_add_epi32(a0, a1)),
			    _mm512_mul_ps(ws, _mm512_set1_ps(xb->d)), f[t]);
		}
	}
#pragma GCC unroll 8
	for (t = 0; t < T; t++)
		_mm512_storeu_ps(acc + t * GROUP, f[t]);
}

__attribute__((
    target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni"))) static void
mx16_dot_vnni512(float *acc, const uint8_t *q, const uint8_t *s,
    const struct gptoss_q8 *x, size_t ldx, uint32_t m, uint32_t nb)
{
	uint32_t t, k;

	for (t = 0; t < m; t += k) {
		k = m - t < 8 ? m - t : 8;
		switch (k) {
		case 1:
			mx16_tile_vnni512(acc, q, s, x, ldx, 1, nb);
			break;
		case 2:
			mx16_tile_vnni512(acc, q, s, x, ldx, 2, nb);
			break;
		case 3:
			mx16_tile_vnni512(acc, q, s, x, ldx, 3, nb);
			break;
		case 4:
			mx16_tile_vnni512(acc, q, s, x, ldx, 4, nb);
			break;
		case 5:
			mx16_tile_vnni512(acc, q, s, x, ldx, 5, nb);
			break;
		case 6:
			mx16_tile_vnni512(acc, q, s, x, ldx, 6, nb);
			break;
		case 7:
			mx16_tile_vnni512(acc, q, s, x, ldx, 7, nb);
			break;
		default:
			mx16_tile_vnni512(acc, q, s, x, ldx, 8, nb);
			break;
		}
		acc += (size_t)k * GROUP;
		x += (size_t)k * ldx;
	}
}

/*
 * 256-bit: rows 0-7 of the group in the low half of each chunk, rows 8-15
 * in the high half. DOT is vpdpbusd (AVX-VNNI) or vpmaddubsw + vpmaddwd
 * (AVX2), which give the same integers: (w + 12) * x <= 24 * 127, so the
 * 16-bit pair sums never saturate.
 */
#define MX16_DOT_256(NAME, TARGET, DOT)                                        \
	__attribute__((target(TARGET))) static void NAME(float *acc,           \
	    const uint8_t *q, const uint8_t *s, const struct gptoss_q8 *x,     \
	    size_t ldx, uint32_t m, uint32_t nb)                               \
	{                                                                      \
		const __m256i lut = _mm256_broadcastsi128_si256(               \
		    _mm_loadu_si128((const void *)fp4u));                      \
		const __m256i m4 = _mm256_set1_epi8(15);                       \
		const __m256i ones = _mm256_set1_epi16(1);                     \
		__m256i w[2][8], z, a0, a1, xv;                                \
		__m256 ws[2], f;                                               \
		const struct gptoss_q8 *xb;                                    \
		uint32_t b, t, c, h;                                           \
                                                                               \
		(void)ones;                                                    \
		for (b = 0; b < nb; b++, q += 256, s += GROUP) {               \
			for (h = 0; h < 2; h++) {                              \
				for (c = 0; c < 4; c++) {                      \
					z = _mm256_loadu_si256(                \
					    (const void *)(q + 64 * c +        \
						32 * h));                      \
					w[h][2 * c] = _mm256_shuffle_epi8(lut, \
					    _mm256_and_si256(z, m4));          \
					w[h][2 * c + 1] = _mm256_shuffle_epi8( \
					    lut,                               \
					    _mm256_and_si256(                  \
						_mm256_srli_epi16(z, 4), m4)); \
				}                                              \
				ws[h] = _mm256_castsi256_ps(_mm256_slli_epi32( \
				    _mm256_cvtepu8_epi32(_mm_loadl_epi64(      \
					(const void *)(s + 8 * h))),           \
				    23));                                      \
			}                                                      \
			for (t = 0; t < m; t++) {                              \
				xb = x + t * ldx + b;                          \
				for (h = 0; h < 2; h++) {                      \
					a0 = _mm256_set1_epi32(xb->corr);      \
					a1 = _mm256_setzero_si256();           \
					for (c = 0; c < 4; c++) {              \
						xv = _mm256_set1_epi32(        \
						    load4(xb->q + 8 * c));     \
						a0 = DOT(a0, w[h][2 * c], xv); \
						xv = _mm256_set1_epi32(        \
						    load4(xb->q + 8 * c + 4)); \
						a1 = DOT(a1, w[h][2 * c + 1],  \
						    xv);                       \
					}                                      \
					f = _mm256_loadu_ps(acc + t * GROUP +  \
					    8 * h);                            \
					f = _mm256_fmadd_ps(                   \
					    _mm256_cvtepi32_ps(                \
						_mm256_add_epi32(a0, a1)),     \
					    _mm256_mul_ps(ws[h],               \
						_mm256_set1_ps(xb->d)),        \
					    f);                                \
					_mm256_storeu_ps(                      \
					    acc + t * GROUP + 8 * h, f);       \
				}                                              \
			}                                                      \
		}                                                              \
	}

#define DOT_AVX2(A, W, X)                                                      \
	_mm256_add_epi32(A, _mm256_madd_epi16(_mm256_maddubs_epi16(W, X), ones))
#define DOT_AVXVNNI(A, W, X) _mm256_dpbusd_avx_epi32(A, W, X)

MX16_DOT_256(mx16_dot_avx2, "avx2,fma", DOT_AVX2)
MX16_DOT_256(mx16_dot_avxvnni, "avx2,fma,avxvnni", DOT_AVXVNNI)
#endif

void
gptoss_mx16_dot(float *acc, const uint8_t *q, const uint8_t *s,
    const struct gptoss_q8 *x, size_t ldx, uint32_t m, uint32_t nb)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_vnni512) {
		mx16_dot_vnni512(acc, q, s, x, ldx, m, nb);
		return;
	}
	if (use_avxvnni) {
		mx16_dot_avxvnni(acc, q, s, x, ldx, m, nb);
		return;
	}
	if (use_avx2) {
		mx16_dot_avx2(acc, q, s, x, ldx, m, nb);
		return;
	}
#endif
	mx16_dot_c(acc, q, s, x, ldx, m, nb);
}

/* ---- bf16 ---- */

void
gptoss_f32_to_bf16(uint16_t *out, const float *x, size_t n)
{
	uint32_t u;
	size_t i;

	for (i = 0; i < n; i++) {
		u = f_bits(x[i]);
		if ((u & 0x7fffffff) > 0x7f800000)
			out[i] = (uint16_t)(u >> 16 | 0x40); /* quiet NaN */
		else
			out[i] = (uint16_t)((u + 0x7fff + (u >> 16 & 1)) >> 16);
	}
}

#ifdef HAVE_X86
/*
 * R rows (LDW apart) times N tokens (both 1-4, constant after inlining):
 * out[r * 4 + t]. Each (row, token) has its own accumulator and the same
 * sequence of vdpbf16ps whatever R and N, so its result does not depend
 * on the tile.
 */
__attribute__((target("avx2,fma,avx512f,avx512bw,avx512bf16"),
    always_inline)) static inline void
dot_bf16x_rn(float *out, const uint16_t *w, size_t ldw, const uint16_t *x,
    size_t ldx, uint32_t R, uint32_t N, uint32_t cols)
{
	__m512 a[4][4];
	__m512i wv[4], xv;
	__mmask32 mk;
	uint32_t i, t, r;

#pragma GCC unroll 4
	for (r = 0; r < R; r++)
#pragma GCC unroll 4
		for (t = 0; t < N; t++)
			a[r][t] = _mm512_setzero_ps();
	for (i = 0; i + 32 <= cols; i += 32) {
#pragma GCC unroll 4
		for (r = 0; r < R; r++)
			wv[r] = _mm512_loadu_si512((const void *)(w + r * ldw +
			    i));
#pragma GCC unroll 4
		for (t = 0; t < N; t++) {
			xv = _mm512_loadu_si512((const void *)(x + t * ldx +
			    i));
#pragma GCC unroll 4
			for (r = 0; r < R; r++)
				a[r][t] = _mm512_dpbf16_ps(a[r][t],
				    (__m512bh)wv[r], (__m512bh)xv);
		}
	}
	if (i < cols) {
		mk = (__mmask32)((1ull << (cols - i)) - 1);
#pragma GCC unroll 4
		for (r = 0; r < R; r++)
			wv[r] = _mm512_maskz_loadu_epi16(mk, w + r * ldw + i);
#pragma GCC unroll 4
		for (t = 0; t < N; t++) {
			xv = _mm512_maskz_loadu_epi16(mk, x + t * ldx + i);
#pragma GCC unroll 4
			for (r = 0; r < R; r++)
				a[r][t] = _mm512_dpbf16_ps(a[r][t],
				    (__m512bh)wv[r], (__m512bh)xv);
		}
	}
#pragma GCC unroll 4
	for (r = 0; r < R; r++)
#pragma GCC unroll 4
		for (t = 0; t < N; t++)
			out[r * 4 + t] = _mm512_reduce_add_ps(a[r][t]);
}

#define BF16X_CASE(R, N)                                                       \
	case (R)*8 + (N):                                                      \
		dot_bf16x_rn(out, w, ldw, x, ldx, R, N, cols);                 \
		break

__attribute__((target("avx2,fma,avx512f,avx512bw,avx512bf16"))) static void
dot_bf16x_512(float *out, const uint16_t *w, size_t ldw, const uint16_t *x,
    size_t ldx, uint32_t rows, uint32_t n, uint32_t cols)
{
	switch (rows * 8 + n) {
		BF16X_CASE(1, 1);
		BF16X_CASE(1, 2);
		BF16X_CASE(1, 3);
		BF16X_CASE(1, 4);
		BF16X_CASE(2, 1);
		BF16X_CASE(2, 2);
		BF16X_CASE(2, 3);
		BF16X_CASE(2, 4);
		BF16X_CASE(3, 1);
		BF16X_CASE(3, 2);
		BF16X_CASE(3, 3);
		BF16X_CASE(3, 4);
		BF16X_CASE(4, 1);
		BF16X_CASE(4, 2);
		BF16X_CASE(4, 3);
	default:
		dot_bf16x_rn(out, w, ldw, x, ldx, 4, 4, cols);
		break;
	}
}
#undef BF16X_CASE
#endif

int
gptoss_dot_bf16x_tile(float *out, const uint16_t *w, size_t ldw,
    const uint16_t *x, size_t ldx, uint32_t rows, uint32_t n, uint32_t cols)
{
	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_bf16) {
		if (n > 0 && rows > 0)
			dot_bf16x_512(out, w, ldw, x, ldx, rows, n, cols);
		return 0;
	}
#endif
	(void)out, (void)w, (void)ldw, (void)x, (void)ldx, (void)rows, (void)n,
	    (void)cols;
	return -1;
}

/* ---- float16 ---- */

static uint16_t
f32_to_f16_c(float f)
{
	uint32_t x = f_bits(f), sign = x >> 16 & 0x8000, m = x & 0x7fffff,
		 shift, hm, rem, half;
	int32_t e = (int32_t)(x >> 23 & 0xff) - 127 + 15;

	if ((x >> 23 & 0xff) == 0xff)
		return (uint16_t)(sign | 0x7c00 | (m ? 0x200 : 0));
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (e <= 0) {
		if (e < -10)
			return (uint16_t)sign;
		m |= 0x800000;
		shift = (uint32_t)(14 - e);
		hm = m >> shift;
		rem = m & ((1u << shift) - 1);
		half = 1u << (shift - 1);
		if (rem > half || (rem == half && (hm & 1)))
			hm++;
		return (uint16_t)(sign | hm);
	}
	hm = (uint32_t)e << 10 | m >> 13;
	rem = m & 0x1fff;
	if (rem > 0x1000 || (rem == 0x1000 && (hm & 1)))
		hm++; /* may carry into the exponent, up to infinity */
	return (uint16_t)(sign | hm);
}

static float
f16_to_f32_c(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = h >> 10 & 31,
		 m = h & 0x3ff;
	float v;

	if (e == 31)
		return bits_f(sign | 0x7f800000 | m << 13);
	if (e == 0) {
		v = ldexpf((float)m, -24);
		return sign ? -v : v;
	}
	return bits_f(sign | (e + 112) << 23 | m << 13);
}

#ifdef HAVE_X86
__attribute__((target("avx2,fma,f16c"))) static void
f32_to_f16_f16c(uint16_t *out, const float *x, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm_storeu_si128((void *)(out + i),
		    _mm256_cvtps_ph(_mm256_loadu_ps(x + i),
			_MM_FROUND_TO_NEAREST_INT));
	for (; i < n; i++)
		out[i] = f32_to_f16_c(x[i]);
}

__attribute__((target("avx2,fma,f16c"))) static void
f16_to_f32_f16c(float *out, const uint16_t *x, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_ps(out + i,
		    _mm256_cvtph_ps(_mm_loadu_si128((const void *)(x + i))));
	for (; i < n; i++)
		out[i] = f16_to_f32_c(x[i]);
}
#endif

void
gptoss_f32_to_f16(uint16_t *out, const float *x, size_t n)
{
	size_t i;

	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_f16c) {
		f32_to_f16_f16c(out, x, n);
		return;
	}
#endif
	for (i = 0; i < n; i++)
		out[i] = f32_to_f16_c(x[i]);
}

void
gptoss_f16_to_f32(float *out, const uint16_t *x, size_t n)
{
	size_t i;

	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_f16c) {
		f16_to_f32_f16c(out, x, n);
		return;
	}
#endif
	for (i = 0; i < n; i++)
		out[i] = f16_to_f32_c(x[i]);
}

/* ---- attention over float16 keys and values ---- */

#ifdef HAVE_X86
__attribute__((target("avx2,fma,f16c"))) static float
dot_f16_avx2(const float *q, const uint16_t *k, uint32_t d)
{
	__m256 a0 = _mm256_setzero_ps(), a1 = a0;
	__m128 h;
	uint32_t i;
	float tail = 0;

	for (i = 0; i + 16 <= d; i += 16) {
		a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i),
		    _mm256_cvtph_ps(_mm_loadu_si128((const void *)(k + i))),
		    a0);
		a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8),
		    _mm256_cvtph_ps(_mm_loadu_si128((const void *)(k + i + 8))),
		    a1);
	}
	for (; i < d; i++)
		tail += q[i] * f16_to_f32_c(k[i]);
	a0 = _mm256_add_ps(a0, a1);
	h = _mm_add_ps(_mm256_castps256_ps128(a0),
	    _mm256_extractf128_ps(a0, 1));
	h = _mm_add_ps(h, _mm_movehl_ps(h, h));
	h = _mm_add_ss(h, _mm_movehdup_ps(h));
	return _mm_cvtss_f32(h) + tail;
}

__attribute__((target("avx2,fma,f16c"))) static void
axpy_f16_avx2(float *y, float a, const uint16_t *x, uint32_t n)
{
	__m256 va = _mm256_set1_ps(a);
	uint32_t i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i,
		    _mm256_fmadd_ps(va,
			_mm256_cvtph_ps(_mm_loadu_si128((const void *)(x + i))),
			_mm256_loadu_ps(y + i)));
	for (; i < n; i++)
		y[i] += a * f16_to_f32_c(x[i]);
}
#endif

float
gptoss_dot_f16(const float *q, const uint16_t *k, uint32_t d)
{
	float s = 0;
	uint32_t i;

	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_f16c)
		return dot_f16_avx2(q, k, d);
#endif
	for (i = 0; i < d; i++)
		s += q[i] * f16_to_f32_c(k[i]);
	return s;
}

void
gptoss_axpy_f16(float *y, float a, const uint16_t *x, uint32_t n)
{
	uint32_t i;

	pthread_once(&once, init);
#ifdef HAVE_X86
	if (use_f16c) {
		axpy_f16_avx2(y, a, x, n);
		return;
	}
#endif
	for (i = 0; i < n; i++)
		y[i] += a * f16_to_f32_c(x[i]);
}

#ifdef HAVE_X86
/* gptoss_attn_f16 for head_dim 64: q and the output in registers. */
__attribute__((target("avx2,fma,f16c,avx512f"))) static void
attn_f16_64(float *out, const float *q, const uint16_t *kc, const uint16_t *vc,
    size_t stride, uint32_t lo, uint32_t nk, uint32_t slots, float scale,
    float sink, float *s)
{
	__m512 q0 = _mm512_loadu_ps(q), q1 = _mm512_loadu_ps(q + 16);
	__m512 q2 = _mm512_loadu_ps(q + 32), q3 = _mm512_loadu_ps(q + 48);
	__m512 o0, o1, o2, o3, a, b, e;
	const uint16_t *k;
	float m = sink, sum;
	uint32_t i, slot;

	for (i = 0, slot = lo % slots; i < nk;
	     i++, slot = slot + 1 == slots ? 0 : slot + 1) {
		k = kc + (size_t)slot * stride;
		a = _mm512_mul_ps(q0,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)k)));
		b = _mm512_mul_ps(q1,
		    _mm512_cvtph_ps(
			_mm256_loadu_si256((const void *)(k + 16))));
		a = _mm512_fmadd_ps(q2,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)(k + 32))),
		    a);
		b = _mm512_fmadd_ps(q3,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)(k + 48))),
		    b);
		s[i] = _mm512_reduce_add_ps(_mm512_add_ps(a, b)) * scale;
		m = s[i] > m ? s[i] : m;
	}
	sum = expf(sink - m);
	o0 = o1 = o2 = o3 = _mm512_setzero_ps();
	for (i = 0, slot = lo % slots; i < nk;
	     i++, slot = slot + 1 == slots ? 0 : slot + 1) {
		k = vc + (size_t)slot * stride;
		s[i] = expf(s[i] - m);
		sum += s[i];
		e = _mm512_set1_ps(s[i]);
		o0 = _mm512_fmadd_ps(e,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)k)), o0);
		o1 = _mm512_fmadd_ps(e,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)(k + 16))),
		    o1);
		o2 = _mm512_fmadd_ps(e,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)(k + 32))),
		    o2);
		o3 = _mm512_fmadd_ps(e,
		    _mm512_cvtph_ps(_mm256_loadu_si256((const void *)(k + 48))),
		    o3);
	}
	e = _mm512_set1_ps(sum);
	_mm512_storeu_ps(out, _mm512_div_ps(o0, e));
	_mm512_storeu_ps(out + 16, _mm512_div_ps(o1, e));
	_mm512_storeu_ps(out + 32, _mm512_div_ps(o2, e));
	_mm512_storeu_ps(out + 48, _mm512_div_ps(o3, e));
}
#endif

void
gptoss_attn_f16(float *out, const float *q, const uint16_t *kc,
    const uint16_t *vc, size_t stride, uint32_t lo, uint32_t nk, uint32_t slots,
    uint32_t d, float scale, float sink, float *s)
{
	float m = sink, sum, e;
	uint32_t i, c;

	pthread_once(&once, init);
#ifdef HAVE_X86
	if (d == 64 && use_bf16) {
		attn_f16_64(out, q, kc, vc, stride, lo, nk, slots, scale, sink,
		    s);
		return;
	}
#endif
	for (i = 0; i < nk; i++) {
		s[i] = gptoss_dot_f16(q,
			   kc + (size_t)((lo + i) % slots) * stride, d) *
		    scale;
		m = s[i] > m ? s[i] : m;
	}
	sum = expf(sink - m);
	for (c = 0; c < d; c++)
		out[c] = 0;
	for (i = 0; i < nk; i++) {
		e = expf(s[i] - m);
		sum += e;
		gptoss_axpy_f16(out, e,
		    vc + (size_t)((lo + i) % slots) * stride, d);
	}
	for (c = 0; c < d; c++)
		out[c] /= sum;
}
