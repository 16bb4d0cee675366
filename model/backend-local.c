/*
 * backend-local.c: gpt-oss run in process by the engine (model/gptoss).
 *
 *   local:DIR[?threads=N&context=N&max_tokens=N&reasoning=low|medium|high
 *             &precision=fast|exact&device=cpu|cuda|auto]
 *
 * DIR is a Hugging Face gpt-oss directory (config.json, shards,
 * generation_config.json) with its tokenizer.json. The model is mmapped
 * and the tokenizer loaded once, at open. Each chat renders the request
 * as harmony (local-map.c), generates until <|return|>, <|call|> or a
 * stop id of generation_config.json, and parses the output back into
 * content, reasoning and tool calls. The KV cache is kept between chats
 * and reused when the new prompt extends what it holds token for token.
 * Chats on one model are serialised (one context).
 *
 * Settings, most specific first: the request's, the run's (--max-tokens,
 * --reasoning, --temperature, --seed, the config file), the URI's, then
 * generation_config.json's sampling (temperature, top_p, top_k; greedy
 * when do_sample is false) and the defaults: reasoning medium, context
 * 8192 (at most the model's positions), max_tokens what is left of it,
 * precision fast (the run's precision setting wins over the URI's).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/xmalloc.h"
#include "model/gptoss/gptoss.h"
#include "model/gptoss/tokenizer.h"
#include "model/local-map.h"
#include "model/model-int.h"

#define LOCAL_DEFAULT_CONTEXT 8192u
#define LOCAL_MAX_CONTEXT (1u << 20)
#define LOCAL_MAX_GENCONFIG ((size_t)1 << 20)

struct local_state {
	char *dir;
	struct gptoss_model *model;
	struct gptoss_context *ctx;
	struct gptoss_tokenizer *tok;
	struct gptoss_model_info info;
	struct model_params uri;      /* ?max_tokens, ?reasoning */
	int uri_precision;	      /* ?precision was given */
	struct model_params defaults; /* the run's, from model_open */
	float temperature, top_p;     /* generation_config.json */
	uint32_t top_k;
	uint32_t *cache; /* [n_cache] ids in the KV cache */
	size_t n_cache;
	pthread_mutex_t lock; /* one chat at a time */
};

static const char *const local_efforts[] = { "low", "medium", "high" };

