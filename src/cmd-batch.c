/*
 * cmd-batch.c: stockagent batch [SYMBOL...] [--watchlist FILE], and its
 * subcommands list, show, resume and retry.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/color.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/store-batch.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/batch-merge.h"
#include "src/batch-shard.h"
#include "src/batch-summary.h"
#include "src/batch-watchlist.h"
#include "src/batch.h"
#include "src/cmd.h"
#include "src/runner.h"

extern const struct cmd_entry cmd_batch_entry;
extern const struct cmd_entry cmd_batch_list_entry;
extern const struct cmd_entry cmd_batch_show_entry;
extern const struct cmd_entry cmd_batch_resume_entry;
extern const struct cmd_entry cmd_batch_retry_entry;
extern const struct cmd_entry cmd_batch_merge_entry;

enum {
	OPT_AS_OF = 256,
	OPT_S3,
	OPT_FORCE,
	OPT_WAIT,
	OPT_OFFLINE,
	OPT_REFRESH,
	OPT_WATCHLIST,
	OPT_JOBS,
	OPT_SHARD,
	OPT_NO_PDF,
};

static const struct option cmd_batch_longopts[] = {
	{ "watchlist", required_argument, NULL, OPT_WATCHLIST },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "out", required_argument, NULL, 'o' },
	{ "s3", required_argument, NULL, OPT_S3 },
	{ "model", required_argument, NULL, 'm' },
	{ "provider", required_argument, NULL, 'p' },
	{ "format", required_argument, NULL, 'f' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "no-pdf", no_argument, NULL, OPT_NO_PDF },
	{ NULL, 0, NULL, 0 },
};

static const struct cmd_arg cmd_batch_args[] = {
	{ NULL, CMD_VALUE_SYMBOL, NULL },
	{ "watchlist", CMD_VALUE_FILE, NULL },
	{ "out", CMD_VALUE_DIR, NULL },
	{ "as-of", CMD_VALUE_NONE, NULL },
	{ "jobs", CMD_VALUE_NONE, NULL },
	{ "wait", CMD_VALUE_NONE, NULL },
	{ "shard", CMD_VALUE_NONE, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

/* A whole number from 0 to MAX for option NAME; -1 when it is not. */
static long
cmd_batch_count(const char *arg, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

/* One option into O (or the settings); 0 or EXIT_USAGE. */
static int
cmd_batch_option(const struct cmd_entry *e, int c, const char *arg,
    struct settings *s, struct batch_opts *o)
{
	char *cause = NULL;
	long v;
	int rc;

	switch (c) {
	case OPT_WATCHLIST:
		o->watchlist = arg;
		return 0;
	case OPT_JOBS:
		if ((v = cmd_batch_count(arg, 256)) < 1)
			return cmd_usage_error(e,
			    "invalid --jobs '%s': use "
			    "1-256",
			    arg);
		o->jobs = (int)v;
		return 0;
	case OPT_WAIT:
		if ((v = cmd_batch_count(arg, 86400)) < 0)
			return cmd_usage_error(e,
			    "invalid --wait '%s': use "
			    "0-86400 seconds",
			    arg);
		o->wait_s = (int)v;
		return 0;
	case OPT_AS_OF:
		o->as_of = arg;
		return 0;
	case OPT_FORCE:
		o->force = 1;
		return 0;
	case OPT_SHARD:
		if (batch_shard_parse(arg, &o->shard, &cause) != 0) {
			rc = cmd_usage_error(e, "%s", cause);
			free(cause);
			return rc;
		}
		return 0;
	case OPT_NO_PDF:
		return cmd_set(e, s, "no_pdf", "true", "--no-pdf");
	case OPT_S3:
		return cmd_set(e, s, "s3", arg, "--s3");
	case 'o':
		return cmd_set(e, s, "out", arg, "--out");
	case 'm':
		return cmd_set(e, s, "model", arg, "--model");
	case 'p':
		return cmd_set(e, s, "provider", arg, "--provider");
	case 'f':
		return cmd_set(e, s, "format", arg, "--format");
	case OPT_OFFLINE:
		return cmd_set(e, s, "offline", "1", "--offline");
	case OPT_REFRESH:
		return cmd_set(e, s, "refresh", "1", "--refresh");
	}
	return cmd_usage_error(e, "unexpected option");
}

/* Parses the options of E into O; 0 with optind at the operands. */
static int
cmd_batch_parse(const struct cmd_entry *e, int argc, char **argv,
    struct settings *s, struct batch_opts *o)
{
	int c, rc;

	memset(o, 0, sizeof *o);
	o->out.header = 1;
	o->jobs = (int)settings_int(s, "batch_jobs");
	while ((c = cmd_getopt(e, argc, argv,
		    "o:m:p:f:", cmd_batch_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if ((rc = cmd_batch_option(e, c, optarg, s, o)) != 0)
			return rc;
	}
	(void)output_format_parse(settings_string(s, "format"), &o->out.format);
	o->out.color = color_enabled(settings_string(s, "color"),
	    STDOUT_FILENO);
	o->progress = isatty(STDERR_FILENO) &&
	    log_get_level() >= LOG_LEVEL_INFO;
	/* Off a terminal (cron, a pipe) a batch says only errors: what each
	 * symbol lacked is in its run, the events and the summary. */
	if (!isatty(STDERR_FILENO) && log_get_level() == LOG_LEVEL_INFO)
		log_set_level(LOG_LEVEL_QUIET);
	return 0;
}

/* The symbols of the watchlist NAME ("-": standard input) into LIST. */
static int
cmd_batch_watchlist(const char *name, cJSON *list)
{
	FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "re");
	char *cause = NULL;
	int rc;

	if (f == NULL) {
		log_error("cannot read watchlist %s: %s", name,
		    strerror(errno));
		return EXIT_USAGE;
	}
	rc = batch_watchlist_read(f, strcmp(name, "-") == 0 ? "stdin" : name,
	    list, &cause);
	if (f != stdin)
		fclose(f);
	if (rc == 0)
		return 0;
	log_error("bad symbols in the watchlist:\n%s", cause);
	free(cause);
	return EXIT_USAGE;
}

/* The operands and the watchlist into LIST; EXIT_USAGE when empty. */
static int
cmd_batch_symbols(const struct cmd_entry *e, int argc, char **argv,
    const struct batch_opts *o, cJSON *list)
{
	char *cause = NULL;
	int i, rc;

	for (i = optind; i < argc; i++) {
		if (batch_watchlist_add(list, argv[i], &cause) != 0) {
			log_error("%s", cause);
			free(cause);
			return EXIT_USAGE;
		}
	}
	if (o->watchlist != NULL &&
	    (rc = cmd_batch_watchlist(o->watchlist, list)) != 0)
		return rc;
	if (cJSON_GetArraySize(list) == 0)
		return cmd_usage_error(e,
		    "no symbols: give SYMBOL operands "
		    "or --watchlist FILE");
	return 0;
}

static int
cmd_batch_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_batch_entry, *sub;
	struct batch_opts o;
	cJSON *list;
	int rc;

	if (argc > 1 && (sub = cmd_find_sub(e, argv[1])) != NULL)
		return cmd_exec_sub(e, ctx, argc, argv);
	if ((rc = cmd_batch_parse(e, argc, argv, ctx->settings, &o)) != 0)
		return rc;
	list = cJSON_CreateArray();
	if ((rc = cmd_batch_symbols(e, argc, argv, &o, list)) == 0) {
		o.symbols = list;
		if (o.watchlist == NULL)
			o.watchlist = "command line";
		rc = batch_start(ctx->settings, &o);
	}
	cJSON_Delete(list);
	return rc;
}

/* resume and retry: BATCH_ID and the batch options. */
static int
cmd_batch_again(const struct cmd_entry *e, struct cmd_ctx *ctx, int argc,
    char **argv, int retry)
{
	struct batch_opts o;
	int rc;

	if ((rc = cmd_batch_parse(e, argc, argv, ctx->settings, &o)) != 0)
		return rc;
	if (optind + 1 != argc)
		return cmd_usage_error(e, "expected one BATCH_ID");
	if (o.shard.count > 0)
		return cmd_usage_error(e,
		    "--shard is for a new batch: a recorded batch keeps its "
		    "symbols");
	o.retry = retry;
	return batch_continue(ctx->settings, argv[optind], &o);
}

static int
cmd_batch_resume_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_batch_again(&cmd_batch_resume_entry, ctx, argc, argv, 0);
}

