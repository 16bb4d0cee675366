/*
 * cmd-models.c: stockagent models list | check URI.
 *
 * "check" sends one small request with one tool to the model and reports
 * what came back: latency, tokens, whether the model called the tool and
 * gave reasoning, the stop reason. It is how a user finds out that a URI,
 * its credentials and the endpoint work before running an analysis.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "src/cmd.h"
#include "src/output.h"

extern const struct cmd_entry cmd_models_entry;

#define MODELS_CHECK_TOKENS 512

enum {
	OPT_REASONING = 256,
	OPT_MAX_TOKENS,
};

static const struct option cmd_models_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "reasoning", required_argument, NULL, OPT_REASONING },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ NULL, 0, NULL, 0 },
};

static int
cmd_models_list(void)
{
	const char *scheme, *summary;
	size_t i;

	for (i = 0; model_backend_at(i, &scheme, &summary) == 0; i++)
		printf("%-10s %s\n", scheme, summary);
	return EXIT_OK;
}

/* The probe: a system line, a user line and one tool. */
static void
cmd_models_probe(cJSON **messages, cJSON **tools)
{
	*messages = cJSON_CreateArray();
	cJSON_AddItemToArray(*messages,
	    model_message("system",
		"You are a "
		"connectivity check. Be brief."));
	cJSON_AddItemToArray(*messages,
	    model_message("user",
		"Call the "
		"echo tool with text \"ok\"."));
	*tools = cJSON_Parse(
	    "[{\"name\":\"echo\",\"description\":\"Echoes "
	    "its text back.\",\"parameters\":{\"type\":\"object\","
	    "\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":"
	    "[\"text\"]}}]");
}

/* Whether the probe's tool call named echo with a string "text". */
static int
cmd_models_args_ok(const struct model_tool_call *c)
{
	cJSON *args = cJSON_Parse(c->arguments);
	int ok = strcmp(c->name, "echo") == 0 &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(args, "text"));

	cJSON_Delete(args);
	return ok;
}

static cJSON *
cmd_models_report(const struct model *m, const struct model_response *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "model", model_name(m));
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddNumberToObject(o, "latency_ms", r->latency_ms);
	cJSON_AddNumberToObject(o, "prompt_tokens", (double)r->prompt_tokens);
	cJSON_AddNumberToObject(o, "completion_tokens",
	    (double)r->completion_tokens);
	cJSON_AddStringToObject(o, "stop_reason",
	    r->stop_reason != NULL ? r->stop_reason : "");
	cJSON_AddBoolToObject(o, "tool_calls", r->n_calls > 0);
	cJSON_AddBoolToObject(o, "tool_arguments_valid",
	    r->n_calls > 0 && cmd_models_args_ok(&r->calls[0]));
	cJSON_AddBoolToObject(o, "reasoning",
	    r->reasoning != NULL && *r->reasoning != '\0');
	cJSON_AddStringToObject(o, "answer",
	    r->content != NULL ? r->content : "");
	return o;
}

static void
cmd_models_print(const cJSON *o, int json)
{
	char *text;

	if (json) {
		text = jsonutil_print_text(o, 1);
		printf("%s\n", text);
		free(text);
		return;
	}
	printf("model:       %s\n",
	    cJSON_GetObjectItem(o, "model")->valuestring);
	printf("reachable:   yes, %.0f ms\n",
	    cJSON_GetObjectItem(o, "latency_ms")->valuedouble);
	printf("tokens:      %.0f prompt, %.0f completion\n",
	    cJSON_GetObjectItem(o, "prompt_tokens")->valuedouble,
	    cJSON_GetObjectItem(o, "completion_tokens")->valuedouble);
	printf("tool calls:  %s\n",
	    !cJSON_IsTrue(cJSON_GetObjectItem(o, "tool_calls")) ?
		"no (the agents will fall back to the built-in "
		"policy)" :
		cJSON_IsTrue(cJSON_GetObjectItem(o, "tool_arguments_valid")) ?
		"yes" :
		"yes, but with invalid "
		"arguments");
	printf("reasoning:   %s\n",
	    cJSON_IsTrue(cJSON_GetObjectItem(o, "reasoning")) ? "yes" : "no");
	printf("stop reason: %s\n",
	    cJSON_GetObjectItem(o, "stop_reason")->valuestring);
}

