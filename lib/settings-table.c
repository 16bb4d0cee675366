/*
 * settings-table.c: every setting stockagent reads, one row each.
 *
 * The man page's CONFIGURATION section lists exactly these rows (a test
 * compares them), and `stockagent config list` prints them in this order.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "lib/settings.h"

static const char *const settings_formats[] = { "text", "json", "ndjson",
	"csv", NULL };
static const char *const settings_papers[] = { "letter", "a4", NULL };
static const char *const settings_efforts[] = { "low", "medium", "high",
	NULL };
static const char *const settings_langs[] = { "en", "vi", NULL };
static const char *const settings_colors[] = { "auto", "always", "never",
	NULL };

const struct settings_entry settings_table[] = {
	{ "db", SETTINGS_STRING, NULL, 0, 0, NULL, "--db",
	    "the database (default $XDG_DATA_HOME/stockagent/stockagent.db)" },
	{ "model", SETTINGS_STRING, "builtin", 0, 0, NULL, "--model",
	    "the model URI that drives the agents" },
	{ "provider", SETTINGS_STRING, "sim", 0, 0, NULL, "--provider",
	    "the market data provider" },
	{ "format", SETTINGS_CHOICE, "text", 0, 0, settings_formats, "--format",
	    "the output format of analyze, ask and runs resume" },
	{ "out", SETTINGS_STRING, "reports", 0, 0, NULL, "--out",
	    "the directory PDF reports are written under" },
	{ "paper", SETTINGS_CHOICE, "letter", 0, 0, settings_papers, "--paper",
	    "the PDF page size" },
	{ "s3", SETTINGS_STRING, NULL, 0, 0, NULL, "--s3",
	    "s3://BUCKET/PREFIX the PDF is also uploaded to" },
	{ "no_pdf", SETTINGS_BOOL, "false", 0, 0, NULL, "--no-pdf",
	    "skip the PDF report" },
	{ "risk_free_rate", SETTINGS_NUMBER, "0.04", -0.5, 1, NULL, NULL,
	    "the annual risk-free rate of the Sharpe ratio, as a fraction" },
	{ "recursion_limit", SETTINGS_INT, "25", 1, 10000, NULL, NULL,
	    "the most graph steps one run may take" },
	{ "reasoning", SETTINGS_CHOICE, NULL, 0, 0, settings_efforts,
	    "--reasoning", "the model's reasoning effort" },
	{ "temperature", SETTINGS_NUMBER, NULL, 0, 2, NULL, "--temperature",
	    "the model's sampling temperature" },
	{ "max_tokens", SETTINGS_INT, NULL, 1, 1000000, NULL, "--max-tokens",
	    "the most tokens one model answer may have" },
	{ "seed", SETTINGS_INT, NULL, 0, 9007199254740991.0, NULL, "--seed",
	    "the model's sampling seed" },
	{ "max_steps", SETTINGS_INT, "8", 1, 100, NULL, NULL,
	    "the most model turns one agent may take" },
	{ "token_budget", SETTINGS_INT, "0", 0, 100000000, NULL, NULL,
	    "the most tokens one agent may spend (0: no limit)" },
	{ "model_prices", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "a price table replacing data/model-prices.json" },
	{ "color", SETTINGS_CHOICE, "auto", 0, 0, settings_colors, "--color",
	    "colour in text output and messages: auto (a terminal, unless "
	    "NO_COLOR is set or TERM is dumb), always or never" },
	{ "lang", SETTINGS_CHOICE, NULL, 0, 0, settings_langs, "--lang",
	    "the language of the report, the PDF and messages: en or vi "
	    "(default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG, else en)" },
	{ NULL, SETTINGS_STRING, NULL, 0, 0, NULL, NULL, NULL },
};

const struct settings_entry *
settings_entry_find(const char *name)
{
	const struct settings_entry *e;

	for (e = settings_table; e->name != NULL; e++) {
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}
