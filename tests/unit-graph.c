/*
 * unit-graph.c: the state machine with deterministic toy nodes: routes,
 * reducers, recursion limit, retries, interrupts, compile errors,
 * checkpoint rows, atomicity under a full disk, and kill-and-resume.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/checkpoint.h"
#include "lib/graph.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"

static char tmpdir[] = "/tmp/unit-graph.XXXXXX";

/* What the toy nodes do and what they saw. */
struct toy {
	int gather_calls, analyze_calls, report_calls, inc_calls;
	int fail_left;	     /* flaky: fail this many more times */
	int fail_code;	     /* flaky: with this code */
	int loop_target;     /* inc: loop until counter reaches it */
	int kill_in_analyze; /* SIGKILL self inside analyze */
	int exit_after_step; /* _exit(9) after checkpoint of step N */
	int fill_disk;	     /* analyze caps the database's size */
	struct store *store;
};

/* Events and sleeps seen. */
struct rec {
	char log[2048];
	int n_checkpoint, n_retry, n_node_start, n_interrupt;
	double sleeps[8];
	int nsleeps;
	struct toy *toy;
	char run_end[32];
};

static int
contains(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

/* -------------------------------------------------------------------- */
/* toy nodes */

static int
node_gather(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	struct toy *t = ctx;
	int n = cJSON_GetObjectItem(state, "n")->valueint;
	cJSON *u = cJSON_CreateObject(), *m;

	t->gather_calls++;
	m = cJSON_AddObjectToObject(u, "market");
	cJSON_AddNumberToObject(m, "price", 100 + n);
	cJSON_AddItemToObject(u, "messages",
	    cJSON_CreateStringArray((const char *[]){ "gather" }, 1));
	*update = u;
	return 0;
}

/*
 * Caps the database at its current size: the next growth is SQLITE_FULL.
 * (SQLite raises a maximum below the file's page count to that count.)
 */
static void
fill_disk(struct store *s)
{
	char *cause = NULL;

	if (store_exec(s, "PRAGMA max_page_count = 1", "capping", &cause) != 0)
		printf("# cannot cap the database: %s\n", cause);
	free(cause);
}

static int
node_analyze(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	struct toy *t = ctx;
	double price = cJSON_GetObjectItem(cJSON_GetObjectItem(state, "market"),
	    "price")
			   ->valuedouble;
	cJSON *u = cJSON_CreateObject(), *a;
	char *blob;

	t->analyze_calls++;
	if (t->kill_in_analyze)
		kill(getpid(), SIGKILL);
	if (t->fill_disk)
		fill_disk(t->store);
	a = cJSON_AddObjectToObject(u, "analysis");
	cJSON_AddNumberToObject(a, "score", price * 2);
	/* big enough to need new pages */
	blob = xmalloc(100001);
	memset(blob, 'a', 100000);
	blob[100000] = '\0';
	cJSON_AddStringToObject(a, "notes", blob);
	free(blob);
	cJSON_AddItemToObject(u, "messages",
	    cJSON_CreateStringArray((const char *[]){ "analyze" }, 1));
	cJSON_AddItemToObject(u, "meta", cJSON_Parse("{\"a\":1}"));
	*update = u;
	return 0;
}

static int
node_report(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	struct toy *t = ctx;
	double score = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(state, "analysis"), "score")
			   ->valuedouble;
	cJSON *u = cJSON_CreateObject();
	char *text = xasprintf("score %.0f", score);

	t->report_calls++;
	cJSON_AddStringToObject(u, "report", text);
	free(text);
	cJSON_AddItemToObject(u, "messages",
	    cJSON_CreateStringArray((const char *[]){ "report" }, 1));
	cJSON_AddItemToObject(u, "meta", cJSON_Parse("{\"b\":2}"));
	*update = u;
	return 0;
}

static int
node_flaky(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	struct toy *t = ctx;

	t->inc_calls++;
	if (t->fail_left > 0) {
		t->fail_left--;
		*cause = xasprintf("flaky failed (%d left)", t->fail_left);
		return t->fail_code;
	}
	*update = cJSON_Parse("{\"ok\":true}");
	return 0;
}

static int
node_inc(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	struct toy *t = ctx;
	cJSON *c = cJSON_GetObjectItem(state, "counter");

	t->inc_calls++;
	*update = cJSON_CreateObject();
	cJSON_AddNumberToObject(*update, "counter",
	    (c != NULL ? c->valueint : 0) + 1);
	return 0;
}

