/*
 * agent.c: the model <-> tool loop every agent runs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "model/model-prices.h"
#include "model/model.h"
#include "tools/tool.h"

/* One agent's bookkeeping while it runs. */
struct agent_run {
	const struct agent_spec *spec;
	struct agent_env *env;
	const struct tool_entry *tool;
	const char *date; /* the run's as-of date, borrowed from the state */
	cJSON *messages;  /* the conversation so far */
	cJSON *usage;	  /* one object per model call */
	cJSON *result;	  /* the tool's latest good result */
	char *answer;	  /* the model's final answer */
	char *why;	  /* why the model's part failed, if it did */
	long tokens;
	int bad_args;
};

static cJSON *
agent_user_message(const struct agent_spec *spec, const cJSON *state)
{
	char *task = NULL, *ctxtext, *text;
	cJSON *ctx = NULL, *msg;

	spec->task(state, &task, &ctx);
	ctxtext = cJSON_PrintUnformatted(ctx);
	text = xasprintf("%s\n\nContext:\n%s", task, ctxtext);
	msg = model_message("user", text);
	free(text);
	free(ctxtext);
	free(task);
	cJSON_Delete(ctx);
	return msg;
}

static void
agent_record_usage(struct agent_run *r, const struct model_response *resp)
{
	cJSON *u = cJSON_CreateObject();
	double cost;

	cJSON_AddStringToObject(u, "agent", r->spec->name);
	cJSON_AddStringToObject(u, "model", model_name(r->env->model));
	cJSON_AddNumberToObject(u, "prompt_tokens",
	    (double)resp->prompt_tokens);
	cJSON_AddNumberToObject(u, "completion_tokens",
	    (double)resp->completion_tokens);
	cJSON_AddNumberToObject(u, "latency_ms", resp->latency_ms);
	cost = model_prices_cost(r->env->prices, model_id(r->env->model),
	    resp->prompt_tokens, resp->completion_tokens);
	if (cost >= 0)
		cJSON_AddNumberToObject(u, "cost_usd", cost);
	cJSON_AddStringToObject(u, "stop_reason",
	    resp->stop_reason != NULL ? resp->stop_reason : "");
	cJSON_AddItemToArray(r->usage, u);
	r->tokens += resp->prompt_tokens + resp->completion_tokens;
}

static void
agent_add_assistant(struct agent_run *r, const struct model_response *resp)
{
	cJSON *msg = model_message("assistant", resp->content), *calls, *c;
	size_t i;

	if (resp->reasoning != NULL && *resp->reasoning != '\0') {
		cJSON_AddStringToObject(msg, "reasoning", resp->reasoning);
		if (r->env->show_reasoning)
			fprintf(stderr, "[%s reasoning] %s\n", r->spec->name,
			    resp->reasoning);
	}
	if (resp->n_calls > 0) {
		calls = cJSON_AddArrayToObject(msg, "tool_calls");
		for (i = 0; i < resp->n_calls; i++) {
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "id", resp->calls[i].id);
			cJSON_AddStringToObject(c, "name", resp->calls[i].name);
			cJSON_AddStringToObject(c, "arguments",
			    resp->calls[i].arguments != NULL ?
				resp->calls[i].arguments :
				"{}");
			cJSON_AddItemToArray(calls, c);
		}
	}
	cJSON_AddItemToObject(msg, "agent", cJSON_CreateString(r->spec->name));
	cJSON_AddItemToArray(r->messages, msg);
}

static void
agent_tool_error(struct agent_run *r, const struct model_tool_call *call,
    const char *error)
{
	cJSON *err = cJSON_CreateObject();

	cJSON_AddStringToObject(err, "error", error);
	cJSON_AddItemToArray(r->messages,
	    model_tool_result(call->id, call->name, err));
	cJSON_Delete(err);
}

/* Runs one tool call; returns 0, or an exit code that ends the run. */
static int
agent_do_call(struct agent_run *r, const struct model_tool_call *call,
    char **cause)
{
	cJSON *result = NULL, *shown;
	char *why = NULL;
	int rc;

	if (call->name == NULL || strcmp(call->name, r->tool->name) != 0) {
		agent_tool_error(r, call,
		    "unknown tool; the only tool is "
		    "the one in the tool list");
		r->bad_args++;
		return 0;
	}
	rc = tool_call(r->env->tools, r->tool, call->arguments, &result, &why);
	if (rc == TOOL_EARGS) {
		log_debug("%s: %s", r->spec->name, why);
		agent_tool_error(r, call, why);
		free(why);
		r->bad_args++;
		return 0;
	}
	if (rc != 0) {
		*cause = why;
		return rc;
	}
	shown = tool_result_for_model(r->tool, result);
	cJSON_AddItemToArray(r->messages,
	    model_tool_result(call->id, call->name, shown));
	cJSON_Delete(shown);
	cJSON_Delete(r->result);
	r->result = result;
	return 0;
}

/*
 * The model's part: turns until it answers. Returns 0 (r->result may still
 * be NULL when the model never ran the tool: r->why says why), or an exit
 * code from a tool that failed for reasons no model can change.
 */
