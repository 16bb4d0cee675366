/*
 * cmd-model-engine.c: the engine's subcommands of 'stockagent model':
 * info, generate, logits and bench, on token ids (generate also on text,
 * with the tokenizer code of cmd-model.c). cmd-model.c lists the
 * cmd_model_*_entry descriptors in its table.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/exitcode.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "model/gptoss/gptoss.h"
#include "model/gptoss/tokenizer.h"
#include "src/cmd-model.h"
#include "src/cmd.h"

#define MAX_TOKENS_ARG (1u << 20)
#define BENCH_ROUNDS 3

/* Options shared by the subcommands. */
struct eng_opts {
	const char *model; /* directory */
	char *tokens_arg;
	char *prompt_arg; /* text, encoded with the model's tokenizer */
	uint32_t max_tokens, top_k, threads, context, batch;
	uint32_t bench_prompt, bench_decode, bench_rounds, bench_chat;
	float temperature, top_p;
	uint64_t seed;
	int json, all_positions;
	int precision; /* GPTOSS_PRECISION_*; -1: the command's default */
};

enum {
	OPT_MODEL = 256,
	OPT_TOKENS,
	OPT_MAX_TOKENS,
	OPT_TEMP,
	OPT_TOP_P,
	OPT_TOP_K,
	OPT_SEED,
	OPT_FORMAT,
	OPT_ALL,
	OPT_THREADS,
	OPT_CONTEXT,
	OPT_BATCH,
	OPT_PROMPT_N,
	OPT_DECODE_N,
	OPT_PROMPT,
	OPT_PRECISION,
	OPT_ROUNDS,
	OPT_CHAT
};

static const struct option long_opts[] = {
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "tokens", required_argument, NULL, OPT_TOKENS },
	{ "prompt", required_argument, NULL, OPT_PROMPT },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "temperature", required_argument, NULL, OPT_TEMP },
	{ "top-p", required_argument, NULL, OPT_TOP_P },
	{ "top-k", required_argument, NULL, OPT_TOP_K },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "all-positions", no_argument, NULL, OPT_ALL },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "prompt-tokens", required_argument, NULL, OPT_PROMPT_N },
	{ "decode-tokens", required_argument, NULL, OPT_DECODE_N },
	{ "precision", required_argument, NULL, OPT_PRECISION },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "chat", required_argument, NULL, OPT_CHAT },
	{ NULL, 0, NULL, 0 },
};

static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || *s == '-' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_float(const char *s, float lo, float hi, float *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= lo && v <= hi))
		return -1;
	*out = (float)v;
	return 0;
}

