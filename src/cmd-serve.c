/*
 * cmd-serve.c: stockagent serve, the agent as an Amazon Bedrock AgentCore
 * runtime: POST /invocations and GET /ping on port 8080.
 *
 * SIGTERM or SIGINT stops accepting connections, lets the invocations in
 * flight finish (for serve_drain seconds at most; a second signal stops
 * waiting) and exits 0, or 1 when some had to be cut off.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/httpd.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/sessions.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/invoke.h"
#include "src/runner.h"
#include "src/serve.h"

extern const struct cmd_entry cmd_serve_entry;

static void serve_ping(struct httpd_request *r, void *arg);

static const struct httpd_route serve_routes[] = {
	{ "GET", "/ping", 0, NULL, serve_ping },
	{ "POST", "/invocations", 1, "application/json", serve_invoke },
};

/* Headers the access log shows (never one that carries credentials). */
static const char *const serve_log_headers[] = {
	SERVE_H_REQUEST,
	"request_id",
	SERVE_H_SESSION,
	"session_id",
	NULL,
};

static const struct option serve_longopts[] = {
	{ "host", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "workers", required_argument, NULL, 'w' },
	{ "max-body", required_argument, NULL, 'b' },
	{ "timeout", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

/* The settings behind each option, in serve_longopts' order. */
static const char *const serve_optnames[] = { "serve_host", "serve_port",
	"serve_workers", "serve_max_body", "serve_timeout" };

static void
serve_ping(struct httpd_request *r, void *arg)
{
	struct httpd *h = httpd_request_server(r);
	cJSON *o = cJSON_CreateObject();
	long long since;
	int busy = httpd_busy(h, &since);

	(void)arg;
	cJSON_AddStringToObject(o, "status", busy ? "HealthyBusy" : "Healthy");
	cJSON_AddNumberToObject(o, "time_of_last_update", (double)since);
	httpd_reply_json(r, 200, o);
}

static int
serve_parse(const struct cmd_entry *e, int argc, char **argv,
    struct settings *s)
{
	const struct option *o;
	char *cause = NULL, flag[32];
	int c, rc;

	while ((c = cmd_getopt(e, argc, argv, "", serve_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		for (o = serve_longopts; o->name != NULL && o->val != c; o++)
			;
		snprintf(flag, sizeof flag, "--%s", o->name);
		if (settings_set(s, serve_optnames[o - serve_longopts], optarg,
			flag, &cause) != 0) {
			rc = cmd_usage_error(e, "%s", cause);
			free(cause);
			return rc;
		}
	}
	if (optind != argc)
		return cmd_usage_error(e, "unexpected argument '%s'",
		    argv[optind]);
	return 0;
}

/* 127.0.0.1, or 0.0.0.0 in a container (as BedrockAgentCoreApp decides). */
static const char *
serve_host(const struct settings *s)
{
	const char *h = settings_string(s, "serve_host");

	if (h != NULL)
		return h;
	if (access("/.dockerenv", F_OK) == 0 || getenv("DOCKER_CONTAINER"))
		return "0.0.0.0";
	return "127.0.0.1";
}

static int
serve_workers(const struct settings *s)
{
	long long n = settings_int(s, "serve_workers");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 0)
		return (int)n;
	return cpus > 2 ? (int)cpus : 2;
}

/*
 * Names the database in "db" (every request opens it), migrates it and
 * drops expired sessions, so a broken database fails now, not per request.
 */
static int
serve_db(struct settings *s)
{
	char *path = settings_string(s, "db") != NULL ?
	    xstrdup(settings_string(s, "db")) :
	    settings_default_db_path();
	struct store *st = NULL;
	char *cause = NULL;
	int rc = 0;

	if (settings_set(s, "db", path, "serve", &cause) != 0 ||
	    store_open(path, &st, &cause) != 0 ||
	    sessions_expire(st, &cause) != 0) {
		log_error("%s", cause);
		rc = EXIT_STORAGE;
	}
	free(cause);
	store_close(st);
	free(path);
	return rc;
}

static void
serve_opts(const struct settings *s, struct httpd_opts *o, void *arg)
{
	memset(o, 0, sizeof *o);
	o->host = serve_host(s);
	o->port = (int)settings_int(s, "serve_port");
	o->workers = serve_workers(s);
	o->queue = (int)settings_int(s, "serve_queue");
	o->max_body = (size_t)settings_int(s, "serve_max_body");
	o->max_header = (size_t)settings_int(s, "serve_max_header");
	o->max_connections = (int)settings_int(s, "serve_max_connections");
	o->timeout_s = (int)settings_int(s, "serve_timeout");
	o->routes = serve_routes;
	o->n_routes = sizeof serve_routes / sizeof *serve_routes;
	o->arg = arg;
	o->log_headers = serve_log_headers;
	o->access_log = settings_bool(s, "serve_access_log");
}

static void
serve_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	/* Blocked before any thread starts, so only sigwait sees them. */
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Waits for the invocations in flight, DRAIN_S seconds at most, or until
 * a second signal. */
static void
serve_drain(struct httpd *h, const sigset_t *set, long long drain_s)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	time_t end = time(NULL) + (time_t)drain_s;

	while (httpd_inflight(h) > 0 && time(NULL) < end) {
		if (sigtimedwait(set, NULL, &tick) > 0)
			break;
	}
}

static void
serve_started(const struct httpd_opts *o, struct httpd *h)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "host", o->host);
	cJSON_AddNumberToObject(f, "port", httpd_port(h));
	cJSON_AddNumberToObject(f, "workers", o->workers);
	cJSON_AddNumberToObject(f, "queue", o->queue);
	invoke_log("listening", f);
}

