/*
 * batch.c: many analyses in one process (see batch.h).
 *
 * The main thread records the batch, takes the batch lock and starts the
 * workers; each worker takes the next symbol not done under the pool's
 * mutex, marks it running with its run's thread id (so a kill leaves the
 * run to continue), runs it (runner_batch_one) and records the outcome.
 * Output shared by the workers (NDJSON events, the progress line) is
 * written under the same mutex.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/aws-sigv4.h"
#include "lib/blobs.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/lease.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/store-batch.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "src/batch-shard.h"
#include "src/batch-summary.h"
#include "src/batch.h"
#include "src/runner.h"

#define BATCH_LOCK "batch"
#define BATCH_MAX_JOBS 256
#define BATCH_SPARK_POINTS 64

/* Settings a batch records and a continued batch restores. */
static const char *const batch_setting_keys[] = {
	"provider",
	"model",
	"out",
	"s3",
	"paper",
	"no_pdf",
};

struct batch_pool {
	pthread_mutex_t lock;
	struct settings *s;
	const struct batch_opts *o;
	const char *id;
	const char *as_of;
	char holder[64];
	cJSON *items; /* store_batch_get's items (read under lock) */
	int next, total, done, failed, todo, finished;
	int first_code;
	time_t start;
};

/* The ndjson event of one symbol's outcome. */
static void
batch_event(struct batch_pool *p, const char *symbol, const char *state,
    int code, const char *message, const cJSON *row)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "batch", p->id);
	cJSON_AddStringToObject(e, "symbol", symbol);
	cJSON_AddStringToObject(e, "state", state);
	if (code != 0)
		cJSON_AddNumberToObject(e, "exit_code", code);
	if (message != NULL)
		cJSON_AddStringToObject(e, "message", message);
	if (row != NULL)
		cJSON_AddItemToObject(e, "row", cJSON_Duplicate(row, 1));
	output_ndjson_event(stdout, "symbol", e);
	cJSON_Delete(e);
}

