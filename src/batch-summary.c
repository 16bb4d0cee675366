/*
 * batch-summary.c: the ranking of a batch and what changed since the
 * previous batch of its watchlist (see batch-summary.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/csv.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/paths.h"
#include "lib/s3.h"
#include "lib/settings.h"
#include "lib/store-batch.h"
#include "lib/xmalloc.h"
#include "src/batch-summary.h"
#include "tools/report/report.h"

/* A score change smaller than this is not news. */
#define BATCH_SCORE_EPS 0.05

/* Row keys and where output_result has them. */
static const struct {
	const char *key, *path;
} batch_row_paths[] = {
	{ "overall", "analysis.scores.overall" },
	{ "technical", "analysis.scores.technical" },
	{ "fundamental", "analysis.scores.fundamental" },
	{ "one_year_return_percent", "analysis.returns.one_year_percent" },
	{ "volatility_percent", "analysis.risk.volatility_percent" },
	{ "price", "analysis.price" },
	{ "sma200", "analysis.indicators.sma200" },
	{ "rsi14", "analysis.indicators.rsi14" },
	{ "prompt_tokens", "usage.prompt_tokens" },
	{ "completion_tokens", "usage.completion_tokens" },
	{ "cost_usd", "usage.cost_usd" },
};

/* The summary's columns (CSV and the text table read the same rows). */
static const struct csv_column batch_columns[] = {
	{ "rank", "rank" },
	{ "symbol", "symbol" },
	{ "status", "status" },
	{ "overall_score", "overall" },
	{ "technical_score", "technical" },
	{ "fundamental_score", "fundamental" },
	{ "one_year_return_percent", "one_year_return_percent" },
	{ "volatility_percent", "volatility_percent" },
	{ "label", "label" },
	{ "changes", "changes_text" },
	{ "exit_code", "exit_code" },
	{ "message", "message" },
	{ "pdf", "pdf" },
};
#define BATCH_NCOLUMNS (sizeof batch_columns / sizeof *batch_columns)

cJSON *
batch_summary_row(const cJSON *final, const char *thread_id)
{
	cJSON *r = output_result(final, thread_id), *row = cJSON_CreateObject();
	const char *v;
	size_t i;

	for (i = 0; i < sizeof batch_row_paths / sizeof *batch_row_paths; i++)
		jsonutil_add_number(row, batch_row_paths[i].key,
		    jsonutil_number(r, batch_row_paths[i].path));
	if ((v = jsonutil_string(r, "analysis.scores.label")) != NULL)
		cJSON_AddStringToObject(row, "label", v);
	cJSON_AddStringToObject(row, "thread_id", thread_id);
	if ((v = jsonutil_string(r, "report.pdf.path")) != NULL)
		cJSON_AddStringToObject(row, "pdf", v);
	cJSON_Delete(r);
	return row;
}

/* The member of PREV's array NAME ("items" or "ranking") for SYMBOL, or
 * NULL. */
static const cJSON *
batch_prev_of(const cJSON *prev, const char *name, const char *symbol)
{
	const cJSON *it;
	const char *sym;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(prev, name)) {
		sym = jsonutil_string(it, "symbol");
		if (sym != NULL && symbol != NULL && strcmp(sym, symbol) == 0)
			return it;
	}
	return NULL;
}

/* Adds change TEXT to the list CH. */
static void
batch_change(cJSON *ch, const char *text)
{
	cJSON_AddItemToArray(ch, cJSON_CreateString(text));
}

/* RSI crossing LEVEL between A (before) and B (now). */
static void
batch_rsi_change(cJSON *ch, double a, double b)
{
	char buf[64];

	if (isnan(a) || isnan(b))
		return;
	if ((a < 70) != (b < 70)) {
		snprintf(buf, sizeof buf, "RSI %s 70",
		    b >= 70 ? "entered" : "left");
		batch_change(ch, buf);
	}
	if ((a > 30) != (b > 30)) {
		snprintf(buf, sizeof buf, "RSI %s 30",
		    b <= 30 ? "entered" : "left");
		batch_change(ch, buf);
	}
}

