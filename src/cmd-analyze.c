/*
 * cmd-analyze.c: stockagent analyze SYMBOL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/cmd.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "model/model.h"
#include "src/runner.h"
#include "lib/s3.h"
#include "lib/settings.h"
#include "tools/symbol.h"
#include "lib/xmalloc.h"

extern const struct cmd_entry cmd_analyze_entry;


enum {
	OPT_NO_PDF = 256,
	OPT_PAPER,
	OPT_S3,
	OPT_APPROVE,
	OPT_NO_FALLBACK,
	OPT_SHOW_REASONING,
	OPT_THREAD,
	OPT_AS_OF,
	OPT_REASONING,
	OPT_TEMPERATURE,
	OPT_MAX_TOKENS,
	OPT_SEED,
};

static const struct option cmd_analyze_longopts[] = {
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "provider", required_argument, NULL, 'p' },
	{ "format", required_argument, NULL, 'f' },
	{ "thread", required_argument, NULL, OPT_THREAD },
	{ "model", required_argument, NULL, 'm' },
	{ "out", required_argument, NULL, 'o' },
	{ "no-pdf", no_argument, NULL, OPT_NO_PDF },
	{ "paper", required_argument, NULL, OPT_PAPER },
	{ "s3", required_argument, NULL, OPT_S3 },
	{ "approve", required_argument, NULL, OPT_APPROVE },
	{ "no-fallback", no_argument, NULL, OPT_NO_FALLBACK },
	{ "show-reasoning", no_argument, NULL, OPT_SHOW_REASONING },
	{ "reasoning", required_argument, NULL, OPT_REASONING },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ NULL, 0, NULL, 0 },
};

static int
cmd_analyze_thread_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 36)
		return 0;
	for (i = 0; i < n; i++) {
		if (!(id[i] >= '0' && id[i] <= '9') &&
		    !(id[i] >= 'a' && id[i] <= 'z') &&
		    !(id[i] >= 'A' && id[i] <= 'Z') && id[i] != '-' &&
		    id[i] != '_')
			return 0;
	}
	return 1;
}

/* --reasoning, --temperature, --max-tokens, --seed: checked, then kept
 * as settings the runner passes to the model. */
static int
cmd_analyze_model_option(const struct cmd_entry *e, int c, const char *arg,
    struct settings *s)
{
	struct model_params p;
	char *cause = NULL;
	const char *key;
	int rc;

	key = c == OPT_REASONING ? "reasoning" : c == OPT_TEMPERATURE ?
	    "temperature" : c == OPT_MAX_TOKENS ? "max_tokens" : "seed";
	rc = model_params_parse(c == OPT_REASONING ? arg : NULL,
	    c == OPT_TEMPERATURE ? arg : NULL, c == OPT_MAX_TOKENS ? arg : NULL,
	    c == OPT_SEED ? arg : NULL, &p, &cause);
	if (rc != 0) {
		rc = cmd_usage_error(e, "%s", cause);
		free(cause);
		return rc;
	}
	settings_set(s, key, arg);
	return 0;
}

/* One option; returns 0, 1 (not one of them), or EXIT_USAGE. */
static int
cmd_analyze_option(const struct cmd_entry *e, int c, const char *arg,
    struct settings *s, struct runner_opts *o)
{
	struct s3_location loc = { NULL, NULL };
	char *why = NULL;
	int rc;

	switch (c) {
	case OPT_REASONING:
	case OPT_TEMPERATURE:
	case OPT_MAX_TOKENS:
	case OPT_SEED:
		return cmd_analyze_model_option(e, c, arg, s);
	case OPT_AS_OF:
		o->as_of = arg;
		return 0;
	case 'p':
		settings_set(s, "provider", arg);
		return 0;
	case 'f':
		if (output_format_parse(arg, &o->format) != 0)
			return cmd_usage_error(e, "invalid --format '%s': use "
			    "text, json or ndjson", arg);
		return 0;
	case OPT_THREAD:
		if (!cmd_analyze_thread_ok(arg))
			return cmd_usage_error(e, "invalid --thread '%s': use "
			    "1-36 letters, digits, - or _", arg);
		o->thread_id = arg;
		return 0;
	case 'm':
		settings_set(s, "model", arg);
		return 0;
	case 'o':
		settings_set(s, "out", arg);
		return 0;
	case OPT_NO_PDF:
		settings_set(s, "no_pdf", "1");
		return 0;
	case OPT_PAPER:
		if (strcmp(arg, "letter") != 0 && strcmp(arg, "a4") != 0)
			return cmd_usage_error(e, "invalid --paper '%s': use "
			    "letter or a4", arg);
		settings_set(s, "paper", arg);
		return 0;
	case OPT_S3:
		if (s3_uri_parse(arg, &loc, &why) != 0) {
			rc = cmd_usage_error(e, "%s", why);
			free(why);
			return rc;
		}
		s3_location_free(&loc);
		settings_set(s, "s3", arg);
		return 0;
	case OPT_APPROVE:
		if (strcmp(arg, "gather") != 0 && strcmp(arg, "analyze") != 0 &&
		    strcmp(arg, "report") != 0)
			return cmd_usage_error(e, "invalid --approve '%s': use "
			    "gather, analyze or report", arg);
		o->approve_before = arg;
		return 0;
	case OPT_NO_FALLBACK:
		o->no_fallback = 1;
		return 0;
	case OPT_SHOW_REASONING:
		o->show_reasoning = 1;
		return 0;
	}
	return 1;
}

