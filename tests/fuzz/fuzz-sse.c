/*
 * fuzz-sse.c: libFuzzer harness for the streamed-body line reader
 * (remote_lines: SSE "data:" lines and JSON lines) feeding the OpenAI
 * chat.completion.chunk accumulator, as the openai and sagemaker backends
 * use them. The first byte sets the size of the pieces the rest arrives
 * in. Errors are fine; a crash, or a failure without a message, is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "model/openai-wire.h"
#include "model/remote.h"
#include "tests/fuzz/fuzz.h"

static int
feed(void *arg, const uint8_t *p, size_t n)
{
	return remote_lines_feed(arg, (const char *)p, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct openai_wire_acc acc;
	struct remote_lines lines;
	struct model_response resp = { 0 };
	char *cause = NULL;
	int rc;

	if (size < 1)
		return 0;
	openai_wire_acc_init(&acc, NULL);
	remote_lines_init(&lines, openai_wire_acc_chunk, &acc);
	rc = fuzz_pieces(data + 1, size - 1, 1 + data[0] % 64, feed, &lines);
	if (rc != 0 && lines.error == NULL)
		abort();
	if (openai_wire_stream_finish(&acc, &lines, "fuzz", &resp, &cause) !=
		0 &&
	    cause == NULL)
		abort();
	free(cause);
	model_response_clear(&resp);
	remote_lines_free(&lines);
	openai_wire_acc_free(&acc);
	return 0;
}
