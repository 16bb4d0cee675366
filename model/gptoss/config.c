/*
 * config.c: read config.json and generation_config.json.
 *
 * Fields are used as written so other sizes of the same architecture load:
 * layer_types, sliding_window, rope_scaling (YaRN with truncate),
 * swiglu_limit, num_experts_per_tok, head_dim. Every size is bounded.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-impl.h"

enum gptoss_status
gptoss_read_file(const char *path, size_t limit, char **data_out,
    size_t *len_out, char **err_out)
{
	enum gptoss_status st = GPTOSS_ERR_IO;
	FILE *fp = NULL;
	char *data = NULL;
	struct stat sb;
	size_t len;

	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &sb) != 0) {
		gptoss_set_err(err_out, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > limit) {
		gptoss_set_err(err_out,
		    "%s: not a regular file of at most %zu "
		    "bytes",
		    path, limit);
		st = GPTOSS_ERR_TOO_LARGE;
		goto cleanup;
	}
	len = (size_t)sb.st_size;
	data = xmalloc(len + 1);
	if (fread(data, 1, len, fp) != len) {
		gptoss_set_err(err_out, "%s: read error", path);
		goto cleanup;
	}
	data[len] = '\0';
	*data_out = data;
	if (len_out != NULL)
		*len_out = len;
	data = NULL;
	st = GPTOSS_OK;
cleanup:
	if (fp != NULL)
		fclose(fp);
	free(data);
	return st;
}

void
gptoss_config_free(struct gptoss_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->architecture);
	free(cfg->layer_sliding);
	free(cfg->inv_freq);
	free(cfg);
}

/* Reads integer field NAME into *out within [lo, hi]; DEF when absent
 * (DEF < 0: required). Returns 0 or -1 with a message. */
static int
get_u32(const cJSON *root, const char *name, long def, long lo, long hi,
    uint32_t *out, char **err_out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, name);
	double v;

	if (j == NULL || cJSON_IsNull(j)) {
		if (def < 0) {
			gptoss_set_err(err_out, "config.json: '%s' is missing",
			    name);
			return -1;
		}
		*out = (uint32_t)def;
		return 0;
	}
	v = cJSON_IsNumber(j) ? j->valuedouble : NAN;
	if (!(v >= lo && v <= hi) || v != floor(v)) {
		gptoss_set_err(err_out,
		    "config.json: '%s' must be an integer "
		    "in [%ld, %ld]",
		    name, lo, hi);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
get_num(const cJSON *root, const char *name, double def, double lo, double hi,
    double *out, char **err_out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, name);

	if (j == NULL || cJSON_IsNull(j)) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(j) ||
	    !(j->valuedouble >= lo && j->valuedouble <= hi)) {
		gptoss_set_err(err_out,
		    "config.json: '%s' must be a number in "
		    "[%g, %g]",
		    name, lo, hi);
		return -1;
	}
	*out = j->valuedouble;
	return 0;
}

static int
get_bool(const cJSON *root, const char *name, int def)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, name);

	return cJSON_IsBool(j) ? cJSON_IsTrue(j) : def;
}

static int
parse_sizes(const cJSON *root, struct gptoss_config *c, char **err_out)
{
	double v;

	if (get_u32(root, "vocab_size", -1, 1, GPTOSS_MAX_VOCAB, &c->vocab_size,
		err_out) ||
	    get_u32(root, "hidden_size", -1, 32, GPTOSS_MAX_DIM,
		&c->hidden_size, err_out) ||
	    get_u32(root, "intermediate_size", -1, 32, GPTOSS_MAX_DIM,
		&c->intermediate_size, err_out) ||
	    get_u32(root, "num_hidden_layers", -1, 1, GPTOSS_MAX_LAYERS,
		&c->num_layers, err_out) ||
	    get_u32(root, "num_attention_heads", -1, 1, 4096, &c->num_heads,
		err_out) ||
	    get_u32(root, "num_key_value_heads", c->num_heads, 1, 4096,
		&c->num_kv_heads, err_out) ||
	    get_u32(root, "num_local_experts", -1, 1, GPTOSS_MAX_EXPERTS,
		&c->num_experts, err_out) ||
	    get_u32(root, "sliding_window", 0, 0, 1u << 30, &c->sliding_window,
		err_out) ||
	    get_u32(root, "max_position_embeddings", 131072, 1, 1u << 30,
		&c->max_position_embeddings, err_out))
		return -1;
	if (get_u32(root, "head_dim", c->hidden_size / c->num_heads, 2, 1024,
		&c->head_dim, err_out))
		return -1;
	if (get_u32(root, "num_experts_per_tok", 0, 0, GPTOSS_MAX_EXPERTS,
		&c->experts_per_token, err_out))
		return -1;
	if (c->experts_per_token == 0 &&
	    get_u32(root, "experts_per_token", 4, 1, GPTOSS_MAX_EXPERTS,
		&c->experts_per_token, err_out))
		return -1;
	if (get_num(root, "rms_norm_eps", 1e-5, 0, 1, &v, err_out))
		return -1;
	c->rms_norm_eps = (float)v;
	if (get_num(root, "swiglu_limit", 7.0, 0, 1e30, &v, err_out))
		return -1;
	c->swiglu_limit = (float)v;
	c->attention_bias = get_bool(root, "attention_bias", 1);
	c->tie_word_embeddings = get_bool(root, "tie_word_embeddings", 0);
	return 0;
}