static int
local_uint(const char *key, const char *v, unsigned long lo, unsigned long hi,
    unsigned long *out, char **cause)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || *v == '-' || n < lo ||
	    n > hi) {
		*cause = xasprintf("model 'local:': invalid %s '%s': use a "
				   "whole number from %lu to %lu",
		    key, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

/* GPTOSS_PRECISION_* of "fast" or "exact"; -1 with *cause otherwise. */
static int
local_precision(const char *v, char **cause)
{
	if (strcmp(v, "fast") == 0)
		return GPTOSS_PRECISION_FAST;
	if (strcmp(v, "exact") == 0)
		return GPTOSS_PRECISION_EXACT;
	*cause = xasprintf("model 'local:': invalid precision '%s': use fast "
			   "or exact",
	    v);
	return -1;
}

/* One "key=value" option of the URI into ST / *CP. */
static int
local_option(struct local_state *st, struct gptoss_context_params *cp,
    const char *key, const char *v, char **cause)
{
	unsigned long n;
	size_t i;
	int prec;

	if (strcmp(key, "threads") == 0) {
		if (local_uint(key, v, 1, 1024, &n, cause) != 0)
			return -1;
		cp->num_threads = (uint32_t)n;
	} else if (strcmp(key, "context") == 0) {
		if (local_uint(key, v, 16, LOCAL_MAX_CONTEXT, &n, cause) != 0)
			return -1;
		cp->context_length = (uint32_t)n;
	} else if (strcmp(key, "max_tokens") == 0) {
		if (local_uint(key, v, 1, LOCAL_MAX_CONTEXT, &n, cause) != 0)
			return -1;
		st->uri.max_tokens = (int)n;
	} else if (strcmp(key, "reasoning") == 0) {
		for (i = 0; i < 3 && strcmp(v, local_efforts[i]) != 0; i++)
			;
		if (i == 3) {
			*cause = xasprintf("model 'local:': invalid reasoning "
					   "'%s': use low, medium or high",
			    v);
			return -1;
		}
		st->uri.reasoning = local_efforts[i];
	} else if (strcmp(key, "precision") == 0) {
		if ((prec = local_precision(v, cause)) < 0)
			return -1;
		cp->precision = (uint32_t)prec;
		st->uri_precision = 1;
	} else if (strcmp(key, "device") == 0) {
		if (gptoss_device_parse(v, &cp->device) != 0) {
			*cause = xasprintf("model 'local:': invalid device "
					   "'%s': use cpu, cuda or auto",
			    v);
			return -1;
		}
	} else {
		*cause = xasprintf("model 'local:': unknown option '%s': use "
				   "threads, context, max_tokens, reasoning, "
				   "precision or device",
		    key);
		return -1;
	}
	return 0;
}

/* Splits REST ("DIR?k=v&k=v") into st->dir and the options. */
static int
local_parse_uri(const char *rest, struct local_state *st,
    struct gptoss_context_params *cp, char **cause)
{
	const char *q;
	char *opts, *pair, *save = NULL, *eq;
	int rc = 0;

	if (rest == NULL || *rest == '\0' || *rest == '?') {
		*cause = xstrdup(
		    "model 'local' needs a model directory: "
		    "write local:DIR, e.g. local:/models/gpt-oss-20b");
		return -1;
	}
	q = strchr(rest, '?');
	st->dir = q != NULL ? xstrndup(rest, (size_t)(q - rest)) :
			      xstrdup(rest);
	if (q == NULL)
		return 0;
	opts = xstrdup(q + 1);
	for (pair = strtok_r(opts, "&", &save); pair != NULL && rc == 0;
	     pair = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(pair, '=')) == NULL || eq[1] == '\0') {
			*cause = xasprintf("model 'local:%s': option '%s' "
					   "needs a value (key=value)",
			    st->dir, pair);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = local_option(st, cp, pair, eq + 1, cause);
	}
	free(opts);
	return rc;
}

/* Sampling defaults from DIR/generation_config.json, where it has them. */
static void
local_generation_config(struct local_state *st)
{
	char *path = xasprintf("%s/generation_config.json", st->dir);
	FILE *f = fopen(path, "rb");
	char *text = xmalloc(LOCAL_MAX_GENCONFIG + 1);
	size_t n = 0;
	cJSON *j = NULL, *v;

	st->temperature = 1.0f;
	st->top_p = 1.0f;
	st->top_k = 0;
	if (f != NULL) {
		n = fread(text, 1, LOCAL_MAX_GENCONFIG, f);
		fclose(f);
		text[n] = '\0';
		j = cJSON_Parse(text);
	}
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "do_sample")))
		st->temperature = 0;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j,
			       "temperature")) &&
	    v->valuedouble >= 0)
		st->temperature = (float)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "top_p")) &&
	    v->valuedouble > 0 && v->valuedouble <= 1)
		st->top_p = (float)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "top_k")) &&
	    v->valuedouble >= 0 && v->valuedouble < 1e9)
		st->top_k = (uint32_t)v->valuedouble;
	cJSON_Delete(j);
	free(text);
	free(path);
}

