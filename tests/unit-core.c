/*
 * unit-core.c: settings, dates, symbols, JSON Schema checks and the
 * built-in policy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/date.h"
#include "lib/jsonschema.h"
#include "lib/redact.h"
#include "lib/settings.h"
#include "model/model.h"
#include "tests/testlib.h"
#include "tools/symbol.h"

static void
test_dates(void)
{
	int32_t d;
	char buf[DATE_STR_SIZE];
	int y, m, dd;

	TEST_CHECK("1970-01-01 is day 0",
	    date_parse("1970-01-01", &d) == 0 && d == 0);
	TEST_CHECK("2025-09-04",
	    date_parse("2025-09-04", &d) == 0 && d == 20335);
	TEST_STREQ("format", date_format(20335, buf), "2025-09-04");
	TEST_CHECK("2024-02-29 exists", date_parse("2024-02-29", &d) == 0);
	TEST_CHECK("2025-02-29 does not", date_parse("2025-02-29", &d) != 0);
	TEST_CHECK("month 13", date_parse("2025-13-01", &d) != 0);
	TEST_CHECK("trailing text", date_parse("2025-09-04x", &d) != 0);
	TEST_CHECK("short", date_parse("2025-9-4", &d) != 0);
	TEST_CHECK("2025-09-04 is a Thursday", date_weekday(20335) == 4);
	date_to_ymd(date_from_ymd(2000, 2, 29), &y, &m, &dd);
	TEST_CHECK("round trip", y == 2000 && m == 2 && dd == 29);
}

static void
test_symbols(void)
{
	static const char *const known[] = { "SIM_STOCK", "SIM_VALUE" };
	char out[SYMBOL_MAX + 1], *cause = NULL;
	size_t i;
	static const char *const bad[] = { "", "../x", "A B", "X;rm", "$(id)",
		"ABCDEFGHIJKLMNOPQRSTU", "-x", "a/b", "A..B", "\xc3\xa9" };
	static const struct {
		const char *prompt, *want;
	} prompts[] = {
		{ "Analyze SIM_STOCK Stock for Investment purposes.",
		    "SIM_STOCK" },
		{ "Analyze SIM_STOCK for investment purposes", "SIM_STOCK" },
		{ "analyze sim_stock stock", "SIM_STOCK" },
		{ "How is the ticker sim_value doing?", "SIM_VALUE" },
		{ "Analyze AAPL stock for investment", "AAPL" },
		{ "what about $msft today", "MSFT" },
		{ "Stock analysis for BRK.B please", "BRK.B" },
	};

	TEST_CHECK("normalises case",
	    symbol_normalize("sim_stock", out, &cause) == 0 &&
		strcmp(out, "SIM_STOCK") == 0);
	TEST_CHECK("index symbol", symbol_normalize("^GSPC", out, &cause) == 0);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cause = NULL;
		TEST_CHECK(bad[i],
		    symbol_normalize(bad[i], out, &cause) != 0 &&
			cause != NULL && strchr(cause, '\n') == NULL);
		free(cause);
	}
	for (i = 0; i < sizeof prompts / sizeof *prompts; i++) {
		cause = NULL;
		TEST_CHECK(prompts[i].prompt,
		    symbol_from_prompt(prompts[i].prompt, known, 2, out,
			&cause) == 0);
		TEST_STREQ(prompts[i].prompt, out, prompts[i].want);
		free(cause);
	}
	cause = NULL;
	TEST_CHECK("no ticker",
	    symbol_from_prompt("analyze the stock for "
			       "investment",
		known, 2, out, &cause) != 0);
	free(cause);
}

static void
test_schema(void)
{
	const char *schema_text =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"symbol\":{\"type\":\"string\",\"pattern\":\"^[A-Z_]{1,5}$\"},"
	    "\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":9},"
	    "\"mode\":{\"enum\":[\"a\",\"b\"]},"
	    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	    "\"maxItems\":2}},"
	    "\"required\":[\"symbol\"],\"additionalProperties\":false}";
	static const struct {
		const char *json;
		int ok;
	} cases[] = {
		{ "{\"symbol\":\"ABC\"}", 1 },
		{ "{\"symbol\":\"ABC\",\"n\":3,\"mode\":\"b\"}", 1 },
		{ "{\"symbol\":\"ABC\",\"tags\":[\"x\",\"y\"]}", 1 },
		{ "{}", 0 },
		{ "{\"symbol\":\"abc\"}", 0 },
		{ "{\"symbol\":3}", 0 },
		{ "{\"symbol\":\"ABC\",\"n\":3.5}", 0 },
		{ "{\"symbol\":\"ABC\",\"n\":0}", 0 },
		{ "{\"symbol\":\"ABC\",\"mode\":\"c\"}", 0 },
		{ "{\"symbol\":\"ABC\",\"extra\":1}", 0 },
		{ "{\"symbol\":\"ABC\",\"tags\":[1]}", 0 },
		{ "{\"symbol\":\"ABC\",\"tags\":[\"a\",\"b\",\"c\"]}", 0 },
		{ "[]", 0 },
	};
	cJSON *schema = cJSON_Parse(schema_text), *v;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		v = cJSON_Parse(cases[i].json);
		cause = NULL;
		TEST_CHECK(cases[i].json,
		    (jsonschema_validate(schema, v, &cause) == 0) ==
			cases[i].ok);
		TEST_CHECK("a failure says where",
		    cases[i].ok || (cause != NULL && cause[0] == '$'));
		free(cause);
		cJSON_Delete(v);
	}
	cJSON_Delete(schema);
}

/* Writes TEXT to PATH (a test's scratch file). */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* Loads TEXT as a config file into a new set; *cause on failure. */
static int
load_text(const char *path, const char *text, struct settings **out,
    char **cause)
{
	write_file(path, text);
	*out = settings_new();
	return settings_load_file(*out, path, 0, cause);
}

