/*
 * cmd-ask.c: stockagent ask "Analyze SIM_STOCK stock for investment".
 *
 * The prompt form the AgentCore payload uses: the ticker is found in the
 * text (by the model when a real one is configured, else by rule), then
 * the analysis runs as 'stockagent analyze' would.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agents/ask-symbol.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/market/market.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_ask_entry;

/* With a real model configured: the model picks the symbol. Returns 0,
 * 1 (fall back to the rules), or an exit code with *cause. */
static int
cmd_ask_model(struct settings *s, const char *prompt, const char *const *known,
    size_t n, int no_fallback, char *out, char **why)
{
	struct model *m;
	char *cause = NULL;
	int failure, rc = 0;

	m = model_open(settings_string(s, "model"), NULL, &failure, &cause);
	if (m != NULL && model_is_builtin(m)) {
		model_close(m);
		return 1;
	}
	if (m == NULL && failure != MODEL_FAILURE_LOAD) {
		*why = cause;
		return model_failure_exit(failure);
	}
	if (m == NULL ||
	    ask_symbol_pick(m, prompt, known, n, out, &cause) != 0) {
		if (no_fallback) {
			*why = xasprintf("ask: %s (fallback disabled by "
					 "--no-fallback)",
			    cause);
			rc = EXIT_MODEL;
		} else {
			log_warn("ask: %s; finding the symbol by rule", cause);
			rc = 1;
		}
	}
	free(cause);
	model_close(m);
	return rc;
}

/*
 * No ticker in the prompt: the company it names, looked up with the
 * provider's symbol search ("Apple" -> AAPL). *CAUSE holds the rule's
 * message on entry. Returns 0 with OUT, or EXIT_USAGE with *cause.
 */
static int
cmd_ask_search(const char *prompt, char *out, char **cause)
{
	char terms[128], found[SYMBOL_MAX + 1], name[128], *why = NULL;

	if (symbol_prompt_terms(prompt, terms, sizeof terms) == 0)
		return EXIT_USAGE;
	if (market_search(terms, found, sizeof found, name, sizeof name,
		&why) != 0 ||
	    symbol_normalize(found, out, &why) != 0) {
		char *m = xasprintf("%s; looking up \"%s\": %s", *cause, terms,
		    why);

		free(*cause);
		free(why);
		*cause = m;
		return EXIT_USAGE;
	}
	log_info("ask: \"%s\" is %s (%s)", terms, out, name);
	free(*cause);
	*cause = NULL;
	return 0;
}

int
cmd_ask_symbol(struct settings *s, const char *prompt, int no_fallback,
    char *out, char **cause)
{
	const struct market_provider *p;
	const char *prov = settings_string(s, "provider");
	char **known = NULL;
	size_t n = 0, i;
	int rc;

	/* auto: the simulator lists its symbols; real providers list none. */
	p = market_provider_find(prov == NULL || strcmp(prov, "auto") == 0 ?
		"sim" :
		prov);
	if (p != NULL && market_symbols(p, &known, &n) != 0) {
		known = NULL;
		n = 0;
	}
	rc = cmd_ask_model(s, prompt, (const char *const *)known, n,
	    no_fallback, out, cause);
	if (rc == 1 &&
	    symbol_from_prompt(prompt, (const char *const *)known, n, out,
		cause) != 0) {
		rc = cmd_ask_search(prompt, out, cause);
	} else if (rc == 1) {
		rc = 0;
	}
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
	int rc;

	if ((rc = cmd_analyze_parse(e, argc, argv, ctx->settings, &o)) != 0)
		return rc;
	if (optind + 1 != argc)
		return cmd_usage_error(e, "expected one PROMPT in quotes");
	/* The providers are configured before the symbol is looked up. */
	if ((rc = runner_check_settings(ctx->settings)) != 0)
		return rc;
	if ((rc = cmd_ask_symbol(ctx->settings, argv[optind], o.no_fallback,
		 sym, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		return rc;
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
	.help = "Finds the ticker in PROMPT (with --model, the model picks it\n"
		"from the symbols the provider covers; otherwise by rule:\n"
		"symbols the provider covers win; words such as STOCK or FOR\n"
		"are never taken; a prompt that names a company instead of a\n"
		"ticker, \"Analyze Apple stock\", is looked up with Yahoo's\n"
		"symbol search) and runs\n"
		"'stockagent analyze' on it. Takes the options of analyze.\n",
	.exec = cmd_ask_exec,
	.options = cmd_analyze_longopts,
	.args = cmd_analyze_args + 1,
};