static void
local_close(void *state)
{
	struct local_state *st = state;

	if (st == NULL)
		return;
	gptoss_context_free(st->ctx);
	gptoss_model_free(st->model);
	local_map_tokenizer_free(st->tok);
	free(st->cache);
	free(st->dir);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* Loads the weights, the tokenizer and a context. */
static int
local_load(struct local_state *st, struct gptoss_context_params *cp,
    char **cause)
{
	enum gptoss_status s;
	char *msg = NULL, *path;
	int rc;

	if ((s = gptoss_model_load(st->dir, &st->model, &msg)) != GPTOSS_OK) {
		*cause = xasprintf("local model '%s': %s", st->dir,
		    msg != NULL ? msg : gptoss_status_str(s));
		free(msg);
		return -1;
	}
	gptoss_model_get_info(st->model, &st->info);
	path = xasprintf("%s/tokenizer.json", st->dir);
	if (access(path, R_OK) != 0) {
		*cause = xasprintf(
		    "local model '%s': %s: %s (the chat needs "
		    "the model's tokenizer.json next to its weights)",
		    st->dir, path, strerror(errno));
		free(path);
		return -1;
	}
	rc = local_map_tokenizer_load(path, &st->tok, &msg);
	free(path);
	if (rc != 0) {
		*cause = xasprintf("local model '%s': %s", st->dir, msg);
		free(msg);
		return -1;
	}
	if (cp->context_length == 0)
		cp->context_length = LOCAL_DEFAULT_CONTEXT <
			st->info.max_position_embeddings ?
		    LOCAL_DEFAULT_CONTEXT :
		    st->info.max_position_embeddings;
	if ((s = gptoss_context_new(st->model, cp, &st->ctx, &msg)) !=
	    GPTOSS_OK) {
		*cause = xasprintf("local model '%s': %s", st->dir,
		    msg != NULL ? msg : gptoss_status_str(s));
		free(msg);
		return s == GPTOSS_ERR_DEVICE ? MODEL_OPEN_DEVICE : -1;
	}
	local_generation_config(st);
	return 0;
}

static int
local_open(const char *rest, const struct model_params *defaults,
    void **state_out, char **cause)
{
	struct local_state *st = xcalloc(1, sizeof *st);
	struct gptoss_context_params cp = { 0, 0, 0, 0, GPTOSS_DEVICE_CPU };
	int prec, rc;

	pthread_mutex_init(&st->lock, NULL);
	st->uri = (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	st->defaults = defaults != NULL ?
	    *defaults :
	    (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	if (local_parse_uri(rest, st, &cp, cause) != 0) {
		local_close(st);
		return MODEL_OPEN_USAGE;
	}
	/* The run's precision, the URI's, else fast. */
	if (st->defaults.precision != NULL) {
		if ((prec = local_precision(st->defaults.precision, cause)) <
		    0) {
			local_close(st);
			return MODEL_OPEN_USAGE;
		}
		cp.precision = (uint32_t)prec;
	} else if (!st->uri_precision)
		cp.precision = GPTOSS_PRECISION_FAST;
	st->defaults.precision = NULL; /* not kept past open */
	log_debug("local model '%s': precision %s", st->dir,
	    cp.precision == GPTOSS_PRECISION_FAST ? "fast" : "exact");
	if ((rc = local_load(st, &cp, cause)) != 0) {
		local_close(st);
		return rc;
	}
	*state_out = st;
	return 0;
}

/* The effective parameters: request, run, URI, generation_config. */
static void
local_params(const struct local_state *st, const struct model_params *req,
    struct model_params *p)
{
	const struct model_params *layers[] = { req, &st->defaults, &st->uri };
	size_t i;

	*p = (struct model_params){ "medium", 0, st->temperature, st->top_p, -1,
		NULL };
	for (i = 3; i-- > 0;) {
		if (layers[i]->reasoning != NULL)
			p->reasoning = layers[i]->reasoning;
		if (layers[i]->max_tokens > 0)
			p->max_tokens = layers[i]->max_tokens;
		if (layers[i]->temperature >= 0)
			p->temperature = layers[i]->temperature;
		if (layers[i]->top_p >= 0)
			p->top_p = layers[i]->top_p;
		if (layers[i]->seed >= 0)
			p->seed = layers[i]->seed;
	}
}

/* The request rendered as harmony prompt ids. */
static int
local_prompt(struct local_state *st, const struct model_request *req,
    const char *reasoning, uint32_t **ids, size_t *n, char **cause)
{
	char date[16];
	cJSON *conv;
	int rc;

	if ((conv = local_map_conversation(req, reasoning,
		 local_map_date(req->date, date), cause)) == NULL)
		return -1;
	rc = local_map_render(st->tok, conv, ids, n, cause);
	cJSON_Delete(conv);
	return rc;
}

/* How much of IDS the KV cache already holds: all of the cache when the
 * prompt extends it (at least one new token is left to evaluate), else
 * nothing and the cache is emptied. */
static size_t
local_reuse(struct local_state *st, const uint32_t *ids, size_t n)
{
	if (st->n_cache > 0 && st->n_cache < n &&
	    gptoss_context_num_tokens(st->ctx) == st->n_cache &&
	    memcmp(st->cache, ids, st->n_cache * sizeof *ids) == 0)
		return st->n_cache;
	gptoss_context_reset(st->ctx);
	st->n_cache = 0;
	return 0;
}

/* Remembers what the KV cache holds after a generation: the prompt and
 * every generated id but the last (which was never evaluated). */
static void
local_remember(struct local_state *st, const uint32_t *ids, size_t n,
    const uint32_t *out, uint32_t n_out)
{
	size_t total = n + (n_out > 0 ? n_out - 1 : 0);

	free(st->cache);
	st->cache = xcalloc(total + 1, sizeof *st->cache);
	memcpy(st->cache, ids, n * sizeof *ids);
	if (n_out > 1)
		memcpy(st->cache + n, out, (n_out - 1) * sizeof *out);
	st->n_cache = total;
	if (gptoss_context_num_tokens(st->ctx) != total) {
		gptoss_context_reset(st->ctx);
		st->n_cache = 0;
	}
}

struct local_gen {
	const struct local_state *st;
	struct local_parse *lp;
	int ended;	/* the parser saw the end of the turn */
	int model_stop; /* a stop id of generation_config, not harmony's */
	int failed;
};

/* Whether TOKEN is one of the model's own stop ids. */
static int
local_is_stop(const struct local_state *st, uint32_t token)
{
	uint32_t i;

	for (i = 0; i < st->info.num_stop_tokens; i++)
		if (st->info.stop_tokens[i] == token)
			return 1;
	return 0;
}

static int
local_on_token(uint32_t token, void *user)
{
	struct local_gen *g = user;
	int rc;

	if (token != GPTOSS_TOKEN_RETURN && token != GPTOSS_TOKEN_CALL &&
	    local_is_stop(g->st, token)) {
		g->model_stop = 1;
		return 1;
	}
	rc = local_parse_push(g->lp, token);
	g->ended = rc == 1;
	g->failed = rc < 0;
	return rc != 0;
}

static uint64_t
local_seed(long long seed)
{
	struct timespec ts;

	if (seed >= 0)
		return (uint64_t)seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
	    (uint64_t)getpid() << 32;
}

/* Runs the engine over the prompt; fills *OUT / *N_OUT. */
static int
local_generate(struct local_state *st, const struct model_params *p,
    const uint32_t *ids, size_t n, size_t reused, uint32_t max,
    struct local_gen *g, uint32_t *out, uint32_t *n_out, char **cause)
{
	struct gptoss_sampler_params sp = { (float)p->temperature, st->top_k,
		(float)p->top_p, local_seed(p->seed) };
	struct gptoss_sampler *sampler = NULL;
	enum gptoss_status s;
	char *msg = NULL;

	if (sp.top_p <= 0 || sp.top_p > 1)
		sp.top_p = 1;
	if ((s = gptoss_sampler_new(&sp, st->info.vocab_size, &sampler)) ==
	    GPTOSS_OK)
		s = gptoss_generate(st->ctx, sampler, ids + reused, n - reused,
		    max, local_on_token, g, out, n_out, &msg);
	gptoss_sampler_free(sampler);
	if (s != GPTOSS_OK) {
		*cause = xasprintf("local model '%s': %s", st->dir,
		    msg != NULL ? msg : gptoss_status_str(s));
		free(msg);
		gptoss_context_reset(st->ctx);
		st->n_cache = 0;
		return -1;
	}
	local_remember(st, ids, n, out, *n_out);
	return 0;
}

static int
local_chat_locked(struct local_state *st, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	struct model_params p;
	struct local_gen g = { st, NULL, 0, 0, 0 };
	uint32_t *ids = NULL, *out = NULL, n_out = 0, room, max;
	size_t n = 0, reused;
	char *why = NULL, date[16];
	int rc = -1, how;

	local_params(st, &req->params, &p);
	if (local_prompt(st, req, p.reasoning, &ids, &n, &why) != 0)
		goto out;
	room = gptoss_context_length(st->ctx);
	if (n >= room) {
		why = xasprintf(
		    "the prompt is %zu tokens but the context "
		    "holds %u: raise ?context= (up to the model's %u "
		    "positions) or shorten the task",
		    n, room, st->info.max_position_embeddings);
		goto out;
	}
	max = room - (uint32_t)n;
	if (p.max_tokens > 0 && (uint32_t)p.max_tokens < max)
		max = (uint32_t)p.max_tokens;
	reused = local_reuse(st, ids, n);
	out = xcalloc(max, sizeof *out);
	g.lp = local_parse_new(st->tok, req);
	resp->prompt_tokens = (long)n;
	if (local_generate(st, &p, ids, n, reused, max, &g, out, &n_out,
		cause) != 0)
		goto done;
	resp->completion_tokens = n_out;
	log_debug("local model '%s': %zu prompt tokens (%zu reused), %u "
		  "generated, date %s",
	    st->dir, n, reused, n_out, local_map_date(req->date, date));
	how = g.ended	 ? LOCAL_END_TURN :
	    g.model_stop ? LOCAL_END_STOP :
			   LOCAL_END_LENGTH;
	rc = local_parse_finish(g.lp, how, max, resp, &why);
out:
	if (why != NULL) {
		*cause = xasprintf("local model '%s': %s", st->dir, why);
		free(why);
	}
done:
	local_parse_free(g.lp);
	free(out);
	free(ids);
	return rc;
}

static int
local_chat(void *state, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	struct local_state *st = state;
	int rc;

	pthread_mutex_lock(&st->lock);
	rc = local_chat_locked(st, req, resp, cause);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

const struct model_backend model_backend_local = {
	.scheme = "local",
	.summary = "gpt-oss in process (local:DIR, a Hugging Face gpt-oss "
		   "directory with tokenizer.json)",
	.open = local_open,
	.chat = local_chat,
	.close = local_close,
};
