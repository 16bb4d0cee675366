/*
 * fuzz-settings.c: libFuzzer harness for the INI config file reader
 * (settings_load_file). The input is the file. Errors are fine; a crash,
 * a -1 without a cause, or a value that the typed getters would meet
 * outside its row's range is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/settings.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LEVEL_QUIET); /* unknown keys are warnings */
	return 0;
}

/* Whether the value S holds for E is one E allows. */
static int
value_ok(const struct settings *s, const struct settings_entry *e)
{
	const char *v = settings_string(s, e->name);
	const char *const *c;
	double d;

	if (v == NULL)
		return 1;
	switch (e->type) {
	case SETTINGS_INT:
		d = (double)settings_int(s, e->name);
		return d >= e->min && d <= e->max;
	case SETTINGS_NUMBER:
		d = settings_number(s, e->name);
		return d >= e->min && d <= e->max;
	case SETTINGS_CHOICE:
		for (c = e->choices; *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				return 1;
		return 0;
	case SETTINGS_BOOL:
	case SETTINGS_STRING:
		break;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings *s = settings_new();
	const struct settings_entry *e;
	char *cause = NULL;

	if (settings_load_file(s, fuzz_file(0, data, size), 0, &cause) != 0 &&
	    cause == NULL)
		abort();
	for (e = settings_table; e->name != NULL; e++) {
		if (!value_ok(s, e) || settings_origin(s, e->name) == NULL)
			abort();
		(void)settings_bool(s, e->name);
	}
	free(cause);
	settings_free(s);
	return 0;
}
