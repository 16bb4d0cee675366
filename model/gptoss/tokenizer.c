/*
 * tokenizer.c: loading, encoding and decoding for o200k_harmony.
 *
 * Tokens live in one byte pool; a hash table (open addressing) maps bytes
 * to ids for the mergeable ranks and a second one does the same for the
 * special tokens. BPE merging is tiktoken's: repeatedly merge the adjacent
 * pair whose concatenation has the lowest rank, leftmost first. Short
 * pre-tokens use tiktoken's linear scan; long ones a binary heap over a
 * linked list of parts, which picks the same pair at every step (lowest
 * rank, then lowest start offset) in O(n log n).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "lib/xmalloc.h"
#include "model/gptoss/pretokenize.h"
#include "model/gptoss/tokenizer.h"

#define TK_NONE UINT32_MAX
#define TK_MAX_IDS ((uint32_t)1 << 21)
#define TK_MAX_TOKEN_LEN 4096
/* Pre-tokens longer than this merge with the heap. */
#define TK_HEAP_MIN 64

/* The o200k pattern as tiktoken and openai/harmony write it. */
static const char tk_o200k_pattern[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";

/* The same with (?i:...) spelled out, as js-tiktoken ships it. */
static const char tk_o200k_pattern_js[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|"
    "'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|"
    "'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";

/* openai/harmony's o200k_harmony specials below the reserved tail. */
static const struct {
	const char *text;
	uint32_t id;
} tk_harmony_specials[] = {
	{ "<|startoftext|>", 199998 },
	{ "<|endoftext|>", 199999 },
	{ "<|return|>", 200002 },
	{ "<|constrain|>", 200003 },
	{ "<|channel|>", 200005 },
	{ "<|start|>", 200006 },
	{ "<|end|>", 200007 },
	{ "<|message|>", 200008 },
	{ "<|call|>", 200012 },
};
#define TK_HARMONY_FIRST 199998
#define TK_HARMONY_LAST 201088

struct tk_table {
	uint32_t *slots; /* [mask + 1]: id + 1, 0 = empty */
	uint32_t mask;
};

struct gptoss_tokenizer {
	uint8_t *pool; /* token bytes, all tokens back to back */
	size_t pool_len, pool_cap;
	uint32_t *off;	  /* [n_ids] offset in pool */
	uint32_t *len;	  /* [n_ids] byte length; TK_NONE = no token */
	uint8_t *special; /* [n_ids] 1 for special tokens */
	uint32_t n_ids;	  /* one past the largest id */
	uint32_t cap_ids; /* allocated entries of off/len/special */
	uint32_t n_ranks; /* mergeable tokens */
	uint32_t n_special;
	struct tk_table ranks;	  /* mergeable bytes -> id */
	struct tk_table specials; /* special text -> id */
};

/* 64-bit hash of N bytes at P. */
static inline uint64_t
tk_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
	uint64_t v;

	while (n >= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	v = 0;
	memcpy(&v, p, n);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* The id whose bytes are P[0..N) in T, or TK_NONE. */
static inline uint32_t
tk_find(const struct gptoss_tokenizer *tok, const struct tk_table *t,
    const uint8_t *p, size_t n)
{
	uint32_t i = (uint32_t)tk_hash(p, n) & t->mask, s, id;

	while ((s = t->slots[i]) != 0) {
		id = s - 1;
		if (tok->len[id] == n &&
		    memcmp(tok->pool + tok->off[id], p, n) == 0)
			return id;
		i = (i + 1) & t->mask;
	}
	return TK_NONE;
}

/* Grows the per-id arrays to hold ID (geometrically). */
static void
tk_grow_ids(struct gptoss_tokenizer *tok, uint32_t id)
{
	uint32_t n = tok->n_ids, cap = tok->cap_ids;

	if (id < n)
		return;
	if (id >= cap) {
		cap = cap ? cap : 1024;
		while (cap <= id)
			cap *= 2;
		tok->off = xreallocarray(tok->off, cap, sizeof *tok->off);
		tok->len = xreallocarray(tok->len, cap, sizeof *tok->len);
		tok->special = xreallocarray(tok->special, cap, 1);
		tok->cap_ids = cap;
	}
	for (; n <= id; n++) {
		tok->len[n] = TK_NONE;
		tok->special[n] = 0;
	}
	tok->n_ids = id + 1;
}

/*
 * Sets token ID to the N bytes at P. Returns -1 if ID already has a token
 * or is too large.
 */
static int
tk_set(struct gptoss_tokenizer *tok, uint32_t id, const void *p, size_t n,
    int special)
{
	if (id >= TK_MAX_IDS || n == 0 || n > TK_MAX_TOKEN_LEN)
		return -1;
	tk_grow_ids(tok, id);
	if (tok->len[id] != TK_NONE)
		return -1;
	if (tok->pool_len + n > tok->pool_cap) {
		tok->pool_cap = (tok->pool_len + n) * 2;
		tok->pool = xreallocarray(tok->pool, tok->pool_cap, 1);
	}
	memcpy(tok->pool + tok->pool_len, p, n);
	tok->off[id] = (uint32_t)tok->pool_len;
	tok->len[id] = (uint32_t)n;
	tok->special[id] = (uint8_t)special;
	tok->pool_len += n;
	if (special)
		tok->n_special++;
	else
		tok->n_ranks++;
	return 0;
}

/*
 * Builds both hash tables from the ids. Returns -1 (naming the id in *DUP)
 * if two tokens of one kind have the same bytes.
 */
static int
tk_index(struct gptoss_tokenizer *tok, uint32_t *dup)
{
	struct tk_table *t;
	uint32_t id, cap, i;
	int kind;

	for (kind = 0; kind < 2; kind++) {
		t = kind ? &tok->specials : &tok->ranks;
		cap = 16;
		while (cap < 2 * (kind ? tok->n_special : tok->n_ranks))
			cap *= 2;
		t->slots = xcalloc(cap, sizeof *t->slots);
		t->mask = cap - 1;
		for (id = 0; id < tok->n_ids; id++) {
			if (tok->len[id] == TK_NONE || tok->special[id] != kind)
				continue;
			if (tk_find(tok, t, tok->pool + tok->off[id],
				tok->len[id]) != TK_NONE) {
				*dup = id;
				return -1;
			}
			i = (uint32_t)tk_hash(tok->pool + tok->off[id],
				tok->len[id]) &
			    t->mask;
			while (t->slots[i] != 0)
				i = (i + 1) & t->mask;
			t->slots[i] = id + 1;
		}
	}
	return 0;
}

void
gptoss_tokenizer_free(struct gptoss_tokenizer *tok)
{
	if (tok == NULL)
		return;
	free(tok->pool);
	free(tok->off);
	free(tok->len);
	free(tok->special);
	free(tok->ranks.slots);
	free(tok->specials.slots);
	free(tok);
}

uint32_t
gptoss_tokenizer_vocab_size(const struct gptoss_tokenizer *tok)
{
	return tok->n_ids;
}

uint32_t
gptoss_tokenizer_n_ranks(const struct gptoss_tokenizer *tok)
{
	return tok->n_ranks;
}

const char *
gptoss_status_str(enum gptoss_status status)
{
	switch (status) {
	case GPTOSS_OK:
		return "success";
	case GPTOSS_ERR_ARGUMENT:
		return "invalid argument";
	case GPTOSS_ERR_IO:
		return "cannot read file";
	case GPTOSS_ERR_FORMAT:
		return "malformed input";
	case GPTOSS_ERR_UNSUPPORTED:
		return "unsupported";
	case GPTOSS_ERR_TOO_LARGE:
		return "too large";
	case GPTOSS_ERR_RANGE:
		return "out of range";
	case GPTOSS_ERR_SHAPE:
		return "wrong tensor dtype or shape";
	case GPTOSS_ERR_CONTEXT_OVERFLOW:
		return "context overflow";
	case GPTOSS_ERR_DEVICE:
		return "compute device failure";
	}
	return "unknown status";
}

/* ---- loading ------------------------------------------------------------ */

/* Sets *DETAIL (if wanted) to a formatted message; returns STATUS. */
static enum gptoss_status tk_fail(char **detail, enum gptoss_status status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum gptoss_status
tk_fail(char **detail, enum gptoss_status status, const char *fmt, ...)
{
	va_list ap;

	if (detail != NULL) {
		free(*detail);
		va_start(ap, fmt);
		*detail = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return status;
}

/* Reads PATH whole (at most the limit) into *DATA_OUT, NUL-terminated. */
static enum gptoss_status
tk_read_file(const char *path, char **data_out, size_t *len_out, char **detail)
{
	FILE *f = NULL;
	struct buf b;
	char chunk[65536];
	size_t n;
	enum gptoss_status st = GPTOSS_OK;

	buf_init(&b, GPTOSS_TOKENIZER_MAX_FILE);
	if ((f = fopen(path, "rb")) == NULL) {
		st = tk_fail(detail, GPTOSS_ERR_IO, "%s: %s", path,
		    strerror(errno));
		goto cleanup;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			st = tk_fail(detail, GPTOSS_ERR_TOO_LARGE,
			    "%s: larger than %zu MiB", path,
			    GPTOSS_TOKENIZER_MAX_FILE >> 20);
			goto cleanup;
		}
	}
	if (ferror(f)) {
		st = tk_fail(detail, GPTOSS_ERR_IO, "%s: read error", path);
		goto cleanup;
	}
	*len_out = b.len;
	if (b.data == NULL)
		buf_append(&b, "", 0);
	*data_out = buf_take(&b);
cleanup:
	if (f != NULL)
		fclose(f);
	buf_free(&b);
	return st;
}

/* The 6-bit value of base64 digit C, or -1. */
static int
tk_b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes N chars of padded base64 at S into OUT; returns bytes or -1. */
static long
tk_b64decode(const char *s, size_t n, uint8_t *out)
{
	size_t i, o = 0;
	int k, v[4];

	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = tk_b64val((unsigned char)s[i + k]);
			if (v[k] < 0 &&
			    !(s[i + k] == '=' && i + 4 == n && k >= 2))
				return -1;
		}
		if (v[2] < 0 && v[3] >= 0)
			return -1;
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			out[o++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			out[o++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
	}
	return (long)o;
}

/* Adds openai/harmony's o200k_harmony special tokens. */
static int
tk_add_harmony_specials(struct gptoss_tokenizer *tok)
{
	char name[32];
	uint32_t id;
	size_t i;

	for (i = 0;
	     i < sizeof tk_harmony_specials / sizeof tk_harmony_specials[0];
	     i++) {
		if (tk_set(tok, tk_harmony_specials[i].id,
			tk_harmony_specials[i].text,
			strlen(tk_harmony_specials[i].text), 1) != 0)
			return -1;
	}
	for (id = TK_HARMONY_FIRST; id <= TK_HARMONY_LAST; id++) {
		if (id < tok->n_ids && tok->len[id] != TK_NONE)
			continue;
		snprintf(name, sizeof name, "<|reserved_%u|>", id);
		if (tk_set(tok, id, name, strlen(name), 1) != 0)
			return -1;
	}
	return 0;
}

/* Checks that ids 0..n_ranks-1 are the ranks and every byte is one. */
static enum gptoss_status
tk_check_ranks(struct gptoss_tokenizer *tok, const char *path, char **detail)
{
	uint32_t id;
	uint8_t byte;

	for (id = 0; id < tok->n_ranks; id++) {
		if (id >= tok->n_ids || tok->len[id] == TK_NONE ||
		    tok->special[id])
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: rank %u is missing (file truncated?)", path,
			    id);
	}
	for (id = 0; id < 256; id++) {
		byte = (uint8_t)id;
		if (tk_find(tok, &tok->ranks, &byte, 1) == TK_NONE)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: byte 0x%02x has no token; not a byte-level "
			    "BPE vocabulary",
			    path, id);
	}
	return GPTOSS_OK;
}

/* Parses a .tiktoken ranks file DATA (LEN bytes) into TOK. */
static enum gptoss_status
tk_load_tiktoken(struct gptoss_tokenizer *tok, const char *path, char *data,
    size_t len, char **detail)
{
	uint8_t bytes[TK_MAX_TOKEN_LEN];
	char *p = data, *end = data + len, *nl, *sp, *q;
	unsigned long rank;
	size_t line = 0;
	long n;

	while (p < end) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if ((sp = strchr(p, ' ')) == NULL ||
		    (size_t)(sp - p) > TK_MAX_TOKEN_LEN)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: line "
			    "%zu: expected 'BASE64 RANK'",
			    path, line);
		errno = 0;
		rank = strtoul(sp + 1, &q, 10);
		if (q == sp + 1 || *q != '\0' || errno != 0 ||
		    rank >= TK_HARMONY_FIRST)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: line "
			    "%zu: bad rank",
			    path, line);
		if ((n = tk_b64decode(p, (size_t)(sp - p), bytes)) <= 0)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: line "
			    "%zu: bad base64 token",
			    path, line);
		if (tk_set(tok, (uint32_t)rank, bytes, (size_t)n, 0) != 0)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: line "
			    "%zu: rank %lu appears twice",
			    path, line, rank);
		p = nl + 1;
	}
	if (tok->n_ranks != TK_HARMONY_FIRST)
		return tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: %u ranks, "
		    "o200k_base has %u (file truncated?)",
		    path, tok->n_ranks, TK_HARMONY_FIRST);
	if (tk_add_harmony_specials(tok) != 0)
		return tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: special token "
		    "ids clash",
		    path);
	return GPTOSS_OK;
}