/* What moved between the rows A (before) and B (now). */
static void
batch_row_changes(cJSON *ch, const cJSON *a, const cJSON *b)
{
	double sa = jsonutil_number(a, "overall"),
	       sb = jsonutil_number(b, "overall");
	double pa = jsonutil_number(a, "price"),
	       pb = jsonutil_number(b, "price");
	double ma = jsonutil_number(a, "sma200"),
	       mb = jsonutil_number(b, "sma200");
	char buf[64];

	if (!isnan(sa) && !isnan(sb) && fabs(sb - sa) >= BATCH_SCORE_EPS) {
		snprintf(buf, sizeof buf, "score %+.1f", sb - sa);
		batch_change(ch, buf);
	}
	if (!isnan(pa) && !isnan(pb) && !isnan(ma) && !isnan(mb) &&
	    (pa >= ma) != (pb >= mb))
		batch_change(ch,
		    pb >= mb ? "close crossed above 200-day "
			       "average" :
			       "close crossed below 200-day average");
	batch_rsi_change(ch, jsonutil_number(a, "rsi14"),
	    jsonutil_number(b, "rsi14"));
}

/* What changed for a symbol now STATE with ROW, before PREV_STATE with
 * PREV_ROW (NULL: not in the previous batch). New array. */
static cJSON *
batch_changes(const char *state, const cJSON *row, const char *prev_state,
    const cJSON *prev_row)
{
	cJSON *ch = cJSON_CreateArray();

	if (prev_state == NULL || strcmp(prev_state, "done") != 0)
		return ch;
	if (state != NULL && strcmp(state, "failed") == 0)
		batch_change(ch, "failed (done in the previous batch)");
	else
		batch_row_changes(ch, prev_row, row);
	return ch;
}

/* Sets R's "changes" to CH (taken) and "changes_text" to its items. */
static void
batch_set_changes(cJSON *r, cJSON *ch)
{
	const cJSON *p;
	char *text, *next;

	cJSON_DeleteItemFromObjectCaseSensitive(r, "changes");
	cJSON_DeleteItemFromObjectCaseSensitive(r, "changes_text");
	cJSON_AddItemToObject(r, "changes", ch);
	text = xstrdup("");
	for (p = ch->child; p != NULL; p = p->next) {
		next = xasprintf("%s%s%s", text, *text ? "; " : "",
		    p->valuestring);
		free(text);
		text = next;
	}
	cJSON_AddStringToObject(r, "changes_text", text);
	free(text);
}

/* The summary row of item IT, with its changes since PREV. */
static cJSON *
batch_rank_row(const cJSON *it, const cJSON *prev)
{
	const cJSON *row = cJSON_GetObjectItemCaseSensitive(it, "row"), *p;
	const char *state = jsonutil_string(it, "state");
	cJSON *r = cJSON_IsObject(row) ? cJSON_Duplicate(row, 1) :
					 cJSON_CreateObject();

	cJSON_AddStringToObject(r, "symbol", jsonutil_string(it, "symbol"));
	cJSON_AddStringToObject(r, "status", state);
	if (jsonutil_string(it, "s3_uri") != NULL)
		cJSON_AddStringToObject(r, "s3_uri",
		    jsonutil_string(it, "s3_uri"));
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it, "exit_code")))
		cJSON_AddNumberToObject(r, "exit_code",
		    jsonutil_number(it, "exit_code"));
	if (jsonutil_string(it, "message") != NULL)
		cJSON_AddStringToObject(r, "message",
		    jsonutil_string(it, "message"));
	p = batch_prev_of(prev, "items", jsonutil_string(it, "symbol"));
	batch_set_changes(r,
	    batch_changes(state, row,
		p != NULL ? jsonutil_string(p, "state") : NULL,
		cJSON_GetObjectItemCaseSensitive(p, "row")));
	return r;
}

void
batch_summary_changes_since(cJSON *summary, const cJSON *prev)
{
	cJSON *r;
	const cJSON *found;

	cJSON_ArrayForEach(r,
	    cJSON_GetObjectItemCaseSensitive(summary, "ranking")) {
		found = batch_prev_of(prev, "ranking",
		    jsonutil_string(r, "symbol"));
		batch_set_changes(r,
		    batch_changes(jsonutil_string(r, "status"), r,
			found != NULL ? jsonutil_string(found, "status") : NULL,
			found));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(summary, "previous");
	if (jsonutil_string(prev, "id") != NULL)
		cJSON_AddStringToObject(summary, "previous",
		    jsonutil_string(prev, "id"));
}

/* qsort order: done before failed, then overall score best first. */
static int
batch_rank_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
		    *y = *(const cJSON *const *)b;
	int fx = strcmp(jsonutil_string(x, "status"), "done") != 0;
	int fy = strcmp(jsonutil_string(y, "status"), "done") != 0;
	double sx = jsonutil_number(x, "overall"),
	       sy = jsonutil_number(y, "overall");

	if (fx != fy)
		return fx - fy;
	if (isnan(sx) || isnan(sy))
		return isnan(sx) - isnan(sy);
	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(jsonutil_string(x, "symbol"),
	    jsonutil_string(y, "symbol"));
}