/* Parses argv into O; returns -1 (done, exit code in *rc) or 0. */
static int
parse_opts(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, struct eng_opts *o, int *rc)
{
	const char *p;
	uint32_t u;
	int c;

	memset(o, 0, sizeof *o);
	o->precision = -1;
	o->max_tokens = 64;
	o->top_p = 1.0f;
	o->temperature = 0;
	o->bench_prompt = 128;
	o->bench_decode = 16;
	o->bench_rounds = BENCH_ROUNDS;
	*rc = EXIT_USAGE;
	while ((c = cmd_getopt(e, argc, argv, "", long_opts)) != -1) {
		const char *a = optarg;
		switch (c) {
		case OPT_MODEL:
			o->model = strncmp(a, "local:", 6) == 0 ? a + 6 : a;
			break;
		case OPT_TOKENS:
			o->tokens_arg = optarg;
			break;
		case OPT_PROMPT:
			o->prompt_arg = optarg;
			break;
		case OPT_MAX_TOKENS:
			if (parse_u32(a, 1, MAX_TOKENS_ARG, &o->max_tokens))
				goto bad;
			break;
		case OPT_TEMP:
			if (parse_float(a, 0, 100, &o->temperature))
				goto bad;
			break;
		case OPT_TOP_P:
			if (parse_float(a, 1e-6f, 1, &o->top_p))
				goto bad;
			break;
		case OPT_TOP_K:
			if (parse_u32(a, 0, UINT32_MAX, &o->top_k))
				goto bad;
			break;
		case OPT_SEED:
			if (parse_u32(a, 0, UINT32_MAX, &u))
				goto bad;
			o->seed = u;
			break;
		case OPT_FORMAT:
			if (strcmp(a, "json") != 0 && strcmp(a, "text") != 0)
				goto bad;
			o->json = strcmp(a, "json") == 0;
			break;
		case OPT_ALL:
			o->all_positions = 1;
			break;
		case OPT_THREADS:
			if (parse_u32(a, 1, 256, &o->threads))
				goto bad;
			break;
		case OPT_CONTEXT:
			if (parse_u32(a, 1, 1u << 30, &o->context))
				goto bad;
			break;
		case OPT_BATCH:
			if (parse_u32(a, 1, 4096, &o->batch))
				goto bad;
			break;
		case OPT_PROMPT_N:
			if (parse_u32(a, 1, 1u << 20, &o->bench_prompt))
				goto bad;
			break;
		case OPT_DECODE_N:
			if (parse_u32(a, 1, 1u << 20, &o->bench_decode))
				goto bad;
			break;
		case OPT_ROUNDS:
			if (parse_u32(a, 1, 100, &o->bench_rounds))
				goto bad;
			break;
		case OPT_CHAT:
			if (parse_u32(a, 1, 1u << 20, &o->bench_chat))
				goto bad;
			break;
		case OPT_PRECISION:
			if (cmd_set(e, ctx->settings, "precision", a,
				"--precision") != 0)
				return -1;
			o->precision = strcmp(a, "exact") == 0 ?
			    GPTOSS_PRECISION_EXACT :
			    GPTOSS_PRECISION_FAST;
			break;
		default:
			return -1;
		}
	}
	/* logits is for checking: exact unless --precision says otherwise;
	 * the others follow the precision setting, else fast. */
	if (o->precision < 0 && e != &cmd_model_logits_entry) {
		p = settings_string(ctx->settings, "precision");
		o->precision = p != NULL && strcmp(p, "exact") == 0 ?
		    GPTOSS_PRECISION_EXACT :
		    GPTOSS_PRECISION_FAST;
	}
	if (o->precision < 0)
		o->precision = GPTOSS_PRECISION_EXACT;
	if (o->model == NULL && optind < argc)
		o->model = argv[optind++];
	if (o->model == NULL) {
		cmd_usage_error(e, "needs a model: --model local:DIR");
		return -1;
	}
	return 0;
bad:
	cmd_usage_error(e, "bad value '%s' for %s", optarg, argv[optind - 1]);
	return -1;
}

/* "1,2,3" -> ids; -1 on a malformed list. */
static int
parse_tokens(const char *s, uint32_t **out, size_t *n)
{
	size_t cap = 16, len = 0;
	uint32_t *v = xcalloc(cap, sizeof *v);
	char *end;
	unsigned long long t;

	while (*s != '\0') {
		errno = 0;
		if (*s < '0' || *s > '9')
			goto bad;
		t = strtoull(s, &end, 10);
		if (errno || t > UINT32_MAX || len >= MAX_TOKENS_ARG)
			goto bad;
		if (len == cap)
			v = xreallocarray(v, cap *= 2, sizeof *v);
		v[len++] = (uint32_t)t;
		s = end;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			goto bad;
	}
	if (len == 0)
		goto bad;
	*out = v;
	*n = len;
	return 0;
bad:
	free(v);
	return -1;
}

static int
status_exit(const struct cmd_entry *e, enum gptoss_status st, char *msg)
{
	fprintf(stderr, "stockagent %s: %s\n", e->name,
	    msg ? msg : gptoss_status_str(st));
	free(msg);
	switch (st) {
	case GPTOSS_ERR_ARGUMENT:
	case GPTOSS_ERR_CONTEXT_OVERFLOW:
		return EXIT_USAGE;
	default:
		return EXIT_MODEL;
	}
}

/* Loads the model and a context per O. */
static int
open_model(const struct cmd_entry *e, const struct eng_opts *o,
    struct gptoss_model **m, struct gptoss_context **ctx)
{
	struct gptoss_context_params p = { .context_length = o->context,
		.num_threads = o->threads,
		.batch_size = o->batch,
		.precision = (uint32_t)o->precision };
	enum gptoss_status st;
	char *msg = NULL;