static const char *
route_loop(void *ctx, const cJSON *state)
{
	struct toy *t = ctx;
	cJSON *c = cJSON_GetObjectItem(state, "counter");

	return c->valueint < t->loop_target ? "inc" : GRAPH_END;
}

static const char *
route_size(void *ctx, const cJSON *state)
{
	int n = cJSON_GetObjectItem(state, "n")->valueint;

	return n >= 10 ? "big" : n >= 0 ? "small" : "nowhere";
}

static int
node_tag(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	*update = cJSON_Parse("{\"tag\":\"tagged\"}");
	return 0;
}

static int
node_big(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	*update = cJSON_Parse("{\"size\":\"big\"}");
	return 0;
}

static int
node_small(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	*update = cJSON_Parse("{\"size\":\"small\"}");
	return 0;
}

/* -------------------------------------------------------------------- */
/* callbacks */

static void
on_event(void *arg, const char *type, const cJSON *data)
{
	struct rec *r = arg;
	size_t len = strlen(r->log);
	cJSON *st = cJSON_GetObjectItem(data, "step");

	snprintf(r->log + len, sizeof r->log - len, "%s%s", len ? " " : "",
	    type);
	if (strcmp(type, "checkpoint") == 0) {
		r->n_checkpoint++;
		if (r->toy != NULL && r->toy->exit_after_step >= 0 &&
		    st->valueint == r->toy->exit_after_step)
			_exit(9);
	} else if (strcmp(type, "retry") == 0)
		r->n_retry++;
	else if (strcmp(type, "node_start") == 0)
		r->n_node_start++;
	else if (strcmp(type, "interrupt") == 0)
		r->n_interrupt++;
	else if (strcmp(type, "run_end") == 0)
		snprintf(r->run_end, sizeof r->run_end, "%s",
		    cJSON_GetStringValue(cJSON_GetObjectItem(data, "status")));
}

static void
fake_sleep(void *arg, double s)
{
	struct rec *r = arg;

	if (r->nsleeps < 8)
		r->sleeps[r->nsleeps++] = s;
}

static int
approve_no_tty(void *arg, const char *node, const cJSON *state)
{
	return -1;
}

static int
approve_decline(void *arg, const char *node, const cJSON *state)
{
	return 0;
}

static int
approve_yes(void *arg, const char *node, const cJSON *state)
{
	return 1;
}

static int
retry_only_3(int code)
{
	return code == 3;
}

/* -------------------------------------------------------------------- */

static struct graph *
pipeline(int interrupt)
{
	struct graph *g = graph_new("stock");
	char *cause = NULL;

	graph_add_node(g, "gather", node_gather, NULL);
	graph_add_node(g, "analyze", node_analyze, NULL);
	graph_add_node(g, "report", node_report, NULL);
	graph_add_edge(g, GRAPH_START, "gather");
	graph_add_edge(g, "gather", "analyze");
	graph_add_edge(g, "analyze", "report");
	graph_add_edge(g, "report", GRAPH_END);
	graph_set_reducer(g, "messages", GRAPH_REDUCE_APPEND);
	graph_set_reducer(g, "meta", GRAPH_REDUCE_MERGE);
	if (interrupt)
		graph_interrupt_before(g, "report");
	if (graph_compile(g, &cause) != 0) {
		printf("compile: %s\n", cause);
		exit(1);
	}
	return g;
}

static cJSON *
pipeline_input(void)
{
	return cJSON_Parse("{\"n\":5,\"messages\":[\"input\"],"
			   "\"meta\":{\"z\":0}}");
}

static void
opts_init(struct graph_run_opts *o, struct toy *t, struct rec *r)
{
	memset(o, 0, sizeof *o);
	memset(t, 0, sizeof *t);
	memset(r, 0, sizeof *r);
	t->exit_after_step = -5;
	r->toy = t;
	o->node_ctx = t;
	o->on_event = on_event;
	o->event_arg = r;
	o->sleep_fn = fake_sleep;
	o->sleep_arg = r;
}

/* The final state of the pipeline run in memory, for comparisons. */
static cJSON *
reference_state(void)
{
	struct graph *g = pipeline(0);
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL;
	char *cause = NULL;

	opts_init(&o, &t, &r);
	graph_invoke(g, &o, pipeline_input(), &final, &cause);
	graph_free(g);
	return final;
}

