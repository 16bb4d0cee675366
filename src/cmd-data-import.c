/*
 * cmd-data-import.c: stockagent data import FILE [--symbol S] | --list |
 * --remove SYMBOL: a user's own daily bars into the database, where the
 * "csv" provider serves them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/runner.h"
#include "tools/market/csv-import.h"
#include "tools/market/imported.h"
#include "tools/symbol.h"

extern const struct cmd_entry cmd_data_import_entry;

static const struct option cmd_import_longopts[] = {
	{ "symbol", required_argument, NULL, 's' },
	{ "date-order", required_argument, NULL, 'd' },
	{ "currency", required_argument, NULL, 'c' },
	{ "name", required_argument, NULL, 'n' },
	{ "list", no_argument, NULL, 'l' },
	{ "remove", required_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'f' },
	{ "check", no_argument, NULL, 'k' },
	{ "decimal-comma", no_argument, NULL, 'D' },
	{ NULL, 0, NULL, 0 },
};

struct cmd_import_opts {
	const char *symbol, *currency, *name, *remove, *format;
	enum csvimp_order order;
	int list, check, decimal_comma;
};

/* Reads PATH ("-": standard input) whole, up to CSVIMP_MAX_BYTES. */
static int
cmd_import_read(const char *path, char **text, size_t *len, char **cause)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		*cause = xasprintf("%s: %s; name a CSV file of daily bars",
		    path, strerror(errno));
		return -1;
	}
	buf_init(&b, CSVIMP_MAX_BYTES);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			*cause = xasprintf("%s: larger than %u MiB; split it",
			    path, CSVIMP_MAX_BYTES >> 20);
			break;
		}
	}
	if (*cause == NULL && ferror(f))
		*cause = xasprintf("%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	if (*cause != NULL) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*text = buf_take(&b);
	buf_free(&b);
	return 0;
}

/* The base name of PATH, for the listing. */
static const char *
cmd_import_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return strcmp(path, "-") == 0 ? "(standard input)" :
	    s != NULL		      ? s + 1 :
					path;
}

/* Prints what R holds, one line per symbol. */
static void
cmd_import_summary(const struct csvimp_result *r, const char *verb)
{
	char d0[DATE_STR_SIZE], d1[DATE_STR_SIZE];
	size_t first, end;

	for (first = 0; first < r->n; first = end) {
		for (end = first + 1;
		     end < r->n && r->bars[end].symbol == r->bars[first].symbol;
		     end++)
			;
		printf("%s %s: %zu days, %s to %s%s%s%s%s\n", verb,
		    r->symbols[r->bars[first].symbol], end - first,
		    date_format(r->bars[first].date, d0),
		    date_format(r->bars[end - 1].date, d1),
		    r->has_adj_close ? ", adjusted close" : "",
		    r->has_volume ? ", volume" : ", no volume",
		    r->has_dividends ? ", dividends" : "",
		    r->has_splits ? ", splits" : "");
	}
	if (r->ignored != NULL)
		printf("columns ignored: %s\n", r->ignored);
}

/* Reads and checks FILE; prints its bad rows as FILE:LINE: message. */
static int
cmd_import_parse(const char *file, const struct cmd_import_opts *o,
    struct csvimp_result *r)
{
	struct csvimp_options copt = { o->symbol, o->order,
		o->decimal_comma ? ',' : 0 };
	char *text = NULL, *cause = NULL;
	size_t len = 0, i;
	int rc;