	if ((st = gptoss_model_load(o->model, m, &msg)) != GPTOSS_OK)
		return status_exit(e, st, msg);
	if (ctx != NULL &&
	    (st = gptoss_context_new(*m, &p, ctx, &msg)) != GPTOSS_OK)
		return status_exit(e, st, msg);
	return EXIT_OK;
}

static int
get_tokens(const struct cmd_entry *e, const struct eng_opts *o, uint32_t **toks,
    size_t *n)
{
	if (o->tokens_arg == NULL)
		return cmd_usage_error(e, "needs --tokens ID,ID,...");
	if (parse_tokens(o->tokens_arg, toks, n) != 0)
		return cmd_usage_error(e,
		    "--tokens must be comma-separated "
		    "ids, e.g. 1,2,3");
	return EXIT_OK;
}

/* 'model info DIR': architecture, sizes, bytes per token, backend. */
static int
cmd_model_engine_info(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_model_info_entry;
	struct gptoss_model *m = NULL;
	struct gptoss_model_info in;
	struct eng_opts o;
	int rc;

	if (parse_opts(ctx, e, argc, argv, &o, &rc) != 0)
		return rc;
	if ((rc = open_model(e, &o, &m, NULL)) != EXIT_OK)
		goto cleanup;
	gptoss_model_get_info(m, &in);
	printf("architecture:     %s\n", in.architecture);
	printf("layers:           %u (%u sliding, window %u)\n", in.num_layers,
	    in.num_sliding_layers, in.sliding_window);
	printf("hidden / expert:  %u / %u\n", in.hidden_size,
	    in.intermediate_size);
	printf("heads:            %u query, %u kv, head_dim %u\n", in.num_heads,
	    in.num_kv_heads, in.head_dim);
	printf("experts:          %u, %u per token\n", in.num_experts,
	    in.experts_per_token);
	printf("vocabulary:       %u\n", in.vocab_size);
	printf("max positions:    %u\n", in.max_position_embeddings);
	printf("parameters:       %.3f B total, %.3f B active per token\n",
	    in.params_total / 1e9, in.params_active / 1e9);
	printf("weight bytes:     %llu in the shards\n",
	    (unsigned long long)in.bytes_total);
	printf("bytes per token:  %llu read per decode step (weights)\n",
	    (unsigned long long)in.bytes_per_token);
	printf("backend:          %s\n", in.backend);
	printf("fast precision:   %s\n", in.fast_kernels);
cleanup:
	gptoss_model_free(m);
	return rc;
}

struct gen_print {
	int json;
	int quiet; /* --prompt: the text is printed at the end */
	uint32_t count;
};

static int
print_token(uint32_t token, void *user)
{
	struct gen_print *g = user;

	if (!g->json && !g->quiet) {
		printf("%s%u", g->count++ ? "," : "", token);
		fflush(stdout);
	}
	return 0;
}

/* --prompt TEXT: the ids of TEXT (special-token text allowed) with the
 * tokenizer in the model directory; *TOK_OUT is kept for the decoding. */
static int
prompt_tokens(const struct cmd_entry *e, const struct eng_opts *o,
    struct gptoss_tokenizer **tok_out, uint32_t **toks, size_t *n)
{
	enum gptoss_status st;
	char *cause = NULL;

	if (cmd_model_tokenizer_load(o->model, tok_out, &cause) != 0) {
		fprintf(stderr, "stockagent %s: %s\n", e->name, cause);
		free(cause);
		return EXIT_MODEL;
	}
	if ((st = gptoss_tokenizer_encode(*tok_out, o->prompt_arg,
		 strlen(o->prompt_arg), GPTOSS_ENCODE_ALLOW_SPECIAL, toks,
		 n)) != GPTOSS_OK)
		return status_exit(e, st, NULL);
	if (*n == 0)
		return cmd_usage_error(e, "--prompt is empty");
	return EXIT_OK;
}

/* The text of the generated ids; an id the tokenizer lacks shows as
 * <|id:N|>. */