/* "done/failed/total, rate, time left" on stderr (under the lock). */
static void
batch_progress(struct batch_pool *p)
{
	double secs = difftime(time(NULL), p->start), rate;
	int n = p->finished, left = p->todo - n;

	rate = secs > 0 ? n / secs : 0;
	fprintf(stderr,
	    "\rbatch %s: %d done, %d failed, %d total; %.1f/s; "
	    "%s%.0f s left ",
	    p->id, p->done, p->failed, p->total, rate, rate > 0 ? "" : "~",
	    rate > 0 ? left / rate : 0.0);
	if (left == 0)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Index of the next item to run, or -1 (under the lock). */
static int
batch_next(struct batch_pool *p, char *symbol, char *tid)
{
	const cJSON *it;
	const char *state, *t;

	while (p->next < p->total) {
		it = cJSON_GetArrayItem(p->items, p->next++);
		state = jsonutil_string(it, "state");
		if (state != NULL && strcmp(state, "done") == 0)
			continue;
		snprintf(symbol, 32, "%s", jsonutil_string(it, "symbol"));
		t = jsonutil_string(it, "thread_id");
		if (t != NULL && strcmp(state, "running") == 0)
			snprintf(tid, STORE_THREAD_ID_SIZE, "%s", t);
		else
			store_new_thread_id(tid);
		return p->next - 1;
	}
	return -1;
}

/* Records IT; a failure to record is logged (the run itself is kept). */
static void
batch_record(struct store *st, struct batch_pool *p,
    const struct store_batch_item *it)
{
	char *cause = NULL;

	if (store_batch_item_set(st, p->id, it, &cause) != 0) {
		log_error("batch %s: %s: %s", p->id, it->symbol, cause);
		free(cause);
	}
}

/* The outcome of one symbol into the counters and the output. */
static void
batch_count(struct batch_pool *p, const struct store_batch_item *it)
{
	pthread_mutex_lock(&p->lock);
	p->finished++;
	if (strcmp(it->state, "done") == 0)
		p->done++;
	else {
		p->failed++;
		if (p->first_code == 0)
			p->first_code = it->exit_code;
	}
	if (p->o->out.format == OUTPUT_NDJSON)
		batch_event(p, it->symbol, it->state, it->exit_code,
		    it->message, it->row);
	if (p->o->progress)
		batch_progress(p);
	pthread_mutex_unlock(&p->lock);
}

/* Every K-th of the N numbers of A from the end, rounded to cents. */
static cJSON *
batch_thin(const cJSON *a, int k)
{
	int n = cJSON_GetArraySize(a), i, from;
	cJSON *out = cJSON_CreateArray(), *v;

	from = (n - 1) % k;
	for (i = from; i < n; i += k) {
		v = cJSON_GetArrayItem(a, i);
		cJSON_AddItemToArray(out,
		    cJSON_IsNumber(v) ?
			cJSON_CreateNumber(round(v->valuedouble * 100) / 100) :
			cJSON_CreateNull());
	}
	return out;
}

/*
 * Adds to ROW "spark": the close and 200-day average of the run's chart
 * series (FINAL's blob in ST), thinned to at most BATCH_SPARK_POINTS, for
 * the summary's small charts. Best effort: a row without it draws none.
 */
static void
batch_spark(struct store *st, const cJSON *final, cJSON *row)
{
	const char *id = jsonutil_string(final, "analysis.series.blob");
	cJSON *series = NULL, *spark;
	const cJSON *close;
	char *cause = NULL;
	int k;

	if (id == NULL || blobs_get_json(st, id, &series, &cause) != 0) {
		free(cause);
		return;
	}
	close = cJSON_GetObjectItemCaseSensitive(series, "close");
	k = (cJSON_GetArraySize(close) + BATCH_SPARK_POINTS - 1) /
	    BATCH_SPARK_POINTS;
	if (k > 0) {
		spark = cJSON_AddObjectToObject(row, "spark");
		cJSON_AddItemToObject(spark, "close", batch_thin(close, k));
		cJSON_AddItemToObject(spark, "sma200",
		    batch_thin(
			cJSON_GetObjectItemCaseSensitive(series, "sma200"), k));
	}
	cJSON_Delete(series);
}

/* Runs one symbol as run TID and records what became of it. */
static void
batch_one(struct batch_pool *p, struct store *st, struct model *m,
    const cJSON *prices, const char *symbol, const char *tid)
{
	struct store_batch_item it = { symbol, "running", 0, NULL, tid, NULL,
		NULL, NULL };
	struct runner_opts ro;
	cJSON *final = NULL, *row = NULL;
	char *cause = NULL;
	int rc;

	batch_record(st, p, &it);
	memset(&ro, 0, sizeof ro);
	ro.symbol = symbol;
	ro.as_of = p->as_of;
	ro.thread_id = tid;
	rc = runner_batch_one(p->s, &ro, st, m, prices, &final, &cause);
	if (final != NULL) {
		row = batch_summary_row(final, tid);
		batch_spark(st, final, row);
		it.report_path = jsonutil_string(final, "report.pdf.path");
		it.s3_uri = jsonutil_string(final, "report.pdf.s3_uri");
	}
	it.row = row;
	it.state = rc == 0 ? "done" : "failed";
	it.exit_code = rc;
	it.message = rc == 0 ? NULL :
	    cause != NULL    ? cause :
	    final != NULL ? jsonutil_string(final, "report.pdf.upload_error") :
			    "the run failed";
	batch_record(st, p, &it);
	if (rc != 0 && !p->o->progress && p->o->out.format != OUTPUT_NDJSON)
		log_error("batch %s: %s: %s", p->id, symbol, it.message);
	batch_count(p, &it);
	cJSON_Delete(row);
	cJSON_Delete(final);
	free(cause);
}

/* Renews the batch lock from worker connection ST; best effort. */
static void
batch_renew(struct batch_pool *p, struct store *st)
{
	char *cause = NULL;

	if (lease_lock_take(st, BATCH_LOCK, p->holder, &cause) != 0)
		free(cause);
}

static void *
batch_worker(void *arg)
{
	struct batch_pool *p = arg;
	char symbol[32], tid[STORE_THREAD_ID_SIZE];
	struct store *st = NULL;
	struct model *m = NULL;
	cJSON *prices = NULL;
	int i;

	if (runner_open_store(p->s, &st) != 0 ||
	    runner_open_model(p->s, &m) != 0)
		goto out;
	prices = runner_load_prices(p->s);
	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = batch_next(p, symbol, tid);
		pthread_mutex_unlock(&p->lock);
		if (i < 0)
			break;
		batch_one(p, st, m, prices, symbol, tid);
		batch_renew(p, st);
	}
out:
	cJSON_Delete(prices);
	model_close(m);
	store_close(st);
	return NULL;
}