static int
check_sizes(const struct gptoss_config *c, char **err_out)
{
	const char *why = NULL;

	if (c->hidden_size % 32 || c->intermediate_size % 32)
		why = "hidden_size and intermediate_size must be multiples "
		      "of 32 (MXFP4 blocks)";
	else if (c->num_heads % c->num_kv_heads)
		why = "num_attention_heads must be a multiple of "
		      "num_key_value_heads";
	else if (c->head_dim % 2 ||
	    (uint64_t)c->head_dim * c->num_heads > GPTOSS_MAX_DIM)
		why = "head_dim must be even and head_dim * heads at most "
		      "65536";
	else if (c->experts_per_token < 1 ||
	    c->experts_per_token > c->num_experts)
		why = "num_experts_per_tok must be in [1, num_local_experts]";
	if (why == NULL)
		return 0;
	gptoss_set_err(err_out, "config.json: %s", why);
	return -1;
}

static int
parse_layer_types(const cJSON *root, struct gptoss_config *c, char **err_out)
{
	const cJSON *lt = cJSON_GetObjectItemCaseSensitive(root, "layer_types");
	const cJSON *e;
	uint32_t i = 0;

	c->layer_sliding = xcalloc(c->num_layers, 1);
	if (lt == NULL) {
		/* HF default: even layers slide when there is a window. */
		for (i = 0; i < c->num_layers; i++)
			c->layer_sliding[i] = c->sliding_window && i % 2 == 0;
		return 0;
	}
	if (!cJSON_IsArray(lt) ||
	    (uint32_t)cJSON_GetArraySize(lt) != c->num_layers) {
		gptoss_set_err(err_out,
		    "config.json: 'layer_types' must list "
		    "num_hidden_layers (%u) entries",
		    c->num_layers);
		return -1;
	}
	cJSON_ArrayForEach(e, lt) {
		if (cJSON_IsString(e) &&
		    strcmp(e->valuestring, "sliding_attention") == 0) {
			c->layer_sliding[i++] = 1;
		} else if (cJSON_IsString(e) &&
		    strcmp(e->valuestring, "full_attention") == 0) {
			c->layer_sliding[i++] = 0;
		} else {
			gptoss_set_err(err_out,
			    "config.json: layer_types[%u] "
			    "is not 'sliding_attention' or 'full_attention'",
			    i);
			return -1;
		}
		if (c->layer_sliding[i - 1] && c->sliding_window == 0) {
			gptoss_set_err(err_out,
			    "config.json: sliding layers "
			    "need a sliding_window");
			return -1;
		}
	}
	return 0;
}

/*
 * RoPE frequencies with YaRN as in HF _compute_yarn_parameters (= OAI
 * RotaryEmbedding): ramp bounds from beta_fast / beta_slow, floored and
 * ceiled only when truncate is true; attention factor 0.1 ln(factor) + 1.
 */
static int
parse_rope(const cJSON *root, struct gptoss_config *c, char **err_out)
{
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(root,
	    "rope_scaling");
	const cJSON *ty;
	double base, factor, orig, bf, bs, att, dh, low, high, ramp, freq;
	uint32_t i, half = c->head_dim / 2;
	uint32_t ictx;

	if (get_num(root, "rope_theta", 10000.0, 1.0, 1e12, &base, err_out))
		return -1;
	c->inv_freq = xcalloc(half, sizeof *c->inv_freq);
	c->rope_attention_factor = 1.0;
	for (i = 0; i < half; i++)
		c->inv_freq[i] = 1.0 / pow(base, (2.0 * i) / c->head_dim);
	if (rs == NULL || cJSON_IsNull(rs))
		return 0;
	ty = cJSON_GetObjectItemCaseSensitive(rs, "rope_type");
	if (!cJSON_IsString(ty))
		ty = cJSON_GetObjectItemCaseSensitive(rs, "type");
	if (!cJSON_IsString(ty) || strcmp(ty->valuestring, "yarn") != 0) {
		gptoss_set_err(err_out,
		    "config.json: rope_scaling type '%s' "
		    "is not supported (only yarn)",
		    cJSON_IsString(ty) ? ty->valuestring : "?");
		return -1;
	}
	if (get_u32(root, "initial_context_length", 4096, 1, 1u << 30, &ictx,
		err_out) ||
	    get_num(rs, "factor", 1.0, 1.0, 1e6, &factor, err_out) ||
	    get_num(rs, "original_max_position_embeddings", ictx, 1, 1e9, &orig,
		err_out) ||
	    get_num(rs, "beta_fast", 32.0, 1e-6, 1e6, &bf, err_out) ||
	    get_num(rs, "beta_slow", 1.0, 1e-6, 1e6, &bs, err_out) ||
	    get_num(rs, "attention_factor",
		factor > 1 ? 0.1 * log(factor) + 1.0 : 1.0, 0, 1e6, &att,
		err_out))
		return -1;
	c->rope_attention_factor = att;
	dh = c->head_dim / 2.0;
	low = dh * log(orig / (bf * 2 * M_PI)) / log(base);
	high = dh * log(orig / (bs * 2 * M_PI)) / log(base);
	if (get_bool(rs, "truncate", 1)) {
		low = floor(low);
		high = ceil(high);
	}
	low = low < 0 ? 0 : low;
	high = high > c->head_dim - 1 ? c->head_dim - 1 : high;
	if (low == high)
		high += 0.001;
	for (i = 0; i < half; i++) {
		freq = pow(base, (2.0 * i) / c->head_dim);
		ramp = (i - low) / (high - low);
		ramp = ramp < 0 ? 0 : ramp > 1 ? 1 : ramp;
		/* mask = 1 - ramp: extrapolate for fast (low i) pairs. */
		c->inv_freq[i] = 1.0 / (factor * freq) * ramp +
		    1.0 / freq * (1 - ramp);
	}
	return 0;
}