static char *
generated_text(const struct gptoss_tokenizer *tok, const uint32_t *ids,
    uint32_t n)
{
	struct buf b;
	char *text = NULL, *cause = NULL;
	uint32_t i;

	if (cmd_model_decode(tok, ids, n, &text, NULL, &cause) == 0)
		return text;
	free(cause);
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		cause = NULL;
		if (cmd_model_decode(tok, &ids[i], 1, &text, NULL, &cause) ==
		    0) {
			buf_printf(&b, "%s", text);
			free(text);
		} else {
			buf_printf(&b, "<|id:%u|>", ids[i]);
			free(cause);
		}
	}
	if (b.data == NULL)
		buf_printf(&b, "%s", "");
	return buf_take(&b);
}

static void
print_json_string(const char *s)
{
	cJSON *v = cJSON_CreateString(s);
	char *text = cJSON_PrintUnformatted(v);

	printf("%s", text);
	free(text);
	cJSON_Delete(v);
}

/* 'model generate --model local:DIR --tokens ...': the generated ids. */
static int
cmd_model_engine_generate(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_model_generate_entry;
	struct gptoss_model *m = NULL;
	struct gptoss_context *c = NULL;
	struct gptoss_sampler *s = NULL;
	struct gptoss_tokenizer *tok = NULL;
	struct gptoss_model_info in;
	struct gen_print gp = { 0 };
	struct eng_opts o;
	uint32_t *toks = NULL, *out = NULL, nout = 0, i, j;
	size_t n = 0;
	enum gptoss_status st;
	char *msg = NULL, *text = NULL;
	int rc, stopped = 0;

	if (parse_opts(ctx, e, argc, argv, &o, &rc) != 0)
		return rc;
	if (o.prompt_arg != NULL && o.tokens_arg != NULL) {
		rc = cmd_usage_error(e, "give --tokens or --prompt, not both");
		goto cleanup;
	}
	if ((rc = o.prompt_arg != NULL ?
		    prompt_tokens(e, &o, &tok, &toks, &n) :
		    get_tokens(e, &o, &toks, &n)) != EXIT_OK ||
	    (rc = open_model(e, &o, &m, &c)) != EXIT_OK)
		goto cleanup;
	gptoss_model_get_info(m, &in);
	st = gptoss_sampler_new(
	    &(struct gptoss_sampler_params){ .temperature = o.temperature,
		.top_k = o.top_k,
		.top_p = o.top_p,
		.seed = o.seed },
	    in.vocab_size, &s);
	if (st != GPTOSS_OK) {
		rc = status_exit(e, st, NULL);
		goto cleanup;
	}
	out = xcalloc(o.max_tokens, sizeof *out);
	gp.json = o.json;
	gp.quiet = tok != NULL;
	st = gptoss_generate(c, s, toks, n, o.max_tokens, print_token, &gp, out,
	    &nout, &msg);
	if (st != GPTOSS_OK) {
		if (gp.count)
			printf("\n");
		rc = status_exit(e, st, msg);
		goto cleanup;
	}
	for (i = 0; nout && i < in.num_stop_tokens; i++)
		stopped |= out[nout - 1] == in.stop_tokens[i];
	if (tok != NULL)
		text = generated_text(tok, out, nout);
	if (o.json) {
		printf("{\"prompt_tokens\": %zu, \"tokens\": [", n);
		for (j = 0; j < nout; j++)
			printf("%s%u", j ? ", " : "", out[j]);
		printf("], ");
		if (text != NULL) {
			printf("\"text\": ");
			print_json_string(text);
			printf(", ");
		}
		printf("\"stop\": %s}\n", stopped ? "true" : "false");
	} else {
		printf("%s\n", text != NULL ? text : "");
	}
cleanup:
	free(text);
	gptoss_tokenizer_free(tok);
	free(toks);
	free(out);
	gptoss_sampler_free(s);
	gptoss_context_free(c);
	gptoss_model_free(m);
	return rc;
}