/*
 * GPT-2's bytes_to_unicode, inverted: the byte a code point CP stands for
 * in a byte-level vocabulary, or -1.
 */
static int
tk_bytelevel_byte(uint32_t cp)
{
	static int16_t inv[324];
	static int ready;
	int b, n = 0;

	if (!ready) {
		for (b = 0; b < 324; b++)
			inv[b] = -1;
		for (b = 0; b < 256; b++) {
			if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) ||
			    (b >= 174 && b <= 255))
				inv[b] = (int16_t)b;
			else
				inv[256 + n++] = (int16_t)b;
		}
		ready = 1;
	}
	return cp < 324 ? inv[cp] : -1;
}

/* Converts a byte-level vocab key S to bytes; returns the length or -1. */
static long
tk_bytelevel_decode(const char *s, uint8_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0, next, o = 0;
	uint32_t cp;
	int b;

	if (pretok_valid_prefix(p, n) != n)
		return -1;
	while (i < n) {
		if (o >= TK_MAX_TOKEN_LEN)
			return -1;
		if (p[i] < 0x80) {
			cp = p[i];
			next = i + 1;
		} else if (p[i] < 0xE0) {
			cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
			next = i + 2;
		} else {
			return -1;
		}
		if ((b = tk_bytelevel_byte(cp)) < 0)
			return -1;
		out[o++] = (uint8_t)b;
		i = next;
	}
	return (long)o;
}