/* The array of the N rows ROWS (taken) in ranking order, numbered. */
static cJSON *
batch_rank_array(cJSON **rows, int n)
{
	cJSON *arr = cJSON_CreateArray();
	int i;

	qsort(rows, (size_t)n, sizeof *rows, batch_rank_cmp);
	for (i = 0; i < n; i++) {
		cJSON_DeleteItemFromObject(rows[i], "rank");
		cJSON_AddNumberToObject(rows[i], "rank", i + 1);
		cJSON_AddItemToArray(arr, rows[i]);
	}
	free(rows);
	return arr;
}

cJSON *
batch_summary_rank(const cJSON *b, const cJSON *prev)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(b, "items"), *it;
	int i = 0, n = cJSON_GetArraySize(items);
	cJSON **rows = xcalloc((size_t)n + 1, sizeof *rows);

	cJSON_ArrayForEach(it, items)
		rows[i++] = batch_rank_row(it, prev);
	return batch_rank_array(rows, n);
}

cJSON *
batch_summary_rerank(cJSON *rows)
{
	int i = 0, n = cJSON_GetArraySize(rows);
	cJSON **v = xcalloc((size_t)n + 1, sizeof *v);

	while (rows->child != NULL)
		v[i++] = cJSON_DetachItemViaPointer(rows, rows->child);
	cJSON_Delete(rows);
	return batch_rank_array(v, n);
}

/* One number cell of the text table, one decimal. */
static void
batch_cell(FILE *f, const cJSON *r, const char *key)
{
	double v = jsonutil_number(r, key);

	if (isnan(v))
		fprintf(f, " %8s", "n/a");
	else
		fprintf(f, " %8.1f", v);
}

/* The ranking as a table for people. */
static void
batch_print_table(FILE *f, const cJSON *b, const cJSON *rank)
{
	const cJSON *r;

	fprintf(f, "Batch %s (%s)\n", jsonutil_string(b, "id"),
	    jsonutil_string(b, "as_of"));
	fprintf(f, "%4s  %-12s %8s %8s %8s %8s %8s  %-7s %s\n", "rank",
	    "symbol", "overall", "tech", "fund", "1y ret%", "vol%", "status",
	    "changes");
	cJSON_ArrayForEach(r, rank) {
		fprintf(f, "%4d  %-12s", (int)jsonutil_number(r, "rank"),
		    jsonutil_string(r, "symbol"));
		batch_cell(f, r, "overall");
		batch_cell(f, r, "technical");
		batch_cell(f, r, "fundamental");
		batch_cell(f, r, "one_year_return_percent");
		batch_cell(f, r, "volatility_percent");
		fprintf(f, "  %-7s %s\n", jsonutil_string(r, "status"),
		    jsonutil_string(r, "changes_text"));
	}
}

/* Token and cost totals of the ranking's rows, into SUMMARY. */
static void
batch_totals(cJSON *summary, const cJSON *rank)
{
	double pt = 0, ct = 0, cost = 0, v;
	const cJSON *r;

	cJSON_ArrayForEach(r, rank) {
		if (!isnan(v = jsonutil_number(r, "prompt_tokens")))
			pt += v;
		if (!isnan(v = jsonutil_number(r, "completion_tokens")))
			ct += v;
		if (!isnan(v = jsonutil_number(r, "cost_usd")))
			cost += v;
	}
	cJSON_AddNumberToObject(summary, "prompt_tokens", pt);
	cJSON_AddNumberToObject(summary, "completion_tokens", ct);
	cJSON_AddNumberToObject(summary, "cost_usd", cost);
}

/* Writes the ranking as CSV to PATH (atomically). */
static int
batch_write_csv(const char *path, const cJSON *rank, char **cause)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (f == NULL) {
		*cause = xasprintf("cannot build %s", path);
		return -1;
	}
	csv_write(f, rank, batch_columns, BATCH_NCOLUMNS, 1);
	fclose(f);
	rc = paths_mkdirs_for(path, 0, cause) != 0 ?
	    -1 :
	    paths_write_atomic(path, buf, len, cause);
	free(buf);
	return rc;
}