static void
test_pipeline_and_reducers(void)
{
	struct graph *g = pipeline(0);
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL, *want;
	char *cause = NULL;

	opts_init(&o, &t, &r);
	TEST_CHECK("pipeline runs",
	    graph_invoke(g, &o, pipeline_input(), &final, &cause) == 0 &&
		final != NULL);
	want = cJSON_Parse("[\"input\",\"gather\",\"analyze\",\"report\"]");
	TEST_CHECK("append reducer collects messages in order",
	    cJSON_Compare(cJSON_GetObjectItem(final, "messages"), want, 1));
	cJSON_Delete(want);
	want = cJSON_Parse("{\"z\":0,\"a\":1,\"b\":2}");
	TEST_CHECK("merge reducer keeps old keys and adds new ones",
	    cJSON_Compare(cJSON_GetObjectItem(final, "meta"), want, 1));
	cJSON_Delete(want);
	TEST_STREQ("overwrite default: report computed from earlier nodes",
	    cJSON_GetStringValue(cJSON_GetObjectItem(final, "report")),
	    "score 210");
	TEST_CHECK("each node once",
	    t.gather_calls == 1 && t.analyze_calls == 1 && t.report_calls == 1);
	TEST_STREQ("events in order", r.log,
	    "run_start node_start node_end "
	    "node_start node_end node_start node_end run_end");
	TEST_STREQ("run_end done", r.run_end, "done");
	cJSON_Delete(final);
	graph_free(g);
}

static void
test_routes(void)
{
	struct graph *g = graph_new("routes");
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL;
	char *cause = NULL;

	graph_add_node(g, "tag", node_tag, NULL);
	graph_add_node(g, "big", node_big, NULL);
	graph_add_node(g, "small", node_small, NULL);
	graph_add_edge(g, GRAPH_START, "tag");
	graph_add_route(g, "tag", route_size);
	graph_add_edge(g, "big", GRAPH_END);
	graph_add_edge(g, "small", GRAPH_END);
	TEST_CHECK("compiles", graph_compile(g, &cause) == 0);
	opts_init(&o, &t, &r);
	graph_invoke(g, &o, cJSON_Parse("{\"n\":50}"), &final, &cause);
	TEST_STREQ("route to big",
	    cJSON_GetStringValue(cJSON_GetObjectItem(final, "size")), "big");
	TEST_STREQ("route saw the updated state",
	    cJSON_GetStringValue(cJSON_GetObjectItem(final, "tag")), "tagged");
	cJSON_Delete(final);
	graph_invoke(g, &o, cJSON_Parse("{\"n\":3}"), &final, &cause);
	TEST_STREQ("route to small",
	    cJSON_GetStringValue(cJSON_GetObjectItem(final, "size")), "small");
	cJSON_Delete(final);
	TEST_CHECK("a route naming no node is an error",
	    graph_invoke(g, &o, cJSON_Parse("{\"n\":-1}"), &final, &cause) ==
		    GRAPH_E_INVALID &&
		final == NULL && contains(cause, "nowhere"));
	free(cause);
	cause = NULL;
	TEST_CHECK("input must be an object",
	    graph_invoke(g, &o, cJSON_Parse("[1]"), &final, &cause) ==
		GRAPH_E_INVALID);
	free(cause);
	graph_free(g);
}

static struct graph *
loop_graph(void)
{
	struct graph *g = graph_new("loop");
	char *cause = NULL;

	graph_add_node(g, "inc", node_inc, NULL);
	graph_add_edge(g, GRAPH_START, "inc");
	graph_add_route(g, "inc", route_loop);
	graph_compile(g, &cause);
	return g;
}

static void
test_recursion(struct store *s)
{
	struct graph *g = loop_graph();
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL, *run = NULL;
	char *cause = NULL;

	opts_init(&o, &t, &r);
	t.loop_target = 5;
	o.recursion_limit = 10;
	TEST_CHECK("a loop that ends within the limit",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) == 0 &&
		cJSON_GetObjectItem(final, "counter")->valueint == 5);
	cJSON_Delete(final);
	opts_init(&o, &t, &r);
	t.loop_target = 1000;
	o.recursion_limit = 10;
	o.store = s;
	o.thread_id = "loop";
	TEST_CHECK("an endless loop stops at the limit",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) ==
		    GRAPH_E_RECURSION &&
		final == NULL);
	TEST_CHECK("after exactly 10 steps", t.inc_calls == 10);
	TEST_CHECK("message names the limit",
	    contains(cause, "recursion limit of 10 steps"));
	free(cause);
	cause = NULL;
	store_run_get(s, "loop", &run, &cause);
	TEST_STREQ("run marked failed",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")), "failed");
	TEST_CHECK("11 checkpoints (input + 10 steps)",
	    cJSON_GetArraySize(cJSON_GetObjectItem(run, "checkpoints")) == 11);
	cJSON_Delete(run);
	opts_init(&o, &t, &r);
	t.loop_target = 1000;
	TEST_CHECK("default limit is 25",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) ==
		    GRAPH_E_RECURSION &&
		t.inc_calls == GRAPH_RECURSION_LIMIT);
	free(cause);
	graph_free(g);
}