static void
test_settings_precedence(const char *path)
{
	struct settings *s;
	char *cause = NULL, where[300];

	TEST_CHECK("load",
	    load_text(path,
		"# comment\nmodel = file-model\n"
		"out = \"/srv/r\"\n[stockagent]\nno_pdf = yes\n[other]\n"
		"source = x\n",
		&s, &cause) == 0);
	TEST_STREQ("file value", settings_string(s, "model"), "file-model");
	snprintf(where, sizeof where, "%s:2", path);
	TEST_STREQ("file origin is FILE:LINE", settings_origin(s, "model"),
	    where);
	TEST_STREQ("quoted", settings_string(s, "out"), "/srv/r");
	TEST_CHECK("[stockagent] section, yes is true",
	    settings_bool(s, "no_pdf") == 1);
	TEST_STREQ("default", settings_string(s, "provider"), "auto");
	TEST_STREQ("default origin", settings_origin(s, "provider"), "default");
	TEST_CHECK("unset", settings_string(s, "s3") == NULL);
	TEST_STREQ("unset origin", settings_origin(s, "s3"), "unset");
	TEST_NEAR("number default", settings_number(s, "risk_free_rate"), 0.04,
	    0, 0);
	TEST_CHECK("int default", settings_int(s, "recursion_limit") == 25);
	setenv("STOCKAGENT_MODEL", "env-model", 1);
	TEST_STREQ("env beats file", settings_string(s, "model"), "env-model");
	TEST_STREQ("env origin", settings_origin(s, "model"),
	    "STOCKAGENT_MODEL");
	TEST_CHECK("flag",
	    settings_set(s, "model", "flag-model", "--model", &cause) == 0);
	TEST_STREQ("flag beats env", settings_string(s, "model"), "flag-model");
	TEST_STREQ("flag origin", settings_origin(s, "model"), "--model");
	unsetenv("STOCKAGENT_MODEL");
	settings_free(s);
}

