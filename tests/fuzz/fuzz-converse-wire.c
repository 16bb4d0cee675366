/*
 * fuzz-converse-wire.c: libFuzzer harness for the Bedrock Converse
 * readers: the input as a whole ConverseResponse (converse_wire_parse),
 * then each line "EVENT-TYPE JSON" as one ConverseStream event
 * (converse_wire_event, the ":event-type" header and the payload the
 * event-stream decoder hands over) and the end of that stream
 * (converse_wire_finish). Errors are fine; a crash or a failure without a
 * message is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/converse-wire.h"
#include "tests/fuzz/fuzz.h"

/* One "TYPE JSON" line; 0, or -1 with *cause. */
static int
event(struct converse_wire_acc *a, char *line, char **cause)
{
	char *sp = strchr(line, ' ');
	cJSON *payload;
	int rc;

	if (sp == NULL)
		return 0;
	*sp = '\0';
	if ((payload = cJSON_Parse(sp + 1)) == NULL)
		return 0; /* the backend refuses it before the reader */
	rc = converse_wire_event(a, line, payload, cause);
	cJSON_Delete(payload);
	return rc;
}

static void
stream(const uint8_t *data, size_t size)
{
	struct converse_wire_acc acc;
	struct model_response resp = { 0 };
	char *text = fuzz_string(data, size), *line, *save = NULL;
	char *cause = NULL;
	int rc = 0;

	converse_wire_acc_init(&acc, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		rc = event(&acc, line, &cause);
	if (rc == 0)
		rc = converse_wire_finish(&acc, &resp, &cause);
	if (rc != 0 && cause == NULL)
		abort();
	free(cause);
	free(text);
	model_response_clear(&resp);
	converse_wire_acc_free(&acc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_response resp = { 0 };
	char *cause = NULL;

	if (converse_wire_parse((const char *)data, size, &resp, &cause) != 0 &&
	    cause == NULL)
		abort();
	free(cause);
	model_response_clear(&resp);
	stream(data, size);
	return 0;
}
