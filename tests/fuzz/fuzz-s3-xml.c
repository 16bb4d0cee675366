/*
 * fuzz-s3-xml.c: libFuzzer harness for the S3 error body reader
 * (s3_xml_text), asked for the <Code> and <Message> the error
 * classification reads. Any result is fine; a crash, or text longer than
 * the body, is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/s3.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = { "Code", "Message" };
	char *xml = fuzz_string(data, size), *text;
	size_t i;

	for (i = 0; i < 2; i++) {
		if ((text = s3_xml_text(xml, tags[i])) != NULL &&
		    strlen(text) > strlen(xml))
			abort();
		free(text);
	}
	free(xml);
	return 0;
}