/* Uploads the file at PATH as KEY under the S3 URI BASE and names its URI
 * in SUMMARY as KEY_NAME. */
static int
batch_upload(const char *base, const char *path, const char *key,
    const char *type, const char *key_name, cJSON *summary, char **cause)
{
	struct s3_location loc = { NULL, NULL };
	char *s3uri = NULL;
	int rc;

	rc = s3_uri_parse(base, &loc, cause) != 0 ||
	    s3_put_file(&loc, key, path, type, NULL, &s3uri, cause) != 0;
	if (rc == 0 && key_name != NULL)
		cJSON_AddStringToObject(summary, key_name, s3uri);
	free(s3uri);
	s3_location_free(&loc);
	return rc ? EXIT_UPLOAD : 0;
}

/* Writes SUMMARY's PDF to PATH; 0 or EXIT_STORAGE with *cause. */
static int
batch_write_pdf(struct settings *s, const char *path, const cJSON *summary,
    char **cause)
{
	struct report_pdf_opts o;

	memset(&o, 0, sizeof o);
	o.paper = settings_string(s, "paper");
	if (paths_mkdirs_for(path, 0, cause) != 0 ||
	    report_summary_write(summary, &o, path, cause) != 0)
		return EXIT_STORAGE;
	return 0;
}

/* Writes SUMMARY as KIND ("csv" or "pdf") to OUT/batches/STEM.KIND and
 * uploads it as S3_STEM.KIND under S3_BASE (NULL: not uploaded). */
static int
batch_summary_file(struct settings *s, cJSON *summary, const char *kind,
    const char *stem, const char *s3_base, const char *s3_stem, char **cause)
{
	const char *dir = settings_string(s, "out");
	int pdf = strcmp(kind, "pdf") == 0, rc;
	char *path, *key, *key_name;

	path = xasprintf("%s/batches/%s.%s", dir != NULL ? dir : "reports",
	    stem, kind);
	if (pdf)
		rc = batch_write_pdf(s, path, summary, cause);
	else if ((rc = batch_write_csv(path,
		      cJSON_GetObjectItemCaseSensitive(summary, "ranking"),
		      cause)) != 0)
		rc = EXIT_STORAGE;
	if (rc == 0)
		cJSON_AddStringToObject(summary, kind, path);
	if (rc == 0 && s3_base != NULL) {
		key = xasprintf("%s.%s", s3_stem, kind);
		key_name = xasprintf("%s_s3_uri", kind);
		rc = batch_upload(s3_base, path, key,
		    pdf ? "application/pdf" : "text/csv", key_name, summary,
		    cause);
		free(key_name);
		free(key);
	}
	free(path);
	return rc;
}

int
batch_summary_files(struct settings *s, cJSON *summary, const char *stem,
    const char *s3_base, const char *s3_stem, char **cause)
{
	int rc;

	rc = batch_summary_file(s, summary, "csv", stem, s3_base, s3_stem,
	    cause);
	if (rc == 0 && !settings_bool(s, "no_pdf"))
		rc = batch_summary_file(s, summary, "pdf", stem, s3_base,
		    s3_stem, cause);
	return rc;
}

/* The shard part of SUMMARY (batch B's) as JSON under the s3 setting:
 * batches/GROUP/shard-K.json, which batch merge reads. */
static int
batch_upload_shard(struct settings *s, const cJSON *b, const cJSON *summary,
    char **cause)
{
	const cJSON *opt = cJSON_GetObjectItemCaseSensitive(b, "options");
	const char *base = settings_string(s, "s3"), *group;
	char *text, *path, *key;
	cJSON *part;
	int rc;

	group = jsonutil_string(opt, "group");
	if (base == NULL || group == NULL)
		return 0;
	part = cJSON_Duplicate(summary, 1);
	cJSON_AddStringToObject(part, "group", group);
	jsonutil_add_number(part, "shard", jsonutil_number(opt, "shard"));
	jsonutil_add_number(part, "shards", jsonutil_number(opt, "shards"));
	text = jsonutil_print_text(part, 0);
	cJSON_Delete(part);
	path = xasprintf("%s/batches/%s_shard.json",
	    settings_string(s, "out") != NULL ? settings_string(s, "out") :
						"reports",
	    jsonutil_string(b, "id"));
	key = xasprintf("batches/%s/shard-%d.json", group,
	    (int)jsonutil_number(opt, "shard"));
	rc = paths_write_atomic(path, text, strlen(text), cause) != 0 ?
	    EXIT_STORAGE :
	    batch_upload(base, path, key, "application/json", NULL, NULL,
		cause);
	free(key);
	free(path);
	free(text);
	return rc;
}

