/*
 * cmd-reports.c: stockagent reports list [SYMBOL], and reports prune
 * --older-than DAYS.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/csv.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/store-prune.h"
#include "lib/store.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_reports_entry;
static const struct cmd_entry cmd_reports_prune_entry;

static const struct option cmd_reports_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "no-header", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

/* The columns of 'reports list --format csv'. */
static const struct csv_column cmd_reports_columns[] = {
	{ "created_at", "created_at" },
	{ "symbol", "symbol" },
	{ "size", "size" },
	{ "path", "path" },
	{ "s3_uri", "s3_uri" },
	{ "sha256", "sha256" },
	{ "thread_id", "thread_id" },
	{ "id", "id" },
};

static void
cmd_reports_text(const cJSON *list)
{
	const cJSON *r;
	const char *s3;

	printf("%-24s  %-10s  %9s  %s\n", "CREATED", "SYMBOL", "BYTES", "PATH");
	cJSON_ArrayForEach(r, list) {
		s3 = jsonutil_string(r, "s3_uri");
		printf("%-24s  %-10s  %9.0f  %s%s%s\n",
		    jsonutil_string(r, "created_at"),
		    jsonutil_string(r, "symbol"), jsonutil_number(r, "size"),
		    jsonutil_string(r, "path"), s3 ? "  " : "", s3 ? s3 : "");
	}
}

