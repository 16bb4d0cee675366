/*
 * weights.c: find every tensor through model.safetensors.index.json (or a
 * single model.safetensors), check its dtype and shape against the config,
 * and keep a pointer into the mmapped shard. Nothing is copied.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-impl.h"

struct binder {
	struct gptoss_weights *w;
	const cJSON *map;   /* weight_map, or NULL: a single shard */
	char **shard_names; /* [w->num_shards] */
	char **err_out;
	enum gptoss_status st;
};

void
gptoss_weights_free(struct gptoss_weights *w, uint32_t num_layers)
{
	size_t i;

	(void)num_layers;
	if (w == NULL)
		return;
	for (i = 0; i < w->num_shards; i++)
		gptoss_st_close(w->shards[i]);
	free(w->shards);
	free(w->layers);
	free(w);
}

static void
shape_str(char *buf, size_t len, const uint64_t *shape, uint32_t ndim)
{
	size_t off = 0;
	uint32_t i;

	off += (size_t)snprintf(buf, len, "[");
	for (i = 0; i < ndim && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%llu",
		    i ? ", " : "", (unsigned long long)shape[i]);
	if (off < len)
		snprintf(buf + off, len - off, "]");
}

/*
 * The data of tensor NAME, checked to have DT and the NDIM dims in SHAPE,
 * or NULL with b->st and the message set (only the first error is kept).
 */
static const void *
bind(struct binder *b, const char *name, enum gptoss_dtype dt, uint32_t ndim,
    const uint64_t *shape)
{
	const struct gptoss_st_tensor *t = NULL;
	struct gptoss_st_file *f = NULL;
	const cJSON *j;
	char want[128], got[128];
	size_t i;

	if (b->st != GPTOSS_OK)
		return NULL;
	if (b->map == NULL) {
		f = b->w->shards[0];
	} else if (cJSON_IsString(j = cJSON_GetObjectItemCaseSensitive(b->map,
				      name))) {
		for (i = 0; i < b->w->num_shards; i++)
			if (strcmp(b->shard_names[i], j->valuestring) == 0)
				f = b->w->shards[i];
	}
	if (f != NULL)
		t = gptoss_st_find(f, name);
	shape_str(want, sizeof want, shape, ndim);
	if (t == NULL) {
		gptoss_set_err(b->err_out,
		    "tensor '%s' (%s %s) is missing "
		    "from the checkpoint",
		    name, gptoss_dtype_name(dt), want);
		b->st = GPTOSS_ERR_SHAPE;
		return NULL;
	}
	shape_str(got, sizeof got, t->shape, t->ndim);
	if (t->dtype != dt || t->ndim != ndim ||
	    memcmp(t->shape, shape, ndim * sizeof *shape) != 0) {
		gptoss_set_err(b->err_out,
		    "tensor '%s' in %s is %s %s; "
		    "config.json needs %s %s",
		    name, f->path, gptoss_dtype_name(t->dtype), got,
		    gptoss_dtype_name(dt), want);
		b->st = GPTOSS_ERR_SHAPE;
		return NULL;
	}
	if (((uintptr_t)(f->data + t->begin)) % 2 != 0 &&
	    dt == GPTOSS_DT_BF16) {
		gptoss_set_err(b->err_out,
		    "tensor '%s' in %s is not 2-byte "
		    "aligned",
		    name, f->path);
		b->st = GPTOSS_ERR_FORMAT;
		return NULL;
	}
	return f->data + t->begin;
}

#define BF(b, name, ...)                                                       \
	((const uint16_t *)bind((b), (name), GPTOSS_DT_BF16,                   \
	    sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t),            \
	    (uint64_t[]){ __VA_ARGS__ }))
#define U8(b, name, ...)                                                       \
	((const uint8_t *)bind((b), (name), GPTOSS_DT_U8,                      \
	    sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t),            \
	    (uint64_t[]){ __VA_ARGS__ }))

static void
bind_layer(struct binder *b, const struct gptoss_config *c, uint32_t n,
    struct gptoss_layer *l)
{
	uint64_t H = c->hidden_size, I = c->intermediate_size;
	uint64_t Q = (uint64_t)c->num_heads * c->head_dim;
	uint64_t K = (uint64_t)c->num_kv_heads * c->head_dim;
	uint64_t E = c->num_experts;
	char p[96], nm[160];

#define NM(s) (snprintf(nm, sizeof nm, "%s%s", p, s), nm)
	snprintf(p, sizeof p, "model.layers.%u.", n);
	l->sliding = c->layer_sliding[n];
	l->ln1 = BF(b, NM("input_layernorm.weight"), H);
	l->ln2 = BF(b, NM("post_attention_layernorm.weight"), H);
	l->q_w = BF(b, NM("self_attn.q_proj.weight"), Q, H);
	l->k_w = BF(b, NM("self_attn.k_proj.weight"), K, H);
	l->v_w = BF(b, NM("self_attn.v_proj.weight"), K, H);
	l->o_w = BF(b, NM("self_attn.o_proj.weight"), H, Q);
	if (c->attention_bias) {
		l->q_b = BF(b, NM("self_attn.q_proj.bias"), Q);
		l->k_b = BF(b, NM("self_attn.k_proj.bias"), K);
		l->v_b = BF(b, NM("self_attn.v_proj.bias"), K);
		l->o_b = BF(b, NM("self_attn.o_proj.bias"), H);
	}
	l->sinks = BF(b, NM("self_attn.sinks"), c->num_heads);
	l->router_w = BF(b, NM("mlp.router.weight"), E, H);
	l->router_b = BF(b, NM("mlp.router.bias"), E);
	l->gu_blocks = U8(b, NM("mlp.experts.gate_up_proj_blocks"), E, 2 * I,
	    H / 32, 16);
	l->gu_scales = U8(b, NM("mlp.experts.gate_up_proj_scales"), E, 2 * I,
	    H / 32);
	l->gu_bias = BF(b, NM("mlp.experts.gate_up_proj_bias"), E, 2 * I);
	l->dn_blocks = U8(b, NM("mlp.experts.down_proj_blocks"), E, H, I / 32,
	    16);
	l->dn_scales = U8(b, NM("mlp.experts.down_proj_scales"), E, H, I / 32);
	l->dn_bias = BF(b, NM("mlp.experts.down_proj_bias"), E, H);
#undef NM
}