/* The number of worker threads: O's, else the cores, at most the work;
 * with a remote model at most model_concurrency. */
static int
batch_jobs(struct settings *s, const struct batch_opts *o, int todo)
{
	long n = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	const char *model = settings_string(s, "model");

	if (model != NULL && strcmp(model, "builtin") != 0 &&
	    n > settings_int(s, "model_concurrency"))
		n = (long)settings_int(s, "model_concurrency");

	if (n < 1)
		n = 1;
	if (n > BATCH_MAX_JOBS)
		n = BATCH_MAX_JOBS;
	return (int)(n > todo && todo > 0 ? todo : n);
}

/* Items not done yet. */
static int
batch_todo(const cJSON *items)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, items) {
		if (strcmp(jsonutil_string(it, "state"), "done") != 0)
			n++;
	}
	return n;
}

/* Runs the workers over P's items; returns when all are through. */
static void
batch_pool_run(struct batch_pool *p)
{
	pthread_t th[BATCH_MAX_JOBS];
	int i, n = batch_jobs(p->s, p->o, p->todo);

	p->start = time(NULL);
	for (i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, batch_worker, p) != 0)
			break;
	}
	if (i == 0)
		batch_worker(p);
	n = i;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

/* The exit code of the batch from its recorded items. */
static int
batch_code(const cJSON *batch, int first_code)
{
	const cJSON *it;
	int done = 0, failed = 0, code = first_code;

	cJSON_ArrayForEach(it,
	    cJSON_GetObjectItemCaseSensitive(batch, "items")) {
		if (strcmp(jsonutil_string(it, "state"), "done") == 0)
			done++;
		else {
			failed++;
			if (code == 0 &&
			    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it,
				"exit_code")))
				code = (int)jsonutil_number(it, "exit_code");
		}
	}
	if (failed == 0)
		return EXIT_OK;
	if (done > 0)
		return EXIT_PARTIAL;
	return code > 0 ? code : EXIT_FAILURE_ANY;
}

/* Runs batch ID's items not done, then records and prints its summary. */
static int
batch_execute(struct settings *s, struct store *st, const char *id,
    const struct batch_opts *o)
{
	struct batch_pool p;
	const char *status;
	cJSON *b = NULL;
	char *cause = NULL;
	int rc;

	if ((rc = store_batch_get(st, id, &b, &cause)) != 0)
		goto fail;
	memset(&p, 0, sizeof p);
	pthread_mutex_init(&p.lock, NULL);
	p.s = s;
	p.o = o;
	p.id = id;
	p.as_of = jsonutil_string(b, "as_of");
	snprintf(p.holder, sizeof p.holder, "batch %s", id);
	p.items = cJSON_GetObjectItemCaseSensitive(b, "items");
	p.total = cJSON_GetArraySize(p.items);
	p.todo = batch_todo(p.items);
	p.done = p.total - p.todo;
	batch_pool_run(&p);
	pthread_mutex_destroy(&p.lock);
	cJSON_Delete(b);
	b = NULL;
	if ((rc = store_batch_get(st, id, &b, &cause)) != 0)
		goto fail;
	rc = batch_code(b, p.first_code);
	status = rc == EXIT_OK ? "done" :
	    rc == EXIT_PARTIAL ? "partial" :
				 "failed";
	if (store_batch_set_status(st, id, status, &cause) != 0)
		goto fail;
	cJSON_ReplaceItemInObjectCaseSensitive(b, "status",
	    cJSON_CreateString(status));
	if (batch_summary_finish(s, st, b, &o->out, &cause) != 0)
		goto fail;
	cJSON_Delete(b);
	return rc;
fail:
	log_error("batch %s: %s", id, cause);
	free(cause);
	cJSON_Delete(b);
	return rc < 0 || rc == 0 ? EXIT_STORAGE : rc;
}