static void
add_stop(struct gptoss_config *c, const cJSON *j)
{
	uint32_t i, t;

	if (!cJSON_IsNumber(j) || j->valuedouble < 0 ||
	    j->valuedouble >= c->vocab_size)
		return;
	t = (uint32_t)j->valuedouble;
	for (i = 0; i < c->num_stop_tokens; i++)
		if (c->stop_tokens[i] == t)
			return;
	if (c->num_stop_tokens < GPTOSS_MAX_STOP)
		c->stop_tokens[c->num_stop_tokens++] = t;
}

static void
add_stops(struct gptoss_config *c, const cJSON *eos)
{
	const cJSON *e;

	if (cJSON_IsArray(eos)) {
		cJSON_ArrayForEach(e, eos)
			add_stop(c, e);
	} else {
		add_stop(c, eos);
	}
}

/* generation_config.json's eos_token_id (one or a list), or config's. */
static enum gptoss_status
load_generation(const char *dir, const cJSON *root, struct gptoss_config *c,
    char **err_out)
{
	char *path = xasprintf("%s/generation_config.json", dir);
	char *data = NULL;
	cJSON *gen = NULL;
	enum gptoss_status st = GPTOSS_OK;

	if (access(path, F_OK) != 0) {
		add_stops(c,
		    cJSON_GetObjectItemCaseSensitive(root, "eos_token_id"));
		goto cleanup;
	}
	if ((st = gptoss_read_file(path, GPTOSS_JSON_FILE_MAX, &data, NULL,
		 err_out)) != GPTOSS_OK)
		goto cleanup;
	if ((gen = cJSON_Parse(data)) == NULL || !cJSON_IsObject(gen)) {
		gptoss_set_err(err_out, "%s: not a JSON object", path);
		st = GPTOSS_ERR_FORMAT;
		goto cleanup;
	}
	add_stops(c, cJSON_GetObjectItemCaseSensitive(gen, "eos_token_id"));
cleanup:
	cJSON_Delete(gen);
	free(data);
	free(path);
	return st;
}

enum gptoss_status
gptoss_config_load(const char *dir, struct gptoss_config **cfg_out,
    char **err_out)
{
	enum gptoss_status st;
	struct gptoss_config *c = xcalloc(1, sizeof *c);
	char *path = xasprintf("%s/config.json", dir), *data = NULL;
	const cJSON *mt, *arch;
	cJSON *root = NULL;

	if ((st = gptoss_read_file(path, GPTOSS_JSON_FILE_MAX, &data, NULL,
		 err_out)) != GPTOSS_OK)
		goto cleanup;
	st = GPTOSS_ERR_FORMAT;
	if ((root = cJSON_Parse(data)) == NULL || !cJSON_IsObject(root)) {
		gptoss_set_err(err_out, "%s: not a JSON object", path);
		goto cleanup;
	}
	mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
	if (!cJSON_IsString(mt) || strcmp(mt->valuestring, "gpt_oss") != 0) {
		gptoss_set_err(err_out,
		    "%s: model_type '%.64s' is not "
		    "supported (only gpt_oss)",
		    path, cJSON_IsString(mt) ? mt->valuestring : "(missing)");
		st = GPTOSS_ERR_UNSUPPORTED;
		goto cleanup;
	}
	arch = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(root, "architectures"), 0);
	c->architecture = xstrdup(cJSON_IsString(arch) ? arch->valuestring :
							 "GptOssForCausalLM");
	if (parse_sizes(root, c, err_out) || check_sizes(c, err_out) ||
	    parse_layer_types(root, c, err_out) || parse_rope(root, c, err_out))
		goto cleanup;
	if ((st = load_generation(dir, root, c, err_out)) != GPTOSS_OK)
		goto cleanup;
	*cfg_out = c;
	c = NULL;
	st = GPTOSS_OK;
cleanup:
	cJSON_Delete(root);
	free(data);
	free(path);
	gptoss_config_free(c);
	return st;
}
