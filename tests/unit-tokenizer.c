/*
 * unit-tokenizer.c: the o200k_harmony tokenizer against js-tiktoken.
 *
 * Node writes o200k_base.tiktoken and an HF tokenizer.json from
 * js-tiktoken's ranks (tests/oracle/make-files.js) and the expected ids of
 * the corpus under tests/fixtures/tokenizer plus random strings
 * (tests/oracle/make-cases.js); every id must match, through both files.
 * Exits 77 (skip) without node or tests/node_modules.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "model/gptoss/pretokenize.h"
#include "model/gptoss/tokenizer.h"
#include "tests/testlib.h"

static char tmpdir[] = "/tmp/unit-tokenizer-XXXXXX";

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = xmalloc((size_t)n + 1);
	if (fread(data, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	*len = (size_t)n;
	return data;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Checks one case against TOK; returns 1 if the ids match. */
static int
check_case(const struct gptoss_tokenizer *tok, unsigned flags,
    const uint8_t *text, size_t len, const uint8_t *want, size_t nwant,
    int verbose)
{
	uint32_t *ids = NULL;
	size_t n = 0, i;
	int ok;

	if (gptoss_tokenizer_encode(tok, (const char *)text, len,
		flags ? GPTOSS_ENCODE_ALLOW_SPECIAL : 0, &ids, &n) != GPTOSS_OK)
		return 0;
	ok = n == nwant;
	for (i = 0; ok && i < n; i++)
		ok = ids[i] == rd32(want + 4 * i);
	if (!ok && verbose) {
		printf("mismatch on %zu bytes:", len);
		for (i = 0; i < len && i < 80; i++)
			printf(" %02x", text[i]);
		printf("\n  got ");
		for (i = 0; i < n && i < 30; i++)
			printf(" %u", ids[i]);
		printf("\n  want");
		for (i = 0; i < nwant && i < 30; i++)
			printf(" %u", rd32(want + 4 * i));
		printf("\n");
	}
	free(ids);
	return ok;
}

/* Decoding the ids gives the (sanitized) text, streaming too. */
static int
check_decode(const struct gptoss_tokenizer *tok, const uint8_t *text,
    size_t len)
{
	uint32_t *ids = NULL;
	size_t n = 0, i, dlen = 0, slen, clen;
	char *dtext = NULL;
	struct gptoss_decoder *dec = NULL;
	struct buf stream;
	const char *piece;
	uint8_t *clean = xmalloc(len * 3 + 1);
	int ok = 0;

	buf_init(&stream, 0);
	clen = pretok_sanitize(text, len, clean);
	if (gptoss_tokenizer_encode(tok, (const char *)text, len, 0, &ids,
		&n) != GPTOSS_OK ||
	    gptoss_tokenizer_decode(tok, ids, n, &dtext, &dlen, NULL) !=
		GPTOSS_OK ||
	    gptoss_decoder_new(tok, &dec) != GPTOSS_OK)
		goto cleanup;
	for (i = 0; i < n; i++) {
		if (gptoss_decoder_push(dec, ids[i], &piece, &slen) !=
			GPTOSS_OK ||
		    pretok_valid_prefix((const uint8_t *)piece, slen) != slen)
			goto cleanup;
		buf_append(&stream, piece, slen);
	}
	gptoss_decoder_flush(dec, &piece, &slen);
	buf_append(&stream, piece, slen);
	ok = dlen == clen && memcmp(dtext, clean, clen) == 0 &&
	    stream.len == clen &&
	    memcmp(stream.data ? stream.data : "", clean, clen) == 0;
cleanup:
	buf_free(&stream);
	gptoss_decoder_free(dec);
	free(dtext);
	free(ids);
	free(clean);
	return ok;
}

/* Whether TEXT names a special token that only harmony's set has. */
static int
harmony_only(const uint8_t *text, size_t len)
{
	return memmem(text, len, "<|endofprompt|>", 15) != NULL ||
	    memmem(text, len, "<|reserved_", 11) != NULL;
}

/*
 * HF_SPECIALS: TOK has tokenizer.json's specials (200018 is
 * <|endofprompt|>, nothing past it), so allowed-special cases naming the
 * others are skipped.
 */
static void
test_corpus(const struct gptoss_tokenizer *tok, const char *what,
    const uint8_t *cases, size_t len, int hf_specials)
{
	size_t off = 0, ncase = 0, bad = 0, badrt = 0, tlen, nids;
	unsigned flags;

	while (off + 12 <= len) {
		flags = rd32(cases + off);
		tlen = rd32(cases + off + 4);
		nids = rd32(cases + off + 8 + tlen);
		if (hf_specials && flags &&
		    harmony_only(cases + off + 8, tlen)) {
			off += 12 + tlen + 4 * nids;
			continue;
		}
		if (!check_case(tok, flags, cases + off + 8, tlen,
			cases + off + 12 + tlen, nids, bad < 5))
			bad++;
		if (!flags && !check_decode(tok, cases + off + 8, tlen))
			badrt++;
		off += 12 + tlen + 4 * nids;
		ncase++;
	}
	printf("%s: %zu cases, %zu id mismatches, %zu decode mismatches\n",
	    what, ncase, bad, badrt);
	TEST_CHECK("the corpus has cases", ncase > 100);
	TEST_CHECK("every case's ids equal js-tiktoken's", bad == 0);
	TEST_CHECK("decoding gives the text back", badrt == 0);
}

