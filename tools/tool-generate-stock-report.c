/*
 * tool-generate-stock-report.c: the report agent's tool.
 *
 * Writes the PDF report (tools/report) to OUT/YYYY/MM/DD/SYMBOL_Stock_
 * Report_YYYYMMDD_HHMMSS.pdf, the date folder and the name taken from the
 * run's one timestamp, records it in the database, and uploads it to S3
 * when asked. A failed upload keeps the local PDF and says so.
 *
 * One run, one report: the row is written before the file gets its name,
 * so a kill leaves no file without a row; a report step run again after a
 * kill reuses the recorded file when it is intact, and otherwise writes
 * the file again under the recorded row.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/aws-sigv4.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/s3.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tools/analyze.h"
#include "tools/report/report.h"
#include "tools/symbol.h"
#include "tools/tool.h"

/* Seconds since the epoch of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SSZ". */
static time_t
report_parse_time(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return time(NULL);
	return timegm(&tm);
}

/* The directory reports go under. */
static const char *
report_out_dir(const struct tool_ctx *ctx)
{
	return ctx->opts->out != NULL ? ctx->opts->out : "reports";
}

/* The run's report row, recorded before the file takes NAME. */
struct report_claim {
	struct tool_ctx *ctx;
	const char *symbol;
};

static int
report_claim(void *arg, const char *name, const void *data, size_t len,
    char **cause)
{
	struct report_claim *c = arg;
	char hex[65];

	sigv4_sha256_hex(data, len, hex);
	return store_report_put(c->ctx->store, c->ctx->thread_id, c->symbol,
		   name, (long long)len, hex, NULL, NULL, cause) != 0 ?
	    -1 :
	    0;
}

/*
 * Writes the PDF at PATH, or beside it under a numbered name when that is
 * taken (a report file is never replaced); *path_out is the path written.
 * With a run in the database its report row names the file before the
 * file has its name. Temporary files that killed runs left go.
 */
static int
report_write_pdf(struct tool_ctx *ctx, const char *path, const char *symbol,
    const char *generated_at, char **path_out, char **cause)
{
	struct report_claim claim = { ctx, symbol };
	struct report_pdf_opts o;
	cJSON *series = NULL;
	char *dir;
	int rc;

	if (paths_mkdirs_for(path, 0, cause) != 0)
		return EXIT_STORAGE;
	dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	paths_remove_stale_temps(dir);
	free(dir);
	if ((rc = analyze_series_load(ctx->state, ctx->opts, ctx->store,
		 &series, cause)) != 0)
		return rc;
	memset(&o, 0, sizeof o);
	o.paper = ctx->opts->paper;
	o.run_id = ctx->thread_id;
	o.generated_at = generated_at;
	o.series = series;
	if (ctx->store != NULL && ctx->thread_id != NULL) {
		o.claim = report_claim;
		o.claim_arg = &claim;
	}
	rc = report_pdf_write_new(ctx->state, &o, path, path_out, cause);
	cJSON_Delete(series);
	return rc != 0 ? EXIT_STORAGE : 0;
}

/*
 * The report this run recorded before it was killed: *REC_OUT NULL when
 * none. Returns 0 or EXIT_STORAGE.
 */
static int
report_recorded(struct tool_ctx *ctx, cJSON **rec_out, char **cause)
{
	int rc;

	*rec_out = NULL;
	if (ctx->store == NULL || ctx->thread_id == NULL)
		return 0;
	rc = store_report_of_run(ctx->store, ctx->thread_id, rec_out, cause);
	if (rc == STORE_E_NOTFOUND) {
		free(*cause);
		*cause = NULL;
		return 0;
	}
	return rc != 0 ? EXIT_STORAGE : 0;
}

/* Whether the file REC names is there with the bytes REC describes. */
static int
report_file_intact(const cJSON *rec)
{
	const char *path = jsonutil_string(rec, "path");
	const char *want = jsonutil_string(rec, "sha256");
	char hex[65], *why = NULL;
	int ok;

	if (path == NULL || want == NULL)
		return 0;
	ok = sigv4_sha256_file_hex(path, hex, &why) == 0 &&
	    strcmp(hex, want) == 0;
	free(why);
	return ok;
}

/*
 * The PDF of this run into *PATH_OUT: the file a killed attempt of this
 * step wrote and recorded when it is intact, else a new file, under the
 * recorded name when there is one, else OUT/REL. *REUSED: 1 for the first.
 */
static int
report_file(struct tool_ctx *ctx, const cJSON *rec, const char *rel,
    const char *symbol, const char *generated_at, char **path_out, int *reused,
    char **cause)
{
	char *target;
	int rc;

	if ((*reused = rec != NULL && report_file_intact(rec))) {
		*path_out = xstrdup(jsonutil_string(rec, "path"));
		return 0;
	}
	target = rec != NULL ? xstrdup(jsonutil_string(rec, "path")) :
			       xasprintf("%s/%s", report_out_dir(ctx), rel);
	rc = report_write_pdf(ctx, target, symbol, generated_at, path_out,
	    cause);
	free(target);
	return rc;
}