/* Checks the pre_tokenizer of tokenizer.json is o200k's Split regex. */
static enum gptoss_status
tk_check_pretokenizer(const cJSON *root, const char *path, char **detail)
{
	const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root,
	    "pre_tokenizer");
	const cJSON *list, *item, *pat, *re;

	list = cJSON_GetObjectItemCaseSensitive(pre, "pretokenizers");
	if (list == NULL)
		list = pre;
	cJSON_ArrayForEach(item, list) {
		if (!cJSON_IsObject(item))
			continue;
		pat = cJSON_GetObjectItemCaseSensitive(item, "pattern");
		re = cJSON_GetObjectItemCaseSensitive(pat, "Regex");
		if (!cJSON_IsString(re))
			continue;
		if (strcmp(re->valuestring, tk_o200k_pattern) == 0 ||
		    strcmp(re->valuestring, tk_o200k_pattern_js) == 0)
			return GPTOSS_OK;
		return tk_fail(detail, GPTOSS_ERR_UNSUPPORTED,
		    "%s: the "
		    "pre-tokenizer regex is not o200k's; only gpt-oss "
		    "tokenizers are supported",
		    path);
	}
	if (cJSON_IsObject(pre) &&
	    (item = cJSON_GetObjectItemCaseSensitive(pre, "pattern")) != NULL &&
	    cJSON_IsString(re = cJSON_GetObjectItemCaseSensitive(item,
			       "Regex")) &&
	    (strcmp(re->valuestring, tk_o200k_pattern) == 0 ||
		strcmp(re->valuestring, tk_o200k_pattern_js) == 0))
		return GPTOSS_OK;
	return tk_fail(detail, GPTOSS_ERR_UNSUPPORTED,
	    "%s: no o200k Split "
	    "pre-tokenizer; not a gpt-oss tokenizer.json",
	    path);
}