static void
test_specials(const struct gptoss_tokenizer *tok)
{
	static const char *const names[] = { "<|startoftext|>", "<|endoftext|>",
		"<|return|>", "<|constrain|>", "<|channel|>", "<|start|>",
		"<|end|>", "<|message|>", "<|call|>" };
	static const uint32_t want[] = { 199998, 199999, 200002, 200003, 200005,
		200006, 200007, 200008, 200012 };
	uint32_t id = 0, *ids = NULL;
	size_t i, n;
	const char *bytes;
	int special;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		TEST_CHECK("special token ids are harmony's",
		    gptoss_tokenizer_special(tok, names[i], &id) == GPTOSS_OK &&
			id == want[i]);
	}
	TEST_CHECK("an unknown special is out of range",
	    gptoss_tokenizer_special(tok, "<|nope|>", &id) == GPTOSS_ERR_RANGE);
	TEST_CHECK("token 200006 is the special <|start|>",
	    gptoss_tokenizer_token(tok, 200006, &bytes, &n, &special) ==
		    GPTOSS_OK &&
		n == 9 && memcmp(bytes, "<|start|>", 9) == 0 && special == 1);
	gptoss_tokenizer_encode(tok, "<|start|>user", 13,
	    GPTOSS_ENCODE_ALLOW_SPECIAL, &ids, &n);
	TEST_CHECK("allowed specials encode as one token",
	    n == 2 && ids[0] == 200006 && ids[1] == 1428);
	free(ids);
	gptoss_tokenizer_encode(tok, "<|start|>user", 13, 0, &ids, &n);
	TEST_CHECK("specials are ordinary text unless allowed",
	    n > 2 && ids[0] != 200006);
	free(ids);
	gptoss_tokenizer_encode(tok, "", 0, 0, &ids, &n);
	TEST_CHECK("empty text gives no ids", ids != NULL && n == 0);
	free(ids);
	TEST_CHECK("o200k has 199998 ranks",
	    gptoss_tokenizer_n_ranks(tok) == 199998);
}

static void
test_decode_errors(const struct gptoss_tokenizer *tok)
{
	uint32_t ids[] = { 1428, 999999 };
	char *text = NULL;
	size_t len, bad = 0;
	struct gptoss_decoder *dec = NULL;
	const char *piece;
	/* "é" is one token? split it by hand: bytes c3 a9 are ids 5382? No:
	 * look the single-byte tokens up instead. */
	uint32_t b1 = 0, b2 = 0, id;
	const char *bytes;
	int special;

	TEST_CHECK("an id out of range is an error",
	    gptoss_tokenizer_decode(tok, ids, 2, &text, &len, &bad) ==
		    GPTOSS_ERR_RANGE &&
		bad == 1);
	for (id = 0; id < 256 * 4 && (b1 == 0 || b2 == 0); id++) {
		gptoss_tokenizer_token(tok, id, &bytes, &len, &special);
		if (len == 1 && (uint8_t)bytes[0] == 0xC3)
			b1 = id;
		if (len == 1 && (uint8_t)bytes[0] == 0xA9)
			b2 = id;
	}
	gptoss_decoder_new(tok, &dec);
	TEST_CHECK("a streaming decoder holds back half a character",
	    gptoss_decoder_push(dec, b1, &piece, &len) == GPTOSS_OK &&
		len == 0);
	TEST_CHECK("and emits it when complete",
	    gptoss_decoder_push(dec, b2, &piece, &len) == GPTOSS_OK &&
		len == 2 && memcmp(piece, "\xC3\xA9", 2) == 0);
	gptoss_decoder_push(dec, b1, &piece, &len);
	TEST_CHECK("a dangling byte comes out as U+FFFD at the end",
	    gptoss_decoder_flush(dec, &piece, &len) == GPTOSS_OK && len == 3 &&
		memcmp(piece, "\xEF\xBF\xBD", 3) == 0);
	TEST_CHECK("the decoder rejects unknown ids",
	    gptoss_decoder_push(dec, 5000000, &piece, &len) ==
		GPTOSS_ERR_RANGE);
	gptoss_decoder_free(dec);
}

static enum gptoss_status
load_text(const char *name, const char *content, char **detail)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	struct gptoss_tokenizer *tok = NULL;
	enum gptoss_status st;

	fputs(content, f);
	fclose(f);
	st = gptoss_tokenizer_load(path, &tok, detail);
	gptoss_tokenizer_free(tok);
	free(path);
	return st;
}