static int
cmd_batch_retry_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_batch_again(&cmd_batch_retry_entry, ctx, argc, argv, 1);
}

static const struct option cmd_batch_merge_opts[] = {
	{ "watchlist", required_argument, NULL, OPT_WATCHLIST },
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "out", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "no-pdf", no_argument, NULL, OPT_NO_PDF },
	{ NULL, 0, NULL, 0 },
};

/* URI/batches/GROUP for the watchlist WL and AS_OF (NULL: today); NULL
 * when WL or AS_OF is bad (printed). */
static char *
cmd_batch_merge_uri(const char *uri, const char *wl, const char *as_of)
{
	char day[11], *cause = NULL, *group, *out;
	size_t n = strlen(uri);
	cJSON *list = cJSON_CreateArray();

	if (runner_as_of(as_of, day, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		cJSON_Delete(list);
		return NULL;
	}
	if (cmd_batch_watchlist(wl, list) != 0) {
		cJSON_Delete(list);
		return NULL;
	}
	group = batch_group_of(list, day);
	while (n > 0 && uri[n - 1] == '/')
		n--;
	out = xasprintf("%.*s/batches/%s", (int)n, uri, group);
	free(group);
	cJSON_Delete(list);
	return out;
}

static int
cmd_batch_merge_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_batch_merge_entry;
	struct settings *s = ctx->settings;
	const char *wl = NULL, *as_of = NULL;
	struct output_opts out;
	char *uri;
	int c, rc = 0;

	while ((c = cmd_getopt(e, argc, argv, "o:f:", cmd_batch_merge_opts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == OPT_WATCHLIST || c == OPT_AS_OF) {
			*(c == OPT_WATCHLIST ? &wl : &as_of) = optarg;
			continue;
		}
		rc = c == 'o' ? cmd_set(e, s, "out", optarg, "--out") :
		    c == 'f'  ? cmd_set(e, s, "format", optarg, "--format") :
				cmd_set(e, s, "no_pdf", "true", "--no-pdf");
		if (rc != 0)
			return rc;
	}
	if (optind + 1 != argc)
		return cmd_usage_error(e,
		    "expected one s3://BUCKET/PREFIX/batches/GROUP, or "
		    "s3://BUCKET/PREFIX with --watchlist FILE");
	if (as_of != NULL && wl == NULL)
		return cmd_usage_error(e, "--as-of needs --watchlist FILE");
	memset(&out, 0, sizeof out);
	out.header = 1;
	(void)output_format_parse(settings_string(s, "format"), &out.format);
	if (wl == NULL)
		return batch_merge(s, argv[optind], &out);
	if ((uri = cmd_batch_merge_uri(argv[optind], wl, as_of)) == NULL)
		return EXIT_USAGE;
	rc = batch_merge(s, uri, &out);
	free(uri);
	return rc;
}

/* Prints V as JSON (--format json) and deletes it. */
static void
cmd_batch_print_json(cJSON *v)
{
	char *text = jsonutil_print_text(v, 1);

	printf("%s\n", text);
	free(text);
	cJSON_Delete(v);
}

static void
cmd_batch_print_list(const cJSON *list)
{
	const cJSON *b;

	printf("%-24s %-10s %-8s %5s %5s %6s  %s\n", "ID", "AS OF", "STATUS",
	    "DONE", "FAIL", "TOTAL", "WATCHLIST");
	cJSON_ArrayForEach(b, list) {
		printf("%-24s %-10s %-8s %5.0f %5.0f %6.0f  %s\n",
		    jsonutil_string(b, "id"), jsonutil_string(b, "as_of"),
		    jsonutil_string(b, "status"), jsonutil_number(b, "done"),
		    jsonutil_number(b, "failed"), jsonutil_number(b, "total"),
		    jsonutil_string(b, "watchlist") != NULL ?
			jsonutil_string(b, "watchlist") :
			"");
	}
}

/* --format for list and show: 1 for json, 0 for text, -1 bad. */
static int
cmd_batch_json(const struct cmd_entry *e, int argc, char **argv,
    struct settings *s)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cmd_getopt(e, argc, argv, "f:", opts)) != -1) {
		if (c == '?' ||
		    cmd_set(e, s, "format", optarg, "--format") != 0)
			return -1;
	}
	return strcmp(settings_string(s, "format"), "json") == 0;
}