/* Reads model.vocab into TOK. */
static enum gptoss_status
tk_load_vocab(struct gptoss_tokenizer *tok, const cJSON *model,
    const char *path, char **detail)
{
	const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
	const cJSON *item;
	uint8_t bytes[TK_MAX_TOKEN_LEN];
	long n;

	if (!cJSON_IsObject(vocab) || vocab->child == NULL)
		return tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: model.vocab "
		    "is missing or empty",
		    path);
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(model, "merges")))
		return tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: model.merges "
		    "is missing",
		    path);
	cJSON_ArrayForEach(item, vocab) {
		if (!cJSON_IsNumber(item) || item->valuedouble < 0 ||
		    item->valuedouble >= TK_MAX_IDS ||
		    item->valuedouble != (double)(uint32_t)item->valuedouble)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: vocab "
			    "entry has a bad id",
			    path);
		if ((n = tk_bytelevel_decode(item->string, bytes)) <= 0)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: vocab "
			    "entry is not byte-level text",
			    path);
		if (tk_set(tok, (uint32_t)item->valuedouble, bytes, (size_t)n,
			0) != 0)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: vocab "
			    "id %u appears twice",
			    path, (uint32_t)item->valuedouble);
	}
	return GPTOSS_OK;
}

/* Reads added_tokens into TOK as special tokens. */
static enum gptoss_status
tk_load_added(struct gptoss_tokenizer *tok, const cJSON *root, const char *path,
    char **detail)
{
	const cJSON *added = cJSON_GetObjectItemCaseSensitive(root,
	    "added_tokens");
	const cJSON *item, *id, *content;

	if (added != NULL && !cJSON_IsArray(added))
		return tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: added_tokens "
		    "is not a list",
		    path);
	cJSON_ArrayForEach(item, added) {
		id = cJSON_GetObjectItemCaseSensitive(item, "id");
		content = cJSON_GetObjectItemCaseSensitive(item, "content");
		if (!cJSON_IsNumber(id) || !cJSON_IsString(content) ||
		    id->valuedouble < 0 || id->valuedouble >= TK_MAX_IDS ||
		    content->valuestring[0] == '\0')
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: bad "
			    "added_tokens entry",
			    path);
		if (tk_set(tok, (uint32_t)id->valuedouble, content->valuestring,
			strlen(content->valuestring), 1) != 0)
			return tk_fail(detail, GPTOSS_ERR_FORMAT,
			    "%s: added "
			    "token id %u clashes",
			    path, (uint32_t)id->valuedouble);
	}
	return GPTOSS_OK;
}

