/*
 * cmd-reports.c: stockagent reports list [SYMBOL].
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/store.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_reports_entry;

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

static const struct cmd_entry *const cmd_reports_subcommands[] = {
	&cmd_reports_list_entry,
	NULL,
};

const struct cmd_entry cmd_reports_entry = {
	.name = "reports",
	.usage = "list [SYMBOL] [--format text|json|csv] [--no-header]",
	.summary = "list the PDF reports written, with sizes, hashes and S3 "
		   "locations",
	.help = "",
	.subcommands = cmd_reports_subcommands,
};