static int
agent_model_loop(struct agent_run *r, const cJSON *tools, char **cause)
{
	struct model_request req = { 0 };
	struct model_response resp;
	char *err = NULL;
	size_t i;
	int step, rc;

	req.messages = r->messages;
	req.tools = tools;
	req.tool_choice = "auto";
	req.date = r->date;
	req.params.temperature = -1;
	req.params.top_p = -1;
	req.params.seed = -1;
	for (step = 0; step < r->env->max_steps; step++) {
		if (model_chat(r->env->model, &req, &resp, &err) != 0) {
			/* A failed call may still have spent tokens (a local
			 * model that wrote no valid answer): count them. */
			if (resp.prompt_tokens > 0)
				agent_record_usage(r, &resp);
			model_response_clear(&resp);
			r->why = xasprintf("model error: %s", err);
			free(err);
			return 0;
		}
		agent_record_usage(r, &resp);
		agent_add_assistant(r, &resp);
		if (resp.n_calls == 0) {
			free(r->answer);
			r->answer = xstrdup(resp.content ? resp.content : "");
			model_response_clear(&resp);
			break;
		}
		for (i = 0, rc = 0; i < resp.n_calls && rc == 0; i++)
			rc = agent_do_call(r, &resp.calls[i], cause);
		model_response_clear(&resp);
		if (rc != 0)
			return rc;
		if (r->bad_args > r->env->max_bad_args) {
			r->why = xasprintf("the model called %s with invalid "
					   "arguments %d times",
			    r->tool->name, r->bad_args);
			return 0;
		}
		if (r->env->token_budget > 0 &&
		    r->tokens > r->env->token_budget) {
			r->why = xasprintf("token budget of %ld exceeded",
			    r->env->token_budget);
			return 0;
		}
	}
	if (r->result == NULL && r->why == NULL)
		r->why = xasprintf("the model never called %s", r->tool->name);
	return 0;
}

/*
 * Records in UPDATE that the model's part failed (r->why), or fails the
 * step with EXIT_MODEL under --no-fallback. The caller then runs the
 * built-in policy if the tool never ran.
 */
static int
agent_fallback(struct agent_run *r, cJSON *update, char **cause)
{
	cJSON *fb, *arr;

	if (r->env->no_fallback) {
		*cause = xasprintf("%s agent: %s (fallback disabled by "
				   "--no-fallback)",
		    r->spec->name, r->why);
		return EXIT_MODEL;
	}
	log_warn("%s agent: %s; %s", r->spec->name, r->why,
	    r->result == NULL ?
		"using the built-in policy for this step" :
		"keeping the tool's result without the model's answer");
	fb = cJSON_CreateObject();
	cJSON_AddStringToObject(fb, "agent", r->spec->name);
	cJSON_AddStringToObject(fb, "reason", r->why);
	arr = cJSON_AddArrayToObject(update, "fallbacks");
	cJSON_AddItemToArray(arr, fb);
	return 0;
}

static int
agent_builtin_pass(struct agent_run *r, const cJSON *tools, char **cause)
{
	struct model *saved = r->env->model, *builtin;
	int usage_error, rc;

	builtin = model_open("builtin", NULL, &usage_error, cause);
	if (builtin == NULL)
		return EXIT_FAILURE_ANY;
	r->env->model = builtin;
	r->bad_args = 0;
	free(r->answer);
	r->answer = NULL;
	rc = agent_model_loop(r, tools, cause);
	r->env->model = saved;
	model_close(builtin);
	if (rc == 0 && r->result == NULL) {
		*cause = xasprintf("%s agent: the built-in policy could not "
				   "run %s: %s",
		    r->spec->name, r->tool->name, r->why);
		rc = EXIT_FAILURE_ANY;
	}
	return rc;
}

static void
agent_run_free(struct agent_run *r)
{
	cJSON_Delete(r->messages);
	cJSON_Delete(r->usage);
	cJSON_Delete(r->result);
	free(r->answer);
	free(r->why);
}

int
agent_run(const struct agent_spec *spec, struct agent_env *env,
    const cJSON *state, cJSON **update_out, char **cause)
{
	struct agent_run r = { spec, env, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, 0, 0 };
	cJSON *tools = NULL, *update = cJSON_CreateObject();
	int rc, fell_back = 0;

	*update_out = NULL;
	if ((r.tool = tool_find(spec->tool)) == NULL) {
		*cause = xasprintf("%s agent: no tool %s", spec->name,
		    spec->tool);
		rc = EXIT_FAILURE_ANY;
		goto out;
	}
	tools = cJSON_CreateArray();
	cJSON_AddItemToArray(tools, tool_spec(r.tool));
	r.date = jsonutil_string(state, "request.as_of");
	r.messages = cJSON_CreateArray();
	r.usage = cJSON_CreateArray();
	cJSON_AddItemToArray(r.messages,
	    model_message("system", spec->role_prompt));
	cJSON_AddItemToArray(r.messages, agent_user_message(spec, state));
	if ((rc = agent_model_loop(&r, tools, cause)) != 0)
		goto out;
	/* The model's part failed (r.why): record it; run the built-in
	 * policy when the tool never ran, else keep the tool's result and
	 * leave the model's answer out. */
	if (r.why != NULL) {
		if ((rc = agent_fallback(&r, update, cause)) != 0)
			goto out;
		fell_back = 1;
		if (r.result == NULL &&
		    (rc = agent_builtin_pass(&r, tools, cause)) != 0)
			goto out;
	}
	cJSON_AddItemToObject(update, r.tool->state_key, r.result);
	r.result = NULL;
	cJSON_AddItemToObject(update, "messages", r.messages);
	cJSON_AddItemToObject(update, "usage", r.usage);
	r.messages = r.usage = NULL;
	/* After the messages are in: on_answer may check against them. */
	if (!fell_back && spec->on_answer != NULL && r.answer != NULL &&
	    !model_is_builtin(env->model))
		spec->on_answer(r.answer, state, update);
	*update_out = update;
	update = NULL;
	rc = 0;
out:
	cJSON_Delete(tools);
	cJSON_Delete(update);
	agent_run_free(&r);
	return rc;
}