/* 'model logits': JSON logits of the last (or every) position. */
static int
cmd_model_engine_logits(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_model_logits_entry;
	struct gptoss_model *m = NULL;
	struct gptoss_context *c = NULL;
	struct gptoss_model_info in;
	struct eng_opts o;
	uint32_t *toks = NULL;
	float *all = NULL;
	const float *row;
	size_t n = 0, p, first, v;
	enum gptoss_status st;
	char *msg = NULL;
	int rc;

	if (parse_opts(ctx, e, argc, argv, &o, &rc) != 0)
		return rc;
	if ((rc = get_tokens(e, &o, &toks, &n)) != EXIT_OK ||
	    (rc = open_model(e, &o, &m, &c)) != EXIT_OK)
		goto cleanup;
	gptoss_model_get_info(m, &in);
	if (o.all_positions) {
		if (n > gptoss_context_length(c))
			n = gptoss_context_length(c) + 1; /* fails below */
		all = xcalloc(n * in.vocab_size, sizeof *all);
	}
	if ((st = gptoss_context_append(c, toks, n, all, &msg)) != GPTOSS_OK) {
		rc = status_exit(e, st, msg);
		goto cleanup;
	}
	first = o.all_positions ? 0 : n - 1;
	printf("{\"vocab\": %u, \"positions\": [", in.vocab_size);
	for (p = first; p < n; p++)
		printf("%s%zu", p > first ? ", " : "", p);
	printf("], \"logits\": [");
	for (p = first; p < n; p++) {
		row = all ? all + p * in.vocab_size : gptoss_context_logits(c);
		printf("%s[", p > first ? ", " : "");
		for (v = 0; v < in.vocab_size; v++)
			printf("%s%.9g", v ? ", " : "", row[v]);
		printf("]");
	}
	printf("]}\n");
cleanup:
	free(toks);
	free(all);
	gptoss_context_free(c);
	gptoss_model_free(m);
	return rc;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct copy_arg {
	char *dst;
	const char *src;
	size_t len;
};

static void *
copy_worker(void *v)
{
	struct copy_arg *a = v;

	memcpy(a->dst, a->src, a->len);
	return NULL;
}

/* Copy bandwidth (bytes read + written per second) on NT threads, the best
 * of a few runs over 512 MiB buffers. */
static double
copy_bandwidth(uint32_t nt)
{
	size_t len = (size_t)512 << 20, chunk = len / nt;
	char *src = xmalloc(len), *dst = xmalloc(len);
	pthread_t th[256];
	struct copy_arg a[256];
	int started[256];
	double best = 0, t0, dt;
	uint32_t i, r;

	memset(src, 1, len);
	memset(dst, 2, len);
	for (r = 0; r < 5; r++) {
		t0 = now();
		for (i = 0; i < nt; i++) {
			a[i] = (struct copy_arg){ dst + i * chunk,
				src + i * chunk, chunk };
			started[i] = i > 0 &&
			    pthread_create(&th[i], NULL, copy_worker, &a[i]) ==
				0;
			if (i > 0 && !started[i])
				copy_worker(&a[i]);
		}
		copy_worker(&a[0]);
		for (i = 1; i < nt; i++)
			if (started[i])
				pthread_join(th[i], NULL);
		dt = now() - t0;
		if (2.0 * chunk * nt / dt > best)
			best = 2.0 * chunk * nt / dt;
	}
	free(src);
	free(dst);
	return best;
}

/* Resident and peak resident memory of this process, in bytes (0 where
 * /proc does not say). */
static void
resident(double *rss, double *peak)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb;

	*rss = *peak = 0;
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
			*rss = kb * 1024;
		if (sscanf(line, "VmHWM: %lf kB", &kb) == 1)
			*peak = kb * 1024;
	}
	if (f != NULL)
		fclose(f);
}

/* --chat N: a second call of a conversation, N new tokens after what the
 * cache holds, timed to its first token (its logits), then the same
 * conversation from an empty cache. */