/* The previous batch of B's watchlist (NULL: none or unreadable). */
static cJSON *
batch_previous(struct store *st, const cJSON *b)
{
	char *id = NULL, *cause = NULL;
	cJSON *prev = NULL;

	if (store_batch_find(st, jsonutil_string(b, "watchlist_hash"), NULL,
		jsonutil_string(b, "id"), &id, &cause) != 0 ||
	    id == NULL || store_batch_get(st, id, &prev, &cause) != 0)
		prev = NULL;
	free(cause);
	free(id);
	return prev;
}

void
batch_summary_print(const cJSON *summary, const struct output_opts *out)
{
	const cJSON *b = summary;
	const cJSON *rank = cJSON_GetObjectItemCaseSensitive(summary,
	    "ranking");
	char *text;

	switch (out->format) {
	case OUTPUT_TEXT:
		if (isatty(STDOUT_FILENO))
			batch_print_table(stdout, b, rank);
		break;
	case OUTPUT_CSV:
		csv_write(stdout, rank, batch_columns, BATCH_NCOLUMNS,
		    out->header);
		break;
	case OUTPUT_NDJSON:
		output_ndjson_event(stdout, "summary", summary);
		break;
	case OUTPUT_JSON:
		text = jsonutil_print_text(summary, 1);
		printf("%s\n", text);
		free(text);
		break;
	}
	fflush(stdout);
}

/* The summary object of B: its record without items, and the ranking. */
static cJSON *
batch_summary_new(const cJSON *b, const cJSON *prev)
{
	cJSON *summary = cJSON_Duplicate(b, 1), *rank;

	cJSON_DeleteItemFromObject(summary, "items");
	cJSON_DeleteItemFromObject(summary, "options");
	rank = batch_summary_rank(b, prev);
	batch_totals(summary, rank);
	if (prev != NULL)
		cJSON_AddStringToObject(summary, "previous",
		    jsonutil_string(prev, "id"));
	cJSON_AddItemToObject(summary, "ranking", rank);
	return summary;
}

cJSON *
batch_summary_merged(const cJSON *head, cJSON *rows)
{
	static const char *const keys[] = { "as_of", "watchlist",
		"watchlist_hash" };
	cJSON *summary = cJSON_CreateObject(), *rank;
	const char *v;
	size_t i;

	cJSON_AddStringToObject(summary, "id", jsonutil_string(head, "group"));
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if ((v = jsonutil_string(head, keys[i])) != NULL)
			cJSON_AddStringToObject(summary, keys[i], v);
	}
	jsonutil_add_number(summary, "shards", jsonutil_number(head, "shards"));
	rank = batch_summary_rerank(rows);
	batch_totals(summary, rank);
	cJSON_AddItemToObject(summary, "ranking", rank);
	cJSON_AddStringToObject(summary, "status",
	    batch_summary_code(summary) == 0		    ? "done" :
		batch_summary_code(summary) == EXIT_PARTIAL ? "partial" :
							      "failed");
	return summary;
}

int
batch_summary_code(const cJSON *summary)
{
	const cJSON *r;
	int done = 0, failed = 0;

	cJSON_ArrayForEach(r,
	    cJSON_GetObjectItemCaseSensitive(summary, "ranking")) {
		if (strcmp(jsonutil_string(r, "status"), "done") == 0)
			done++;
		else
			failed++;
	}
	return failed == 0 ? 0 : done > 0 ? EXIT_PARTIAL : EXIT_FAILURE_ANY;
}

int
batch_summary_finish(struct settings *s, struct store *st, const cJSON *b,
    const struct output_opts *out, char **cause)
{
	cJSON *prev = batch_previous(st, b), *summary;
	const char *id = jsonutil_string(b, "id");
	char *stem, *s3_stem;
	int rc;

	summary = batch_summary_new(b, prev);
	stem = xasprintf("%s_summary", id);
	s3_stem = xasprintf("batches/%s", stem);
	if ((rc = batch_summary_files(s, summary, stem,
		 settings_string(s, "s3"), s3_stem, cause)) == 0 &&
	    (rc = batch_upload_shard(s, b, summary, cause)) == 0)
		batch_summary_print(summary, out);
	free(s3_stem);
	free(stem);
	cJSON_Delete(summary);
	cJSON_Delete(prev);
	return rc;
}
