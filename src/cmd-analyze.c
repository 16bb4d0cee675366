/*
 * cmd-analyze.c: stockagent analyze SYMBOL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/color.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/symbol.h"

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
	OPT_NO_HEADER,
	OPT_OFFLINE,
	OPT_REFRESH,
};

const struct option cmd_analyze_longopts[] = {
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
	{ "no-header", no_argument, NULL, OPT_NO_HEADER },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ NULL, 0, NULL, 0 },
};

static const char *const cmd_analyze_nodes[] = { "gather", "analyze", "report",
	NULL };

/* --format, --paper and --reasoning complete to their settings' choices.
 * ask takes the rows after the first (its operand is a prompt). */
const struct cmd_arg cmd_analyze_args[] = {
	{ NULL, CMD_VALUE_SYMBOL, NULL },
	{ "approve", CMD_VALUE_WORDS, cmd_analyze_nodes },
	{ "as-of", CMD_VALUE_NONE, NULL },
	{ "thread", CMD_VALUE_NONE, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
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

/* One option; returns 0, 1 (not one of them), or EXIT_USAGE. */
static int
cmd_analyze_option(const struct cmd_entry *e, int c, const char *arg,
    struct settings *s, struct runner_opts *o)
{
	switch (c) {
	case OPT_REASONING:
		return cmd_set(e, s, "reasoning", arg, "--reasoning");
	case OPT_TEMPERATURE:
		return cmd_set(e, s, "temperature", arg, "--temperature");
	case OPT_MAX_TOKENS:
		return cmd_set(e, s, "max_tokens", arg, "--max-tokens");
	case OPT_SEED:
		return cmd_set(e, s, "seed", arg, "--seed");
	case OPT_AS_OF:
		o->as_of = arg;
		return 0;
	case 'p':
		return cmd_set(e, s, "provider", arg, "--provider");
	case 'f':
		return cmd_set(e, s, "format", arg, "--format");
	case OPT_THREAD:
		if (!cmd_analyze_thread_ok(arg))
			return cmd_usage_error(e,
			    "invalid --thread '%s': use "
			    "1-36 letters, digits, - or _",
			    arg);
		o->thread_id = arg;
		return 0;
	case 'm':
		return cmd_set(e, s, "model", arg, "--model");
	case 'o':
		return cmd_set(e, s, "out", arg, "--out");
	case OPT_NO_PDF:
		return cmd_set(e, s, "no_pdf", "1", "--no-pdf");
	case OPT_PAPER:
		return cmd_set(e, s, "paper", arg, "--paper");
	case OPT_S3: /* checked with the other settings (runner.c) */
		return cmd_set(e, s, "s3", arg, "--s3");
	case OPT_APPROVE:
		if (strcmp(arg, "gather") != 0 && strcmp(arg, "analyze") != 0 &&
		    strcmp(arg, "report") != 0)
			return cmd_usage_error(e,
			    "invalid --approve '%s': use "
			    "gather, analyze or report",
			    arg);
		o->approve_before = arg;
		return 0;
	case OPT_NO_FALLBACK:
		o->no_fallback = 1;
		return 0;
	case OPT_SHOW_REASONING:
		o->show_reasoning = 1;
		return 0;
	case OPT_NO_HEADER:
		o->out.header = 0;
		return 0;
	case OPT_OFFLINE:
		return cmd_set(e, s, "offline", "1", "--offline");
	case OPT_REFRESH:
		return cmd_set(e, s, "refresh", "1", "--refresh");
	}
	return 1;
}

int
cmd_analyze_parse(const struct cmd_entry *e, int argc, char **argv,
    struct settings *s, struct runner_opts *o)
{
	int c, rc;

	memset(o, 0, sizeof *o);
	o->out.format = OUTPUT_TEXT;
	o->out.header = 1;
	while ((c = cmd_getopt(e, argc, argv,
		    "p:f:m:o:", cmd_analyze_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if ((rc = cmd_analyze_option(e, c, optarg, s, o)) != 0)
			return rc == 1 ? EXIT_USAGE : rc;
	}
	/* Every value was checked when it was set or read. */
	(void)output_format_parse(settings_string(s, "format"), &o->out.format);
	o->out.color = color_enabled(settings_string(s, "color"),
	    STDOUT_FILENO);
	return 0;
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
		return cmd_usage_error(e,
		    optind == argc ? "missing SYMBOL" :
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
	.usage = "SYMBOL [--as-of DATE] [--format text|json|ndjson|csv] "
		 "[OPTIONS]",
	.summary = "run the three agents on one stock and print the analysis",
	.help =
	    "Options:\n"
	    "  --as-of YYYY-MM-DD  analysis date (default: today; weekends\n"
	    "                      and market holidays move to the trading\n"
	    "                      day before)\n"
	    "  --provider NAMES    market data provider(s) for every kind of\n"
	    "                      data, tried in order: sim, yahoo, stooq\n"
	    "                      (default: auto: sim for SIM_ symbols, the\n"
	    "                      *_provider chains for others)\n"
	    "  --offline           cached market data only, no network\n"
	    "  --refresh           fetch market data again, cache or not\n"
	    "  --format FORMAT     text (default), json, ndjson or csv (a\n"
	    "                      header row and one row: symbol, date,\n"
	    "                      price, scores, indicators)\n"
	    "  --no-header         csv without the header row, to append a\n"
	    "                      symbol's row to a sheet\n"
	    "  --thread ID         name the run (default: a new UUID)\n"
	    "  --model URI         model driving the agents (default: "
	    "builtin)\n"
	    "  --out DIR           report directory (default: ./reports)\n"
	    "  --no-pdf            do not write the PDF report\n"
	    "  --paper letter|a4   PDF paper size (default: letter)\n"
	    "  --s3 s3://BUCKET/PREFIX  also upload the PDF to Amazon S3\n"
	    "  --approve NODE      ask before running gather, analyze or "
	    "report\n"
	    "  --no-fallback       fail instead of using the built-in policy\n"
	    "                      when the model fails\n"
	    "  --show-reasoning    print the model's reasoning on stderr\n"
	    "  --reasoning low|medium|high  the model's reasoning effort\n"
	    "  --temperature T     sampling temperature, 0-2\n"
	    "  --max-tokens N      most tokens per model answer\n"
	    "  --seed N            sampling seed, where the backend takes one\n"
	    "Text on a terminal is coloured (scores, changes, headings); see\n"
	    "  --color in 'stockagent help'.\n"
	    "Models: builtin (default), openai:URL#MODEL,\n"
	    "  "
	    "bedrock:MODEL_ID[?region=R&api=converse|invoke&guardrail=ID:V],\n"
	    "  "
	    "sagemaker:ENDPOINT[?region=R&component=IC&custom-attributes=A];\n"
	    "  see 'man stockagent', MODELS.\n",
	.exec = cmd_analyze_exec,
	.options = cmd_analyze_longopts,
	.args = cmd_analyze_args,
};