/* Takes the batch lock for HOLDER, waiting up to WAIT_S seconds for
 * another batch to end. Returns 0 or an exit code (printed). */
static int
batch_lock(struct store *st, const char *holder, int wait_s)
{
	time_t until = time(NULL) + wait_s;
	char *cause = NULL;
	int rc;

	while ((rc = lease_lock_take(st, BATCH_LOCK, holder, &cause)) ==
		STORE_E_BUSY &&
	    time(NULL) < until) {
		free(cause);
		cause = NULL;
		sleep(1);
	}
	if (rc == 0)
		return 0;
	if (rc == STORE_E_BUSY)
		log_error("%s; wait for it with --wait SECONDS", cause);
	else
		log_error("%s", cause);
	free(cause);
	return rc == STORE_E_BUSY ? EXIT_BUSY : EXIT_STORAGE;
}

/* Runs batch ID under the lock. */
static int
batch_locked(struct settings *s, struct store *st, const char *id,
    const struct batch_opts *o)
{
	char holder[64];
	int rc;

	snprintf(holder, sizeof holder, "batch %s", id);
	if ((rc = batch_lock(st, holder, o->wait_s)) != 0)
		return rc;
	rc = batch_execute(s, st, id, o);
	lease_lock_release(st, BATCH_LOCK);
	return rc;
}

/* The settings a batch records, as an object, with its shard and GROUP. */
static cJSON *
batch_options(struct settings *s, const struct batch_opts *o, const char *group)
{
	cJSON *opt = cJSON_CreateObject();
	const char *v;
	size_t i;

	for (i = 0; i < sizeof batch_setting_keys / sizeof *batch_setting_keys;
	     i++) {
		if ((v = settings_string(s, batch_setting_keys[i])) != NULL)
			cJSON_AddStringToObject(opt, batch_setting_keys[i], v);
	}
	cJSON_AddNumberToObject(opt, "jobs", o->jobs);
	cJSON_AddStringToObject(opt, "group", group);
	cJSON_AddNumberToObject(opt, "shard", o->shard.index);
	cJSON_AddNumberToObject(opt, "shards",
	    o->shard.count > 0 ? o->shard.count : 1);
	return opt;
}

/* Puts the recorded settings of batch B back (a continued batch). */
static int
batch_restore(struct settings *s, const cJSON *b)
{
	const cJSON *opt = cJSON_GetObjectItemCaseSensitive(b, "options");
	const char *v;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof batch_setting_keys / sizeof *batch_setting_keys;
	     i++) {
		v = jsonutil_string(opt, batch_setting_keys[i]);
		if (v != NULL &&
		    settings_set(s, batch_setting_keys[i], v,
			"the batch's options", &cause) != 0) {
			log_error("%s", cause);
			free(cause);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* The SHA-256 (hex) of the symbol list: one symbol a line. */
static void
batch_hash(const cJSON *symbols, char hex[65])
{
	char *all = xstrdup(""), *t;
	const cJSON *it;

	cJSON_ArrayForEach(it, symbols) {
		t = xasprintf("%s%s\n", all, it->valuestring);
		free(all);
		all = t;
	}
	sigv4_sha256_hex(all, strlen(all), hex);
	free(all);
}

/* The batch to run for LIST (O's symbols, or the shard's of them): the
 * one recorded for the list and date, else a new one. */
static int
batch_pick(struct store *st, const struct batch_opts *o, const cJSON *list,
    const char *as_of, char id[STORE_BATCH_ID_SIZE], struct settings *s)
{
	char hex[65], *found = NULL, *cause = NULL, *group;
	cJSON *opt;
	int rc;

	batch_hash(list, hex);
	if (!o->force &&
	    (rc = store_batch_find(st, hex, as_of, NULL, &found, &cause)) != 0)
		goto fail;
	if (found != NULL) {
		snprintf(id, STORE_BATCH_ID_SIZE, "%s", found);
		if (o->progress) /* a terminal: cron stays silent */
			log_info("batch %s: continuing the batch of this "
				 "watchlist for %s (done symbols are skipped; "
				 "--force for a new one)",
			    id, as_of);
		free(found);
		return 0;
	}
	store_batch_new_id(id);
	group = batch_group_of(o->symbols, as_of);
	opt = batch_options(s, o, group);
	rc = store_batch_create(st, id, o->watchlist, hex, as_of, opt, list,
	    &cause);
	cJSON_Delete(opt);
	free(group);
	if (rc == 0)
		return 0;
fail:
	log_error("%s", cause);
	free(cause);
	return EXIT_STORAGE;
}

char *
batch_group(const char *as_of, const char *hex)
{
	return xasprintf("%s-%.12s", as_of, hex);
}

/* qsort order of symbol strings. */
static int
batch_symbol_cmp(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->valuestring,
	    (*(const cJSON *const *)b)->valuestring);
}

char *
batch_group_of(const cJSON *symbols, const char *as_of)
{
	int i = 0, n = cJSON_GetArraySize(symbols);
	const cJSON **v = xcalloc((size_t)n + 1, sizeof *v), *it;
	cJSON *sorted = cJSON_CreateArray();
	char hex[65];

	cJSON_ArrayForEach(it, symbols)
		v[i++] = it;
	qsort(v, (size_t)n, sizeof *v, batch_symbol_cmp);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted,
		    cJSON_CreateString(v[i]->valuestring));
	batch_hash(sorted, hex);
	cJSON_Delete(sorted);
	free(v);
	return batch_group(as_of, hex);
}

