/*
 * unit-cuda-batch.c MODEL_DIR: batched decode on the GPU. Three CUDA
 * contexts with different prompts decode 24 greedy steps together
 * (gptoss_context_append_batch); each must follow the same tokens as the
 * same prompt decoded alone on the CPU, with logits within 1e-3 relative
 * at every step. Exits 77 without a CUDA device (tests/gpu-cuda.sh runs
 * it on the models it generates).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/gptoss/gptoss.h"

#define NSEQ 3
#define STEPS 24

static uint32_t
argmax(const float *l, uint32_t n)
{
	uint32_t i, b = 0;

	for (i = 1; i < n; i++)
		if (l[i] > l[b])
			b = i;
	return b;
}

static double
rel_err(const float *a, const float *b, uint32_t n)
{
	double scale = 0, diff = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		scale = fmax(scale, fabs(b[i]));
		diff = fmax(diff, fabs(a[i] - b[i]));
	}
	return scale > 0 ? diff / scale : diff;
}

int
main(int argc, char **argv)
{
	static const uint32_t prompts[NSEQ][4] = { { 5, 17, 42, 7 },
		{ 9, 1, 250, 33 }, { 100, 101, 102, 103 } };
	static const uint32_t lens[NSEQ] = { 4, 2, 3 };
	struct gptoss_context_params cp = { .context_length = 64,
		.batch_size = 8,
		.device = GPTOSS_DEVICE_CUDA };
	struct gptoss_context_params hp = { .context_length = 64,
		.batch_size = 8,
		.device = GPTOSS_DEVICE_CPU };
	struct gptoss_model *m = NULL;
	struct gptoss_context *gpu[NSEQ] = { NULL }, *cpu[NSEQ] = { NULL };
	struct gptoss_model_info in;
	enum gptoss_device dev;
	uint32_t next[NSEQ], i, s;
	double worst = 0, e;
	char *msg = NULL;
	int fail = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: unit-cuda-batch MODEL_DIR\n");
		return 2;
	}
	if (gptoss_device_resolve(GPTOSS_DEVICE_CUDA, &dev, &msg) !=
	    GPTOSS_OK) {
		printf("SKIP: %s\n", msg);
		free(msg);
		return 77;
	}
	if (gptoss_model_load(argv[1], &m, &msg) != GPTOSS_OK) {
		printf("FAIL: %s\n", msg);
		return 1;
	}
	gptoss_model_get_info(m, &in);
	for (i = 0; i < NSEQ; i++) {
		if (gptoss_context_new(m, &cp, &gpu[i], &msg) != GPTOSS_OK ||
		    gptoss_context_new(m, &hp, &cpu[i], &msg) != GPTOSS_OK ||
		    gptoss_context_append(gpu[i], prompts[i], lens[i], NULL,
			&msg) != GPTOSS_OK ||
		    gptoss_context_append(cpu[i], prompts[i], lens[i], NULL,
			&msg) != GPTOSS_OK) {
			printf("FAIL: sequence %u: %s\n", i, msg);
			return 1;
		}
	}
	for (s = 0; s < STEPS && !fail; s++) {
		for (i = 0; i < NSEQ; i++) {
			const float *lg = gptoss_context_logits(gpu[i]);
			const float *lc = gptoss_context_logits(cpu[i]);
			if (lg == NULL || lc == NULL) {
				printf("FAIL: step %u: no logits\n", s);
				fail = 1;
				break;
			}
			e = rel_err(lg, lc, in.vocab_size);
			worst = e > worst ? e : worst;
			next[i] = argmax(lc, in.vocab_size);
			if (e > 1e-3 || argmax(lg, in.vocab_size) != next[i]) {
				printf("FAIL: step %u, sequence %u: relative "
				       "error %.3g, token %u (cpu %u)\n",
				    s, i, e, argmax(lg, in.vocab_size),
				    next[i]);
				fail = 1;
			}
		}
		if (fail)
			break;
		if (gptoss_context_append_batch(gpu, next, NSEQ, &msg) !=
		    GPTOSS_OK) {
			printf("FAIL: batched append: %s\n", msg);
			return 1;
		}
		for (i = 0; i < NSEQ; i++)
			if (gptoss_context_append(cpu[i], &next[i], 1, NULL,
				&msg) != GPTOSS_OK) {
				printf("FAIL: cpu append: %s\n", msg);
				return 1;
			}
	}
	printf("unit-cuda-batch: %d sequences x %d steps, worst relative "
	       "logit error %.3g: %s\n",
	    NSEQ, STEPS, worst, fail ? "FAIL" : "ok");
	for (i = 0; i < NSEQ; i++) {
		gptoss_context_free(gpu[i]);
		gptoss_context_free(cpu[i]);
	}
	gptoss_model_free(m);
	return fail;
}
