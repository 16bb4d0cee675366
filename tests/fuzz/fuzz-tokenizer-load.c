/*
 * fuzz-tokenizer-load.c: libFuzzer harness for gptoss_tokenizer_load.
 * The input is written to a file and loaded as a tokenizer (tokenizer.json
 * when it starts with '{', a .tiktoken ranks file otherwise); a load that
 * succeeds must also encode and decode.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "model/gptoss/tokenizer.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct gptoss_tokenizer *tok = NULL;
	char *detail = NULL, *text = NULL;
	uint32_t *ids = NULL;
	size_t n = 0, len = 0;
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz-tokload-%ld",
		    (long)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (gptoss_tokenizer_load(path, &tok, &detail) == GPTOSS_OK) {
		gptoss_tokenizer_encode(tok, "Hello, world <|end|>", 20,
		    GPTOSS_ENCODE_ALLOW_SPECIAL, &ids, &n);
		gptoss_tokenizer_decode(tok, ids, n, &text, &len, NULL);
	}
	free(text);
	free(ids);
	free(detail);
	gptoss_tokenizer_free(tok);
	return 0;
}