/* Parses tokenizer.json DATA (LEN bytes) into TOK. */
static enum gptoss_status
tk_load_json(struct gptoss_tokenizer *tok, const char *path, const char *data,
    size_t len, char **detail)
{
	cJSON *root = cJSON_ParseWithLength(data, len);
	const cJSON *model, *type;
	enum gptoss_status st;

	if (root == NULL || !cJSON_IsObject(root)) {
		st = tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: not valid JSON "
		    "(file truncated?)",
		    path);
		goto cleanup;
	}
	model = cJSON_GetObjectItemCaseSensitive(root, "model");
	type = cJSON_GetObjectItemCaseSensitive(model, "type");
	if (!cJSON_IsObject(model)) {
		st = tk_fail(detail, GPTOSS_ERR_FORMAT,
		    "%s: no \"model\" "
		    "object; not a tokenizer.json",
		    path);
		goto cleanup;
	}
	if (type != NULL &&
	    (!cJSON_IsString(type) || strcmp(type->valuestring, "BPE") != 0)) {
		st = tk_fail(detail, GPTOSS_ERR_UNSUPPORTED,
		    "%s: a %s model, "
		    "not gpt-oss's byte-level BPE",
		    path, cJSON_IsString(type) ? type->valuestring : "non-BPE");
		goto cleanup;
	}
	if ((st = tk_check_pretokenizer(root, path, detail)) != GPTOSS_OK ||
	    (st = tk_load_vocab(tok, model, path, detail)) != GPTOSS_OK ||
	    (st = tk_load_added(tok, root, path, detail)) != GPTOSS_OK)
		goto cleanup;
cleanup:
	cJSON_Delete(root);
	return st;
}

/* The file to read for PATH: PATH itself, or a tokenizer in directory. */
static char *
tk_resolve(const char *path)
{
	static const char *const names[] = { "tokenizer.json",
		"o200k_base.tiktoken", "original/tokenizer.json" };
	struct stat st;
	char *p;
	size_t i;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return xstrdup(path);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		p = xasprintf("%s/%s", path, names[i]);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return p;
		free(p);
	}
	return xasprintf("%s/tokenizer.json", path);
}

enum gptoss_status
gptoss_tokenizer_load(const char *path, struct gptoss_tokenizer **tok_out,
    char **detail_out)
{
	struct gptoss_tokenizer *tok = NULL;
	char *file = NULL, *data = NULL;
	size_t len = 0, i;
	uint32_t dup;
	enum gptoss_status st;

	if (detail_out != NULL)
		*detail_out = NULL;
	if (path == NULL || tok_out == NULL)
		return tk_fail(detail_out, GPTOSS_ERR_ARGUMENT, "no path");
	file = tk_resolve(path);
	if ((st = tk_read_file(file, &data, &len, detail_out)) != GPTOSS_OK)
		goto cleanup;
	tok = xcalloc(1, sizeof *tok);
	for (i = 0; i < len && strchr(" \t\r\n", data[i]) != NULL; i++)
		;
	if (len == 0) {
		st = tk_fail(detail_out, GPTOSS_ERR_FORMAT, "%s: empty file",
		    file);
		goto cleanup;
	}
	if (data[i] == '{')
		st = tk_load_json(tok, file, data, len, detail_out);
	else
		st = tk_load_tiktoken(tok, file, data, len, detail_out);
	if (st != GPTOSS_OK)
		goto cleanup;
	if (tk_index(tok, &dup) != 0) {
		st = tk_fail(detail_out, GPTOSS_ERR_FORMAT,
		    "%s: token %u "
		    "duplicates another token's bytes",
		    file, dup);
		goto cleanup;
	}
	if ((st = tk_check_ranks(tok, file, detail_out)) != GPTOSS_OK)
		goto cleanup;
	*tok_out = tok;
	tok = NULL;
cleanup:
	gptoss_tokenizer_free(tok);
	free(data);
	free(file);
	return st;
}