/* Serves until a signal; returns the exit code. */
static int
serve_loop(struct serve *sv, const sigset_t *set)
{
	struct httpd_opts o;
	struct httpd *h = NULL;
	char *cause = NULL;
	cJSON *f;
	int sig, left;

	serve_opts(sv->settings, &o, sv);
	if (httpd_start(&o, &h, &cause) != 0) {
		log_error("serve: %s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	serve_started(&o, h);
	while (sigwait(set, &sig) != 0)
		;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "signal",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	cJSON_AddNumberToObject(f, "in_flight", httpd_inflight(h));
	invoke_log("stopping", f);
	httpd_quiesce(h);
	serve_drain(h, set, settings_int(sv->settings, "serve_drain"));
	left = httpd_stop(h);
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "cut_off", left);
	invoke_log("stopped", f);
	return left > 0 ? EXIT_FAILURE_ANY : EXIT_OK;
}

static int
cmd_serve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct settings *s = ctx->settings;
	struct serve sv;
	sigset_t set;
	int rc;

	if ((rc = serve_parse(&cmd_serve_entry, argc, argv, s)) != 0 ||
	    (rc = runner_check_settings(s)) != 0 || (rc = serve_db(s)) != 0)
		return rc;
	sv.settings = s;
	sv.log_prompts = settings_bool(s, "serve_log_prompts");
	sv.session_ttl = settings_int(s, "session_ttl");
	serve_signals(&set);
	rc = serve_loop(&sv, &set);
	if (rc == EXIT_FAILURE_ANY)
		_exit(rc); /* workers still run: do not unwind under them */
	return rc;
}

const struct cmd_entry cmd_serve_entry = {
	.name = "serve",
	.usage = "[--host ADDR] [--port 8080] [--workers N] [--max-body BYTES] "
		 "[--timeout SECONDS]",
	.summary = "serve the agent over HTTP as an Amazon Bedrock AgentCore "
		   "runtime",
	.help =
	    "POST /invocations {\"prompt\": \"Analyze SIM_STOCK stock\"} or\n"
	    "{\"symbol\", \"as_of\", \"model\", \"pdf\", \"s3\", \"format\"}; "
	    "GET /ping.\n"
	    "Accept: text/event-stream streams the run's events.\n"
	    "Options:\n"
	    "  --host ADDR        listen address (default 127.0.0.1; 0.0.0.0\n"
	    "                     in a container)\n"
	    "  --port N           port (default 8080; 0: any free port)\n"
	    "  --workers N        analyses at once (default: one per CPU, at\n"
	    "                     least 2)\n"
	    "  --max-body BYTES   largest request body (default 1048576)\n"
	    "  --timeout SECONDS  time a request may take to arrive, and a\n"
	    "                     connection to idle (default 30)\n"
	    "Also: serve_queue, serve_max_header, serve_max_connections,\n"
	    "serve_drain, session_ttl, serve_models, serve_access_log,\n"
	    "serve_log_prompts (see 'stockagent config list').\n"
	    "One JSON line per request on stderr. SIGTERM or SIGINT drains\n"
	    "and exits 0.\n",
	.exec = cmd_serve_exec,
};
