/*
 * tool-generate-stock-report.c: the report agent's tool.
 *
 * Writes the PDF report (tools/report) to OUT/YYYY/MM/DD/SYMBOL_Stock_
 * Report_YYYYMMDD_HHMMSS.pdf, the date folder and the name taken from the
 * run's one timestamp, records it in the database, and uploads it to S3
 * when asked. A failed upload keeps the local PDF and says so.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/aws-sigv4.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/s3.h"
#include "lib/store.h"
#include "tools/analyze.h"
#include "tools/report/report.h"
#include "tools/symbol.h"
#include "tools/tool.h"
#include "lib/xmalloc.h"

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

/*
 * Writes the PDF at OUT/REL, or beside it under a numbered name when that
 * is taken (a report file is never replaced); *path_out is the path
 * written. Temporary files that killed runs left in the directory go.
 */
static int
report_write_pdf(struct tool_ctx *ctx, const char *rel,
    const char *generated_at, char **path_out, char **cause)
{
	struct report_pdf_opts o;
	char *path, *dir;
	cJSON *series = NULL;
	int rc;

	path = xasprintf("%s/%s", report_out_dir(ctx), rel);
	if (paths_mkdirs_for(path, 0, cause) != 0) {
		free(path);
		return EXIT_STORAGE;
	}
	dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	paths_remove_stale_temps(dir);
	free(dir);
	if ((rc = analyze_series_load(ctx->state, ctx->opts, ctx->store,
	    &series, cause)) != 0) {
		free(path);
		return rc;
	}
	memset(&o, 0, sizeof o);
	o.paper = ctx->opts->paper;
	o.run_id = ctx->thread_id;
	o.generated_at = generated_at;
	o.series = series;
	rc = report_pdf_write_new(ctx->state, &o, path, path_out, cause);
	cJSON_Delete(series);
	free(path);
	return rc != 0 ? EXIT_STORAGE : 0;
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

static int
report_pdf(struct tool_ctx *ctx, const char *symbol, time_t t,
    const char *generated_at, cJSON *result, char **cause)
{
	char *path = NULL, *rel = report_pdf_relpath(symbol, t), hex[65];
	struct stat st;
	cJSON *pdf;
	long size;
	int rc;

	if ((rc = report_write_pdf(ctx, rel, generated_at, &path, cause)) != 0)
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
	/* The object key follows the name taken on disk. */
	if (ctx->opts->s3 != NULL)
		report_upload(ctx, path, path + strlen(report_out_dir(ctx)) + 1,
		    pdf);
	else
		cJSON_AddNullToObject(pdf, "s3_uri");
	if (ctx->store != NULL && store_report_add(ctx->store, ctx->thread_id,
	    symbol, path, size, hex, jsonutil_string(pdf, "s3_uri"), NULL,
	    cause) != 0)
		rc = EXIT_STORAGE;
out:
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
		*cause = xstrdup("generate_stock_report: no analysis in the "
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
	.description = "Generate the professional PDF stock report (charts, "
	    "scores, analysis, news, risks, methodology) from the gathered "
	    "data and the analysis, store it under the reports directory and "
	    "upload it to S3 when configured.",
	.parameters = "{\"type\":\"object\",\"properties\":{"
	    "\"symbol\":{\"type\":\"string\",\"pattern\":\"" SYMBOL_PATTERN
	    "\",\"description\":\"the analysed symbol\"},"
	    "\"pdf\":{\"type\":\"boolean\",\"description\":\"write the PDF "
	    "(default true)\"}},"
	    "\"required\":[\"symbol\"],\"additionalProperties\":false}",
	.state_key = "report",
	.exec = report_exec,
	.for_model = NULL,
};
