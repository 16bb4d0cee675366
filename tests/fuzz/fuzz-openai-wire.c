/*
 * fuzz-openai-wire.c: libFuzzer harness for the OpenAI chat-completions
 * readers: a whole response body (openai_wire_parse, which SageMaker and
 * Bedrock InvokeModel bodies also go through), the same bytes as one
 * stream chunk (openai_wire_acc_chunk), and as the base64 "bytes" of a
 * Bedrock InvokeModel stream chunk (remote_base64_decode). Errors are
 * fine; a crash, a failure without a message or a decoded length longer
 * than base64 allows is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "model/openai-wire.h"
#include "model/remote.h"
#include "tests/fuzz/fuzz.h"

static void
chunk(const uint8_t *data, size_t size)
{
	struct openai_wire_acc acc;
	struct model_response resp = { 0 };
	cJSON *obj = cJSON_ParseWithLength((const char *)data, size);
	char *cause = NULL;

	openai_wire_acc_init(&acc, NULL);
	if (obj != NULL && openai_wire_acc_chunk(&acc, obj, &cause) != 0 &&
	    cause == NULL)
		abort();
	if (cause == NULL && openai_wire_acc_finish(&acc, &resp, &cause) != 0 &&
	    cause == NULL)
		abort();
	free(cause);
	cJSON_Delete(obj);
	model_response_clear(&resp);
	openai_wire_acc_free(&acc);
}

static void
base64(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size), *out;
	size_t len = 0;

	if ((out = remote_base64_decode(in, &len)) != NULL &&
	    len > strlen(in) / 4 * 3)
		abort();
	free(out);
	free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_response resp = { 0 };
	char *cause = NULL;

	if (openai_wire_parse((const char *)data, size, &resp, &cause) != 0 &&
	    cause == NULL)
		abort();
	free(cause);
	model_response_clear(&resp);
	chunk(data, size);
	base64(data, size);
	return 0;
}
