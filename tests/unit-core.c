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
#include "model/model.h"
#include "lib/settings.h"
#include "tests/testlib.h"
#include "tools/symbol.h"

static void
test_dates(void)
{
	int32_t d;
	char buf[DATE_STR_SIZE];
	int y, m, dd;

	TEST_CHECK("1970-01-01 is day 0", date_parse("1970-01-01", &d) == 0 &&
	    d == 0);
	TEST_CHECK("2025-09-04", date_parse("2025-09-04", &d) == 0 &&
	    d == 20335);
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

	TEST_CHECK("normalises case", symbol_normalize("sim_stock", out,
	    &cause) == 0 && strcmp(out, "SIM_STOCK") == 0);
	TEST_CHECK("index symbol", symbol_normalize("^GSPC", out, &cause) == 0);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cause = NULL;
		TEST_CHECK(bad[i], symbol_normalize(bad[i], out, &cause) != 0 &&
		    cause != NULL && strchr(cause, '\n') == NULL);
		free(cause);
	}
	for (i = 0; i < sizeof prompts / sizeof *prompts; i++) {
		cause = NULL;
		TEST_CHECK(prompts[i].prompt, symbol_from_prompt(
		    prompts[i].prompt, known, 2, out, &cause) == 0);
		TEST_STREQ(prompts[i].prompt, out, prompts[i].want);
		free(cause);
	}
	cause = NULL;
	TEST_CHECK("no ticker", symbol_from_prompt("analyze the stock for "
	    "investment", known, 2, out, &cause) != 0);
	free(cause);
}

static void
test_schema(void)
{
	const char *schema_text = "{\"type\":\"object\",\"properties\":{"
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
		TEST_CHECK("a failure says where", cases[i].ok ||
		    (cause != NULL && cause[0] == '$'));
		free(cause);
		cJSON_Delete(v);
	}
	cJSON_Delete(schema);
}

static void
test_settings(void)
{
	struct settings *s = settings_new();
	char path[] = "/tmp/stockagent-unit-XXXXXX", *cause = NULL;
	FILE *f;
	int fd = mkstemp(path);

	f = fdopen(fd, "w");
	fprintf(f, "# comment\nmodel = file-model\nout = \"/srv/r\"\n"
	    "[prices]\nsource = x\n");
	fclose(f);
	TEST_CHECK("load", settings_load_file(s, path, 0, &cause) == 0);
	TEST_STREQ("file value", settings_get(s, "model"), "file-model");
	TEST_STREQ("quoted", settings_get(s, "out"), "/srv/r");
	TEST_STREQ("section key", settings_get(s, "prices.source"), "x");
	TEST_STREQ("default", settings_get(s, "provider"), "sim");
	setenv("STOCKAGENT_MODEL", "env-model", 1);
	TEST_STREQ("env beats file", settings_get(s, "model"), "env-model");
	TEST_STREQ("source env", settings_source(s, "model"), "environment");
	settings_set(s, "model", "flag-model");
	TEST_STREQ("flag beats env", settings_get(s, "model"), "flag-model");
	unsetenv("STOCKAGENT_MODEL");
	settings_free(s);
	s = settings_new();
	f = fopen(path, "w");
	fprintf(f, "model = a\nthis line is wrong\n");
	fclose(f);
	TEST_CHECK("bad line", settings_load_file(s, path, 0, &cause) != 0 &&
	    strstr(cause, "line 2") != NULL);
	free(cause);
	cause = NULL;
	TEST_CHECK("missing named file", settings_load_file(s,
	    "/nonexistent/cfg", 0, &cause) != 0);
	free(cause);
	TEST_CHECK("missing default file", settings_load_file(s,
	    "/nonexistent/cfg", 1, &cause) == 0);
	settings_free(s);
	unlink(path);
}

static void
test_builtin(void)
{
	struct model_request req;
	struct model_response resp;
	struct model *m;
	cJSON *msgs = cJSON_CreateArray(), *tools = cJSON_Parse(
	    "[{\"name\":\"t\",\"parameters\":{\"type\":\"object\","
	    "\"properties\":{\"symbol\":{\"type\":\"string\"}}}}]");
	char *cause = NULL;
	int ue;

	m = model_open("builtin", NULL, &ue, &cause);
	TEST_CHECK("open builtin", m != NULL && model_is_builtin(m));
	TEST_CHECK("unknown scheme", model_open("nope:x", NULL, &ue, &cause) ==
	    NULL && ue == 1);
	free(cause);
	memset(&req, 0, sizeof req);
	req.messages = msgs;
	req.tools = tools;
	cJSON_AddItemToArray(msgs, model_message("user", "Do it.\n\n"
	    "Context:\n{\"symbol\":\"SIM_STOCK\",\"as_of\":\"2025-09-04\"}"));
	TEST_CHECK("chat", model_chat(m, &req, &resp, &cause) == 0);
	TEST_CHECK("calls the tool", resp.n_calls == 1 &&
	    strcmp(resp.calls[0].name, "t") == 0);
	TEST_STREQ("only the tool's parameters", resp.calls[0].arguments,
	    "{\"symbol\":\"SIM_STOCK\"}");
	model_response_clear(&resp);
	cJSON_AddItemToArray(msgs, cJSON_Parse("{\"role\":\"tool\","
	    "\"tool_call_id\":\"builtin-1\",\"name\":\"t\",\"content\":"
	    "\"{\\\"summary\\\":\\\"all done\\\"}\"}"));
	TEST_CHECK("chat 2", model_chat(m, &req, &resp, &cause) == 0);
	TEST_CHECK("answers with the summary", resp.n_calls == 0 &&
	    strcmp(resp.content, "all done") == 0);
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
	test_builtin();
	return TEST_REPORT();
}