/* Shard names come from the index: plain file names only. */
static int
safe_name(const char *s)
{
	return *s != '\0' && *s != '.' && strchr(s, '/') == NULL &&
	    strlen(s) < 256;
}

static enum gptoss_status
open_shards(const char *dir, struct binder *b, cJSON **index_out,
    char **err_out)
{
	enum gptoss_status st;
	char *path = xasprintf("%s/model.safetensors.index.json", dir);
	char *data = NULL, *sp;
	cJSON *idx = NULL;
	const cJSON *e;
	struct gptoss_weights *w = b->w;
	size_t i, cap;

	if (access(path, F_OK) != 0) {
		/* A single-file checkpoint. */
		free(path);
		path = xasprintf("%s/model.safetensors", dir);
		w->shards = xcalloc(1, sizeof *w->shards);
		b->shard_names = xcalloc(2, sizeof *b->shard_names);
		if (access(path, F_OK) != 0) {
			gptoss_set_err(err_out,
			    "%s: neither "
			    "model.safetensors.index.json nor "
			    "model.safetensors "
			    "is there",
			    dir);
			st = GPTOSS_ERR_IO;
			goto cleanup;
		}
		st = gptoss_st_open(path, &w->shards[0], err_out);
		if (st == GPTOSS_OK) {
			b->shard_names[0] = xstrdup("model.safetensors");
			w->num_shards = 1;
		}
		goto cleanup;
	}
	if ((st = gptoss_read_file(path, GPTOSS_JSON_FILE_MAX, &data, NULL,
		 err_out)) != GPTOSS_OK)
		goto cleanup;
	idx = cJSON_Parse(data);
	b->map = cJSON_GetObjectItemCaseSensitive(idx, "weight_map");
	st = GPTOSS_ERR_FORMAT;
	if (!cJSON_IsObject(b->map)) {
		gptoss_set_err(err_out, "%s: no weight_map object", path);
		goto cleanup;
	}
	cap = (size_t)cJSON_GetArraySize(b->map);
	w->shards = xcalloc(cap + 1, sizeof *w->shards);
	b->shard_names = xcalloc(cap + 1, sizeof *b->shard_names);
	cJSON_ArrayForEach(e, b->map) {
		if (!cJSON_IsString(e) || !safe_name(e->valuestring)) {
			gptoss_set_err(err_out,
			    "%s: bad shard name for "
			    "'%.200s'",
			    path, e->string ? e->string : "?");
			goto cleanup;
		}
		for (i = 0; i < w->num_shards; i++)
			if (strcmp(b->shard_names[i], e->valuestring) == 0)
				break;
		if (i < w->num_shards)
			continue;
		sp = xasprintf("%s/%s", dir, e->valuestring);
		st = gptoss_st_open(sp, &w->shards[w->num_shards], err_out);
		free(sp);
		if (st != GPTOSS_OK)
			goto cleanup;
		b->shard_names[w->num_shards++] = xstrdup(e->valuestring);
		st = GPTOSS_ERR_FORMAT;
	}
	st = GPTOSS_OK;
cleanup:
	*index_out = idx;
	free(data);
	free(path);
	return st;
}

enum gptoss_status
gptoss_weights_load(const char *dir, const struct gptoss_config *c,
    struct gptoss_weights **w_out, char **err_out)
{
	struct binder b = { 0 };
	cJSON *idx = NULL;
	uint64_t H = c->hidden_size, V = c->vocab_size;
	size_t i;
	uint32_t n;

	b.w = xcalloc(1, sizeof *b.w);
	b.err_out = err_out;
	if ((b.st = open_shards(dir, &b, &idx, err_out)) != GPTOSS_OK)
		goto cleanup;
	b.w->layers = xcalloc(c->num_layers, sizeof *b.w->layers);
	b.w->embed = BF(&b, "model.embed_tokens.weight", V, H);
	b.w->norm = BF(&b, "model.norm.weight", H);
	b.w->lm_head = c->tie_word_embeddings ? b.w->embed :
						BF(&b, "lm_head.weight", V, H);
	for (n = 0; n < c->num_layers; n++)
		bind_layer(&b, c, n, &b.w->layers[n]);
	if (b.st != GPTOSS_OK)
		goto cleanup;
	for (i = 0; i < b.w->num_shards; i++) {
		size_t k;
		for (k = 0; k < b.w->shards[i]->n; k++)
			b.w->bytes_total += b.w->shards[i]->tensors[k].end -
			    b.w->shards[i]->tensors[k].begin;
	}
	*w_out = b.w;
	b.w = NULL;
cleanup:
	if (b.shard_names != NULL) {
		for (i = 0; b.shard_names[i] != NULL; i++)
			free(b.shard_names[i]);
		free(b.shard_names);
	}
	cJSON_Delete(idx);
	gptoss_weights_free(b.w, c->num_layers);
	return b.st;
}
