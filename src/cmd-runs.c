/*
 * cmd-runs.c: stockagent runs list | show ID | resume ID | prune --keep N.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/color.h"
#include "lib/csv.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_runs_entry;

static const struct option cmd_runs_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "limit", required_argument, NULL, 'n' },
	{ "symbol", required_argument, NULL, 's' },
	{ "keep", required_argument, NULL, 'k' },
	{ "no-header", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

struct cmd_runs_args {
	const char *format;
	const char *symbol; /* NULL, or sym */
	char sym[SYMBOL_MAX + 1];
	long limit;
	long keep;
	int header; /* csv: the header row first */
};

/* The columns of 'runs list --format csv'. */
static const struct csv_column cmd_runs_columns[] = {
	{ "thread_id", "thread_id" },
	{ "kind", "kind" },
	{ "symbol", "symbol" },
	{ "as_of", "as_of" },
	{ "status", "status" },
	{ "steps", "steps" },
	{ "model", "model" },
	{ "created_at", "created_at" },
	{ "updated_at", "updated_at" },
	{ "error", "error" },
};

/* --symbol S, normalized as analyze does. Returns 0 or -1 (reported). */
static int
cmd_runs_symbol(const char *arg, struct cmd_runs_args *a)
{
	char *cause = NULL;

	if (symbol_normalize(arg, a->sym, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return -1;
	}
	a->symbol = a->sym;
	return 0;
}

static int
cmd_runs_number(const char *opt, const char *arg, long min, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < min || v > 1000000)
		return cmd_usage_error(&cmd_runs_entry,
		    "invalid %s '%s': use "
		    "a whole number from %ld",
		    opt, arg, min);
	*out = v;
	return 0;
}

static int
cmd_runs_parse(int argc, char **argv, struct cmd_runs_args *a)
{
	int c;

	a->format = "text";
	a->symbol = NULL;
	a->limit = 50;
	a->keep = -1;
	a->header = 1;
	while ((c = cmd_getopt(&cmd_runs_entry, argc, argv,
		    "f:n:s:k:", cmd_runs_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'f')
			a->format = optarg;
		else if (c == 's' && cmd_runs_symbol(optarg, a) != 0)
			return EXIT_USAGE;
		else if (c == 'H')
			a->header = 0;
		else if (c == 'n' &&
		    cmd_runs_number("--limit", optarg, 1, &a->limit) != 0)
			return EXIT_USAGE;
		else if (c == 'k' &&
		    cmd_runs_number("--keep", optarg, 0, &a->keep) != 0)
			return EXIT_USAGE;
	}
	if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0 &&
	    strcmp(a->format, "ndjson") != 0 && strcmp(a->format, "csv") != 0)
		return cmd_usage_error(&cmd_runs_entry,
		    "invalid --format "
		    "'%s': use text, json or csv",
		    a->format);
	return 0;
}

static void
cmd_runs_print_json(const cJSON *j)
{
	char *text = jsonutil_print_text(j, 1);

	printf("%s\n", text);
	free(text);
}

