/*
 * fuzz-encode.c: libFuzzer harness for gptoss_tokenizer_encode and the
 * decoders. $FUZZ_TOKENIZER names the tokenizer. Checks that decoding the
 * ids gives back the input with invalid UTF-8 replaced by U+FFFD, and that
 * the streaming decoder emits only valid UTF-8 and the same text.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/gptoss/pretokenize.h"
#include "model/gptoss/tokenizer.h"

static struct gptoss_tokenizer *tok;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("FUZZ_TOKENIZER");

	(void)argc;
	(void)argv;
	if (path == NULL ||
	    gptoss_tokenizer_load(path, &tok, NULL) != GPTOSS_OK) {
		fprintf(stderr,
		    "fuzz-encode: set FUZZ_TOKENIZER to a "
		    "tokenizer file\n");
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *ids = NULL;
	size_t n = 0, len = 0, clen, i, slen;
	char *text = NULL;
	uint8_t *clean = xmalloc(size * 3 + 1);
	struct gptoss_decoder *dec = NULL;
	const char *piece;
	struct buf all;

	buf_init(&all, 0);
	clen = pretok_sanitize(data, size, clean);
	gptoss_tokenizer_encode(tok, (const char *)data, size, 0, &ids, &n);
	if (gptoss_tokenizer_decode(tok, ids, n, &text, &len, NULL) !=
		GPTOSS_OK ||
	    len != clen || memcmp(text, clean, len) != 0)
		abort();
	gptoss_decoder_new(tok, &dec);
	for (i = 0; i < n; i++) {
		gptoss_decoder_push(dec, ids[i], &piece, &slen);
		if (pretok_valid_prefix((const uint8_t *)piece, slen) != slen)
			abort();
		buf_append(&all, piece, slen);
	}
	gptoss_decoder_flush(dec, &piece, &slen);
	buf_append(&all, piece, slen);
	if (all.len != clen || (clen && memcmp(all.data, clean, clen) != 0))
		abort();
	free(ids);
	ids = NULL;
	gptoss_tokenizer_encode(tok, (const char *)data, size,
	    GPTOSS_ENCODE_ALLOW_SPECIAL, &ids, &n);
	buf_free(&all);
	gptoss_decoder_free(dec);
	free(text);
	free(ids);
	free(clean);
	return 0;
}