static int
cmd_models_check(const char *uri, const struct model_params *p, int json)
{
	struct model_request req = { 0 };
	struct model_response resp;
	cJSON *messages = NULL, *tools = NULL, *o;
	struct model *m;
	char *cause = NULL;
	int failure, rc = EXIT_OK;

	if ((m = model_open(uri, p, &failure, &cause)) == NULL) {
		log_error("%s", cause);
		free(cause);
		return model_failure_exit(failure);
	}
	cmd_models_probe(&messages, &tools);
	req.messages = messages;
	req.tools = tools;
	req.tool_choice = "auto";
	req.params = (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	if (model_chat(m, &req, &resp, &cause) != 0) {
		log_error("%s: %s", model_name(m), cause);
		free(cause);
		rc = EXIT_MODEL;
	} else {
		o = cmd_models_report(m, &resp);
		cmd_models_print(o, json);
		cJSON_Delete(o);
	}
	model_response_clear(&resp);
	cJSON_Delete(messages);
	cJSON_Delete(tools);
	model_close(m);
	return rc;
}

/* list and check: ARGV[0] names the subcommand. */
static int
cmd_models_sub(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_models_entry;
	const char *reasoning = NULL, *max_tokens = NULL;
	struct model_params p;
	char *cause = NULL;
	int c, json = 0, list = strcmp(argv[0], "list") == 0;
	char tokens[16];

	while ((c = cmd_getopt(e, argc, argv, "f:", cmd_models_longopts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'f' && strcmp(optarg, "json") != 0 &&
		    strcmp(optarg, "text") != 0)
			return cmd_usage_error(e,
			    "invalid --format '%s': use "
			    "text or json",
			    optarg);
		json = c == 'f' ? strcmp(optarg, "json") == 0 : json;
		reasoning = c == OPT_REASONING ? optarg : reasoning;
		max_tokens = c == OPT_MAX_TOKENS ? optarg : max_tokens;
	}
	if (list && optind == argc)
		return cmd_models_list();
	if (list || optind + 1 != argc)
		return cmd_usage_error(e, "expected 'list' or 'check URI'");
	if (max_tokens == NULL) {
		snprintf(tokens, sizeof tokens, "%d", MODELS_CHECK_TOKENS);
		max_tokens = tokens;
	}
	if (model_params_parse(reasoning, NULL, max_tokens, NULL, &p, &cause) !=
	    0) {
		c = cmd_usage_error(e, "%s", cause);
		free(cause);
		return c;
	}
	p.precision = settings_string(ctx->settings, "precision");
	return cmd_models_check(argv[optind], &p, json);
}

static const char *const cmd_models_formats[] = { "text", "json", NULL };

static const struct cmd_arg cmd_models_check_args[] = {
	{ NULL, CMD_VALUE_MODEL, NULL },
	{ "format", CMD_VALUE_WORDS, cmd_models_formats },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_entry cmd_models_list_entry = {
	.name = "models list",
	.usage = "",
	.summary = "the backends and their URI schemes",
	.help = "",
	.exec = cmd_models_sub,
};

static const struct cmd_entry cmd_models_check_entry = {
	.name = "models check",
	.usage = "URI [--format text|json] [--reasoning EFFORT] "
		 "[--max-tokens N]",
	.summary = "send one small request with one tool and report latency, "
		   "tokens, tool calling and reasoning (exit 4 when the model "
		   "fails)",
	.help =
	    "  --format text|json  output format (default: text)\n"
	    "  --reasoning low|medium|high  reasoning effort for the check\n"
	    "  --max-tokens N      answer limit (default: 512)\n",
	.exec = cmd_models_sub,
	.options = cmd_models_longopts,
	.args = cmd_models_check_args,
};

static const struct cmd_entry *const cmd_models_subcommands[] = {
	&cmd_models_list_entry,
	&cmd_models_check_entry,
	NULL,
};

const struct cmd_entry cmd_models_entry = {
	.name = "models",
	.usage = "list | check URI [--format text|json] [--reasoning EFFORT]",
	.summary = "list the model backends, or check that a model URI works",
	.help = "",
	.subcommands = cmd_models_subcommands,
};