static int
cmd_runs_list(struct store *st, const struct cmd_runs_args *a)
{
	cJSON *runs = NULL;
	const cJSON *r;
	char *cause = NULL;

	if (store_runs_list(st, (int)a->limit, a->symbol, &runs, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_STORAGE;
	}
	if (strcmp(a->format, "csv") == 0) {
		csv_write(stdout, runs, cmd_runs_columns,
		    sizeof cmd_runs_columns / sizeof *cmd_runs_columns,
		    a->header);
	} else if (strcmp(a->format, "text") != 0) {
		cmd_runs_print_json(runs);
	} else {
		printf("%-36s  %-10s  %-10s  %-11s  %5s  %s\n", "THREAD",
		    "SYMBOL", "AS-OF", "STATUS", "STEPS", "CREATED");
		cJSON_ArrayForEach(r, runs)
			printf("%-36s  %-10s  %-10s  %-11s  %5.0f  %s\n",
			    jsonutil_string(r, "thread_id"),
			    jsonutil_string(r, "symbol"),
			    jsonutil_string(r, "as_of"),
			    jsonutil_string(r, "status"),
			    jsonutil_number(r, "steps"),
			    jsonutil_string(r, "created_at"));
	}
	cJSON_Delete(runs);
	return EXIT_OK;
}

static int
cmd_runs_show(struct store *st, const char *id, const struct cmd_runs_args *a)
{
	cJSON *run = NULL;
	const cJSON *c;
	char *cause = NULL;

	if (store_run_get(st, id, &run, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (strcmp(a->format, "text") != 0) {
		cmd_runs_print_json(run);
		cJSON_Delete(run);
		return EXIT_OK;
	}
	printf("thread:   %s\nsymbol:   %s\nas of:    %s\nstatus:   %s\n"
	       "model:    %s\ncreated:  %s\nupdated:  %s\n",
	    jsonutil_string(run, "thread_id"), jsonutil_string(run, "symbol"),
	    jsonutil_string(run, "as_of"), jsonutil_string(run, "status"),
	    jsonutil_string(run, "model"), jsonutil_string(run, "created_at"),
	    jsonutil_string(run, "updated_at"));
	if (jsonutil_string(run, "error") != NULL)
		printf("error:    %s\n", jsonutil_string(run, "error"));
	printf("\ncheckpoints:\n");
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(run, "checkpoints"))
		printf("  step %3.0f  %-8s -> %-8s  %s\n",
		    jsonutil_number(c, "step"),
		    jsonutil_string(c, "node") ? jsonutil_string(c, "node") :
						 "(input)",
		    jsonutil_string(c, "next") ? jsonutil_string(c, "next") :
						 "",
		    jsonutil_string(c, "created_at"));
	cJSON_Delete(run);
	return EXIT_OK;
}

static int
cmd_runs_prune(struct store *st, const struct cmd_runs_args *a)
{
	char *cause = NULL;
	int deleted = 0;

	if (a->keep < 0)
		return cmd_usage_error(&cmd_runs_entry, "prune needs --keep N");
	if (store_runs_prune(st, (int)a->keep, &deleted, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_STORAGE;
	}
	printf("pruned %d run%s, kept the newest %ld\n", deleted,
	    deleted == 1 ? "" : "s", a->keep);
	return EXIT_OK;
}

/* Every subcommand: ARGV[0] names it. */
static int
cmd_runs_sub(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cmd_runs_args a;
	struct store *st = NULL;
	struct output_opts out;
	const char *sub = argv[0];
	int rc;

	if ((rc = cmd_runs_parse(argc, argv, &a)) != 0)
		return rc;
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "resume") == 0) {
		if (argc != 1)
			return cmd_usage_error(&cmd_runs_entry,
			    "resume takes "
			    "one thread ID");
		if (output_format_parse(a.format, &out.format) != 0)
			return EXIT_USAGE;
		out.header = a.header;
		out.color = color_enabled(
		    settings_string(ctx->settings, "color"), STDOUT_FILENO);
		return runner_resume(ctx->settings, argv[0], &out);
	}
	if (strcmp(sub, "list") != 0 && strcmp(a.format, "csv") == 0)
		return cmd_usage_error(&cmd_runs_entry,
		    "%s has no csv "
		    "format: use text or json",
		    sub);
	if ((strcmp(sub, "show") == 0) != (argc == 1) || argc > 1)
		return cmd_usage_error(&cmd_runs_entry, "%s takes %s", sub,
		    strcmp(sub, "show") == 0 ? "one thread ID" :
					       "no arguments");
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if (strcmp(sub, "list") == 0)
		rc = cmd_runs_list(st, &a);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_runs_show(st, argv[0], &a);
	else
		rc = cmd_runs_prune(st, &a);
	store_close(st);
	return rc;
}

static const char *const cmd_runs_list_formats[] = { "text", "json", "csv",
	NULL };
static const char *const cmd_runs_show_formats[] = { "text", "json", NULL };
static const char *const cmd_runs_resume_formats[] = { "text", "json", "ndjson",
	"csv", NULL };

static const struct cmd_arg cmd_runs_list_args[] = {
	{ "format", CMD_VALUE_WORDS, cmd_runs_list_formats },
	{ "symbol", CMD_VALUE_SYMBOL, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};
static const struct cmd_arg cmd_runs_show_args[] = {
	{ "format", CMD_VALUE_WORDS, cmd_runs_show_formats },
	{ NULL, CMD_VALUE_RUN, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};
static const struct cmd_arg cmd_runs_resume_args[] = {
	{ "format", CMD_VALUE_WORDS, cmd_runs_resume_formats },
	{ NULL, CMD_VALUE_RUN, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};
static const struct cmd_arg cmd_runs_prune_args[] = {
	{ "format", CMD_VALUE_WORDS, cmd_runs_show_formats },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_entry cmd_runs_list_entry = {
	.name = "runs list",
	.usage = "[--symbol S] [--limit N] [--format text|json|csv] "
		 "[--no-header]",
	.summary = "the recorded runs, newest first (default 50)",
	.help =
	    "  --symbol S         only the runs of S\n"
	    "  --limit N          at most N runs (default 50)\n"
	    "  --format FORMAT    text (default), json or csv (thread_id,\n"
	    "                     kind, symbol, as_of, status, steps, model,\n"
	    "                     created_at, updated_at, error)\n"
	    "  --no-header        csv without its header row\n",
	.exec = cmd_runs_sub,
	.options = cmd_runs_longopts,
	.args = cmd_runs_list_args,
};

static const struct cmd_entry cmd_runs_show_entry = {
	.name = "runs show",
	.usage = "ID [--format text|json]",
	.summary = "a run and its checkpoints",
	.help = "",
	.exec = cmd_runs_sub,
	.options = cmd_runs_longopts,
	.args = cmd_runs_show_args,
};

static const struct cmd_entry cmd_runs_resume_entry = {
	.name = "runs resume",
	.usage = "ID [--format text|json|ndjson|csv] [--no-header]",
	.summary = "continue a run from its last checkpoint (after a crash, "
		   "a kill or an approval pause)",
	.help = "  --format FORMAT    as analyze: text, json, ndjson or csv\n"
		"  --no-header        csv without its header row\n",
	.exec = cmd_runs_sub,
	.options = cmd_runs_longopts,
	.args = cmd_runs_resume_args,
};

static const struct cmd_entry cmd_runs_prune_entry = {
	.name = "runs prune",
	.usage = "--keep N",
	.summary = "delete all but the newest N runs and reclaim the space",
	.help =
	    "  --keep N           the newest runs to keep; a run a process\n"
	    "                     holds (running, or killed and not yet\n"
	    "                     resumed) is kept too\n",
	.exec = cmd_runs_sub,
	.options = cmd_runs_longopts,
	.args = cmd_runs_prune_args,
};

static const struct cmd_entry *const cmd_runs_subcommands[] = {
	&cmd_runs_list_entry,
	&cmd_runs_show_entry,
	&cmd_runs_resume_entry,
	&cmd_runs_prune_entry,
	NULL,
};

const struct cmd_entry cmd_runs_entry = {
	.name = "runs",
	.usage = "list | show ID | resume ID | prune --keep N",
	.summary = "list, inspect, resume and prune recorded runs",
	.help = "",
	.subcommands = cmd_runs_subcommands,
};
