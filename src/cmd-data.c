/*
 * cmd-data.c: stockagent data history SYMBOL | data symbols.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/gather.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_data_entry;

static const struct option cmd_data_longopts[] = {
	{ "as-of", required_argument, NULL, 'a' },
	{ "format", required_argument, NULL, 'f' },
	{ "provider", required_argument, NULL, 'p' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "offline", no_argument, NULL, 'O' },
	{ "refresh", no_argument, NULL, 'R' },
	{ NULL, 0, NULL, 0 },
};

static void
cmd_data_csv(const struct market_bars *b, int header)
{
	char ds[DATE_STR_SIZE];
	size_t i;

	if (header)
		printf("date,open,high,low,close,volume,adj_close\n");
	for (i = 0; i < b->n; i++)
		printf("%s,%.2f,%.2f,%.2f,%.2f,%.0f,%.4f\n",
		    date_format(b->date[i], ds), b->open[i], b->high[i],
		    b->low[i], b->close[i], b->volume[i],
		    b->adj_close != NULL ? b->adj_close[i] : b->close[i]);
}

static void
cmd_data_json(const char *sym, const char *as_of, const struct market_bars *b)
{
	cJSON *j = cJSON_CreateObject();
	char *text;
	size_t i;

	cJSON_AddStringToObject(j, "symbol", sym);
	cJSON_AddStringToObject(j, "as_of", as_of);
	cJSON_AddStringToObject(j, "provider", b->origin.provider);
	cJSON_AddBoolToObject(j, "cached", b->origin.from_cache);
	if (b->origin.fetched_at > 0) {
		time_t t = (time_t)b->origin.fetched_at;
		struct tm tm;
		char iso[32];

		gmtime_r(&t, &tm);
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddStringToObject(j, "fetched_at", iso);
	} else {
		cJSON_AddNullToObject(j, "fetched_at");
	}
	cJSON_AddStringToObject(j, "currency", b->currency);
	cJSON_AddStringToObject(j, "timezone", b->timezone);
	cJSON_AddItemToObject(j, "dividends", cJSON_CreateArray());
	for (i = 0; i < b->n_dividends; i++) {
		cJSON *e = cJSON_CreateObject();
		char ds[DATE_STR_SIZE];

		cJSON_AddStringToObject(e, "date",
		    date_format(b->dividends[i].date, ds));
		cJSON_AddNumberToObject(e, "amount", b->dividends[i].amount);
		cJSON_AddItemToArray(cJSON_GetObjectItem(j, "dividends"), e);
	}
	cJSON_AddItemToObject(j, "splits", cJSON_CreateArray());
	for (i = 0; i < b->n_splits; i++) {
		cJSON *e = cJSON_CreateObject();
		char ds[DATE_STR_SIZE];

		cJSON_AddStringToObject(e, "date",
		    date_format(b->splits[i].date, ds));
		cJSON_AddNumberToObject(e, "ratio", b->splits[i].ratio);
		cJSON_AddItemToArray(cJSON_GetObjectItem(j, "splits"), e);
	}
	cJSON_AddItemToObject(j, "bars", gather_bars_json(b));
	text = jsonutil_print_text(j, 0);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(j);
}

static int
cmd_data_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_data_entry;
	const char *asof_in = NULL, *format = "csv";
	struct store *st = NULL;
	struct market_bars b = { 0 };
	char sym[SYMBOL_MAX + 1], as_of[DATE_STR_SIZE], *cause = NULL;
	int32_t day;
	int c, rc, header = 1;

	while ((c = cmd_getopt(e, argc, argv, "f:p:", cmd_data_longopts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'a')
			asof_in = optarg;
		else if (c == 'f')
			format = optarg;
		else if (c == 'p' &&
		    cmd_set(e, ctx->settings, "provider", optarg,
			"--provider") != 0)
			return EXIT_USAGE;
		else if (c == 'H')
			header = 0;
		else if (c == 'O' &&
		    cmd_set(e, ctx->settings, "offline", "1", "--offline") != 0)
			return EXIT_USAGE;
		else if (c == 'R' &&
		    cmd_set(e, ctx->settings, "refresh", "1", "--refresh") != 0)
			return EXIT_USAGE;
	}
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use csv or "
		    "json",
		    format);
	if (optind + 1 != argc)
		return cmd_usage_error(e, "history takes one SYMBOL");
	if (symbol_normalize(argv[optind], sym, &cause) != 0 ||
	    (rc = runner_as_of_symbol(asof_in, sym, as_of, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	date_parse(as_of, &day);
	if ((rc = runner_check_settings(ctx->settings)) != 0 ||
	    (rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	rc = gather_history(st, sym, day, &b, &cause);
	store_close(st);
	if (rc != 0) {
		log_error("%s", cause);
		free(cause);
		return rc;
	}
	if (strcmp(format, "csv") == 0)
		cmd_data_csv(&b, header);
	else
		cmd_data_json(sym, as_of, &b);
	market_bars_free(&b);
	return EXIT_OK;
}

static int
cmd_data_symbols(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct market_provider *p;
	const char *prov = settings_string(ctx->settings, "provider");
	struct market_profile prof;

	/* auto: the simulator's universe (real providers list none). */
	if (prov == NULL || strcmp(prov, "auto") == 0)
		prov = "sim";
	char **syms = NULL, *cause = NULL;
	size_t n = 0, i;

	if (argc != 1)
		return cmd_usage_error(&cmd_data_entry,
		    "symbols takes no "
		    "arguments");
	if ((p = market_provider_find(prov)) == NULL)
		return cmd_usage_error(&cmd_data_entry,
		    "unknown provider "
		    "'%s': use one of %s",
		    prov, market_provider_names());
	if (market_symbols(p, &syms, &n) != 0) {
		log_error("provider %s does not list its symbols", prov);
		return EXIT_MARKET;
	}
	for (i = 0; i < n; i++) {
		memset(&prof, 0, sizeof prof);
		if (market_profile(p, syms[i], &prof, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
		printf("%-12s %s\n", syms[i], prof.name);
		free(syms[i]);
	}
	free(syms);
	return EXIT_OK;
}

static const char *const cmd_data_formats[] = { "csv", "json", NULL };

static const struct cmd_arg cmd_data_history_args[] = {
	{ NULL, CMD_VALUE_SYMBOL, NULL },
	{ "format", CMD_VALUE_WORDS, cmd_data_formats },
	{ "as-of", CMD_VALUE_NONE, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_entry cmd_data_history_entry = {
	.name = "data history",
	.usage = "SYMBOL [--as-of DATE] [--format csv|json] [--provider NAME] "
		 "[--offline|--refresh] [--no-header]",
	.summary = "the daily bars (three years up to the as-of date) that "
		   "'analyze' uses",
	.help =
	    "  --as-of YYYY-MM-DD  the last day (default: today)\n"
	    "  --format FORMAT     csv (default: date,open,high,low,close,\n"
	    "                      volume,adj_close) or json\n"
	    "  --provider NAMES    market data provider(s), tried in order\n"
	    "                      (default: auto: sim for SIM_ symbols,\n"
	    "                      history_provider for others)\n"
	    "  --offline           cached data only, no network\n"
	    "  --refresh           fetch again even when the cache is fresh\n"
	    "  --no-header         csv without its header row\n",
	.exec = cmd_data_history,
	.options = cmd_data_longopts,
	.args = cmd_data_history_args,
};

static const struct cmd_entry cmd_data_symbols_entry = {
	.name = "data symbols",
	.usage = "",
	.summary = "the provider's universe with company names",
	.help = "",
	.exec = cmd_data_symbols,
};

extern const struct cmd_entry cmd_data_cache_entry;
extern const struct cmd_entry cmd_data_import_entry;

static const struct cmd_entry *const cmd_data_subcommands[] = {
	&cmd_data_history_entry,
	&cmd_data_symbols_entry,
	&cmd_data_cache_entry,
	&cmd_data_import_entry,
	NULL,
};

const struct cmd_entry cmd_data_entry = {
	.name = "data",
	.usage = "history SYMBOL [--as-of DATE] [--format csv|json] | symbols "
		 "| cache list|clear [SYMBOL] | import FILE [--symbol S]",
	.summary = "print the daily bars an analysis uses, the simulated "
		   "symbols, or the market data cache; import your own bars",
	.help = "",
	.subcommands = cmd_data_subcommands,
};
