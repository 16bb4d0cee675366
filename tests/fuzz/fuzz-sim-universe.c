/*
 * fuzz-sim-universe.c: libFuzzer harness for the sim provider's universe
 * file loader (provider_sim_check). The input is the file. Errors are
 * fine; a crash or a failure without a message is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "tools/market/provider.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *cause = NULL;

	if (provider_sim_check(text, &cause) != 0 && cause == NULL)
		abort();
	free(cause);
	free(text);
	return 0;
}