/* A bad VALUE for NAME in the file fails naming NAME, the line and HINT. */
static void
check_bad_file_value(const char *path, const char *name, const char *value,
    const char *hint)
{
	struct settings *s;
	char text[200], *cause = NULL, where[300];
	int rc;

	snprintf(text, sizeof text, "model = a\n%s = %s\n", name, value);
	snprintf(where, sizeof where, "%s:2", path);
	rc = load_text(path, text, &s, &cause);
	TEST_CHECK(name,
	    rc != 0 && cause != NULL && strstr(cause, name) &&
		strstr(cause, where) && strstr(cause, hint));
	if (rc == 0 || cause == NULL || strstr(cause, hint) == NULL)
		printf("  %s = %s: %s\n", name, value, cause ? cause : "ok");
	free(cause);
	settings_free(s);
}

static void
test_settings_bad_values(const char *path)
{
	struct settings *s = settings_new();
	char *cause = NULL;

	check_bad_file_value(path, "risk_free_rate", "abc", "from -0.5 to 1");
	check_bad_file_value(path, "risk_free_rate", "0.04x", "a number");
	check_bad_file_value(path, "risk_free_rate", "nan", "a number");
	check_bad_file_value(path, "recursion_limit", "-5", "whole number");
	check_bad_file_value(path, "recursion_limit", "0", "from 1 to");
	check_bad_file_value(path, "recursion_limit", "abc", "whole number");
	check_bad_file_value(path, "recursion_limit",
	    "1000000000000000000000"
	    "000000000",
	    "whole number");
	check_bad_file_value(path, "no_pdf", "maybe", "true or false");
	check_bad_file_value(path, "paper", "legal", "letter or a4");
	check_bad_file_value(path, "format", "xml",
	    "text, json, ndjson or csv");
	TEST_CHECK("flag temperature nan",
	    settings_set(s, "temperature", "nan", "--temperature", &cause) !=
		    0 &&
		strstr(cause, "--temperature") != NULL);
	free(cause);
	cause = NULL;
	setenv("STOCKAGENT_SEED", "-1", 1);
	TEST_CHECK("bad variable named",
	    settings_check(s, &cause) != 0 &&
		strstr(cause, "STOCKAGENT_SEED") != NULL);
	unsetenv("STOCKAGENT_SEED");
	free(cause);
	cause = NULL;
	TEST_CHECK("true spellings",
	    settings_set(s, "no_pdf", "On", "t", &cause) == 0 &&
		settings_bool(s, "no_pdf") == 1);
	TEST_CHECK("false spellings",
	    settings_set(s, "no_pdf", "FALSE", "t", &cause) == 0 &&
		settings_bool(s, "no_pdf") == 0);
	TEST_CHECK("unknown setting",
	    settings_set(s, "modle", "x", "t", &cause) != 0);
	free(cause);
	settings_free(s);
}

static void
test_settings_files(const char *path)
{
	struct settings *s;
	char *cause = NULL;

	TEST_CHECK("bad line",
	    load_text(path, "model = a\nthis is wrong\n", &s, &cause) != 0 &&
		strstr(cause, ":2:") != NULL);
	free(cause);
	cause = NULL;
	settings_free(s);
	s = settings_new();
	write_file(path, "modle = bedrock:x\n");
	TEST_CHECK("unknown key warns only",
	    settings_load_file(s, path, 0, &cause) == 0 &&
		strcmp(settings_string(s, "model"), "builtin") == 0);
	TEST_CHECK("missing named file",
	    settings_load_file(s, "/nonexistent/cfg", 0, &cause) != 0);
	free(cause);
	cause = NULL;
	TEST_CHECK("a directory is refused",
	    settings_load_file(s, "/tmp", 1, &cause) != 0 &&
		strstr(cause, "directory") != NULL);
	free(cause);
	cause = NULL;
	TEST_CHECK("missing default file",
	    settings_load_file(s, "/nonexistent/cfg", 1, &cause) == 0);
	settings_free(s);
}

