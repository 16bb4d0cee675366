/*
 * gptoss-math.h: the engine's per-element math, written once for the CUDA
 * kernels (device) and the host (private to model/gptoss).
 *
 * The CUDA sources compile these as __host__ __device__ functions; a C
 * file includes the same text as static inline functions, which is how
 * tests/unit-cuda-math.c checks them against the CPU engine on a machine
 * without a GPU. Everything here is plain arithmetic on scalars: the
 * indexing, reductions and shared memory stay in the kernels.
 */
#ifndef GPTOSS_CUDA_MATH_H
#define GPTOSS_CUDA_MATH_H

#include <math.h>
#include <stdint.h>

#ifdef __CUDACC__
#define GPTOSS_HD static __host__ __device__ __forceinline__
#else
#define GPTOSS_HD static inline
#endif

/* A bf16 value (the high half of a float) as float; exact. */
GPTOSS_HD float
gm_bf16(uint16_t h)
{
	union {
		uint32_t u;
		float f;
	} v;

	v.u = (uint32_t)h << 16;
	return v.f;
}

/* Float to half-precision bits, round to nearest even (the KV cache);
 * values past the half range saturate to infinity. */
GPTOSS_HD uint16_t
gm_f32_to_f16(float f)
{
	union {
		float f;
		uint32_t u;
	} v;
	uint32_t sign, exp, mant, r;
	int e;

	v.f = f;
	sign = (v.u >> 16) & 0x8000u;
	exp = (v.u >> 23) & 0xffu;
	mant = v.u & 0x7fffffu;
	if (exp == 0xff) /* inf, nan */
		return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
	e = (int)exp - 127 + 15;
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00u);
	if (e <= 0) { /* subnormal half or zero */
		if (e < -10)
			return (uint16_t)sign;
		mant |= 0x800000u;
		r = mant >> (14 - e);
		/* round to nearest even on the dropped bits */
		if ((mant >> (13 - e)) & 1u &&
		    ((mant & ((1u << (13 - e)) - 1)) || (r & 1u)))
			r++;
		return (uint16_t)(sign | r);
	}
	r = ((uint32_t)e << 10) | (mant >> 13);
	if ((mant & 0x1000u) && ((mant & 0xfffu) || (r & 1u)))
		r++; /* may carry into the exponent: still right */
	return (uint16_t)(sign | r);
}

/* Half-precision bits to float; exact. */
GPTOSS_HD float
gm_f16_to_f32(uint16_t h)
{
	union {
		uint32_t u;
		float f;
	} v;
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;

	if (exp == 0x1f) {
		v.u = sign | 0x7f800000u | (mant << 13);
		return v.f;
	}
	if (exp == 0) { /* zero or subnormal: mant * 2^-24 */
		v.f = (float)mant * 5.9604644775390625e-8f;
		return sign ? -v.f : v.f;
	}
	v.u = sign | ((exp + 112) << 23) | (mant << 13);
	return v.f;
}

/*
 * MXFP4 (spec 2.4): nibble N (sign bit 3, E2M1 magnitude) of a block with
 * E8M0 scale S is lut[N] * 2^(S - 127). The doubled magnitude
 * {0,1,2,3,4,6,8,12} times 2^(S - 128) is the same value, exactly.
 */
/* 2^(S - 128) for an E8M0 scale S, built from its bits (exact). */
GPTOSS_HD float
gm_e8m0_half(uint32_t scale)
{
	union {
		uint32_t u;
		float f;
	} v;

	/* Biased exponent S - 1; S 1 and 0 are the subnormals 2^-127, -128. */
	v.u = scale >= 2u ? (scale - 1u) << 23 : 0x00200000u << scale;
	return v.f;
}

GPTOSS_HD float
gm_mxfp4(uint32_t nibble, uint32_t scale)
{
	uint32_t m = nibble & 7u;
	float v = (float)(m < 4u ? m : m < 6u ? (m - 2u) * 2u : (m - 4u) * 4u);

	v *= gm_e8m0_half(scale);
	return nibble & 8u && m != 0 ? -v :
				       v; /* nibble 8 is +0, as the CPU's */
}

/* Byte B of a block: element 2b is the low nibble, 2b+1 the high one. */
GPTOSS_HD void
gm_mxfp4_byte(uint32_t byte, uint32_t scale, float *even, float *odd)
{
	*even = gm_mxfp4(byte & 15u, scale);
	*odd = gm_mxfp4(byte >> 4, scale);
}

/* The clamped SwiGLU of one gate/up pair (spec 1.2): the gate clamped
 * above, the up value on both sides, and the +1 on up. */
GPTOSS_HD float
gm_swiglu(float g, float u, float limit)
{
	g = g > limit ? limit : g;
	u = u > limit ? limit : u < -limit ? -limit : u;
	return g / (1.0f + expf(-1.702f * g)) * (u + 1.0f);
}

/* YaRN RoPE: the cos and sin multipliers of position POS for a pair of
 * frequency INV_FREQ (config.c's, already YaRN-interpolated), scaled by
 * the attention factor; computed in double like the CPU tables. */
GPTOSS_HD void
gm_rope_cs(uint32_t pos, double inv_freq, double factor, float *c, float *s)
{
	double a = (double)pos * inv_freq;

	*c = (float)(cos(a) * factor);
	*s = (float)(sin(a) * factor);
}

/* Half-split rotation of one pair (dims j and j + d/2). */
GPTOSS_HD void
gm_rope_pair(float *a, float *b, float c, float s)
{
	float x = *a, y = *b;

	*a = x * c - y * s;
	*b = y * c + x * s;
}

/*
 * Softmax with a sink, streamed: a partial state (m, l) holds the running
 * maximum M and the sum L of exp(score - M) of the keys seen; merging two
 * rescales each by exp(m_i - M). The sink is one more logit with no value
 * vector: it only adds exp(sink - M) to the final denominator.
 */
GPTOSS_HD float
gm_sm_rescale(float m_old, float m_new)
{
	return m_old == -INFINITY ? 0.0f : expf(m_old - m_new);
}

/* The final denominator: the parts' sums plus the sink's term. */
GPTOSS_HD float
gm_sm_denominator(float l, float m, float sink)
{
	return l + expf(sink - m);
}

/* Routing (spec 1.2): top K of E logits (ties: the lower id first), then
 * a softmax over those K. */
GPTOSS_HD void
gm_route(const float *r, uint32_t E, uint32_t K, uint32_t *sel, float *wt)
{
	uint32_t k, e, j, best;
	float m, sum = 0;

	for (k = 0; k < K; k++) {
		best = 0xffffffffu;
		for (e = 0; e < E; e++) {
			for (j = 0; j < k && sel[j] != e; j++)
				;
			if (j == k && (best == 0xffffffffu || r[e] > r[best]))
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

/* The sampler's order: a higher logit first, then the lower id. */
GPTOSS_HD int
gm_before(float a, uint32_t ia, float b, uint32_t ib)
{
	return a > b || (a == b && ia < ib);
}

/* The sampler's random numbers (splitmix64, as sampler.c). */
GPTOSS_HD uint64_t
gm_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A draw R of splitmix64 as a point of [0, SUM). */
GPTOSS_HD double
gm_draw(uint64_t r, double sum)
{
	return (double)(r >> 11) * 0x1.0p-53 * sum;
}

/* A candidate's weight at temperature T, M the largest logit. */
GPTOSS_HD float
gm_temp_weight(float logit, float m, float t)
{
	return expf((logit - m) / t);
}

#endif
