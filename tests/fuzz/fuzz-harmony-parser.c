/*
 * fuzz-harmony-parser.c: libFuzzer harness for the harmony parser. Each
 * pair of input bytes is one token id, biased towards the format tokens;
 * $FUZZ_TOKENIZER names the tokenizer. Errors are fine, crashes are not.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/gptoss/harmony.h"

static struct gptoss_tokenizer *tok;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("FUZZ_TOKENIZER");

	(void)argc;
	(void)argv;
	if (path == NULL ||
	    gptoss_tokenizer_load(path, &tok, NULL) != GPTOSS_OK) {
		fprintf(stderr, "fuzz-harmony-parser: set FUZZ_TOKENIZER\n");
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct harmony_parser *p = NULL;
	const struct harmony_event *ev;
	size_t i, ne;
	uint32_t v, id;
	cJSON *msgs;

	harmony_parser_new(tok, size % 2 ? "assistant" : NULL, &p);
	for (i = 0; i + 1 < size; i += 2) {
		v = (uint32_t)data[i] << 8 | data[i + 1];
		/* 1/4 format tokens, else ordinary (and a few bad) ids. */
		id = v % 4 == 0 ? 199998 + (v >> 2) % 24 : (v >> 2) * 13;
		if (harmony_parser_push(p, id, &ev, &ne) != GPTOSS_OK)
			break;
	}
	harmony_parser_finish(p, &ev, &ne);
	msgs = harmony_parser_messages(p);
	cJSON_Delete(msgs);
	harmony_parser_free(p);
	return 0;
}
