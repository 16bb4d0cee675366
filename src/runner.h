/*
 * runner.h: run one analysis end to end (analyze, ask, runs resume).
 *
 * Opens the database and the model, builds the request, runs the stock
 * graph and prints the result in the chosen format. Every setting the run
 * depends on is kept in the request so a resumed run behaves the same.
 */
#ifndef STOCKAGENT_RUNNER_H
#define STOCKAGENT_RUNNER_H

#include <cjson/cJSON.h>

#include "lib/store.h"
#include "src/output.h"

struct model;
struct settings;
struct store;

struct runner_opts {
	const char *symbol;	    /* normalised */
	const char *as_of;	    /* "YYYY-MM-DD" or NULL for today */
	const char *thread_id;	    /* NULL: a new one */
	const char *approve_before; /* node name or NULL */
	const char *prompt;	    /* the 'ask' text, kept in the request */
	struct output_opts out;	    /* format, csv header, colour */
	int no_fallback;
	int show_reasoning;
};

/* Runs a new analysis; returns an exit code (messages already printed). */
int runner_analyze(struct settings *s, const struct runner_opts *o);

/* Continues THREAD_ID from its last checkpoint; returns an exit code. */
int runner_resume(struct settings *s, const char *thread_id,
    const struct output_opts *out);

/*
 * One analysis of a batch, on the caller's thread with the caller's own
 * database connection ST and model M (neither shared with another thread)
 * and price table PRICES (read only; NULL: no costs). Runs O->symbol as
 * run O->thread_id (not NULL): a new run, or, when the run is recorded
 * already (a batch killed while it ran), the run continued from its last
 * checkpoint, or its result when it had finished. Prints nothing: returns
 * 0 with *FINAL_OUT (the state; caller deletes), or an exit code with
 * *CAUSE (one line; caller frees).
 */
int runner_batch_one(struct settings *s, const struct runner_opts *o,
    struct store *st, struct model *m, const cJSON *prices, cJSON **final_out,
    char **cause);

/* The price table of the settings (see runner_batch_one), or NULL with a
 * warning. Caller deletes. */
cJSON *runner_load_prices(struct settings *s);

/* Opens the model of the settings into *OUT; an exit code on failure
 * (printed). */
int runner_open_model(struct settings *s, struct model **out);

/* Opens the database named by the settings; exit code on failure. */
int runner_open_store(struct settings *s, struct store **out);

/*
 * Resolves an as-of date: NULL means today; dates in the future or before
 * 1990 are refused; weekends and holidays move back to the last trading
 * day. Returns 0 with OUT ("YYYY-MM-DD") or EXIT_USAGE with *cause.
 */
int runner_as_of(const char *in, char out[11], char **cause);

/*
 * runner_as_of for SYMBOL: "today" is the date at its exchange (New York
 * for US listings, market_utc_offset's standard-time offset elsewhere;
 * the local date for SIM_ symbols and markets not in the table); US and
 * SIM_ dates move back over NYSE holidays, others only over weekends (the
 * provider's bars say which days traded).
 */
int runner_as_of_symbol(const char *in, const char *symbol, char out[11],
    char **cause);

/*
 * The checks runner_analyze makes of the settings every run shares (the
 * market data provider, the report directory), for a caller that starts
 * many runs with them ('serve', 'batch'). Returns 0 or an exit code
 * (printed).
 */
int runner_check_settings(const struct settings *s);

/*
 * Configures the market data providers from S (chains, base URLs,
 * timeouts, cache freshness, --offline, --refresh); runner_check_settings
 * does it after checking the chains. Call before worker threads start.
 */
void runner_market_configure(const struct settings *s);

/* What runner_run tells its caller instead of printing. */
struct runner_hooks {
	/* Graph events as --format ndjson has them; NULL to drop them. */
	void (*on_event)(void *arg, const char *type, const cJSON *data);
	void *event_arg;
	const cJSON *metadata; /* kept as the request's "metadata", or NULL */
	const char *kind;      /* the run's kind; NULL: "analyze" */
};

/*
 * Runs a new analysis as runner_analyze does (a new thread id, the run
 * recorded and checkpointed) but prints nothing and only reads S: the
 * "db" setting must name the database. Returns 0 with *FINAL_OUT (the
 * whole state; the caller deletes it), or an exit code with *cause, a
 * message for the caller to show. TID_OUT is the run's thread id either
 * way (an empty run when the failure came before it was recorded).
 * Thread-safe: each call opens its own database connection and model.
 */
int runner_run(struct settings *s, const struct runner_opts *o,
    const struct runner_hooks *h, cJSON **final_out,
    char tid_out[STORE_THREAD_ID_SIZE], char **cause);

#endif