static struct graph *
flaky_graph(const struct graph_retry *p)
{
	struct graph *g = graph_new("flaky");
	char *cause = NULL;

	graph_add_node(g, "flaky", node_flaky, p);
	graph_add_edge(g, GRAPH_START, "flaky");
	graph_add_edge(g, "flaky", GRAPH_END);
	graph_compile(g, &cause);
	return g;
}

static void
test_retry(void)
{
	struct graph_retry p = graph_retry_default;
	struct graph *g;
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL;
	char *cause = NULL;

	TEST_CHECK("LangGraph defaults",
	    p.max_attempts == 3 && p.initial_interval_s == 0.5 &&
		p.backoff_factor == 2.0 && p.max_interval_s == 128.0 &&
		p.jitter);
	p.jitter = 0;
	g = flaky_graph(&p);
	opts_init(&o, &t, &r);
	t.fail_left = 2;
	t.fail_code = 3;
	TEST_CHECK("two failures then success",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) == 0 &&
		final != NULL);
	TEST_CHECK("three attempts, two retries",
	    t.inc_calls == 3 && r.n_retry == 2 && r.n_node_start == 3);
	TEST_CHECK("backoff 0.5 s then 1 s",
	    r.nsleeps == 2 && r.sleeps[0] == 0.5 && r.sleeps[1] == 1.0);
	cJSON_Delete(final);

	opts_init(&o, &t, &r);
	t.fail_left = 10;
	t.fail_code = 3;
	TEST_CHECK("gives up after max_attempts with the node's code",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) == 3 &&
		final == NULL && t.inc_calls == 3 && r.nsleeps == 2);
	TEST_CHECK("cause is the node's last message",
	    contains(cause, "flaky failed (7 left)"));
	TEST_STREQ("run_end failed", r.run_end, "failed");
	free(cause);
	cause = NULL;
	graph_free(g);

	p.retry_on = retry_only_3;
	p.max_attempts = 5;
	p.initial_interval_s = 100;
	g = flaky_graph(&p);
	opts_init(&o, &t, &r);
	t.fail_left = 10;
	t.fail_code = 4;
	TEST_CHECK("a non-retryable code fails at once",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) == 4 &&
		t.inc_calls == 1 && r.nsleeps == 0);
	free(cause);
	cause = NULL;
	opts_init(&o, &t, &r);
	t.fail_left = 3;
	t.fail_code = 3;
	TEST_CHECK("retryable code",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) == 0 &&
		t.inc_calls == 4);
	TEST_CHECK("the interval is capped at max_interval",
	    r.nsleeps == 3 && r.sleeps[0] == 100 && r.sleeps[1] == 128 &&
		r.sleeps[2] == 128);
	cJSON_Delete(final);
	graph_free(g);

	p = graph_retry_default;
	g = flaky_graph(&p);
	opts_init(&o, &t, &r);
	t.fail_left = 2;
	t.fail_code = 8;
	graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause);
	TEST_CHECK("jitter adds up to 1 s",
	    r.nsleeps == 2 && r.sleeps[0] >= 0.5 && r.sleeps[0] < 1.5 &&
		r.sleeps[1] >= 1.0 && r.sleeps[1] < 2.0);
	cJSON_Delete(final);
	graph_free(g);
}