/* Uploads PATH; on failure records the error and returns -1. */
static int
report_upload(struct tool_ctx *ctx, const char *path, const char *rel,
    cJSON *pdf)
{
	const char *uri = ctx->opts->s3;
	struct s3_location loc = { NULL, NULL };
	char *s3uri = NULL, *why = NULL, *msg;

	if (s3_uri_parse(uri, &loc, &why) != 0 ||
	    s3_put_file(&loc, rel, path, "application/pdf", NULL, &s3uri,
		&why) != 0) {
		msg = xasprintf("%s; the report is kept at %s", why, path);
		log_error("%s", msg);
		cJSON_AddStringToObject(pdf, "upload_error", msg);
		cJSON_AddNullToObject(pdf, "s3_uri");
		free(msg);
		free(why);
		s3_location_free(&loc);
		return -1;
	}
	cJSON_AddStringToObject(pdf, "s3_uri", s3uri);
	free(s3uri);
	s3_location_free(&loc);
	return 0;
}

/* The S3 object key of PATH: its path under the reports directory. */
static const char *
report_key(struct tool_ctx *ctx, const char *path)
{
	const char *dir = report_out_dir(ctx), *slash;
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

/* Uploads PATH unless the run's record says it is uploaded already. */
static void
report_s3(struct tool_ctx *ctx, const char *path, const cJSON *rec, int reused,
    cJSON *pdf)
{
	const char *done = jsonutil_string(rec, "s3_uri");

	if (ctx->opts->s3 == NULL)
		cJSON_AddNullToObject(pdf, "s3_uri");
	else if (reused && done != NULL)
		cJSON_AddStringToObject(pdf, "s3_uri", done);
	else
		report_upload(ctx, path, report_key(ctx, path), pdf);
}

/*
 * Writes (or, after a kill, finds) the run's one PDF and its one report
 * row: after any kill and resume, one file and one row describing it.
 */
static int
report_pdf(struct tool_ctx *ctx, const char *symbol, time_t t,
    const char *generated_at, cJSON *result, char **cause)
{
	char *path = NULL, *rel = report_pdf_relpath(symbol, t), hex[65];
	cJSON *pdf, *rec = NULL;
	struct stat st;
	long size;
	int rc, reused;

	if ((rc = report_recorded(ctx, &rec, cause)) != 0 ||
	    (rc = report_file(ctx, rec, rel, symbol, generated_at, &path,
		 &reused, cause)) != 0)
		goto out;
	if (stat(path, &st) != 0) {
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		rc = EXIT_STORAGE;
		goto out;
	}
	if (sigv4_sha256_file_hex(path, hex, cause) != 0) {
		rc = EXIT_STORAGE;
		goto out;
	}
	size = (long)st.st_size;
	pdf = cJSON_AddObjectToObject(result, "pdf");
	cJSON_AddStringToObject(pdf, "path", path);
	cJSON_AddNumberToObject(pdf, "size", (double)size);
	cJSON_AddStringToObject(pdf, "sha256", hex);
	report_s3(ctx, path, rec, reused, pdf);
	if (ctx->store != NULL &&
	    store_report_put(ctx->store, ctx->thread_id, symbol, path, size,
		hex, jsonutil_string(pdf, "s3_uri"), NULL, cause) != 0)
		rc = EXIT_STORAGE;
out:
	cJSON_Delete(rec);
	free(path);
	free(rel);
	return rc;
}

static int
report_exec(struct tool_ctx *ctx, const cJSON *args, cJSON **result_out,
    char **cause)
{
	const char *sym = jsonutil_string(args, "symbol");
	const char *started = jsonutil_string(ctx->state, "request.started_at");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(args, "pdf");
	cJSON *r = cJSON_CreateObject();
	char *s;
	int rc;

	if (jsonutil_path(ctx->state, "analysis.scores") == NULL) {
		*cause = xstrdup(
		    "generate_stock_report: no analysis in the "
		    "state; analyze_stock_performance must run first");
		cJSON_Delete(r);
		return EXIT_MARKET;
	}
	cJSON_AddStringToObject(r, "generated_at", started ? started : "");
	if (ctx->opts->no_pdf || cJSON_IsFalse(want)) {
		cJSON_AddNullToObject(r, "pdf");
		s = xasprintf("Report for %s generated without a PDF.", sym);
	} else {
		rc = report_pdf(ctx, sym, report_parse_time(started), started,
		    r, cause);
		if (rc != 0) {
			cJSON_Delete(r);
			return rc;
		}
		s = xasprintf("PDF report for %s written to %s.", sym,
		    jsonutil_string(r, "pdf.path"));
	}
	cJSON_AddStringToObject(r, "summary", s);
	free(s);
	*result_out = r;
	return 0;
}

const struct tool_entry tool_generate_stock_report_entry = {
	.name = "generate_stock_report",
	.description =
	    "Generate the professional PDF stock report (charts, "
	    "scores, analysis, news, risks, methodology) from the gathered "
	    "data and the analysis, store it under the reports directory and "
	    "upload it to S3 when configured.",
	.parameters =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"symbol\":{\"type\":\"string\",\"pattern\":\"" SYMBOL_PATTERN
	    "\",\"description\":\"the analysed symbol\"},"
	    "\"pdf\":{\"type\":\"boolean\",\"description\":\"write the PDF "
	    "(default true)\"}},"
	    "\"required\":[\"symbol\"],\"additionalProperties\":false}",
	.state_key = "report",
	.exec = report_exec,
	.for_model = NULL,
};
