/*
 * fuzz-aws-credentials.c: libFuzzer harness for the AWS shared
 * credentials and config file readers, through awscred_resolve and
 * awscred_region with the environment pointing at two in-memory files:
 * the input up to its first NUL byte is ~/.aws/credentials, the rest
 * ~/.aws/config. Odd-sized inputs ask for the profile "dev" by name,
 * even-sized ones for the default. The container and instance metadata
 * sources are switched off, so nothing goes to the network. Errors are
 * fine; a crash, a failure without a message or credentials without both
 * keys are not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aws-credentials.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const unset[] = { "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI" };
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof unset / sizeof *unset; i++)
		unsetenv(unset[i]);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t first = nul != NULL ? (size_t)(nul - data) : size, rest;
	const char *profile = size % 2 ? "dev" : NULL;
	struct aws_credentials *c = NULL;
	char *cause = NULL, *region = NULL;

	setenv("AWS_SHARED_CREDENTIALS_FILE", fuzz_file(0, data, first), 1);
	rest = first < size ? first + 1 : size;
	setenv("AWS_CONFIG_FILE", fuzz_file(1, data + rest, size - rest), 1);
	if (awscred_resolve(&(struct awscred_options){ .profile = profile }, &c,
		&cause) == 0) {
		if (c->access_key_id == NULL || c->secret_access_key == NULL)
			abort();
	} else if (cause == NULL) {
		abort();
	}
	free(cause);
	cause = NULL;
	if (awscred_region(NULL, profile, &region, &cause) != 0 &&
	    cause == NULL)
		abort();
	free(region);
	free(cause);
	awscred_free(c);
	return 0;
}