static enum gptoss_status
bench_chat(struct gptoss_context *c, const struct eng_opts *o,
    const uint32_t *toks, uint32_t vocab, char **msg)
{
	uint32_t held = gptoss_context_num_tokens(c), i, n = o->bench_chat;
	uint32_t *all = xcalloc((size_t)held + n, sizeof *all);
	enum gptoss_status st;
	double t0, warm, cold;

	/* What the cache holds: the prompt, then the decoded ids. */
	for (i = 0; i < held; i++)
		all[i] = i < o->bench_prompt ?
		    toks[i] :
		    toks[(i - o->bench_prompt) % o->bench_prompt];
	for (i = 0; i < n; i++)
		all[held + i] = (i * 104729u + 7) % vocab;
	t0 = now();
	if ((st = gptoss_context_append(c, all + held, n, NULL, msg)) !=
	    GPTOSS_OK)
		goto out;
	warm = now() - t0;
	gptoss_context_reset(c);
	t0 = now();
	if ((st = gptoss_context_append(c, all, (size_t)held + n, NULL, msg)) !=
	    GPTOSS_OK)
		goto out;
	cold = now() - t0;
	printf("second call:      %.0f ms to the first token (%u new "
	       "tokens after %u cached); %.0f ms from an empty cache\n",
	    warm * 1e3, n, held, cold * 1e3);
out:
	free(all);
	return st;
}

/* 'model bench': prefill and decode speed against the bandwidth floor. */
static int
cmd_model_engine_bench(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_model_bench_entry;
	struct gptoss_model *m = NULL;
	struct gptoss_context *c = NULL;
	struct gptoss_model_info in;
	struct eng_opts o;
	uint32_t *toks = NULL, i, nt;
	enum gptoss_status st = GPTOSS_OK;
	char *msg = NULL;
	double t0, pre = 0, dec = 0, bw = 0, v, floor_tps, load, rss, peak;
	uint32_t r;
	int rc;

	if (parse_opts(ctx, e, argc, argv, &o, &rc) != 0)
		return rc;
	if (o.context == 0)
		o.context = o.bench_prompt + o.bench_decode + o.bench_chat + 1;
	t0 = now();
	if ((rc = open_model(e, &o, &m, &c)) != EXIT_OK)
		goto cleanup;
	gptoss_model_get_info(m, &in);
	toks = xcalloc(o.bench_prompt, sizeof *toks);
	for (i = 0; i < o.bench_prompt; i++)
		toks[i] = (i * 7919u + 13) % in.vocab_size;
	/* Warm the page cache and the pool before timing. */
	if ((st = gptoss_context_append(c, toks, 1, NULL, &msg)) != GPTOSS_OK)
		goto fail;
	load = now() - t0;
	resident(&rss, &peak); /* before the bandwidth test's buffers */
	nt = o.threads;
	if (nt == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nt = ncpu > 0 && ncpu <= 256 ? (uint32_t)ncpu : 1;
	}
	/* Best of a few rounds: the machine may be shared. */
	for (r = 0; r < o.bench_rounds; r++) {
		gptoss_context_reset(c);
		t0 = now();
		if ((st = gptoss_context_append(c, toks, o.bench_prompt, NULL,
			 &msg)) != GPTOSS_OK)
			goto fail;
		v = o.bench_prompt / (now() - t0);
		pre = v > pre ? v : pre;
		t0 = now();
		for (i = 0; i < o.bench_decode; i++)
			if ((st = gptoss_context_append(c,
				 &toks[i % o.bench_prompt], 1, NULL, &msg)) !=
			    GPTOSS_OK)
				goto fail;
		v = o.bench_decode / (now() - t0);
		dec = v > dec ? v : dec;
		v = copy_bandwidth(nt);
		bw = v > bw ? v : bw;
	}
	floor_tps = bw / in.bytes_per_token;
	printf("precision:        %s\n",
	    o.precision == GPTOSS_PRECISION_FAST ? "fast" : "exact");
	printf("threads:          %u (best of %u rounds)\n", nt,
	    o.bench_rounds);
	printf("load:             %.1f s to the first token\n", load);
	printf("resident memory:  %.2f GiB after load, peak %.2f GiB\n",
	    rss / 1073741824.0, peak / 1073741824.0);
	printf("prefill:          %.2f tokens/s (%u tokens)\n", pre,
	    o.bench_prompt);
	printf("decode:           %.2f tokens/s (%u tokens)\n", dec,
	    o.bench_decode);
	printf("prefill/decode:   %.2fx per token\n", pre / dec);
	printf("bytes per token:  %llu\n",
	    (unsigned long long)in.bytes_per_token);
	printf("copy bandwidth:   %.2f GB/s (read + write)\n", bw / 1e9);
	printf("bandwidth floor:  %.2f tokens/s\n", floor_tps);
	printf("decode / floor:   %.1f%%\n", 100.0 * dec / floor_tps);
	if (o.bench_chat > 0 &&
	    (st = bench_chat(c, &o, toks, in.vocab_size, &msg)) != GPTOSS_OK)
		goto fail;
	goto cleanup;
fail:
	rc = status_exit(e, st, msg);
cleanup:
	free(toks);
	gptoss_context_free(c);
	gptoss_model_free(m);
	return rc;
}