static void
test_interrupt(struct store *s)
{
	struct graph *g = pipeline(1);
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL, *ref = reference_state(), *run = NULL, *st = NULL;
	cJSON *edit;
	char *cause = NULL, *next = NULL;
	int step = 0;

	opts_init(&o, &t, &r);
	o.store = s;
	o.thread_id = "approval";
	o.approve = approve_no_tty;
	TEST_CHECK("pauses before report",
	    graph_invoke(g, &o, pipeline_input(), &final, &cause) ==
		    GRAPH_E_INTERRUPTED &&
		final == NULL && t.report_calls == 0 && r.n_interrupt == 1);
	TEST_CHECK("message says how to resume",
	    contains(cause, "stockagent runs resume approval"));
	free(cause);
	cause = NULL;
	store_run_get(s, "approval", &run, &cause);
	TEST_STREQ("run marked interrupted",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")),
	    "interrupted");
	cJSON_Delete(run);
	checkpoint_get_latest(s, "approval", &st, &step, &next, &cause);
	TEST_CHECK("latest checkpoint waits for report",
	    step == 1 && next != NULL && strcmp(next, "report") == 0);
	cJSON_Delete(st);
	free(next);

	o.approve = approve_decline;
	TEST_CHECK("declined on resume",
	    graph_resume(g, &o, &final, &cause) == GRAPH_E_DECLINED &&
		t.report_calls == 0);
	free(cause);
	cause = NULL;

	o.approve = approve_yes;
	TEST_CHECK("approved on resume",
	    graph_resume(g, &o, &final, &cause) == 0);
	TEST_CHECK("only report ran",
	    t.gather_calls == 1 && t.analyze_calls == 1 && t.report_calls == 1);
	TEST_CHECK("same final state as an uninterrupted run",
	    cJSON_Compare(final, ref, 1));
	cJSON_Delete(final);

	TEST_CHECK("resuming a finished thread runs nothing",
	    graph_resume(g, &o, &final, &cause) == 0 && t.report_calls == 1 &&
		cJSON_Compare(final, ref, 1));
	cJSON_Delete(final);
	o.thread_id = "edited";
	o.approve = approve_no_tty;
	graph_invoke(g, &o, pipeline_input(), &final, &cause);
	free(cause);
	cause = NULL;
	edit = cJSON_Parse("{\"analysis\":{\"score\":7},"
			   "\"messages\":[\"human\"]}");
	TEST_CHECK("a paused thread's state can be edited",
	    graph_update_state(g, &o, edit, NULL, &cause) == 0);
	cJSON_Delete(edit);
	checkpoint_get_latest(s, "edited", &st, &step, &next, &cause);
	TEST_CHECK("the edit is a new checkpoint with the same next node",
	    step == 2 && next != NULL && strcmp(next, "report") == 0);
	cJSON_Delete(st);
	free(next);
	store_run_get(s, "edited", &run, &cause);
	TEST_STREQ("an edit leaves the run interrupted",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")),
	    "interrupted");
	cJSON_Delete(run);
	o.approve = approve_yes;
	TEST_CHECK("resume after the edit",
	    graph_resume(g, &o, &final, &cause) == 0);
	TEST_STREQ("report used the edited score",
	    cJSON_GetStringValue(cJSON_GetObjectItem(final, "report")),
	    "score 7");
	edit = cJSON_Parse("[\"input\",\"gather\",\"analyze\",\"human\","
			   "\"report\"]");
	TEST_CHECK("the edit went through the append reducer",
	    cJSON_Compare(cJSON_GetObjectItem(final, "messages"), edit, 1));
	cJSON_Delete(edit);
	cJSON_Delete(final);
	o.thread_id = "no-such-thread";
	TEST_CHECK("resuming an unknown thread",
	    graph_resume(g, &o, &final, &cause) == GRAPH_E_NOTFOUND);
	free(cause);
	cause = NULL;
	o.store = NULL;
	TEST_CHECK("without a store an approved node runs",
	    graph_invoke(g, &o, pipeline_input(), &final, &cause) == 0);
	cJSON_Delete(final);
	o.approve = NULL;
	TEST_CHECK("no approve callback means cannot ask",
	    graph_invoke(g, &o, pipeline_input(), &final, &cause) ==
		GRAPH_E_INTERRUPTED);
	free(cause);
	cJSON_Delete(ref);
	graph_free(g);
}

/* Compile G and expect failure with PART in the message. */
static void
expect_compile_error(struct graph *g, const char *descr, const char *part)
{
	char *cause = NULL;

	TEST_CHECK(descr,
	    graph_compile(g, &cause) == -1 && contains(cause, part));
	if (!contains(cause, part))
		printf("# got: %s\n", cause ? cause : "(none)");
	free(cause);
	graph_free(g);
}

static struct graph *
two_nodes(void)
{
	struct graph *g = graph_new("bad");

	graph_add_node(g, "a", node_tag, NULL);
	graph_add_node(g, "b", node_big, NULL);
	return g;
}