/* Checks the settings every run reads, so bad values fail before work. */
static int
cmd_analyze_check_settings(const struct cmd_entry *e, struct settings *s,
    struct runner_opts *o)
{
	const char *fmt = settings_get(s, "format");
	const char *paper = settings_get(s, "paper");

	if (o->format == OUTPUT_TEXT && fmt != NULL &&
	    strcmp(settings_source(s, "format"), "flag") != 0 &&
	    output_format_parse(fmt, &o->format) != 0)
		return cmd_usage_error(e, "invalid format '%s' (from %s): use "
		    "text, json or ndjson", fmt, settings_source(s, "format"));
	if (paper != NULL && strcmp(paper, "letter") != 0 &&
	    strcmp(paper, "a4") != 0)
		return cmd_usage_error(e, "invalid paper '%s' (from %s): use "
		    "letter or a4", paper, settings_source(s, "paper"));
	return 0;
}

int
cmd_analyze_parse(const struct cmd_entry *e, int argc, char **argv,
    struct settings *s, struct runner_opts *o)
{
	int c, rc, format_flag = 0;

	memset(o, 0, sizeof *o);
	o->format = OUTPUT_TEXT;
	while ((c = cmd_getopt(e, argc, argv, "p:f:m:o:",
		    cmd_analyze_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'f')
			format_flag = 1;
		if ((rc = cmd_analyze_option(e, c, optarg, s, o)) != 0)
			return rc == 1 ? EXIT_USAGE : rc;
	}
	return format_flag ? 0 : cmd_analyze_check_settings(e, s, o);
}

static int
cmd_analyze_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_analyze_entry;
	struct runner_opts o;
	char sym[SYMBOL_MAX + 1], *cause = NULL;
	int rc;

	if ((rc = cmd_analyze_parse(e, argc, argv, ctx->settings, &o)) != 0)
		return rc;
	if (optind + 1 != argc)
		return cmd_usage_error(e, optind == argc ? "missing SYMBOL" :
		    "expected exactly one SYMBOL");
	if (symbol_normalize(argv[optind], sym, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	o.symbol = sym;
	return runner_analyze(ctx->settings, &o);
}

const struct cmd_entry cmd_analyze_entry = {
	.name = "analyze",
	.usage = "SYMBOL [--as-of DATE] [--format text|json|ndjson] "
		 "[OPTIONS]",
	.summary = "run the three agents on one stock and print the analysis",
	.help =
	    "Options:\n"
	    "  --as-of YYYY-MM-DD  analysis date (default: today; weekends\n"
	    "                      and market holidays move to the trading\n"
	    "                      day before)\n"
	    "  --provider NAME     market data provider (default: sim)\n"
	    "  --format FORMAT     text (default), json or ndjson\n"
	    "  --thread ID         name the run (default: a new UUID)\n"
	    "  --model URI         model driving the agents (default: builtin)\n"
	    "  --out DIR           report directory (default: ./reports)\n"
	    "  --no-pdf            do not write the PDF report\n"
	    "  --paper letter|a4   PDF paper size (default: letter)\n"
	    "  --s3 s3://BUCKET/PREFIX  also upload the PDF to Amazon S3\n"
	    "  --approve NODE      ask before running gather, analyze or report\n"
	    "  --no-fallback       fail instead of using the built-in policy\n"
	    "                      when the model fails\n"
	    "  --show-reasoning    print the model's reasoning on stderr\n"
	    "  --reasoning low|medium|high  the model's reasoning effort\n"
	    "  --temperature T     sampling temperature, 0-2\n"
	    "  --max-tokens N      most tokens per model answer\n"
	    "  --seed N            sampling seed, where the backend takes one\n"
	    "Models: builtin (default), openai:URL#MODEL,\n"
	    "  bedrock:MODEL_ID[?region=R&api=converse|invoke&guardrail=ID:V],\n"
	    "  sagemaker:ENDPOINT[?region=R&component=IC&custom-attributes=A];\n"
	    "  see 'man stockagent', MODELS.\n",
	.exec = cmd_analyze_exec,
};