int
batch_start(struct settings *s, const struct batch_opts *o)
{
	char as_of[11], id[STORE_BATCH_ID_SIZE], holder[320], *cause = NULL;
	struct store *st = NULL;
	cJSON *list;
	int rc;

	if ((rc = runner_as_of(o->as_of, as_of, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		return rc;
	}
	if ((rc = runner_check_settings(s)) != 0 ||
	    (rc = runner_open_store(s, &st)) != 0)
		return rc;
	list = cJSON_Duplicate(o->symbols, 1);
	batch_shard_filter(list, &o->shard);
	if (o->shard.count > 1 && o->progress)
		log_info("shard %d/%d: %d of the %d symbols", o->shard.index,
		    o->shard.count, cJSON_GetArraySize(list),
		    cJSON_GetArraySize(o->symbols));
	/* The lock before the pick: two processes started at once for one
	 * list must continue one batch, not make one each. */
	snprintf(holder, sizeof holder, "batch of %s",
	    o->watchlist != NULL ? o->watchlist : "a list");
	if ((rc = batch_lock(st, holder, o->wait_s)) != 0)
		goto out;
	if ((rc = batch_pick(st, o, list, as_of, id, s)) == 0) {
		snprintf(holder, sizeof holder, "batch %s", id);
		if ((rc = batch_lock(st, holder, 0)) == 0)
			rc = batch_execute(s, st, id, o);
	}
	lease_lock_release(st, BATCH_LOCK);
out:
	cJSON_Delete(list);
	store_close(st);
	return rc;
}

/* Reads batch ID into *B; prints and returns an exit code on failure. */
static int
batch_read(struct store *st, const char *id, cJSON **b)
{
	char *cause = NULL;
	int rc;

	if ((rc = store_batch_get(st, id, b, &cause)) == 0)
		return 0;
	log_error("%s", cause);
	free(cause);
	return rc == STORE_E_NOTFOUND ? EXIT_USAGE : EXIT_STORAGE;
}

int
batch_continue(struct settings *s, const char *id, const struct batch_opts *o)
{
	struct store *st = NULL;
	cJSON *b = NULL;
	char *cause = NULL;
	int rc;

	if ((rc = runner_open_store(s, &st)) != 0)
		return rc;
	if ((rc = batch_read(st, id, &b)) != 0 ||
	    (rc = batch_restore(s, b)) != 0 ||
	    (rc = runner_check_settings(s)) != 0)
		goto out;
	if (o->retry && store_batch_requeue_failed(st, id, NULL, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		rc = EXIT_STORAGE;
		goto out;
	}
	rc = batch_locked(s, st, id, o);
out:
	cJSON_Delete(b);
	store_close(st);
	return rc;
}
