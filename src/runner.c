/*
 * runner.c: one analysis end to end.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agents/stock-graph.h"
#include "lib/date.h"
#include "lib/exitcode.h"
#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/lease.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/redact.h"
#include "lib/s3.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "model/model-prices.h"
#include "model/model.h"
#include "src/runner.h"
#include "tools/market/calendar.h"
#include "tools/market/market.h"
#include "tools/tool.h"

/* Request keys that carry settings into a resumed run. */
static const char *const runner_setting_keys[] = {
	"provider",
	"model",
	"out",
	"paper",
	"no_pdf",
	"s3",
	"risk_free_rate",
	"reasoning",
	"temperature",
	"max_tokens",
	"seed",
	"max_steps",
	"token_budget",
	"model_prices",
};

#define RUNNER_MAX_BAD_ARGS 2
/* "/YYYY/MM/DD/" + SYMBOL (20) + "_Stock_Report_YYYYMMDD_HHMMSS-NNNN.pdf"
 * + ".tmp.PID.XXXXXX", rounded up. */
#define RUNNER_REPORT_NAME_MAX 128

int
runner_open_store(struct settings *s, struct store **out)
{
	const char *db = settings_string(s, "db");
	char *path = db != NULL ? xstrdup(db) : settings_default_db_path();
	char *cause = NULL;
	int rc = 0;

	if (store_open(path, out, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		rc = EXIT_STORAGE;
	}
	free(path);
	return rc;
}

int
runner_as_of(const char *in, char out[11], char **cause)
{
	return runner_as_of_symbol(in, NULL, out, cause);
}

/* Today at the exchange MINUTES east of UTC. */
static int32_t
runner_exchange_today(int minutes)
{
	int64_t t = (int64_t)time(NULL) + (int64_t)minutes * 60;

	return (int32_t)((t - (((t % 86400) + 86400) % 86400)) / 86400);
}

int
runner_as_of_symbol(const char *in, const char *symbol, char out[11],
    char **cause)
{
	char market[16] = "SIM";
	int minutes = 0, abroad, known;
	int32_t day, today;

	if (symbol != NULL)
		market_exchange(symbol, market, sizeof market);
	abroad = strcmp(market, "SIM") != 0 && strcmp(market, "US") != 0;
	known = symbol != NULL && market_utc_offset(symbol, &minutes) == 0;
	/* New York's standard time for US listings. */
	if (strcmp(market, "US") == 0) {
		known = 1;
		minutes = -300;
	}
	today = known ? runner_exchange_today(minutes) : date_today();

	if (in == NULL) {
		day = today;
	} else if (date_parse(in, &day) != 0) {
		*cause = xasprintf("invalid date '%s': use YYYY-MM-DD, e.g. "
				   "2025-09-04",
		    in);
		return EXIT_USAGE;
	}
	if (day > today) {
		*cause = xasprintf("as-of date %s is in the future; use a date "
				   "up to today",
		    in);
		return EXIT_USAGE;
	}
	if (day < date_from_ymd(1990, 1, 1)) {
		*cause = xasprintf("as-of date %s is before 1990-01-01", in);
		return EXIT_USAGE;
	}
	/* Outside the US the provider's bars say which days traded: only
	 * weekends move back. */
	if (abroad)
		while (date_weekday(day) == 0 || date_weekday(day) == 6)
			day--;
	else
		day = calendar_prev_trading_day(day);
	date_format(day, out);
	return 0;
}

static void
runner_now_iso(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *
runner_request(struct settings *s, const struct runner_opts *o,
    const char *as_of, const char *thread_id)
{
	cJSON *req = cJSON_CreateObject();
	char now[32], *r;
	const char *v;
	size_t i;

	runner_now_iso(now, sizeof now);
	cJSON_AddStringToObject(req, "symbol", o->symbol);
	cJSON_AddStringToObject(req, "as_of", as_of);
	cJSON_AddStringToObject(req, "thread_id", thread_id);
	cJSON_AddStringToObject(req, "started_at", now);
	if (o->prompt != NULL)
		cJSON_AddStringToObject(req, "prompt", o->prompt);
	for (i = 0;
	     i < sizeof runner_setting_keys / sizeof *runner_setting_keys;
	     i++) {
		if ((v = settings_string(s, runner_setting_keys[i])) == NULL)
			continue;
		/* Stored and shown: URL secrets never are. */
		r = redact_text(v);
		cJSON_AddStringToObject(req, runner_setting_keys[i], r);
		free(r);
	}
	cJSON_AddBoolToObject(req, "no_fallback", o->no_fallback);
	cJSON_AddStringToObject(req, "lang", i18n_code());
	return req;
}

/*
 * Whether the recorded value V of KEY can be used as it is. A URL secret
 * was masked when the run was recorded; the current setting (config file,
 * variable or flag) serves when it is the same URL with its secret.
 * Returns 1 (use V), 0 (keep the current setting), or -1 with *cause.
 */
static int
runner_recorded_ok(struct settings *s, const char *key, const char *v,
    char **cause)
{
	const char *cur = settings_string(s, key);
	char *r, var[64];
	size_t i;
	int same;

	if (strstr(v, "***") == NULL)
		return 1;
	r = redact_text(cur);
	same = cur != NULL && strcmp(r, v) == 0 && strcmp(cur, v) != 0;
	free(r);
	if (same)
		return 0;
	for (i = 0; key[i] != '\0' && i + 1 < sizeof var; i++)
		var[i] = (char)toupper((unsigned char)key[i]);
	var[i] = '\0';
	*cause = xasprintf(
	    "the run's %s '%s' held a secret, which is never "
	    "stored; give the full value again in the config file or "
	    "STOCKAGENT_%s",
	    key, v, var);
	return -1;
}

/* Puts the request's settings back as flags (a resumed run). Returns 0,
 * or -1 with *cause when a recorded value is no longer allowed. */
static int
runner_restore_settings(struct settings *s, const cJSON *req, char **cause)
{
	const char *v, *key;
	size_t i;
	int ok;

	for (i = 0;
	     i < sizeof runner_setting_keys / sizeof *runner_setting_keys;
	     i++) {
		key = runner_setting_keys[i];
		if ((v = jsonutil_string(req, key)) == NULL)
			continue;
		if ((ok = runner_recorded_ok(s, key, v, cause)) < 0)
			return -1;
		if (ok &&
		    settings_set(s, key, v, "the run's request", cause) != 0)
			return -1;
	}
	return 0;
}

static void
runner_event(void *arg, const char *type, const cJSON *data)
{
	(void)arg;
	output_ndjson_event(stdout, type, data);
}

static void
runner_print(const cJSON *state, const char *thread_id,
    const struct output_opts *out)
{
	cJSON *r, *e;
	char *text;

	if (out->format == OUTPUT_TEXT) {
		output_text(stdout, state, out->color);
		return;
	}
	if (out->format == OUTPUT_CSV) {
		output_csv(stdout, state, thread_id, out->header);
		return;
	}
	r = output_result(state, thread_id);
	if (out->format == OUTPUT_NDJSON) {
		e = cJSON_CreateObject();
		cJSON_AddItemToObject(e, "result", r);
		output_ndjson_event(stdout, "result", e);
		cJSON_Delete(e);
		return;
	}
	text = jsonutil_print_text(r, 1);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(r);
}

/* Exit code of a finished run: an upload failure is reported as such. */
static int
runner_final_code(const cJSON *state)
{
	return jsonutil_string(state, "report.pdf.upload_error") != NULL ?
	    EXIT_UPLOAD :
	    EXIT_OK;
}

/* The model's sampling settings (checked when they were set). */
static void
runner_params(const struct settings *s, struct model_params *p)
{
	*p = (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	p->reasoning = settings_string(s, "reasoning");
	if (settings_string(s, "temperature") != NULL)
		p->temperature = settings_number(s, "temperature");
	if (settings_string(s, "max_tokens") != NULL)
		p->max_tokens = (int)settings_int(s, "max_tokens");
	if (settings_string(s, "seed") != NULL)
		p->seed = settings_int(s, "seed");
	p->precision = settings_string(s, "precision");
}

/* The model the settings name into *OUT: 0, or an exit code with
 * *CAUSE. */
static int
runner_model_cause(struct settings *s, struct model **out, char **cause)
{
	struct model_params p;
	int failure;

	runner_params(s, &p);
	*out = model_open(settings_string(s, "model"), &p, &failure, cause);
	if (*out != NULL)
		return 0;
	return model_failure_exit(failure);
}

/* runner_model_cause, the message logged. */
static int
runner_model(struct settings *s, struct model **out)
{
	char *cause = NULL;
	int rc = runner_model_cause(s, out, &cause);

	if (rc != 0)
		log_error("%s", cause);
	free(cause);
	return rc;
}

void
runner_market_configure(const struct settings *s)
{
	struct market_config c = {
		.history_chain = settings_string(s, "history_provider"),
		.fundamentals_chain = settings_string(s,
		    "fundamentals_provider"),
		.news_chain = settings_string(s, "news_provider"),
		.provider = settings_string(s, "provider"),
		.benchmarks = settings_string(s, "benchmarks"),
		.yahoo_url = settings_string(s, "yahoo_url"),
		.yahoo_cookie_url = settings_string(s, "yahoo_cookie_url"),
		.yahoo_news_url = settings_string(s, "yahoo_news_url"),
		.stooq_url = settings_string(s, "stooq_url"),
		.stooq_key = settings_string(s, "stooq_key"),
		.db_path = settings_string(s, "db"),
		.timeout_ms = (long)settings_int(s, "market_timeout") * 1000,
		.retries = (int)settings_int(s, "market_retries"),
		.bars_ttl_s = (long)settings_int(s, "cache_bars_ttl"),
		.fundamentals_ttl_s = (long)settings_int(s,
		    "cache_fundamentals_ttl"),
		.news_ttl_s = (long)settings_int(s, "cache_news_ttl"),
		.offline = settings_bool(s, "offline"),
		.refresh = settings_bool(s, "refresh"),
		.alphavantage_url = settings_string(s, "alphavantage_url"),
		.alphavantage_key = settings_string(s, "alphavantage_key"),
		.edgar_url = settings_string(s, "edgar_url"),
		.edgar_tickers_url = settings_string(s, "edgar_tickers_url"),
		.sec_user_agent = settings_string(s, "sec_user_agent"),
	};

	/* The key: the setting, else Alpha Vantage's own variable. */
	if (c.alphavantage_key == NULL || *c.alphavantage_key == '\0')
		c.alphavantage_key = getenv("ALPHAVANTAGE_API_KEY");
	if (c.alphavantage_key != NULL && *c.alphavantage_key == '\0')
		c.alphavantage_key = NULL;
	market_configure(&c);
}

/* The typed settings the tools read; the strings belong to S. */
static void
runner_tool_opts(const struct settings *s, struct tool_opts *t)
{
	t->provider = settings_string(s, "provider");
	t->risk_free_rate = settings_number(s, "risk_free_rate");
	t->out = settings_string(s, "out");
	t->paper = settings_string(s, "paper");
	t->s3 = settings_string(s, "s3");
	t->no_pdf = settings_bool(s, "no_pdf");
}

/* The market data providers and chains exist (checked before a run is
 * recorded); then the providers are configured from the settings.
 * Returns 0 or EXIT_USAGE. */
static int
runner_check_provider(const struct settings *s)
{
	static const char *const keys[] = { "provider", "history_provider",
		"fundamentals_provider", "news_provider" };
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if (market_chain_check(settings_string(s, keys[i]), &cause) ==
		    0)
			continue;
		log_error("%s (from %s): %s", keys[i],
		    settings_origin(s, keys[i]), cause);
		free(cause);
		return EXIT_USAGE;
	}
	runner_market_configure(s);
	return 0;
}

/* The report directory can hold the report's name (checked before a run
 * is recorded or a directory made). Returns 0 or EXIT_USAGE. */
static int
runner_check_out(const struct settings *s)
{
	const char *out = settings_string(s, "out");
	char *cause = NULL;

	if (settings_bool(s, "no_pdf") || out == NULL ||
	    paths_check_dir(out, RUNNER_REPORT_NAME_MAX, &cause) == 0)
		return 0;
	log_error("out (from %s): %s", settings_origin(s, "out"), cause);
	free(cause);
	return EXIT_USAGE;
}

/* The S3 location reports go to, when one is set, is an s3:// URI a
 * bucket can have (checked before a run is recorded, whichever source set
 * it). Returns 0 or EXIT_USAGE. */
static int
runner_check_s3(const struct settings *s)
{
	const char *uri = settings_string(s, "s3");
	struct s3_location loc = { NULL, NULL };
	char *cause = NULL;

	if (uri == NULL || s3_uri_parse(uri, &loc, &cause) == 0) {
		s3_location_free(&loc);
		return 0;
	}
	log_error("s3 (from %s): %s", settings_origin(s, "s3"), cause);
	free(cause);
	return EXIT_USAGE;
}

/* The price table (the model_prices setting, else the shipped one);
 * NULL with a warning when it cannot be read: costs are then left out. */
static cJSON *
runner_prices(struct settings *s)
{
	char *cause = NULL;
	cJSON *t = model_prices_load(settings_string(s, "model_prices"),
	    &cause);

	if (t == NULL) {
		log_warn("%s; model costs are left out", cause);
		free(cause);
	}
	return t;
}

/* Fills RUN and the tool options T it points to from S. */
static void
runner_setup(struct stock_run *run, struct tool_opts *t, struct settings *s,
    struct store *st, struct model *m, const char *thread_id,
    enum output_format format)
{
	memset(run, 0, sizeof *run);
	runner_tool_opts(s, t);
	run->tools = t;
	run->recursion_limit = (int)settings_int(s, "recursion_limit");
	run->store = st;
	run->thread_id = thread_id;
	run->env.model = m;
	run->env.max_steps = (int)settings_int(s, "max_steps");
	run->env.token_budget = settings_int(s, "token_budget");
	run->env.max_bad_args = RUNNER_MAX_BAD_ARGS;
	run->interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	if (format == OUTPUT_NDJSON) {
		run->on_event = runner_event;
		run->event_arg = NULL;
	}
}

static int
runner_finish(int rc, cJSON *final, const char *thread_id,
    const struct output_opts *out, char *cause)
{
	if (rc != 0) {
		log_error("%s", cause != NULL ? cause : "the run failed");
		if (rc == EXIT_STORAGE || rc == EXIT_MODEL ||
		    rc == EXIT_NETWORK || rc == EXIT_FAILURE_ANY)
			log_info("run %s is saved; after fixing the cause, "
				 "continue it with 'stockagent runs resume %s'",
			    thread_id, thread_id);
	} else {
		runner_print(final, thread_id, out);
		rc = runner_final_code(final);
	}
	free(cause);
	cJSON_Delete(final);
	return rc;
}

/* The exit code of a failed store call that returned CATEGORY. */
static int
runner_store_code(int category)
{
	if (category == STORE_E_BUSY)
		return EXIT_BUSY;
	if (category == STORE_E_EXISTS || category == STORE_E_NOTFOUND)
		return EXIT_USAGE;
	return EXIT_STORAGE;
}

/*
 * Records the run (of KIND: "analyze", "serve") and takes its lease in one
 * immediate transaction, so no other process can resume it before it
 * starts. Returns 0, or an exit code with *cause: EXIT_USAGE only when the
 * thread id is taken; a full disk, a lock or an I/O error is EXIT_STORAGE.
 */
static int
runner_create(struct store *st, const char *kind, const char *tid,
    const char *symbol, const char *as_of, const cJSON *req, const char *model,
    char **cause)
{
	int rc;

	if ((rc = store_begin(st, cause)) != 0)
		return runner_store_code(rc);
	if ((rc = store_run_create(st, tid, kind, symbol, as_of, req, model,
		 cause)) != 0 ||
	    (rc = lease_take_in(st, tid, cause)) != 0) {
		store_rollback(st);
		return runner_store_code(rc);
	}
	rc = store_commit(st, cause);
	return rc != 0 ? runner_store_code(rc) : 0;
}

int
runner_analyze(struct settings *s, const struct runner_opts *o)
{
	struct store *st = NULL;
	struct model *m = NULL;
	struct stock_run run;
	struct tool_opts topts;
	char as_of[DATE_STR_SIZE], tid[40], *cause = NULL;
	cJSON *input = NULL, *req = NULL, *final = NULL, *prices = NULL;
	int rc;

	if ((rc = runner_as_of_symbol(o->as_of, o->symbol, as_of, &cause)) !=
	    0) {
		log_error("%s", cause);
		free(cause);
		return rc;
	}
	if ((rc = runner_check_settings(s)) != 0 ||
	    (rc = runner_model(s, &m)) != 0)
		return rc;
	if ((rc = runner_open_store(s, &st)) != 0)
		goto out;
	if (o->thread_id != NULL)
		snprintf(tid, sizeof tid, "%s", o->thread_id);
	else
		store_new_thread_id(tid);
	req = runner_request(s, o, as_of, tid);
	if ((rc = runner_create(st, "analyze", tid, o->symbol, as_of, req,
		 model_name(m), &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		goto out;
	}
	input = cJSON_CreateObject();
	cJSON_AddItemToObject(input, "request", req);
	req = NULL;
	runner_setup(&run, &topts, s, st, m, tid, o->out.format);
	run.approve_before = o->approve_before;
	run.env.no_fallback = o->no_fallback;
	run.env.show_reasoning = o->show_reasoning;
	prices = runner_prices(s);
	run.env.prices = prices;
	rc = stock_graph_run(&run, input, &final, &cause);
	lease_release(st, tid);
	rc = runner_finish(rc, final, tid, &o->out, cause);
out:
	cJSON_Delete(req);
	cJSON_Delete(prices);
	store_close(st);
	model_close(m);
	return rc;
}

/* Whether the run INFO (store_run_get) has reached its end. */
static int
runner_finished(const cJSON *info)
{
	const cJSON *cps = cJSON_GetObjectItemCaseSensitive(info,
	    "checkpoints");
	const char *next;

	next = jsonutil_string(
	    cJSON_GetArrayItem(cps, cJSON_GetArraySize(cps) - 1), "next");
	return next != NULL && strcmp(next, "__end__") == 0;
}

/*
 * Continues the run, or starts it from its recorded request when it was
 * recorded but its first checkpoint never was (a full disk, a kill).
 */
static int
runner_continue(struct stock_run *run, const cJSON *info, cJSON **final,
    char **cause)
{
	cJSON *input;

	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(info,
		"checkpoints")) > 0)
		return stock_graph_resume(run, final, cause);
	input = cJSON_CreateObject();
	cJSON_AddItemToObject(input, "request",
	    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(info, "request"),
		1));
	return stock_graph_run(run, input, final, cause);
}

/* The run THREAD_ID as store_run_get gives it, into *INFO; exit code. */
static int
runner_get(struct store *st, const char *thread_id, cJSON **info)
{
	char *cause = NULL;
	int rc;

	cJSON_Delete(*info);
	if ((rc = store_run_get(st, thread_id, info, &cause)) == 0)
		return 0;
	log_error("%s", cause);
	free(cause);
	return runner_store_code(rc);
}

/*
 * Reads the run into *INFO and takes it (*HELD = 1), unless it is finished:
 * its result is then only printed. Read again once taken, as the run may
 * have moved on in between. Returns 0 or an exit code (EXIT_BUSY).
 */
static int
runner_take(struct store *st, const char *thread_id, cJSON **info, int *held)
{
	char *cause = NULL;
	int rc;

	if ((rc = runner_get(st, thread_id, info)) != 0 ||
	    runner_finished(*info))
		return rc;
	if ((rc = lease_take(st, thread_id, &cause)) != 0) {
		log_error("%s", cause);
		free(cause);
		return runner_store_code(rc);
	}
	*held = 1;
	return runner_get(st, thread_id, info);
}

int
runner_resume(struct settings *s, const char *thread_id,
    const struct output_opts *out)
{
	struct store *st = NULL;
	struct model *m = NULL;
	struct stock_run run;
	struct tool_opts topts;
	cJSON *info = NULL, *final = NULL, *prices = NULL;
	const cJSON *req;
	char *cause = NULL;
	int rc, held = 0;

	if ((rc = runner_open_store(s, &st)) != 0)
		return rc;
	if ((rc = runner_take(st, thread_id, &info, &held)) != 0)
		goto out;
	req = cJSON_GetObjectItemCaseSensitive(info, "request");
	if (runner_restore_settings(s, req, &cause) != 0) {
		log_error("run %s: %s", thread_id, cause);
		free(cause);
		rc = EXIT_USAGE;
		goto out;
	}
	if (jsonutil_string(req, "lang") != NULL) /* the run's language */
		i18n_set(jsonutil_string(req, "lang"));
	runner_market_configure(s);
	if ((rc = runner_model(s, &m)) != 0)
		goto out;
	runner_setup(&run, &topts, s, st, m, thread_id, out->format);
	run.env.no_fallback = cJSON_IsTrue(cJSON_GetObjectItem(req,
	    "no_fallback"));
	prices = runner_prices(s);
	run.env.prices = prices;
	rc = runner_continue(&run, info, &final, &cause);
	rc = runner_finish(rc, final, thread_id, out, cause);
out:
	if (held)
		lease_release(st, thread_id);
	cJSON_Delete(prices);
	cJSON_Delete(info);
	store_close(st);
	model_close(m);
	return rc;
}

int
runner_check_settings(const struct settings *s)
{
	int rc;

	if ((rc = runner_check_provider(s)) != 0 ||
	    (rc = runner_check_s3(s)) != 0)
		return rc;
	return runner_check_out(s);
}

/* Records run TID with H's metadata and takes its lease; the input
 * state, or NULL with *cause. */
static cJSON *
runner_record(struct settings *s, const struct runner_opts *o,
    const struct runner_hooks *h, struct store *st, struct model *m,
    const char *as_of, const char *tid, char **cause)
{
	cJSON *req = runner_request(s, o, as_of, tid), *input;

	if (h->metadata != NULL)
		cJSON_AddItemToObject(req, "metadata",
		    cJSON_Duplicate(h->metadata, 1));
	if (runner_create(st, h->kind != NULL ? h->kind : "analyze", tid,
		o->symbol, as_of, req, model_name(m), cause) != 0) {
		cJSON_Delete(req);
		return NULL;
	}
	input = cJSON_CreateObject();
	cJSON_AddItemToObject(input, "request", req);
	return input;
}

/* Runs the graph on INPUT (consumed) for runner_run. */
static int
runner_graph(struct settings *s, const struct runner_opts *o,
    const struct runner_hooks *h, struct store *st, struct model *m,
    const char *tid, cJSON *input, cJSON **final_out, char **cause)
{
	struct stock_run run;
	struct tool_opts topts;
	cJSON *prices = runner_prices(s);
	int rc;

	runner_setup(&run, &topts, s, st, m, tid, OUTPUT_JSON);
	run.interactive = 0;
	run.on_event = h->on_event;
	run.event_arg = h->event_arg;
	run.env.no_fallback = o->no_fallback;
	run.env.prices = prices;
	rc = stock_graph_run(&run, input, final_out, cause);
	cJSON_Delete(prices);
	return rc;
}

int
runner_run(struct settings *s, const struct runner_opts *o,
    const struct runner_hooks *h, cJSON **final_out,
    char tid_out[STORE_THREAD_ID_SIZE], char **cause)
{
	struct store *st = NULL;
	struct model *m = NULL;
	char as_of[DATE_STR_SIZE];
	cJSON *input;
	int rc;

	*final_out = NULL;
	store_new_thread_id(tid_out);
	if ((rc = runner_as_of_symbol(o->as_of, o->symbol, as_of, cause)) !=
		0 ||
	    (rc = runner_model_cause(s, &m, cause)) != 0)
		return rc;
	if (store_open(settings_string(s, "db"), &st, cause) != 0) {
		rc = EXIT_STORAGE;
		goto out;
	}
	input = runner_record(s, o, h, st, m, as_of, tid_out, cause);
	if (input == NULL) {
		rc = EXIT_STORAGE;
		goto out;
	}
	rc = runner_graph(s, o, h, st, m, tid_out, input, final_out, cause);
	lease_release(st, tid_out);
out:
	store_close(st);
	model_close(m);
	return rc;
}

cJSON *
runner_load_prices(struct settings *s)
{
	return runner_prices(s);
}

int
runner_open_model(struct settings *s, struct model **out)
{
	return runner_model(s, out);
}

/* Continues the recorded run INFO of a batch (see runner_batch_one). */
static int
runner_batch_continue(struct stock_run *run, struct store *st,
    const cJSON *info, cJSON **final, char **cause)
{
	int rc;

	if (!runner_finished(info) &&
	    (rc = lease_take(st, run->thread_id, cause)) != 0)
		return runner_store_code(rc);
	rc = runner_continue(run, info, final, cause);
	lease_release(st, run->thread_id);
	return rc;
}

int
runner_batch_one(struct settings *s, const struct runner_opts *o,
    struct store *st, struct model *m, const cJSON *prices, cJSON **final_out,
    char **cause)
{
	char as_of[DATE_STR_SIZE];
	struct stock_run run;
	struct tool_opts topts;
	cJSON *info = NULL, *input, *req;
	int rc;

	*final_out = NULL;
	if ((rc = runner_as_of_symbol(o->as_of, o->symbol, as_of, cause)) != 0)
		return rc;
	runner_setup(&run, &topts, s, st, m, o->thread_id, OUTPUT_JSON);
	run.interactive = 0;
	run.env.no_fallback = o->no_fallback;
	run.env.prices = prices;
	rc = store_run_get(st, o->thread_id, &info, cause);
	if (rc == 0) {
		rc = runner_batch_continue(&run, st, info, final_out, cause);
		goto out;
	}
	if (rc != STORE_E_NOTFOUND)
		goto out;
	free(*cause);
	*cause = NULL;
	req = runner_request(s, o, as_of, o->thread_id);
	if ((rc = runner_create(st, "analyze", o->thread_id, o->symbol, as_of,
		 req, model_name(m), cause)) != 0) {
		cJSON_Delete(req);
		goto out;
	}
	input = cJSON_CreateObject();
	cJSON_AddItemToObject(input, "request", req);
	rc = stock_graph_run(&run, input, final_out, cause);
	lease_release(st, o->thread_id);
out:
	if (rc < 0)
		rc = runner_store_code(rc);
	else if (rc == 0 && *final_out != NULL)
		rc = runner_final_code(*final_out);
	cJSON_Delete(info);
	return rc;
}