static int
cmd_batch_list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_batch_list_entry;
	struct store *st = NULL;
	cJSON *list = NULL;
	char *cause = NULL;
	int json, rc;

	if ((json = cmd_batch_json(e, argc, argv, ctx->settings)) < 0)
		return EXIT_USAGE;
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if (store_batch_list(st, &list, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		rc = EXIT_STORAGE;
	} else if (json)
		cmd_batch_print_json(list);
	else {
		cmd_batch_print_list(list);
		cJSON_Delete(list);
	}
	store_close(st);
	return rc;
}

static void
cmd_batch_print_items(const cJSON *b)
{
	const cJSON *it;

	printf("batch %s  as of %s  %s  watchlist %s\n",
	    jsonutil_string(b, "id"), jsonutil_string(b, "as_of"),
	    jsonutil_string(b, "status"),
	    jsonutil_string(b, "watchlist") ? jsonutil_string(b, "watchlist") :
					      "");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(b, "items")) {
		printf("  %-12s %-8s %s\n", jsonutil_string(it, "symbol"),
		    jsonutil_string(it, "state"),
		    jsonutil_string(it, "message") != NULL ?
			jsonutil_string(it, "message") :
			jsonutil_string(it, "report_path") != NULL ?
			jsonutil_string(it, "report_path") :
			"");
	}
}