static void
test_compile_errors(void)
{
	struct graph *g;
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL;
	char *cause = NULL;

	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", "c");
	graph_add_edge(g, "b", GRAPH_END);
	expect_compile_error(g, "edge to an unknown node",
	    "unknown node \"c\"");
	g = two_nodes();
	graph_add_edge(g, "a", "b");
	graph_add_edge(g, "b", GRAPH_END);
	expect_compile_error(g, "no entry", "no entry edge from __start__");
	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", GRAPH_END);
	graph_add_edge(g, "b", GRAPH_END);
	expect_compile_error(g, "unreachable node", "node b cannot be reached");
	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", "b");
	graph_add_route(g, "a", route_size);
	graph_add_edge(g, "b", GRAPH_END);
	expect_compile_error(g, "edge and route", "both an edge and a route");
	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", "b");
	graph_add_edge(g, "a", GRAPH_END);
	graph_add_edge(g, "b", GRAPH_END);
	expect_compile_error(g, "fan-out", "fan-out is not supported");
	g = two_nodes();
	graph_add_node(g, "a", node_tag, NULL);
	graph_add_edge(g, GRAPH_START, "a");
	expect_compile_error(g, "duplicate node", "node a is added twice");
	g = two_nodes();
	graph_add_node(g, GRAPH_END, node_tag, NULL);
	expect_compile_error(g, "reserved name", "other than");
	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", "b");
	expect_compile_error(g, "dead end", "node b has no way out");
	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", "b");
	graph_add_edge(g, "b", GRAPH_END);
	graph_interrupt_before(g, "zz");
	expect_compile_error(g, "interrupt on an unknown node",
	    "interrupt before unknown node \"zz\"");
	g = two_nodes();
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_route(g, "a", route_size);
	graph_add_edge(g, "b", GRAPH_END);
	TEST_CHECK("a route may reach any node", graph_compile(g, &cause) == 0);
	graph_add_edge(g, "zz", "a");
	opts_init(&o, &t, &r);
	TEST_CHECK("a changed graph must be compiled again",
	    graph_invoke(g, &o, cJSON_Parse("{}"), &final, &cause) ==
		    GRAPH_E_INVALID &&
		contains(cause, "not compiled"));
	free(cause);
	graph_free(g);
}