/* redact_text(IN) is WANT. */
static void
check_redact(const char *in, const char *want)
{
	char *r = redact_text(in);

	TEST_STREQ(in, r, want);
	free(r);
}

static void
test_redact(void)
{
	check_redact("openai:http://user:hunter2pw@127.0.0.1:18082/v1#m",
	    "openai:http://user:***@127.0.0.1:18082/v1#m");
	check_redact("see https://tok@h/p?a=1&apikey=SECRET&b=2#key=z now",
	    "see https://***@h/p?a=1&apikey=***&b=2#key=z now");
	check_redact("'http://u:p@h:1/v1': refused",
	    "'http://u:***@h:1/v1': refused");
	check_redact("http://h/a?Key=1&x=2&TOKEN=&X-Amz-Signature=ab",
	    "http://h/a?Key=***&x=2&TOKEN=***&X-Amz-Signature=***");
	check_redact("bedrock:openai.gpt-oss-120b-1:0?region=us-west-2",
	    "bedrock:openai.gpt-oss-120b-1:0?region=us-west-2");
	check_redact("no url, user:pass@host", "no url, user:pass@host");
	check_redact("", "");
	check_redact(NULL, "");
	TEST_CHECK("has secret", redact_has_secret("http://a:b@c/"));
	TEST_CHECK("has none", !redact_has_secret("http://c/?q=1"));
}

static void
test_settings(void)
{
	char path[] = "/tmp/stockagent-unit-XXXXXX";
	int fd = mkstemp(path);

	close(fd);
	test_settings_precedence(path);
	test_settings_bad_values(path);
	test_settings_files(path);
	unlink(path);
}

static void
test_builtin(void)
{
	struct model_request req;
	struct model_response resp;
	struct model *m;
	cJSON *msgs = cJSON_CreateArray(),
	      *tools = cJSON_Parse(
		  "[{\"name\":\"t\",\"parameters\":{\"type\":\"object\","
		  "\"properties\":{\"symbol\":{\"type\":\"string\"}}}}]");
	char *cause = NULL;
	int ue;

	m = model_open("builtin", NULL, &ue, &cause);
	TEST_CHECK("open builtin", m != NULL && model_is_builtin(m));
	TEST_CHECK("unknown scheme",
	    model_open("nope:x", NULL, &ue, &cause) == NULL && ue == 1);
	free(cause);
	memset(&req, 0, sizeof req);
	req.messages = msgs;
	req.tools = tools;
	cJSON_AddItemToArray(msgs,
	    model_message("user",
		"Do it.\n\n"
		"Context:\n{\"symbol\":\"SIM_STOCK\",\"as_of\":\"2025-09-"
		"04\"}"));
	TEST_CHECK("chat", model_chat(m, &req, &resp, &cause) == 0);
	TEST_CHECK("calls the tool",
	    resp.n_calls == 1 && strcmp(resp.calls[0].name, "t") == 0);
	TEST_STREQ("only the tool's parameters", resp.calls[0].arguments,
	    "{\"symbol\":\"SIM_STOCK\"}");
	model_response_clear(&resp);
	cJSON_AddItemToArray(msgs,
	    cJSON_Parse(
		"{\"role\":\"tool\","
		"\"tool_call_id\":\"builtin-1\",\"name\":\"t\",\"content\":"
		"\"{\\\"summary\\\":\\\"all done\\\"}\"}"));
	TEST_CHECK("chat 2", model_chat(m, &req, &resp, &cause) == 0);
	TEST_CHECK("answers with the summary",
	    resp.n_calls == 0 && strcmp(resp.content, "all done") == 0);
	model_response_clear(&resp);
	model_close(m);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
}

int
main(void)
{
	test_dates();
	test_symbols();
	test_schema();
	test_settings();
	test_redact();
	test_builtin();
	return TEST_REPORT();
}
