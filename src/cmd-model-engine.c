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
	enum gptoss_device device; /* --device, or local:DIR?device= */
	const char *contexts;	   /* bench --contexts */
	uint32_t sequences;	   /* bench --sequences */
	char *model_dir;	   /* the model without its ?options */
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
	OPT_CHAT,
	OPT_DEVICE,
	OPT_CONTEXTS,
	OPT_SEQUENCES
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
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "contexts", required_argument, NULL, OPT_CONTEXTS },
	{ "sequences", required_argument, NULL, OPT_SEQUENCES },
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
	o->sequences = 1;
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
		case OPT_DEVICE:
			if (gptoss_device_parse(a, &o->device) != 0)
				goto bad;
			break;
		case OPT_CONTEXTS:
			o->contexts = a;
			break;
		case OPT_SEQUENCES:
			if (parse_u32(a, 1, 64, &o->sequences))
				goto bad;
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
	/* local:DIR?device=cpu|cuda|auto (the one URI option here). */
	if (strchr(o->model, '?') != NULL) {
		const char *q = strchr(o->model, '?');
		if (strncmp(q, "?device=", 8) != 0 ||
		    gptoss_device_parse(q + 8, &o->device) != 0) {
			cmd_usage_error(e,
			    "bad option '%s' in the model: "
			    "use local:DIR or local:DIR?device=cpu|cuda|auto",
			    q + 1);
			return -1;
		}
		o->model_dir = xstrndup(o->model, (size_t)(q - o->model));
		o->model = o->model_dir;
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
	case GPTOSS_ERR_DEVICE:
		return EXIT_DEVICE;
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
		.precision = (uint32_t)o->precision,
		.device = o->device };
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
	enum gptoss_device dev;
	enum gptoss_status st;
	char *msg = NULL, *desc = NULL;
	int rc;

	if (parse_opts(ctx, e, argc, argv, &o, &rc) != 0)
		return rc;
	if ((st = gptoss_device_resolve(o.device, &dev, &msg)) != GPTOSS_OK) {
		rc = status_exit(e, st, msg);
		goto cleanup;
	}
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
	desc = gptoss_device_describe(dev);
	printf("device:           %s\n", desc);
cleanup:
	free(desc);
	free(o.model_dir);
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
	free(o.model_dir);
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
	if (!o.all_positions && gptoss_context_logits(c) == NULL) {
		/* Only a device copy can fail here. */
		rc = status_exit(e, GPTOSS_ERR_DEVICE,
		    xstrdup("the logits could not be copied from the device"));
		goto cleanup;
	}
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
	free(o.model_dir);
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
		all[i] = i < o->bench_prompt ? toks[i] :
					       toks[i - o->bench_prompt];
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

#define MAX_CONTEXTS 8

/* "0,4096,32768" -> depths; -1 on a malformed list. */
static int
parse_contexts(const char *s, uint32_t *d, uint32_t *n)
{
	char *end;
	unsigned long v;

	*n = 0;
	while (*s != '\0') {
		errno = 0;
		if (*s < '0' || *s > '9' || *n == MAX_CONTEXTS)
			return -1;
		v = strtoul(s, &end, 10);
		if (errno || v > (1ul << 20))
			return -1;
		d[(*n)++] = (uint32_t)v;
		s = *end == ',' && end[1] != '\0' ? end + 1 : end;
		if (*s != '\0' && (*end != ',' || s == end))
			return -1;
	}
	return *n > 0 ? 0 : -1;
}

/* KV cache bytes a decode step at depth D reads (K and V of every
 * layer's visible keys), at ELEM bytes a value. */
static double
kv_read_bytes(const struct gptoss_model_info *in, uint32_t d, double elem)
{
	double full = in->num_layers - in->num_sliding_layers;
	double win = d < in->sliding_window ? d : in->sliding_window;

	return (full * d + in->num_sliding_layers * win) * 2.0 *
	    in->num_kv_heads * in->head_dim * elem;
}

/* Prefill of N tokens then DECODE single steps from a reset context;
 * the rates to *PRE and *DEC. */
static enum gptoss_status
bench_round(struct gptoss_context *c, const uint32_t *toks, uint32_t n,
    uint32_t decode, double *pre, double *dec, char **msg)
{
	enum gptoss_status st;
	double t0;
	uint32_t i;

	gptoss_context_reset(c);
	t0 = now();
	if ((st = gptoss_context_append(c, toks, n, NULL, msg)) != GPTOSS_OK)
		return st;
	*pre = n / (now() - t0);
	t0 = now();
	for (i = 0; i < decode; i++)
		if ((st = gptoss_context_append(c, &toks[i], 1, NULL, msg)) !=
		    GPTOSS_OK)
			return st;
	*dec = decode / (now() - t0);
	return GPTOSS_OK;
}

/* NS contexts (XS) each prefilled with N tokens, then DECODE steps of
 * one token each, all of them in one batched append; tokens/s to *DEC. */
