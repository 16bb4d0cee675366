/*
 * gen-gptoss.c: writes a gpt-oss checkpoint with random weights in the
 * exact Hugging Face layout (config.json, generation_config.json,
 * model.safetensors.index.json, zero-based shards; bf16 tensors, MXFP4
 * blocks + E8M0 scales), with no dependency beyond libc, for machines
 * without Python packages (scripts/gpu-check.sh). The presets and the
 * value ranges are those of scripts/gen-tiny-gptoss.py; the random
 * numbers are its own (splitmix64), so the weights differ from it.
 *
 *   gen-gptoss OUTDIR [--preset tiny|tiny2|tiny3|20b] [--seed N]
 *                     [--layers N] [--shards N]
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct preset {
	const char *name;
	uint32_t H, I, d, nq, nkv, L, E, K, V, window;
	double limit;
	int truncate;
};

static const struct preset presets[] = {
	{ "tiny", 64, 64, 16, 4, 2, 4, 6, 2, 300, 8, 3.0, 0 },
	{ "tiny2", 96, 64, 32, 6, 3, 3, 8, 3, 257, 5, 7.0, 1 },
	{ "tiny3", 64, 96, 16, 3, 1, 2, 5, 2, 280, 6, 7.0, 0 },
	{ "20b", 2880, 2880, 64, 64, 8, 2, 32, 4, 201088, 128, 7.0, 0 },
};

static uint64_t rng;
static int fast; /* 20b: a random block tiled, cheap for 1 GB tensors */

