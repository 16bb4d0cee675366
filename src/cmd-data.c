/*
 * cmd-data.c: stockagent data history SYMBOL | data symbols.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
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
	{ NULL, 0, NULL, 0 },
};

static void
cmd_data_csv(const struct market_bars *b, int header)
{
	char ds[DATE_STR_SIZE];
	size_t i;

	if (header)
		printf("date,open,high,low,close,volume\n");
	for (i = 0; i < b->n; i++)
		printf("%s,%.2f,%.2f,%.2f,%.2f,%.0f\n",
		    date_format(b->date[i], ds), b->open[i], b->high[i],
		    b->low[i], b->close[i], b->volume[i]);
}

static void
cmd_data_json(const char *sym, const char *as_of, const char *prov,
    const struct market_bars *b)
{
	cJSON *j = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(j, "symbol", sym);
	cJSON_AddStringToObject(j, "as_of", as_of);
	cJSON_AddStringToObject(j, "provider", prov);
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
	const char *asof_in = NULL, *format = "csv", *prov = NULL;
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
		else if (c == 'p')
			prov = optarg;
		else if (c == 'H')
			header = 0;
	}
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use csv or "
		    "json",
		    format);
	if (optind + 1 != argc)
		return cmd_usage_error(e, "history takes one SYMBOL");
	if (symbol_normalize(argv[optind], sym, &cause) != 0 ||
	    (rc = runner_as_of(asof_in, as_of, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	date_parse(as_of, &day);
	if (prov == NULL)
		prov = settings_string(ctx->settings, "provider");
	if ((rc = gather_history(prov, sym, day, &b, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		return rc;
	}
	if (strcmp(format, "csv") == 0)
		cmd_data_csv(&b, header);
	else
		cmd_data_json(sym, as_of, prov, &b);
	market_bars_free(&b);
	return EXIT_OK;
}

static int
cmd_data_symbols(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct market_provider *p;
	const char *prov = settings_string(ctx->settings, "provider");
	struct market_profile prof;
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
		 "[--no-header]",
	.summary = "the daily bars (three years up to the as-of date) that "
		   "'analyze' uses",
	.help =
	    "  --as-of YYYY-MM-DD  the last day (default: today)\n"
	    "  --format FORMAT     csv (default: date,open,high,low,close,\n"
	    "                      volume) or json\n"
	    "  --provider NAME     market data provider (default: sim)\n"
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

extern const struct cmd_entry cmd_data_import_entry;

static const struct cmd_entry *const cmd_data_subcommands[] = {
	&cmd_data_history_entry,
	&cmd_data_symbols_entry,
	&cmd_data_import_entry,
	NULL,
};

const struct cmd_entry cmd_data_entry = {
	.name = "data",
	.usage = "history SYMBOL [--as-of DATE] [--format csv|json] | symbols "
		 "| import FILE [--symbol S]",
	.summary = "print the daily bars an analysis uses, or the symbols "
		   "the provider covers",
	.help = "",
	.subcommands = cmd_data_subcommands,
};