static int
cmd_batch_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_batch_show_entry;
	struct store *st = NULL;
	cJSON *b = NULL;
	char *cause = NULL;
	int json, rc;

	if ((json = cmd_batch_json(e, argc, argv, ctx->settings)) < 0)
		return EXIT_USAGE;
	if (optind + 1 != argc)
		return cmd_usage_error(e, "expected one BATCH_ID");
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if ((rc = store_batch_get(st, argv[optind], &b, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		rc = rc == STORE_E_NOTFOUND ? EXIT_USAGE : EXIT_STORAGE;
	} else if (json)
		cmd_batch_print_json(b);
	else {
		cmd_batch_print_items(b);
		cJSON_Delete(b);
	}
	store_close(st);
	return rc;
}

#define CMD_BATCH_RUN_HELP                                                     \
	"  --jobs N            worker threads (default: the batch_jobs\n"      \
	"                      setting, else the cores)\n"                     \
	"  --out DIR           report directory (default: ./reports)\n"        \
	"  --s3 s3://BUCKET/PREFIX  also upload the PDFs and the summary\n"    \
	"  --model URI         model driving the agents (default: builtin)\n"  \
	"  --format FORMAT     text (a ranking table on a terminal), json,\n"  \
	"                      ndjson (an event per symbol) or csv\n"          \
	"  --wait SECONDS      wait for another batch on the database\n"       \
	"                      (default: exit 9 at once)\n"                    \
	"  --provider NAMES    market data provider(s), tried in order\n"      \
	"  --offline           cached market data only, no network\n"          \
	"  --refresh           fetch market data again, cache or not\n"        \
	"  --no-pdf            no PDFs (reports nor summary)\n"

const struct cmd_entry cmd_batch_list_entry = {
	.name = "batch list",
	.usage = "[--format text|json]",
	.summary = "list the batches, newest first",
	.help = "",
	.exec = cmd_batch_list_exec,
};

const struct cmd_entry cmd_batch_show_entry = {
	.name = "batch show",
	.usage = "BATCH_ID [--format text|json]",
	.summary = "show a batch and the state of each symbol",
	.help = "",
	.exec = cmd_batch_show_exec,
};

const struct cmd_entry cmd_batch_resume_entry = {
	.name = "batch resume",
	.usage = "BATCH_ID [OPTIONS]",
	.summary = "continue a batch that was stopped; done symbols are kept",
	.help = "Options:\n" CMD_BATCH_RUN_HELP,
	.exec = cmd_batch_resume_exec,
	.options = cmd_batch_longopts,
};

const struct cmd_entry cmd_batch_retry_entry = {
	.name = "batch retry",
	.usage = "BATCH_ID [OPTIONS]",
	.summary = "run the failed symbols of a batch again",
	.help = "Options:\n" CMD_BATCH_RUN_HELP,
	.exec = cmd_batch_retry_exec,
	.options = cmd_batch_longopts,
};

const struct cmd_entry cmd_batch_merge_entry = {
	.name = "batch merge",
	.usage =
	    "s3://BUCKET/PREFIX/batches/GROUP | s3://BUCKET/PREFIX "
	    "--watchlist FILE [--as-of DATE] [--out DIR] [--format FORMAT] "
	    "[--no-pdf]",
	.summary = "one summary from the summaries of a batch's shards in S3",
	.help =
	    "Reads shard-0.json ... shard-(N-1).json that `batch --shard K/N\n"
	    "--s3 s3://BUCKET/PREFIX` uploaded under batches/GROUP (GROUP:\n"
	    "the date and the watchlist's hash), ranks all their symbols,\n"
	    "writes OUT/batches/GROUP_summary.csv and .pdf and uploads them\n"
	    "beside the shards' as summary.csv and summary.pdf, with\n"
	    "summary.json: the next merge of the watchlist marks what\n"
	    "changed against it.\n"
	    "Options:\n"
	    "  --watchlist FILE    the batch's watchlist: with it the URI is\n"
	    "                      the shards' --s3 and GROUP is computed\n"
	    "  --as-of DATE        with --watchlist, the batch's date "
	    "(default:\n"
	    "                      today)\n"
	    "  --out DIR           where the summary goes (default: "
	    "./reports)\n"
	    "  --format FORMAT     text, json, ndjson or csv\n"
	    "  --no-pdf            the CSV only\n"
	    "Exit status: 0 all done, 10 some symbols failed, 8 S3 failed or\n"
	    "  a shard's summary is missing, 2 a bad URI or a shard of\n"
	    "  another batch.\n",
	.exec = cmd_batch_merge_exec,
	.options = cmd_batch_merge_opts,
};

static const struct cmd_entry *const cmd_batch_subcommands[] = {
	&cmd_batch_list_entry,
	&cmd_batch_show_entry,
	&cmd_batch_resume_entry,
	&cmd_batch_retry_entry,
	&cmd_batch_merge_entry,
	NULL,
};

const struct cmd_entry cmd_batch_entry = {
	.name = "batch",
	.usage =
	    "[SYMBOL...] [--watchlist FILE|-] [--jobs N] [--shard K/N|auto] "
	    "[--as-of DATE] [OPTIONS]",
	.summary = "analyze a watchlist: a report per symbol and a ranking",
	.help =
	    "Options:\n"
	    "  --watchlist FILE    one symbol a line ('#' comments), or CSV\n"
	    "                      with a 'symbol' column; '-' reads stdin\n"
	    "  --as-of YYYY-MM-DD  analysis date (default: today)\n"
	    "  --force             a new batch even when this watchlist was\n"
	    "                      run for this date (else done symbols are\n"
	    "                      skipped)\n"
	    "  --shard K/N|auto    only the symbols of shard K (0 to N-1) of "
	    "N,\n"
	    "                      split by a hash of the symbol; auto reads\n"
	    "                      JOB_COMPLETION_INDEX and STOCKAGENT_SHARDS\n"
	    "                      (a Kubernetes Indexed "
	    "Job)\n" CMD_BATCH_RUN_HELP
	    "Exit status: 0 all done, 10 some symbols failed, 9 another\n"
	    "  batch holds the database.\n",
	.exec = cmd_batch_exec,
	.subcommands = cmd_batch_subcommands,
	.options = cmd_batch_longopts,
	.args = cmd_batch_args,
};
