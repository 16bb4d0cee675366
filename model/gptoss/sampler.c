/*
 * sampler.c: greedy, temperature, top-k and top-p sampling with a seeded
 * generator (splitmix64), so a seed reproduces a run.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-impl.h"

struct gptoss_sampler {
	struct gptoss_sampler_params p;
	uint32_t vocab;
	uint64_t state;
	uint32_t *idx; /* [vocab] candidate ids */
	float *prob;   /* [vocab] */
};

enum gptoss_status
gptoss_sampler_new(const struct gptoss_sampler_params *p, uint32_t vocab,
    struct gptoss_sampler **sampler_out)
{
	struct gptoss_sampler *s;

	if (vocab == 0 || !(p->temperature >= 0) ||
	    !(p->top_p > 0 && p->top_p <= 1))
		return GPTOSS_ERR_ARGUMENT;
	s = xcalloc(1, sizeof *s);
	s->p = *p;
	s->vocab = vocab;
	s->state = p->seed;
	s->idx = xcalloc(vocab, sizeof *s->idx);
	s->prob = xcalloc(vocab, sizeof *s->prob);
	*sampler_out = s;
	return GPTOSS_OK;
}

void
gptoss_sampler_free(struct gptoss_sampler *s)
{
	if (s == NULL)
		return;
	free(s->idx);
	free(s->prob);
	free(s);
}

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Descending logit, then ascending id: a total order. */
static int
cmp_desc(const void *a, const void *b, void *arg)
{
	const float *sort_logits = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sort_logits[x] != sort_logits[y])
		return sort_logits[x] > sort_logits[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static uint32_t
argmax(const float *l, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (l[i] > l[best])
			best = i;
	return best;
}

uint32_t
gptoss_sampler_sample(struct gptoss_sampler *s, const float *logits)
{
	uint32_t i, n = s->vocab;
	double sum = 0, cum = 0, u;
	float m;

	if (s->p.temperature == 0)
		return argmax(logits, n);
	for (i = 0; i < n; i++)
		s->idx[i] = i;
	/* Sorting the whole vocabulary is needed only for top-k / top-p. */
	if ((s->p.top_k > 0 && s->p.top_k < n) || s->p.top_p < 1) {
		qsort_r(s->idx, n, sizeof *s->idx, cmp_desc, (void *)logits);
		if (s->p.top_k > 0 && s->p.top_k < n)
			n = s->p.top_k;
	}
	m = logits[argmax(logits, s->vocab)];
	for (i = 0; i < n; i++) {
		s->prob[i] = expf((logits[s->idx[i]] - m) / s->p.temperature);
		sum += s->prob[i];
	}
	if (s->p.top_p < 1) {
		for (i = 0; i < n; i++) {
			cum += s->prob[i] / sum;
			if (cum >= s->p.top_p) {
				n = i + 1;
				break;
			}
		}
		for (sum = 0, i = 0; i < n; i++)
			sum += s->prob[i];
	}
	u = (double)(splitmix64(&s->state) >> 11) * 0x1.0p-53 * sum;
	for (cum = 0, i = 0; i < n; i++) {
		cum += s->prob[i];
		if (u < cum)
			return s->idx[i];
	}
	return s->idx[n - 1];
}

void
gptoss_sampler_device_args(struct gptoss_sampler *s,
    struct gptoss_sampler_params *p_out, uint64_t *rnd_out)
{
	*p_out = s->p;
	/* gptoss_sampler_sample draws only when it samples. */
	*rnd_out = s->p.temperature == 0 ? 0 : splitmix64(&s->state);
}
