/*
 * fuzz-safetensors.c: libFuzzer target for the safetensors header parser.
 * The first 8 input bytes give the data-area length; the rest is the JSON
 * header. Build and run with scripts/fuzz-safetensors.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/gptoss/gptoss-impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gptoss_st_tensor *t = NULL;
	uint64_t data_len = 0;
	char *err = NULL;
	size_t n = 0, i;

	if (size < 8)
		return 0;
	memcpy(&data_len, data, 8);
	if (gptoss_st_parse_header("fuzz", (const char *)data + 8, size - 8,
		data_len, &t, &n, &err) == GPTOSS_OK) {
		/* Every accepted range lies inside the data area. */
		for (i = 0; i < n; i++)
			if (t[i].begin > t[i].end || t[i].end > data_len)
				abort();
		if (gptoss_st_find(&(struct gptoss_st_file){ .tensors = t,
				       .n = n },
			n ? t[0].name : "x") == NULL &&
		    n)
			abort();
	}
	gptoss_st_tensors_free(t, n);
	free(err);
	return 0;
}