static int
cmd_reports_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_reports_entry;
	const char *format = "text";
	char sym[SYMBOL_MAX + 1], *cause = NULL, *text;
	struct store *st = NULL;
	cJSON *list = NULL;
	int c, rc, header = 1;

	while ((c = cmd_getopt(e, argc, argv, "f:", cmd_reports_longopts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'H')
			header = 0;
		else
			format = optarg;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "csv") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use text, "
		    "json or csv",
		    format);
	if (argc - optind > 1)
		return cmd_usage_error(e, "list takes at most one SYMBOL");
	if (argc - optind == 1 &&
	    symbol_normalize(argv[optind], sym, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if (store_reports_list(st, argc - optind == 1 ? sym : NULL, &list,
		&cause) != 0) {
		log_error("%s", cause);
		free(cause);
		store_close(st);
		return EXIT_STORAGE;
	}
	if (strcmp(format, "csv") == 0) {
		csv_write(stdout, list, cmd_reports_columns,
		    sizeof cmd_reports_columns / sizeof *cmd_reports_columns,
		    header);
	} else if (strcmp(format, "json") == 0) {
		text = jsonutil_print_text(list, 1);
		printf("%s\n", text);
		free(text);
	} else {
		cmd_reports_text(list);
	}
	cJSON_Delete(list);
	store_close(st);
	return EXIT_OK;
}

/* The store time DAYS days ago into BEFORE. */
static void
cmd_reports_cut(long days, char before[STORE_TIME_SIZE])
{
	time_t t = time(NULL) - (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(before, STORE_TIME_SIZE, "%Y-%m-%dT%H:%M:%S.999Z", &tm);
}

static const char *const cmd_reports_formats[] = { "text", "json", "csv",
	NULL };

static const struct cmd_arg cmd_reports_list_args[] = {
	{ NULL, CMD_VALUE_SYMBOL, NULL },
	{ "format", CMD_VALUE_WORDS, cmd_reports_formats },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_entry cmd_reports_list_entry = {
	.name = "reports list",
	.usage = "[SYMBOL] [--format text|json|csv] [--no-header]",
	.summary = "the PDF reports written (of SYMBOL), newest first",
	.help =
	    "  --format FORMAT  text (default), json (with the SHA-256) or\n"
	    "                   csv (created_at, symbol, size, path, s3_uri,\n"
	    "                   sha256, thread_id, id)\n"
	    "  --no-header      csv without its header row\n",
	.exec = cmd_reports_list,
	.options = cmd_reports_longopts,
	.args = cmd_reports_list_args,
};

static const struct option cmd_reports_prune_opts[] = {
	{ "older-than", required_argument, NULL, 'd' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

/* Removes the file of report R; 0, or -1 logged. */
static int
cmd_reports_unlink(const cJSON *r)
{
	const char *path = jsonutil_string(r, "path");

	if (path == NULL || unlink(path) == 0 || errno == ENOENT)
		return 0;
	log_error("cannot remove report %s: %s", path, strerror(errno));
	return -1;
}

/* Prunes the reports of LIST (or says what would go, DRY); the count
 * gone into *GONE. Returns 0 or an exit code. */
static int
cmd_reports_prune_list(struct store *st, const cJSON *list, int dry, int json,
    int *gone)
{
	const cJSON *r;
	char *cause = NULL;
	int rc, bad = 0;

	*gone = 0;
	cJSON_ArrayForEach(r, list) {
		if (!dry) {
			rc = store_report_prune(st,
			    (long long)jsonutil_number(r, "id"), &cause);
			if (rc < 0) {
				log_error("%s", cause);
				free(cause);
				return EXIT_STORAGE;
			}
			if (rc == 0)
				continue; /* its run runs again */
			if (cmd_reports_unlink(r) != 0)
				bad = 1;
		}
		(*gone)++;
		if (!json)
			printf("%s%s\n", dry ? "would remove " : "removed ",
			    jsonutil_string(r, "path"));
	}
	return bad ? EXIT_STORAGE : 0;
}

static int
cmd_reports_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_reports_prune_entry;
	const char *format = "text", *days_arg = NULL;
	char before[STORE_TIME_SIZE], *cause = NULL, *end, *text;
	struct store *st = NULL;
	cJSON *list = NULL, *res;
	int c, rc, dry = 0, gone = 0;
	long days = -1;

	while ((c = cmd_getopt(e, argc, argv, "f:n", cmd_reports_prune_opts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'd')
			days_arg = optarg;
		else if (c == 'n')
			dry = 1;
		else
			format = optarg;
	}
	if (days_arg != NULL) {
		errno = 0;
		days = strtol(days_arg, &end, 10);
		if (errno != 0 || end == days_arg || *end != '\0' || days < 0 ||
		    days > 36500)
			days = -2;
	}
	if (days == -1)
		return cmd_usage_error(e, "give --older-than DAYS");
	if (days < 0)
		return cmd_usage_error(e,
		    "invalid --older-than '%s': use 0-36500 days", days_arg);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use text or json", format);
	if (optind != argc)
		return cmd_usage_error(e, "prune takes no operands");
	cmd_reports_cut(days, before);
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if (store_reports_prunable(st, before, &list, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		store_close(st);
		return EXIT_STORAGE;
	}
	rc = cmd_reports_prune_list(st, list, dry, strcmp(format, "json") == 0,
	    &gone);
	if (strcmp(format, "json") == 0) {
		res = cJSON_CreateObject();
		cJSON_AddBoolToObject(res, "dry_run", dry);
		cJSON_AddStringToObject(res, "before", before);
		cJSON_AddNumberToObject(res, "removed", dry ? 0 : gone);
		cJSON_AddItemToObject(res, "reports", list);
		list = NULL;
		text = jsonutil_print_text(res, 1);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(res);
	} else if (gone == 0)
		printf("no report older than %ld days to remove\n", days);
	cJSON_Delete(list);
	store_close(st);
	return rc;
}

static const struct cmd_entry cmd_reports_prune_entry = {
	.name = "reports prune",
	.usage = "--older-than DAYS [--dry-run] [--format text|json]",
	.summary = "remove report files older than DAYS and their records",
	.help =
	    "  --older-than DAYS  reports created more than DAYS days ago\n"
	    "                     (0: all); a report of a run that is still\n"
	    "                     running or held by a process is kept\n"
	    "  --dry-run          only say what would be removed\n"
	    "  --format FORMAT    text (default: a line per file) or json\n"
	    "Files uploaded to S3 stay there: expire them with a lifecycle\n"
	    "rule on the bucket.\n",
	.exec = cmd_reports_prune,
	.options = cmd_reports_prune_opts,
};

static const struct cmd_entry *const cmd_reports_subcommands[] = {
	&cmd_reports_list_entry,
	&cmd_reports_prune_entry,
	NULL,
};

const struct cmd_entry cmd_reports_entry = {
	.name = "reports",
	.usage = "list|prune ...",
	.summary = "list the PDF reports written, with sizes, hashes and S3 "
		   "locations",
	.help = "",
	.subcommands = cmd_reports_subcommands,
};