#define COMMON_HELP                                                            \
	"  --precision fast|exact  fast: 8-bit activations for the experts,\n" \
	"                     bf16, a float16 KV cache (default, but exact\n"  \
	"                     for logits); exact: float32 throughout\n"        \
	"  --threads N        worker threads (default: online CPUs)\n"         \
	"  --context N        context length in tokens (default 4096)\n"       \
	"  --batch N          prefill batch (default 256)\n"

static const struct cmd_arg info_args[] = {
	{ NULL, CMD_VALUE_DIR, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const char *const generate_formats[] = { "text", "json", NULL };

static const struct cmd_arg generate_args[] = {
	{ "format", CMD_VALUE_WORDS, generate_formats },
	{ NULL, CMD_VALUE_NONE, NULL },
};

const struct cmd_entry cmd_model_info_entry = {
	.name = "model info",
	.usage = "DIR",
	.summary = "show a local gpt-oss model's architecture and sizes",
	.help = "  DIR                a Hugging Face gpt-oss directory\n",
	.exec = cmd_model_engine_info,
	.options = long_opts,
	.args = info_args,
};

const struct cmd_entry cmd_model_generate_entry = {
	.name = "model generate",
	.usage = "--model local:DIR --tokens 1,2,3 | --prompt TEXT [OPTIONS]",
	.summary = "generate token ids with a local gpt-oss model",
	.help = "  --model local:DIR  the model directory\n"
		"  --tokens IDS       prompt token ids, comma-separated\n"
		"  --prompt TEXT      prompt text, encoded with DIR's "
		"tokenizer\n"
		"                     (<|start|> and the like are the special\n"
		"                     tokens); prints the generated text\n"
		"  --max-tokens N     most tokens to generate (default 64)\n"
		"  --temperature T    0 (default) is greedy\n"
		"  --top-p P, --top-k K, --seed S\n"
		"  --format text|json ids on one line, or a JSON "
		"object\n" COMMON_HELP,
	.exec = cmd_model_engine_generate,
	.options = long_opts,
	.args = generate_args,
};

const struct cmd_entry cmd_model_logits_entry = {
	.name = "model logits",
	.usage = "--model local:DIR --tokens 1,2,3 [--all-positions]",
	.summary = "print a local gpt-oss model's logits as JSON",
	.help = "  --model local:DIR  the model directory\n"
		"  --tokens IDS       token ids, comma-separated\n"
		"  --all-positions    every position, not only the "
		"last\n" COMMON_HELP,
	.exec = cmd_model_engine_logits,
	.options = long_opts,
};

const struct cmd_entry cmd_model_bench_entry = {
	.name = "model bench",
	.usage = "--model local:DIR [--prompt-tokens N] [--decode-tokens N] "
		 "[--chat N]",
	.summary = "measure prefill and decode speed against memory bandwidth",
	.help =
	    "  --model local:DIR  the model directory\n"
	    "  --prompt-tokens N  prefill length (default 128)\n"
	    "  --decode-tokens N  decode steps (default 16)\n"
	    "  --rounds N         best of N rounds (default 3)\n"
	    "  --chat N           then a second call of N new tokens on\n"
	    "                     the kept KV cache: time to its first\n"
	    "                     token, and from an empty cache\n" COMMON_HELP,
	.exec = cmd_model_engine_bench,
	.options = long_opts,
};
