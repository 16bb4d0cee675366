/*
 * cmd-data-cache.c: stockagent data cache list|clear [SYMBOL].
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/market/cache.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_data_cache_entry;

static const struct option cmd_data_cache_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

/* "3 h 05 min" for SECONDS. */
static void
cache_age(char *buf, size_t size, double seconds)
{
	long s = (long)seconds;

	if (s < 3600)
		snprintf(buf, size, "%ld min", s / 60);
	else if (s < 86400 * 2)
		snprintf(buf, size, "%ld h %02ld min", s / 3600,
		    (s % 3600) / 60);
	else
		snprintf(buf, size, "%ld days", s / 86400);
}

static void
cache_print(const cJSON *rows)
{
	const cJSON *r;
	const char *first, *last;
	char age[32];

	if (cJSON_GetArraySize(rows) == 0) {
		printf("nothing cached\n");
		return;
	}
	printf("%-12s %-13s %-10s %-21s %-12s %s\n", "SYMBOL", "KIND",
	    "PROVIDER", "FETCHED", "AGE", "ITEMS");
	cJSON_ArrayForEach(r, rows) {
		first = jsonutil_string(r, "first");
		last = jsonutil_string(r, "last");
		cache_age(age, sizeof age, jsonutil_number(r, "age_seconds"));
		printf("%-12s %-13s %-10s %-21s %-12s %.0f",
		    jsonutil_string(r, "symbol"), jsonutil_string(r, "kind"),
		    jsonutil_string(r, "provider"),
		    jsonutil_string(r, "fetched_at"), age,
		    jsonutil_number(r, "items"));
		if (first != NULL && last != NULL)
			printf(" (%s to %s)", first, last);
		printf("\n");
	}
}

static int
cmd_data_cache(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_data_cache_entry;
	const char *format = "text", *what;
	char sym[SYMBOL_MAX + 1], *cause = NULL, *text;
	struct store *st = NULL;
	cJSON *rows = NULL;
	long n = 0;
	int c, rc;

	while ((c = cmd_getopt(e, argc, argv, "f:", cmd_data_cache_longopts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'f')
			format = optarg;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use text or "
		    "json",
		    format);
	if (optind >= argc || optind + 2 < argc ||
	    (strcmp(argv[optind], "list") != 0 &&
		strcmp(argv[optind], "clear") != 0))
		return cmd_usage_error(e,
		    "use 'data cache list [SYMBOL]' or "
		    "'data cache clear [SYMBOL]'");
	what = argv[optind];
	if (optind + 1 < argc &&
	    symbol_normalize(argv[optind + 1], sym, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if (strcmp(what, "list") == 0 &&
	    market_cache_list(st, optind + 1 < argc ? sym : NULL, time(NULL),
		&rows, &cause) == 0) {
		if (strcmp(format, "json") == 0) {
			text = jsonutil_print_text(rows, 1);
			printf("%s\n", text);
			free(text);
		} else {
			cache_print(rows);
		}
	} else if (strcmp(what, "clear") == 0 &&
	    market_cache_clear(st, optind + 1 < argc ? sym : NULL, &n,
		&cause) == 0) {
		printf("cleared %ld cached item%s%s%s\n", n, n == 1 ? "" : "s",
		    optind + 1 < argc ? " of " : "",
		    optind + 1 < argc ? sym : "");
	} else {
		log_error("%s", cause);
		free(cause);
		rc = EXIT_STORAGE;
	}
	cJSON_Delete(rows);
	store_close(st);
	return rc;
}

static const char *const cmd_data_cache_words[] = { "list", "clear", NULL };
static const char *const cmd_data_cache_formats[] = { "text", "json", NULL };

static const struct cmd_arg cmd_data_cache_args[] = {
	{ NULL, CMD_VALUE_WORDS, cmd_data_cache_words },
	{ "format", CMD_VALUE_WORDS, cmd_data_cache_formats },
	{ NULL, CMD_VALUE_NONE, NULL },
};

const struct cmd_entry cmd_data_cache_entry = {
	.name = "data cache",
	.usage = "list|clear [SYMBOL] [--format text|json]",
	.summary = "the market data kept in the database: what, from whom, "
		   "how old; or forget it",
	.help =
	    "  list [SYMBOL]       cached bars, fundamentals and news, with\n"
	    "                      provider, fetch time and age\n"
	    "  clear [SYMBOL]      forget them (all symbols without SYMBOL)\n"
	    "  --format FORMAT     text (default) or json (list)\n",
	.exec = cmd_data_cache,
	.options = cmd_data_cache_longopts,
	.args = cmd_data_cache_args,
};