static enum gptoss_status
bench_batch(struct gptoss_context **xs, uint32_t ns, const uint32_t *toks,
    uint32_t n, uint32_t decode, double *dec, char **msg)
{
	enum gptoss_status st;
	uint32_t i, step, next[64];
	double t0;

	for (i = 0; i < ns; i++) {
		gptoss_context_reset(xs[i]);
		if ((st = gptoss_context_append(xs[i], toks, n, NULL, msg)) !=
		    GPTOSS_OK)
			return st;
	}
	t0 = now();
	for (step = 0; step < decode; step++) {
		for (i = 0; i < ns; i++)
			next[i] = toks[(step + 7 * i) % n];
		if ((st = gptoss_context_append_batch(xs, next, ns, msg)) !=
		    GPTOSS_OK)
			return st;
	}
	*dec = (double)ns * decode / (now() - t0);
	return GPTOSS_OK;
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
	uint32_t *toks = NULL, i, nt, depth[MAX_CONTEXTS], nd = 1, maxd = 0;
	uint32_t ntok, r, rounds, len;
	enum gptoss_status st = GPTOSS_OK;
	enum gptoss_device dev;
	char *msg = NULL, *desc = NULL;
	double t0, pre, dec, bpre, bdec, bw = 0, v, floor_tps, elem, bytes;
	double pre0 = 0, dec0 = 0, bdec8 = 0, load, rss, peak;
	struct gptoss_context *xs[64] = { NULL };
	uint32_t ns = 0;
	int rc;

	if (parse_opts(ctx, e, argc, argv, &o, &rc) != 0)
		return rc;
	depth[0] = 0;
	if (o.contexts != NULL && parse_contexts(o.contexts, depth, &nd) != 0) {
		rc = cmd_usage_error(e,
		    "--contexts must be up to %d depths in "
		    "tokens, comma-separated, e.g. 0,4096,32768",
		    MAX_CONTEXTS);
		goto cleanup;
	}
	for (i = 0; i < nd; i++)
		maxd = depth[i] > maxd ? depth[i] : maxd;
	if (o.context == 0)
		o.context = maxd + o.bench_prompt + o.bench_decode +
		    o.bench_chat + 1;
	t0 = now();
	if ((rc = open_model(e, &o, &m, &c)) != EXIT_OK)
		goto cleanup;
	gptoss_model_get_info(m, &in);
	dev = gptoss_context_device(c);
	ntok = (maxd > o.bench_prompt ? maxd : o.bench_prompt) + o.bench_decode;
	toks = xcalloc(ntok, sizeof *toks);
	for (i = 0; i < ntok; i++)
		toks[i] = (i * 7919u + 13) % in.vocab_size;
	/* Warm the page cache, the pool or the device before timing. */
	if ((st = gptoss_context_append(c, toks, 1, NULL, &msg)) != GPTOSS_OK)
		goto fail;
	load = now() - t0;
	resident(&rss, &peak); /* before the bandwidth test's buffers */
	nt = o.threads;
	if (nt == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nt = ncpu > 0 && ncpu <= 256 ? (uint32_t)ncpu : 1;
	}
	desc = gptoss_device_describe(dev);
	printf("device:           %s\n", desc);
	printf("precision:        %s\n",
	    o.precision == GPTOSS_PRECISION_FAST && dev == GPTOSS_DEVICE_CPU ?
		"fast" :
		"exact");
	printf("load:             %.1f s to the first token\n", load);
	printf("resident memory:  %.2f GiB after load, peak %.2f GiB\n",
	    rss / 1073741824.0, peak / 1073741824.0);
	if (dev == GPTOSS_DEVICE_CUDA) {
		if ((st = gptoss_device_copy_bandwidth(&bw, &msg)) != GPTOSS_OK)
			goto fail;
		printf("copy bandwidth:   %.2f GB/s (device to device, read + "
		       "write)\n",
		    bw / 1e9);
		/* The device's cache: float, or fp16 (GPTOSS_CUDA_KV=f16). */
		elem = getenv("GPTOSS_CUDA_KV") != NULL &&
			strcmp(getenv("GPTOSS_CUDA_KV"), "f16") == 0 ?
		    2 :
		    4;
	} else {
		printf("threads:          %u (best of %u rounds)\n", nt,
		    o.bench_rounds);
		elem = o.precision == GPTOSS_PRECISION_FAST ? 2 : 4;
	}
	printf("bytes per token:  %llu (weights; the KV cache adds its "
	       "reads below)\n",
	    (unsigned long long)in.bytes_per_token);
	for (i = 0; i < nd; i++) {
		/* Best of a few rounds: the machine may be shared. */
		rounds = depth[i] <= o.bench_prompt ? o.bench_rounds : 1;
		len = depth[i] > 0 ? depth[i] : o.bench_prompt;
		bpre = bdec = 0;
		for (r = 0; r < rounds; r++) {
			if ((st = bench_round(c, toks, len, o.bench_decode,
				 &pre, &dec, &msg)) != GPTOSS_OK)
				goto fail;
			bpre = pre > bpre ? pre : bpre;
			bdec = dec > bdec ? dec : bdec;
			if (dev != GPTOSS_DEVICE_CUDA) {
				v = copy_bandwidth(nt);
				bw = v > bw ? v : bw;
			}
		}
		if (i == 0) {
			pre0 = bpre;
			dec0 = bdec;
		}
		bytes = in.bytes_per_token + kv_read_bytes(&in, len, elem);
		if (o.sequences > 1) {
			/* Batched decode: more contexts like C. */
			struct gptoss_context_params cp = {
				.context_length = o.context,
				.num_threads = o.threads,
				.batch_size = o.batch,
				.precision = (uint32_t)o.precision,
				.device = o.device
			};
			for (xs[0] = c, ns = ns ? ns : 1; ns < o.sequences;
			     ns++)
				if ((st = gptoss_context_new(m, &cp, &xs[ns],
					 &msg)) != GPTOSS_OK)
					goto fail;
			if ((st = bench_batch(xs, ns, toks, len, o.bench_decode,
				 &bdec8, &msg)) != GPTOSS_OK)
				goto fail;
		}
		printf(
		    "context %7u:  prefill %.1f tokens/s (%u tokens), decode "
		    "%.2f tokens/s (batch 1, %u steps), %.0f bytes/token, "
		    "%.1f%% of the floor\n",
		    len, bpre, len, bdec, o.bench_decode, bytes,
		    100.0 * bdec / (bw / bytes));
		if (o.sequences > 1)
			printf("context %7u:  decode %.2f tokens/s at batch %u "
			       "(%u sequences decoded together, %.2fx batch "
			       "1)\n",
			    len, bdec8, ns, ns, bdec8 / bdec);
	}
	floor_tps = bw / in.bytes_per_token;
	printf("prefill:          %.2f tokens/s (%u tokens)\n", pre0,
	    depth[0] > 0 ? depth[0] : o.bench_prompt);
	printf("decode:           %.2f tokens/s (%u tokens)\n", dec0,
	    o.bench_decode);
	printf("prefill/decode:   %.2fx per token\n", pre0 / dec0);
	if (dev != GPTOSS_DEVICE_CUDA)
		printf("copy bandwidth:   %.2f GB/s (read + write)\n",
		    bw / 1e9);
	printf("bandwidth floor:  %.2f tokens/s (weights only)\n", floor_tps);
	printf("decode / floor:   %.1f%%\n", 100.0 * dec0 / floor_tps);
	if (o.bench_chat > 0) {
		/* From a known cache: the prompt and its decode. */
		if ((st = bench_round(c, toks, o.bench_prompt, o.bench_decode,
			 &pre, &dec, &msg)) != GPTOSS_OK ||
		    (st = bench_chat(c, &o, toks, in.vocab_size, &msg)) !=
			GPTOSS_OK)
			goto fail;
	}
	goto cleanup;
fail:
	rc = status_exit(e, st, msg);
cleanup:
	for (i = 1; i < ns; i++)
		gptoss_context_free(xs[i]);
	free(desc);
	free(toks);
	free(o.model_dir);
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
	"  --batch N          prefill batch (default 256)\n"                   \
	"  --device D         cpu (default), cuda or auto (cuda when a\n"      \
	"                     device is present); also local:DIR?device=D\n"

static const char *const devices[] = { "cpu", "cuda", "auto", NULL };

static const struct cmd_arg info_args[] = {
	{ NULL, CMD_VALUE_DIR, NULL },
	{ "device", CMD_VALUE_WORDS, devices },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_arg device_args[] = {
	{ "device", CMD_VALUE_WORDS, devices },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const char *const generate_formats[] = { "text", "json", NULL };

static const struct cmd_arg generate_args[] = {
	{ "format", CMD_VALUE_WORDS, generate_formats },
	{ "device", CMD_VALUE_WORDS, devices },
	{ NULL, CMD_VALUE_NONE, NULL },
};

const struct cmd_entry cmd_model_info_entry = {
	.name = "model info",
	.usage = "DIR [--device cpu|cuda|auto]",
	.summary = "show a local gpt-oss model's architecture and sizes",
	.help = "  DIR                a Hugging Face gpt-oss directory\n"
		"  --device D         the device to describe: cpu (default), "
		"cuda\n"
		"                     or auto\n",
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
	.args = device_args,
};

const struct cmd_entry cmd_model_bench_entry = {
	.name = "model bench",
	.usage = "--model local:DIR [--prompt-tokens N] [--decode-tokens N] "
		 "[--chat N] [--contexts LIST] [--sequences N]",
	.summary = "measure prefill and decode speed against memory bandwidth",
	.help = "  --model local:DIR  the model directory\n"
		"  --prompt-tokens N  prefill length (default 128)\n"
		"  --decode-tokens N  decode steps (default 16)\n"
		"  --rounds N         best of N rounds (default 3)\n"
		"  --chat N           then a second call of N new tokens on\n"
		"                     the kept KV cache: time to its first\n"
		"                     token, and from an empty cache\n"
		"  --contexts LIST    depths to decode at, e.g. 0,4096,32768\n"
		"                     (default 0: after the prompt)\n"
		"  --sequences N      also decode N sequences together\n"
		"                     (batched)\n" COMMON_HELP,
	.exec = cmd_model_engine_bench,
	.options = long_opts,
	.args = device_args,
};