/* ---- encoding ----------------------------------------------------------- */

/* A growable id array. */
struct tk_ids {
	uint32_t *v;
	size_t n, cap;
};

static inline void
tk_push(struct tk_ids *a, uint32_t id)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	a->v[a->n++] = id;
}

/* Scratch space for merging, reused across pre-tokens. */
struct tk_work {
	uint32_t *start; /* [n + 1] part start offsets */
	uint32_t *rank;	 /* [n + 1] rank of part i merged with part i+1 */
	uint32_t *next, *prev;
	struct tk_heap_ent *heap;
	size_t cap;
};

struct tk_heap_ent {
	uint32_t rank, pos, end;
};

static void
tk_work_reserve(struct tk_work *w, size_t n)
{
	if (n + 1 <= w->cap)
		return;
	w->cap = (n + 1) * 2;
	w->start = xreallocarray(w->start, w->cap, sizeof *w->start);
	w->rank = xreallocarray(w->rank, w->cap, sizeof *w->rank);
	w->next = xreallocarray(w->next, w->cap, sizeof *w->next);
	w->prev = xreallocarray(w->prev, w->cap, sizeof *w->prev);
	w->heap = xreallocarray(w->heap, w->cap * 3, sizeof *w->heap);
}

static void
tk_work_free(struct tk_work *w)
{
	free(w->start);
	free(w->rank);
	free(w->next);
	free(w->prev);
	free(w->heap);
}

/* Rank of P[a..b), or TK_NONE. */
static inline uint32_t
tk_rank(const struct gptoss_tokenizer *tok, const uint8_t *p, size_t a,
    size_t b)
{
	return tk_find(tok, &tok->ranks, p + a, b - a);
}

/* tiktoken's byte_pair_merge for a short piece P of N >= 2 bytes. */
static void
tk_merge_scan(const struct gptoss_tokenizer *tok, const uint8_t *p, size_t n,
    struct tk_work *w, struct tk_ids *out)
{
	uint32_t *start = w->start, *rank = w->rank, best;
	size_t parts = n + 1, i, k;

	for (i = 0; i <= n; i++) {
		start[i] = (uint32_t)i;
		rank[i] = i + 2 <= n ? tk_rank(tok, p, i, i + 2) : TK_NONE;
	}
	for (;;) {
		best = TK_NONE;
		k = 0;
		for (i = 0; i + 1 < parts; i++) {
			if (rank[i] < best) {
				best = rank[i];
				k = i;
			}
		}
		if (best == TK_NONE)
			break;
		/* Merge part k with k+1: drop boundary k+1. */
		memmove(start + k + 1, start + k + 2,
		    (parts - k - 2) * sizeof *start);
		memmove(rank + k + 1, rank + k + 2,
		    (parts - k - 2) * sizeof *rank);
		parts--;
		rank[k] = k + 2 < parts ?
		    tk_rank(tok, p, start[k], start[k + 2]) :
		    TK_NONE;
		if (k > 0)
			rank[k - 1] = tk_rank(tok, p, start[k - 1],
			    start[k + 1]);
	}
	for (i = 0; i + 1 < parts; i++)
		tk_push(out, tk_rank(tok, p, start[i], start[i + 1]));
}

