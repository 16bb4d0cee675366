/*
 * cmd-ask.c: stockagent ask "Analyze SIM_STOCK stock for investment".
 *
 * The prompt form the AgentCore payload uses: the ticker is found in the
 * text, then the analysis runs as 'stockagent analyze' would.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "exitcode.h"
#include "log.h"
#include "runner.h"
#include "settings.h"
#include "tools/market/market.h"
#include "tools/symbol.h"
#include "xmalloc.h"

extern const struct cmd_entry cmd_ask_entry;
extern const struct option cmd_analyze_longopts[];
int cmd_analyze_option(const struct cmd_entry *e, int c, const char *arg,
    struct settings *s, struct runner_opts *o);
int cmd_analyze_check_settings(const struct cmd_entry *e, struct settings *s,
    struct runner_opts *o);

/* Symbols the configured provider covers, to prefer them in the text. */
static int
cmd_ask_symbol(struct settings *s, const char *prompt, char *out,
    char **cause)
{
	const struct market_provider *p;
	char **known = NULL;
	size_t n = 0, i;
	int rc;

	p = market_provider_find(settings_get(s, "provider"));
	if (p != NULL && market_symbols(p, &known, &n) != 0) {
		known = NULL;
		n = 0;
	}
	rc = symbol_from_prompt(prompt, (const char *const *)known, n, out,
	    cause);
	for (i = 0; i < n; i++)
		free(known[i]);
	free(known);
	return rc;
}

static int
cmd_ask_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_ask_entry;
	struct runner_opts o;
	char sym[SYMBOL_MAX + 1], *cause = NULL;
	int c, rc, format_flag = 0;

	memset(&o, 0, sizeof o);
	o.format = OUTPUT_TEXT;
	while ((c = cmd_getopt(e, argc, argv, "p:f:m:o:",
		    cmd_analyze_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'f')
			format_flag = 1;
		if ((rc = cmd_analyze_option(e, c, optarg, ctx->settings,
			 &o)) != 0)
			return rc == 1 ? EXIT_USAGE : rc;
	}
	if (optind + 1 != argc)
		return cmd_usage_error(e, "expected one PROMPT in quotes");
	if (!format_flag && (rc = cmd_analyze_check_settings(e, ctx->settings,
	    &o)) != 0)
		return rc;
	if (cmd_ask_symbol(ctx->settings, argv[optind], sym, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	log_debug("ask: symbol %s from \"%s\"", sym, argv[optind]);
	o.symbol = sym;
	o.prompt = argv[optind];
	return runner_analyze(ctx->settings, &o);
}

const struct cmd_entry cmd_ask_entry = {
	.name = "ask",
	.usage = "\"PROMPT\" [OPTIONS]",
	.summary = "analyze the stock a request names, e.g. \"Analyze "
		   "SIM_STOCK stock\"",
	.help = "Finds the ticker in PROMPT (symbols the provider covers win;\n"
		"words such as STOCK or FOR are never taken) and runs\n"
		"'stockagent analyze' on it. Takes the options of analyze.\n",
	.exec = cmd_ask_exec,
};