static uint64_t
next(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double
normal(void)
{
	double u = ((next() >> 11) + 0.5) * 0x1.0p-53;
	double v = (next() >> 11) * 0x1.0p-53;

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static uint16_t
bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return (uint16_t)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

enum kind { NORMAL, ONES, BLOCKS, SCALES };

struct tensor {
	char name[128];
	int u8; /* U8, else BF16 */
	uint32_t ndim;
	uint64_t shape[4];
	enum kind kind;
	double a, b; /* std, or the scale range */
	int shard;
};

static uint64_t
nbytes(const struct tensor *t)
{
	uint64_t n = t->u8 ? 1 : 2;

	for (uint32_t i = 0; i < t->ndim; i++)
		n *= t->shape[i];
	return n;
}

static struct tensor *ts;
static size_t nts, cap;

static void
add(const char *name, int u8, enum kind k, double a, double b, uint32_t ndim,
    uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3)
{
	struct tensor *t;

	if (nts == cap) {
		cap = cap ? cap * 2 : 64;
		ts = realloc(ts, cap * sizeof *ts);
		if (ts == NULL)
			abort();
	}
	t = &ts[nts++];
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	t->u8 = u8;
	t->kind = k;
	t->a = a;
	t->b = b;
	t->ndim = ndim;
	t->shape[0] = s0;
	t->shape[1] = s1;
	t->shape[2] = s2;
	t->shape[3] = s3;
}

static void
bf(const char *name, enum kind k, double std, uint32_t ndim, uint64_t s0,
    uint64_t s1)
{
	add(name, 0, k, std, 0, ndim, s0, s1, 0, 0);
}

static int
write_data(FILE *f, const struct tensor *t)
{
	static float tile[1 << 20];
	static int tile_made;
	uint64_t n = nbytes(t), done = 0, i, off = next();
	uint8_t buf[1 << 16];

	if (fast && !tile_made) {
		for (i = 0; i < (1 << 20); i++)
			tile[i] = (float)normal();
		tile_made = 1;
	}
	while (done < n) {
		size_t len = n - done < sizeof buf ? (size_t)(n - done) :
						     sizeof buf;
		for (i = 0; i < len; i += t->u8 ? 1 : 2) {
			uint64_t j = (done + i) / 2;
			double z;
			uint16_t h;

			if (t->kind == BLOCKS) {
				buf[i] = (uint8_t)next();
				continue;
			}
			if (t->kind == SCALES) {
				buf[i] = (uint8_t)(t->a +
				    next() % (uint64_t)(t->b - t->a + 1));
				continue;
			}
			z = fast ? tile[(j + off) & ((1 << 20) - 1)] : normal();
			h = bf16((float)(t->kind == ONES ? 1.0 + 0.1 * z :
							   z * t->a));
			memcpy(buf + i, &h, 2);
		}
		if (fwrite(buf, 1, len, f) != len)
			return -1;
		done += len;
	}
	return 0;
}

static void
tensors(const struct preset *p)
{
	uint64_t H = p->H, I = p->I, d = p->d, nq = p->nq, nkv = p->nkv;
	uint64_t E = p->E, V = p->V;
	double s_attn = 1.0 / sqrt((double)H);
	char n[128];
	uint32_t l;

	bf("model.embed_tokens.weight", NORMAL, 1.0, 2, V, H);
#define NM(x) (snprintf(n, sizeof n, "model.layers.%u.%s", l, x), n)
	for (l = 0; l < p->L; l++) {
		bf(NM("input_layernorm.weight"), ONES, 0, 1, H, 0);
		bf(NM("self_attn.q_proj.weight"), NORMAL, 2 * s_attn, 2, nq * d,
		    H);
		bf(NM("self_attn.q_proj.bias"), NORMAL, 0.1, 1, nq * d, 0);
		bf(NM("self_attn.k_proj.weight"), NORMAL, 2 * s_attn, 2,
		    nkv * d, H);
		bf(NM("self_attn.k_proj.bias"), NORMAL, 0.1, 1, nkv * d, 0);
		bf(NM("self_attn.v_proj.weight"), NORMAL, s_attn, 2, nkv * d,
		    H);
		bf(NM("self_attn.v_proj.bias"), NORMAL, 0.1, 1, nkv * d, 0);
		bf(NM("self_attn.o_proj.weight"), NORMAL,
		    1.0 / sqrt((double)(nq * d)), 2, H, nq * d);
		bf(NM("self_attn.o_proj.bias"), NORMAL, 0.1, 1, H, 0);
		bf(NM("self_attn.sinks"), NORMAL, 1.0, 1, nq, 0);
		bf(NM("post_attention_layernorm.weight"), ONES, 0, 1, H, 0);
		bf(NM("mlp.router.weight"), NORMAL, s_attn, 2, E, H);
		bf(NM("mlp.router.bias"), NORMAL, 0.3, 1, E, 0);
		add(NM("mlp.experts.gate_up_proj_blocks"), 1, BLOCKS, 0, 0, 4,
		    E, 2 * I, H / 32, 16);
		add(NM("mlp.experts.gate_up_proj_scales"), 1, SCALES, 122, 125,
		    3, E, 2 * I, H / 32, 0);
		bf(NM("mlp.experts.gate_up_proj_bias"), NORMAL, 0.5, 2, E,
		    2 * I);
		add(NM("mlp.experts.down_proj_blocks"), 1, BLOCKS, 0, 0, 4, E,
		    H, I / 32, 16);
		add(NM("mlp.experts.down_proj_scales"), 1, SCALES, 120, 123, 3,
		    E, H, I / 32, 0);
		bf(NM("mlp.experts.down_proj_bias"), NORMAL, 0.1, 2, E, H);
	}
#undef NM
	bf("model.norm.weight", ONES, 0, 1, H, 0);
	bf("lm_head.weight", NORMAL, s_attn, 2, V, H);
}

static int
write_shard(const char *dir, int shard, int last)
{
	char path[4096], *hdr;
	size_t len = 0, capb = 1 << 16, i;
	uint64_t off = 0, hl;
	FILE *f;

	hdr = malloc(capb);
	if (hdr == NULL)
		abort();
	len = (size_t)snprintf(hdr, capb,
	    "{\"__metadata__\":{\"format\":\"pt\"}");
	for (i = 0; i < nts; i++) {
		const struct tensor *t = &ts[i];
		if (t->shard != shard)
			continue;
		if (capb - len < 512 && (hdr = realloc(hdr, capb *= 2)) == NULL)
			abort();
		len += (size_t)snprintf(hdr + len, capb - len,
		    ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", t->name,
		    t->u8 ? "U8" : "BF16");
		for (uint32_t k = 0; k < t->ndim; k++)
			len += (size_t)snprintf(hdr + len, capb - len, "%s%llu",
			    k ? "," : "", (unsigned long long)t->shape[k]);
		len += (size_t)snprintf(hdr + len, capb - len,
		    "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
		    (unsigned long long)(off + nbytes(t)));
		off += nbytes(t);
	}
	if (capb - len < 16 && (hdr = realloc(hdr, capb += 16)) == NULL)
		abort();
	hdr[len++] = '}';
	while (len % 8 != 0)
		hdr[len++] = ' ';
	snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", dir,
	    shard, last);
	if ((f = fopen(path, "wb")) == NULL)
		goto fail;
	hl = len;
	if (fwrite(&hl, 8, 1, f) != 1 || fwrite(hdr, 1, len, f) != len)
		goto fail;
	for (i = 0; i < nts; i++)
		if (ts[i].shard == shard && write_data(f, &ts[i]) != 0)
			goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	free(hdr);
	return 0;
fail:
	fprintf(stderr, "gen-gptoss: %s: %s\n", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	free(hdr);
	return -1;
}

static FILE *
open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		fprintf(stderr, "gen-gptoss: %s: %s\n", path, strerror(errno));
	return f;
}

int
main(int argc, char **argv)
{
	const struct preset *p = NULL;
	const char *dir = NULL, *name = "tiny";
	uint64_t total = 0, acc = 0, per;
	int nsh = 3, layers = 0, last, i, used[64] = { 0 };
	size_t k;
	FILE *f;

	rng = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--layers") == 0 && i + 1 < argc)
			layers = atoi(argv[++i]);
		else if (strcmp(argv[i], "--shards") == 0 && i + 1 < argc)
			nsh = atoi(argv[++i]);
		else if (argv[i][0] != '-' && dir == NULL)
			dir = argv[i];
		else
			dir = NULL, i = argc;
	}
	for (k = 0; k < sizeof presets / sizeof *presets; k++)
		if (strcmp(presets[k].name, name) == 0)
			p = &presets[k];
	if (dir == NULL || p == NULL || nsh < 1 || nsh > 64 || layers < 0 ||
	    layers > 64) {
		fprintf(stderr,
		    "usage: gen-gptoss OUTDIR [--preset tiny|tiny2|tiny3|20b] "
		    "[--seed N] [--layers N] [--shards N]\n");
		return 2;
	}
	struct preset pp = *p;
	if (layers > 0)
		pp.L = (uint32_t)layers;
	fast = strcmp(name, "20b") == 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen-gptoss: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	tensors(&pp);
	/* Split by bytes into nsh files; a layer may span two shards. */
	for (k = 0; k < nts; k++)
		total += nbytes(&ts[k]);
	per = (total + nsh - 1) / nsh;
	for (k = 0; k < nts; k++) {
		int s = (int)(acc / per);
		ts[k].shard = s < nsh ? s : nsh - 1;
		used[ts[k].shard] = 1;
		acc += nbytes(&ts[k]);
	}
	/* Renumber the non-empty shards from zero. */
	{
		int map[64], n = 0;
		for (i = 0; i < nsh; i++)
			map[i] = used[i] ? n++ : -1;
		for (k = 0; k < nts; k++)
			ts[k].shard = map[ts[k].shard];
		last = n - 1;
	}
	for (i = 0; i <= last; i++)
		if (write_shard(dir, i, last) != 0)
			return 1;
	if ((f = open_out(dir, "model.safetensors.index.json")) == NULL)
		return 1;
	fprintf(f, "{\"metadata\": {\"total_size\": %llu}, \"weight_map\": {",
	    (unsigned long long)total);
	for (k = 0; k < nts; k++)
		fprintf(f, "%s\n  \"%s\": \"model-%05d-of-%05d.safetensors\"",
		    k ? "," : "", ts[k].name, ts[k].shard, last);
	fprintf(f, "\n}}\n");
	if (fclose(f) != 0)
		return 1;
	if ((f = open_out(dir, "config.json")) == NULL)
		return 1;
	fprintf(f,
	    "{\"architectures\": [\"GptOssForCausalLM\"], "
	    "\"attention_bias\": true, \"attention_dropout\": 0.0, "
	    "\"eos_token_id\": %u, \"experts_per_token\": %u, "
	    "\"head_dim\": %u, \"hidden_act\": \"silu\", "
	    "\"hidden_size\": %u, \"initial_context_length\": 4096, "
	    "\"initializer_range\": 0.02, \"intermediate_size\": %u, "
	    "\"layer_types\": [",
	    pp.V - 2, pp.K, pp.d, pp.H, pp.I);
	for (uint32_t l = 0; l < pp.L; l++)
		fprintf(f, "%s\"%s\"", l ? ", " : "",
		    l % 2 == 0 ? "sliding_attention" : "full_attention");
	fprintf(f,
	    "], \"max_position_embeddings\": 131072, "
	    "\"model_type\": \"gpt_oss\", \"num_attention_heads\": %u, "
	    "\"num_experts_per_tok\": %u, \"num_hidden_layers\": %u, "
	    "\"num_key_value_heads\": %u, \"num_local_experts\": %u, "
	    "\"output_router_logits\": false, \"pad_token_id\": %u, "
	    "\"quantization_config\": {\"modules_to_not_convert\": "
	    "[\"model.layers.*.self_attn\", \"model.layers.*.mlp.router\", "
	    "\"model.embed_tokens\", \"lm_head\"], \"quant_method\": "
	    "\"mxfp4\"}, \"rms_norm_eps\": 1e-05, \"rope_scaling\": "
	    "{\"beta_fast\": 32.0, \"beta_slow\": 1.0, \"factor\": 32.0, "
	    "\"original_max_position_embeddings\": 4096, \"rope_type\": "
	    "\"yarn\", \"truncate\": %s}, \"rope_theta\": 150000, "
	    "\"router_aux_loss_coef\": 0.9, \"sliding_window\": %u, "
	    "\"swiglu_limit\": %.1f, \"tie_word_embeddings\": false, "
	    "\"transformers_version\": \"4.55.0.dev0\", \"use_cache\": true, "
	    "\"vocab_size\": %u}\n",
	    pp.nq, pp.K, pp.L, pp.nkv, pp.E, pp.V - 3,
	    pp.truncate ? "true" : "false", pp.window, pp.limit, pp.V);
	if (fclose(f) != 0)
		return 1;
	if ((f = open_out(dir, "generation_config.json")) == NULL)
		return 1;
	fprintf(f,
	    "{\"bos_token_id\": %u, \"do_sample\": true, \"eos_token_id\": "
	    "[%u, %u], \"pad_token_id\": %u}\n",
	    pp.V - 4, pp.V - 2, pp.V - 3, pp.V - 3);
	if (fclose(f) != 0)
		return 1;
	free(ts);
	return 0;
}