static inline int
tk_heap_less(const struct tk_heap_ent *a, const struct tk_heap_ent *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void
tk_heap_add(struct tk_heap_ent *h, size_t *n, struct tk_heap_ent e)
{
	size_t i = (*n)++, up;

	while (i > 0 && tk_heap_less(&e, &h[up = (i - 1) / 2])) {
		h[i] = h[up];
		i = up;
	}
	h[i] = e;
}

static struct tk_heap_ent
tk_heap_pop(struct tk_heap_ent *h, size_t *n)
{
	struct tk_heap_ent top = h[0], last = h[--*n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < *n) {
		if (c + 1 < *n && tk_heap_less(&h[c + 1], &h[c]))
			c++;
		if (!tk_heap_less(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
	return top;
}

/* Pushes the pair starting at part I (if it has a rank) onto the heap. */
static void
tk_heap_pair(const struct gptoss_tokenizer *tok, const uint8_t *p, size_t n,
    struct tk_work *w, size_t *hn, uint32_t i)
{
	uint32_t j = w->next[i], end, r;

	if (j >= n)
		return;
	end = w->next[j];
	if ((r = tk_rank(tok, p, i, end)) != TK_NONE)
		tk_heap_add(w->heap, hn, (struct tk_heap_ent){ r, i, end });
}

/*
 * The same merges for a long piece: parts are a linked list (a part is
 * named by its start offset, which never changes), candidate pairs sit in
 * a heap ordered by (rank, start); stale entries are skipped on pop.
 */
static void
tk_merge_heap(const struct gptoss_tokenizer *tok, const uint8_t *p, size_t n,
    struct tk_work *w, struct tk_ids *out)
{
	struct tk_heap_ent e;
	size_t hn = 0;
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		w->next[i] = i + 1;
		w->prev[i] = i - 1; /* wraps for i = 0: no predecessor */
		w->rank[i] = 1;	    /* alive */
	}
	for (i = 0; i + 1 < n; i++)
		tk_heap_pair(tok, p, n, w, &hn, i);
	while (hn > 0) {
		e = tk_heap_pop(w->heap, &hn);
		i = e.pos;
		if (!w->rank[i] || (j = w->next[i]) >= n || w->next[j] != e.end)
			continue;
		w->rank[j] = 0;
		w->next[i] = w->next[j];
		if (w->next[j] < n)
			w->prev[w->next[j]] = i;
		tk_heap_pair(tok, p, n, w, &hn, i);
		if (i > 0)
			tk_heap_pair(tok, p, n, w, &hn, w->prev[i]);
	}
	for (i = 0; i < n; i = w->next[i])
		tk_push(out, tk_rank(tok, p, i, w->next[i]));
}

/* Encodes one pre-token. */
static void
tk_encode_piece(const struct gptoss_tokenizer *tok, const uint8_t *p, size_t n,
    struct tk_work *w, struct tk_ids *out)
{
	uint32_t id = tk_rank(tok, p, 0, n);

	if (id != TK_NONE) {
		tk_push(out, id);
		return;
	}
	tk_work_reserve(w, n);
	if (n < TK_HEAP_MIN)
		tk_merge_scan(tok, p, n, w, out);
	else
		tk_merge_heap(tok, p, n, w, out);
}

/* Encodes ordinary (valid UTF-8) text. */
static void
tk_encode_ordinary(const struct gptoss_tokenizer *tok, const uint8_t *p,
    size_t n, struct tk_work *w, struct tk_ids *out)
{
	size_t k;

	while (n > 0) {
		k = pretok_next(p, n);
		tk_encode_piece(tok, p, k, w, out);
		p += k;
		n -= k;
	}
}

/*
 * The next special token in P[0..N): its offset in *AT and id in *ID, or
 * returns 0. Specials are "<|...|>" and contain no "|>" inside, so each
 * "<|" is checked against the text up to the next "|>".
 */
static int
tk_next_special(const struct gptoss_tokenizer *tok, const uint8_t *p, size_t n,
    size_t *at, uint32_t *id)
{
	const uint8_t *s = p, *e, *close;

	while ((s = memchr(s, '<', (size_t)(p + n - s))) != NULL) {
		e = p + n;
		if (s + 1 < e && s[1] == '|') {
			for (close = s + 2; close + 1 < e; close++) {
				if (close[0] == '|' && close[1] == '>')
					break;
			}
			if (close + 1 < e &&
			    (*id = tk_find(tok, &tok->specials, s,
				 (size_t)(close + 2 - s))) != TK_NONE) {
				*at = (size_t)(s - p);
				return 1;
			}
		}
		s++;
	}
	return 0;
}

enum gptoss_status
gptoss_tokenizer_encode(const struct gptoss_tokenizer *tok, const char *text,
    size_t len, unsigned flags, uint32_t **ids_out, size_t *n_out)
{
	struct tk_ids out = { NULL, 0, 0 };
	struct tk_work w = { 0 };
	const uint8_t *p = (const uint8_t *)text;
	uint8_t *clean = NULL;
	size_t at;
	uint32_t id;

	if (tok == NULL || (text == NULL && len > 0) || ids_out == NULL ||
	    n_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	if (len > 0 && pretok_valid_prefix(p, len) != len) {
		clean = xmalloc(len * 3);
		len = pretok_sanitize(p, len, clean);
		p = clean;
	}
	tk_push(&out, 0);
	out.n = 0;
	while (len > 0) {
		if (!(flags & GPTOSS_ENCODE_ALLOW_SPECIAL) ||
		    !tk_next_special(tok, p, len, &at, &id)) {
			tk_encode_ordinary(tok, p, len, &w, &out);
			break;
		}
		tk_encode_ordinary(tok, p, at, &w, &out);
		tk_push(&out, id);
		at += tok->len[id];
		p += at;
		len -= at;
	}
	tk_work_free(&w);
	free(clean);
	*ids_out = out.v;
	*n_out = out.n;
	return GPTOSS_OK;
}

/* ---- decoding ----------------------------------------------------------- */

enum gptoss_status
gptoss_tokenizer_token(const struct gptoss_tokenizer *tok, uint32_t id,
    const char **bytes_out, size_t *len_out, int *special_out)
{
	if (tok == NULL || id >= tok->n_ids || tok->len[id] == TK_NONE)
		return GPTOSS_ERR_RANGE;
	*bytes_out = (const char *)tok->pool + tok->off[id];
	*len_out = tok->len[id];
	if (special_out != NULL)
		*special_out = tok->special[id];
	return GPTOSS_OK;
}

enum gptoss_status
gptoss_tokenizer_special(const struct gptoss_tokenizer *tok, const char *name,
    uint32_t *id_out)
{
	uint32_t id;

	if (tok == NULL || name == NULL)
		return GPTOSS_ERR_ARGUMENT;
	id = tk_find(tok, &tok->specials, (const uint8_t *)name, strlen(name));
	if (id == TK_NONE)
		return GPTOSS_ERR_RANGE;
	*id_out = id;
	return GPTOSS_OK;
}

enum gptoss_status
gptoss_tokenizer_decode(const struct gptoss_tokenizer *tok, const uint32_t *ids,
    size_t n, char **text_out, size_t *len_out, size_t *bad_index_out)
{
	size_t i, total = 0;
	char *out;

	if (tok == NULL || (ids == NULL && n > 0) || text_out == NULL ||
	    len_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	for (i = 0; i < n; i++) {
		if (ids[i] >= tok->n_ids || tok->len[ids[i]] == TK_NONE) {
			if (bad_index_out != NULL)
				*bad_index_out = i;
			return GPTOSS_ERR_RANGE;
		}
		total += tok->len[ids[i]];
	}
	out = xmalloc(total + 1);
	total = 0;
	for (i = 0; i < n; i++) {
		memcpy(out + total, tok->pool + tok->off[ids[i]],
		    tok->len[ids[i]]);
		total += tok->len[ids[i]];
	}
	out[total] = '\0';
	*text_out = out;
	*len_out = total;
	return GPTOSS_OK;
}

struct gptoss_decoder {
	const struct gptoss_tokenizer *tok;
	uint8_t held[4]; /* bytes of an unfinished character */
	size_t n_held;
	struct buf out; /* the last push's text */
};

enum gptoss_status
gptoss_decoder_new(const struct gptoss_tokenizer *tok,
    struct gptoss_decoder **dec_out)
{
	struct gptoss_decoder *dec;

	if (tok == NULL || dec_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	dec = xcalloc(1, sizeof *dec);
	dec->tok = tok;
	buf_init(&dec->out, 0);
	*dec_out = dec;
	return GPTOSS_OK;
}

void
gptoss_decoder_free(struct gptoss_decoder *dec)
{
	if (dec == NULL)
		return;
	buf_free(&dec->out);
	free(dec);
}

/* Appends BYTES to the held bytes and emits what is complete. */
static void
tk_decoder_feed(struct gptoss_decoder *dec, const uint8_t *bytes, size_t n,
    int final)
{
	uint8_t *all = xmalloc(dec->n_held + n + 1), *clean;
	size_t total = dec->n_held + n, tail, k;

	memcpy(all, dec->held, dec->n_held);
	memcpy(all + dec->n_held, bytes, n);
	tail = final ? 0 : pretok_incomplete_tail(all, total);
	clean = xmalloc((total - tail) * 3 + 1);
	k = pretok_sanitize(all, total - tail, clean);
	dec->out.len = 0;
	buf_append(&dec->out, clean, k);
	memcpy(dec->held, all + total - tail, tail);
	dec->n_held = tail;
	free(clean);
	free(all);
}

enum gptoss_status
gptoss_decoder_push(struct gptoss_decoder *dec, uint32_t id,
    const char **text_out, size_t *len_out)
{
	const struct gptoss_tokenizer *tok;

	if (dec == NULL || text_out == NULL || len_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	tok = dec->tok;
	if (id >= tok->n_ids || tok->len[id] == TK_NONE)
		return GPTOSS_ERR_RANGE;
	tk_decoder_feed(dec, tok->pool + tok->off[id], tok->len[id], 0);
	*text_out = dec->out.data != NULL ? dec->out.data : "";
	*len_out = dec->out.len;
	return GPTOSS_OK;
}

enum gptoss_status
gptoss_decoder_flush(struct gptoss_decoder *dec, const char **text_out,
    size_t *len_out)
{
	if (dec == NULL || text_out == NULL || len_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	tk_decoder_feed(dec, (const uint8_t *)"", 0, 1);
	*text_out = dec->out.data != NULL ? dec->out.data : "";
	*len_out = dec->out.len;
	return GPTOSS_OK;
}