static int
count_rows(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *cause = NULL;
	int n = -1;

	if (store_prepare(s, sql, &st, "counting", &cause) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	free(cause);
	return n;
}

static void
test_checkpoint_rows(struct store *s)
{
	struct graph *g = pipeline(0);
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL, *list = NULL, *cp, *run = NULL, *w, *want;
	char *cause = NULL;
	const char *prev_id = "";
	int i, ok_ids = 1;
	static const char *nodes[] = { NULL, "gather", "analyze", "report" };
	static const char *nexts[] = { "gather", "analyze", "report",
		"__end__" };

	opts_init(&o, &t, &r);
	o.store = s;
	o.thread_id = "rows";
	store_run_create(s, "rows", "analyze", "SIM", "2025-09-04", NULL,
	    "builtin", &cause);
	TEST_CHECK("runs with a store",
	    graph_invoke(g, &o, pipeline_input(), &final, &cause) == 0);
	TEST_CHECK("a checkpoint event per step", r.n_checkpoint == 4);
	checkpoint_list(s, "rows", &list, &cause);
	TEST_CHECK("four checkpoints", cJSON_GetArraySize(list) == 4);
	for (i = 0; i < 4 && i < cJSON_GetArraySize(list); i++) {
		cp = cJSON_GetArrayItem(list, i);
		TEST_CHECK("step",
		    cJSON_GetObjectItem(cp, "step")->valueint == i - 1);
		TEST_CHECK("node",
		    nodes[i] == NULL ?
			cJSON_IsNull(cJSON_GetObjectItem(cp, "node")) :
			strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cp,
				   "node")),
			    nodes[i]) == 0);
		TEST_STREQ("next",
		    cJSON_GetStringValue(cJSON_GetObjectItem(cp, "next")),
		    nexts[i]);
		TEST_STREQ("source",
		    cJSON_GetStringValue(cJSON_GetObjectItem(cp, "source")),
		    i == 0 ? "input" : "loop");
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cp, "id")),
			prev_id) <= 0)
			ok_ids = 0;
		if (i > 0 &&
		    strcmp(
			cJSON_GetStringValue(cJSON_GetObjectItem(cp, "parent_id")) ?:
			    "",
			prev_id) != 0)
			ok_ids = 0;
		prev_id = cJSON_GetStringValue(cJSON_GetObjectItem(cp, "id"));
	}
	TEST_CHECK("ids increase and chain to their parents", ok_ids);
	cp = cJSON_GetArrayItem(list, 3);
	TEST_CHECK("last checkpoint holds the final state",
	    cJSON_Compare(cJSON_GetObjectItem(cp, "state"), final, 1));
	w = cJSON_GetObjectItem(cp, "writes");
	TEST_CHECK("writes hold the node's update, one row per key",
	    cJSON_GetArraySize(w) == 3 &&
		strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(w, "report")),
		    "score 210") == 0);
	want = cJSON_Parse("{\"report\":\"score 210\","
			   "\"messages\":[\"report\"],\"meta\":{\"b\":2}}");
	TEST_CHECK("an appended or merged key's write is the node's part",
	    cJSON_Compare(w, want, 1));
	cJSON_Delete(want);
	cJSON_Delete(list);
	TEST_CHECK("writes rows only where the update is not the new value",
	    count_rows(s,
		"SELECT count(*) FROM writes WHERE thread_id = 'rows'"
		" AND channel NOT IN ('messages', 'meta')") == 0);
	TEST_CHECK("a channel is stored by the step that wrote it, once",
	    count_rows(s,
		"SELECT count(*) FROM checkpoints WHERE thread_id = 'rows'"
		" AND json_type(state, '$.n') IS NOT NULL") == 1 &&
		count_rows(s,
		    "SELECT count(*) FROM checkpoints WHERE thread_id = "
		    "'rows' AND json_type(state, '$.analysis') IS NOT NULL") ==
		    1);
	store_run_get(s, "rows", &run, &cause);
	TEST_STREQ("run done",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")), "done");
	TEST_CHECK("run counts 3 steps",
	    cJSON_GetObjectItem(run, "steps")->valueint == 3);
	TEST_STREQ("run keeps its symbol",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "symbol")), "SIM");
	TEST_CHECK("summary lists 4 checkpoints with sizes",
	    cJSON_GetArraySize(cJSON_GetObjectItem(run, "checkpoints")) == 4 &&
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(run,
							   "checkpoints"),
					2),
		    "state_bytes")
			->valueint > 100000);
	cJSON_Delete(run);
	cJSON_Delete(final);
	TEST_CHECK("invoking an existing thread is refused",
	    graph_invoke(g, &o, pipeline_input(), &final, &cause) ==
		GRAPH_E_INVALID);
	free(cause);
	cJSON_Delete(final);
	graph_free(g);
}

static void
test_atomicity(struct store *s)
{
	struct graph *g = pipeline(0);
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	cJSON *final = NULL, *ref = reference_state(), *list = NULL;
	char *cause = NULL;
	int good_cps, good_writes, rc;

	good_cps = count_rows(s,
	    "SELECT count(*) FROM checkpoints WHERE "
	    "thread_id = 'rows'");
	good_writes = count_rows(s,
	    "SELECT count(*) FROM writes WHERE "
	    "thread_id = 'rows'");
	opts_init(&o, &t, &r);
	o.store = s;
	o.thread_id = "full";
	t.fill_disk = 1;
	t.store = s;
	rc = graph_invoke(g, &o, pipeline_input(), &final, &cause);
	TEST_CHECK("a full disk fails the step as storage",
	    rc == GRAPH_E_STORAGE && final == NULL);
	TEST_CHECK("message says disk full and how to resume",
	    contains(cause, "disk full writing") &&
		contains(cause, "stockagent runs resume full"));
	if (!contains(cause, "disk full"))
		printf("# got %d: %s\n", rc, cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	TEST_CHECK("no partial step: checkpoints stop at step 0",
	    count_rows(s,
		"SELECT max(step) FROM checkpoints WHERE "
		"thread_id = 'full'") == 0);
	TEST_CHECK("and no writes of the failed step",
	    count_rows(s,
		"SELECT count(*) FROM writes WHERE thread_id = "
		"'full' AND channel = 'analysis'") == 0);
	TEST_CHECK("the run row counts 1 step",
	    count_rows(s, "SELECT steps FROM runs WHERE thread_id = 'full'") ==
		1);
	TEST_CHECK("earlier runs are intact",
	    count_rows(s,
		"SELECT count(*) FROM checkpoints WHERE thread_id = 'rows'") ==
		    good_cps &&
		count_rows(s,
		    "SELECT count(*) FROM writes WHERE "
		    "thread_id = 'rows'") == good_writes);
	TEST_CHECK("the cap is lifted",
	    store_exec(s, "PRAGMA max_page_count = 1073741823", "uncapping",
		&cause) == 0);
	t.fill_disk = 0;
	TEST_CHECK("after freeing space the thread resumes",
	    graph_resume(g, &o, &final, &cause) == 0 &&
		cJSON_Compare(final, ref, 1));
	TEST_CHECK("gather did not run again",
	    t.gather_calls == 1 && t.analyze_calls == 2);
	checkpoint_list(s, "full", &list, &cause);
	TEST_CHECK("four checkpoints now", cJSON_GetArraySize(list) == 4);
	cJSON_Delete(list);
	cJSON_Delete(final);
	cJSON_Delete(ref);
	graph_free(g);
}

/* Runs the pipeline on THREAD in a child that dies; returns its status. */
static int
run_child(const char *path, const char *thread, int kill_in_analyze,
    int exit_after_step)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct graph *g = pipeline(0);
		struct graph_run_opts o;
		struct toy t;
		struct rec r;
		struct store *s = NULL;
		cJSON *final = NULL;
		char *cause = NULL;

		if (store_open(path, &s, &cause) != 0)
			_exit(1);
		opts_init(&o, &t, &r);
		o.store = s;
		o.thread_id = thread;
		t.kill_in_analyze = kill_in_analyze;
		t.exit_after_step = exit_after_step;
		graph_invoke(g, &o, pipeline_input(), &final, &cause);
		_exit(0); /* not reached when the crash works */
	}
	waitpid(pid, &status, 0);
	return status;
}