static void
test_load_errors(void)
{
	struct gptoss_tokenizer *tok = NULL;
	char *detail = NULL, *cmd;

	TEST_CHECK("a missing file is an I/O error",
	    gptoss_tokenizer_load("/nonexistent/tokenizer.json", &tok,
		&detail) == GPTOSS_ERR_IO &&
		detail != NULL && strstr(detail, "/nonexistent") != NULL);
	free(detail);
	TEST_CHECK("another model type is unsupported",
	    load_text("wp.json",
		"{\"model\":{\"type\":\"WordPiece\","
		"\"vocab\":{\"a\":0}}}",
		&detail) == GPTOSS_ERR_UNSUPPORTED);
	free(detail);
	TEST_CHECK("a BPE with another regex is unsupported",
	    load_text("bpe.json",
		"{\"pre_tokenizer\":{\"type\":\"Split\","
		"\"pattern\":{\"Regex\":\"\\\\w+\"}},\"model\":{\"type\":"
		"\"BPE\","
		"\"vocab\":{\"a\":0},\"merges\":[]}}",
		&detail) == GPTOSS_ERR_UNSUPPORTED);
	free(detail);
	TEST_CHECK("a bad .tiktoken line is a format error",
	    load_text("bad.tiktoken", "QQ== 0\nnot base64!! x\n", &detail) ==
		    GPTOSS_ERR_FORMAT &&
		strstr(detail, "line 2") != NULL);
	free(detail);
	TEST_CHECK("an empty file is a format error",
	    load_text("empty.json", "", &detail) == GPTOSS_ERR_FORMAT);
	free(detail);
	cmd = xasprintf(
	    "head -c 5000000 %s/tokenizer.json > %s/cut.json && "
	    "head -n 150000 %s/o200k_base.tiktoken > %s/cut.tiktoken",
	    tmpdir, tmpdir, tmpdir, tmpdir);
	run(cmd);
	free(cmd);
	cmd = xasprintf("%s/cut.json", tmpdir);
	TEST_CHECK("a truncated tokenizer.json is a format error",
	    gptoss_tokenizer_load(cmd, &tok, &detail) == GPTOSS_ERR_FORMAT);
	free(detail);
	free(cmd);
	cmd = xasprintf("%s/cut.tiktoken", tmpdir);
	TEST_CHECK("a truncated .tiktoken is a format error",
	    gptoss_tokenizer_load(cmd, &tok, &detail) == GPTOSS_ERR_FORMAT &&
		strstr(detail, "truncated") != NULL);
	free(detail);
	free(cmd);
}

int
main(void)
{
	const char *src = getenv("top_srcdir");
	struct gptoss_tokenizer *tj = NULL, *tt = NULL, *td = NULL;
	char *cmd, *path, *detail = NULL;
	uint8_t *cases;
	size_t len = 0;

	if (src == NULL)
		src = ".";
	path = xasprintf("%s/tests/node_modules/js-tiktoken", src);
	if (run("node --version >/dev/null 2>&1") != 0 ||
	    access(path, R_OK) != 0) {
		printf("skip: node or %s missing\n", path);
		return 77;
	}
	free(path);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	cmd = xasprintf("node %s/tests/oracle/make-files.js %s && "
			"node %s/tests/oracle/make-cases.js %s/cases.bin "
			"%s/tests/fixtures/tokenizer --random 3000",
	    src, tmpdir, src, tmpdir, src);
	TEST_CHECK("the oracle runs", run(cmd) == 0);
	free(cmd);
	path = xasprintf("%s/tokenizer.json", tmpdir);
	TEST_CHECK("tokenizer.json loads",
	    gptoss_tokenizer_load(path, &tj, &detail) == GPTOSS_OK);
	free(path);
	if (detail)
		printf("%s\n", detail);
	path = xasprintf("%s/o200k_base.tiktoken", tmpdir);
	TEST_CHECK("o200k_base.tiktoken loads",
	    gptoss_tokenizer_load(path, &tt, NULL) == GPTOSS_OK);
	free(path);
	TEST_CHECK("a model directory loads its tokenizer.json",
	    gptoss_tokenizer_load(tmpdir, &td, NULL) == GPTOSS_OK &&
		gptoss_tokenizer_vocab_size(td) == 200019);
	TEST_CHECK("the .tiktoken vocabulary ends at harmony's 201088",
	    tt != NULL && gptoss_tokenizer_vocab_size(tt) == 201089);
	path = xasprintf("%s/cases.bin", tmpdir);
	cases = slurp(path, &len);
	free(path);
	if (tj != NULL && tt != NULL && cases != NULL) {
		test_corpus(tj, "tokenizer.json", cases, len, 1);
		test_corpus(tt, "o200k_base.tiktoken", cases, len, 0);
		test_specials(tj);
		test_specials(tt);
		test_decode_errors(tt);
	}
	test_load_errors();
	free(cases);
	gptoss_tokenizer_free(tj);
	gptoss_tokenizer_free(tt);
	gptoss_tokenizer_free(td);
	cmd = xasprintf("rm -rf %s", tmpdir);
	run(cmd);
	free(cmd);
	return TEST_REPORT();
}