	if (cmd_import_read(file, &text, &len, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	rc = csvimp_parse(text, len, &copt, r, &cause);
	free(text);
	if (rc == 0)
		return 0;
	for (i = 0; i < r->n_errors; i++)
		fprintf(stderr, "%s:%zu: %s\n", file, r->errors[i].line,
		    r->errors[i].message);
	if (r->n_bad > r->n_errors)
		fprintf(stderr, "%s: ... and %zu more bad rows\n", file,
		    r->n_bad - r->n_errors);
	log_error("%s: %s; nothing imported%s", file, cause,
	    r->n_bad > 0 ? ": fix the rows above and import again" : "");
	free(cause);
	return EXIT_USAGE;
}

static int
cmd_import_file(struct cmd_ctx *ctx, const char *file,
    const struct cmd_import_opts *o)
{
	struct imported_meta meta = { cmd_import_base(file), o->name,
		o->currency };
	struct csvimp_result r;
	struct store *st = NULL;
	char *cause = NULL;
	int rc;

	memset(&r, 0, sizeof r);
	if ((rc = cmd_import_parse(file, o, &r)) != 0)
		goto out;
	if (o->check) {
		cmd_import_summary(&r, "would import");
		goto out;
	}
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		goto out;
	if (imported_put(st, &r, &meta, &cause) != 0) {
		log_error("%s: %s; nothing imported", file, cause);
		free(cause);
		rc = EXIT_STORAGE;
		goto out;
	}
	cmd_import_summary(&r, "imported");
out:
	store_close(st);
	csvimp_result_free(&r);
	return rc;
}

static int
cmd_import_list(struct cmd_ctx *ctx, const char *format)
{
	struct store *st = NULL;
	cJSON *a = NULL, *o;
	char *cause = NULL, *text;
	int rc;

	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	if (imported_list(st, &a, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		store_close(st);
		return EXIT_STORAGE;
	}
	store_close(st);
	if (strcmp(format, "json") == 0) {
		text = jsonutil_print_text(a, 0);
		printf("%s\n", text);
		free(text);
	} else {
		cJSON_ArrayForEach(o, a) {
			const char *cur = jsonutil_string(o, "currency");

			printf("%-12s %6d days  %s to %s  %-4s %s\n",
			    jsonutil_string(o, "symbol"),
			    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o,
				"rows")),
			    jsonutil_string(o, "first"),
			    jsonutil_string(o, "last"), cur != NULL ? cur : "-",
			    jsonutil_string(o, "source"));
		}
	}
	cJSON_Delete(a);
	return EXIT_OK;
}

static int
cmd_import_remove(struct cmd_ctx *ctx, const char *symbol)
{
	struct store *st = NULL;
	char sym[SYMBOL_MAX + 1], *cause = NULL;
	int rc;

	if (symbol_normalize(symbol, sym, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if ((rc = runner_open_store(ctx->settings, &st)) != 0)
		return rc;
	rc = imported_remove(st, sym, &cause);
	store_close(st);
	if (rc == STORE_E_NOTFOUND) {
		log_error("no imported bars of %s; 'stockagent data import "
			  "--list' shows what was imported",
		    sym);
		free(cause);
		return EXIT_USAGE;
	}
	if (rc != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_STORAGE;
	}
	printf("removed %s\n", sym);
	return EXIT_OK;
}

/* Parses the options into O. Returns 0 or an exit code. */
static int
cmd_import_options(int argc, char **argv, struct cmd_import_opts *o)
{
	const struct cmd_entry *e = &cmd_data_import_entry;
	int c;

	memset(o, 0, sizeof *o);
	o->format = "text";
	while ((c = cmd_getopt(e, argc, argv, "s:", cmd_import_longopts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		else if (c == 's')
			o->symbol = optarg;
		else if (c == 'c')
			o->currency = optarg;
		else if (c == 'n')
			o->name = optarg;
		else if (c == 'l')
			o->list = 1;
		else if (c == 'r')
			o->remove = optarg;
		else if (c == 'f')
			o->format = optarg;
		else if (c == 'k')
			o->check = 1;
		else if (c == 'D')
			o->decimal_comma = 1;
		else if (c == 'd' && strcmp(optarg, "auto") == 0)
			o->order = CSVIMP_ORDER_AUTO;
		else if (c == 'd' && strcmp(optarg, "dmy") == 0)
			o->order = CSVIMP_ORDER_DMY;
		else if (c == 'd' && strcmp(optarg, "mdy") == 0)
			o->order = CSVIMP_ORDER_MDY;
		else if (c == 'd')
			return cmd_usage_error(e,
			    "invalid --date-order '%s': use auto, dmy or mdy",
			    optarg);
	}
	if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use text or json", o->format);
	if (o->currency != NULL &&
	    (strlen(o->currency) < 3 || strlen(o->currency) > 7 ||
		strspn(o->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
		    strlen(o->currency)))
		return cmd_usage_error(e,
		    "invalid --currency '%s': use an ISO 4217 code such as "
		    "VND or USD",
		    o->currency);
	return 0;
}

static int
cmd_data_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_data_import_entry;
	struct cmd_import_opts o;
	char sym[SYMBOL_MAX + 1], *cause = NULL;
	int rc, nfiles;

	if ((rc = cmd_import_options(argc, argv, &o)) != 0)
		return rc;
	nfiles = argc - optind;
	if (o.list + (o.remove != NULL) + (nfiles > 0) != 1 || nfiles > 1)
		return cmd_usage_error(e,
		    "give one FILE, or --list, or --remove SYMBOL");
	if (o.list)
		return cmd_import_list(ctx, o.format);
	if (o.remove != NULL)
		return cmd_import_remove(ctx, o.remove);
	if (o.symbol != NULL) {
		if (symbol_normalize(o.symbol, sym, &cause) != 0) {
			log_error("%s", cause);
			free(cause);
			return EXIT_USAGE;
		}
		o.symbol = sym;
	}
	return cmd_import_file(ctx, argv[optind], &o);
}

static const char *const cmd_import_orders[] = { "auto", "dmy", "mdy", NULL };
static const char *const cmd_import_formats[] = { "text", "json", NULL };

static const struct cmd_arg cmd_import_args[] = {
	{ NULL, CMD_VALUE_FILE, NULL },
	{ "date-order", CMD_VALUE_WORDS, cmd_import_orders },
	{ "format", CMD_VALUE_WORDS, cmd_import_formats },
	{ "symbol", CMD_VALUE_NONE, NULL },
	{ "currency", CMD_VALUE_NONE, NULL },
	{ "name", CMD_VALUE_NONE, NULL },
	{ "remove", CMD_VALUE_NONE, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

const struct cmd_entry cmd_data_import_entry = {
	.name = "data import",
	.usage = "FILE [--symbol S] [--date-order auto|dmy|mdy] "
		 "[--currency C] [--name TEXT] [--decimal-comma] [--check] | "
		 "--list "
		 "[--format text|json] | --remove SYMBOL",
	.summary = "import your own daily bars (CSV) for the csv provider; "
		   "list or remove them",
	.help =
	    "  FILE                 a CSV of daily bars ('-': standard "
	    "input):\n"
	    "                       date and close columns at least; open,\n"
	    "                       high, low, volume, adj close, dividends,\n"
	    "                       splits and symbol optional\n"
	    "  --symbol S           the symbol of every row (else a symbol\n"
	    "                       column names it)\n"
	    "  --date-order ORDER   auto (default), dmy or mdy: which number\n"
	    "                       of 03/04/2024 is the day\n"
	    "  --currency C         the prices' currency (VND, USD, ...)\n"
	    "  --name TEXT          the company's name for reports\n"
	    "  --decimal-comma      numbers are written 1.234,5 (found by\n"
	    "                       itself when a comma stands between\n"
	    "                       digits)\n"
	    "  --check              read and check the file, store nothing\n"
	    "  --list               the imported symbols\n"
	    "  --format FORMAT      text (default) or json, for --list\n"
	    "  --remove SYMBOL      delete a symbol's imported bars\n",
	.exec = cmd_data_import,
	.options = cmd_import_longopts,
	.args = cmd_import_args,
};