static void
test_kill_and_resume(const char *path)
{
	struct graph *g = pipeline(0);
	struct graph_run_opts o;
	struct toy t;
	struct rec r;
	struct store *s = NULL;
	cJSON *ref = NULL, *final = NULL;
	char *cause = NULL;
	int status;

	status = run_child(path, "killed-in-node", 1, -5);
	TEST_CHECK("child killed by SIGKILL inside analyze",
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	status = run_child(path, "killed-between", 0, 1);
	TEST_CHECK("child exited after analyze's checkpoint",
	    WIFEXITED(status) && WEXITSTATUS(status) == 9);

	TEST_CHECK("store reopens after the crash",
	    store_open(path, &s, &cause) == 0);
	opts_init(&o, &t, &r);
	o.store = s;
	o.thread_id = "uninterrupted";
	graph_invoke(g, &o, pipeline_input(), &ref, &cause);
	TEST_CHECK("reference run", ref != NULL);

	opts_init(&o, &t, &r);
	o.store = s;
	o.thread_id = "killed-in-node";
	TEST_CHECK("resume after a kill inside a node",
	    graph_resume(g, &o, &final, &cause) == 0 &&
		cJSON_Compare(final, ref, 1));
	TEST_CHECK("resumed from gather's checkpoint",
	    t.gather_calls == 0 && t.analyze_calls == 1 && t.report_calls == 1);
	cJSON_Delete(final);

	opts_init(&o, &t, &r);
	o.store = s;
	o.thread_id = "killed-between";
	TEST_CHECK("resume after a kill between nodes",
	    graph_resume(g, &o, &final, &cause) == 0 &&
		cJSON_Compare(final, ref, 1));
	TEST_CHECK("only report ran",
	    t.gather_calls == 0 && t.analyze_calls == 0 && t.report_calls == 1);
	cJSON_Delete(final);
	cJSON_Delete(ref);
	store_close(s);
	graph_free(g);
}

int
main(void)
{
	struct store *s = NULL;
	char *path, *cause = NULL;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	path = xasprintf("%s/graph.db", tmpdir);
	if (store_open(path, &s, &cause) != 0) {
		printf("store_open: %s\n", cause);
		return 1;
	}
	test_pipeline_and_reducers();
	test_routes();
	test_recursion(s);
	test_retry();
	test_interrupt(s);
	test_compile_errors();
	test_checkpoint_rows(s);
	test_atomicity(s);
	store_close(s);
	test_kill_and_resume(path);
	free(path);
	if (test_failed == 0) {
		char *rm = xasprintf("rm -rf '%s'", tmpdir);
		if (system(rm) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		free(rm);
	}
	return TEST_REPORT();
}
