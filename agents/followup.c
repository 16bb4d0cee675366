/*
 * followup.c: answers about an analysis already made, by a model or by
 * picking the section the question names.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/followup.h"
#include "lib/jsonutil.h"
#include "lib/xmalloc.h"
#include "model/model.h"

/* A figure of a topic: its label, where it is, and how it is shown. */
struct followup_field {
	const char *label;
	const char *path;
	char kind; /* 's' text, 'f' two decimals, '%' percent, 'g' score */
};

/* A topic of the built-in answer: words that name it, its figures. */
struct followup_topic {
	const char *const *words;
	const char *title;
	const struct followup_field *fields; /* NULL: the news list */
	const char *observations;	     /* path, or NULL */
};

static const char *
fu_str(const cJSON *r, const char *path)
{
	const char *s = jsonutil_string(r, path);

	return s != NULL ? s : "n/a";
}

static void
fu_head(struct buf *b, const cJSON *r, const char *what)
{
	buf_printf(b, "%s of %s (%s) as of %s:\n", what,
	    fu_str(r, "market.profile.name"), fu_str(r, "symbol"),
	    fu_str(r, "as_of"));
}

static void
fu_field(struct buf *b, const cJSON *r, const struct followup_field *f)
{
	double v = jsonutil_number(r, f->path);

	buf_printf(b, "%s ", f->label);
	if (f->kind == 's')
		buf_printf(b, "%s", fu_str(r, f->path));
	else if (isnan(v))
		buf_printf(b, "n/a");
	else if (f->kind == 'g')
		buf_printf(b, "%g/5", v);
	else
		buf_printf(b, "%.2f%s", v, f->kind == '%' ? "%" : "");
}

static void
fu_news(struct buf *b, const cJSON *r)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, jsonutil_path(r, "market.news"))
		buf_printf(b, "- %s (%s, %s)\n", fu_str(n, "headline"),
		    fu_str(n, "source"), fu_str(n, "date"));
}

static void
fu_topic(struct buf *b, const cJSON *r, const struct followup_topic *t)
{
	const struct followup_field *f;
	const cJSON *o;

	fu_head(b, r, t->title);
	if (t->fields == NULL) {
		fu_news(b, r);
		return;
	}
	for (f = t->fields; f->label != NULL; f++) {
		fu_field(b, r, f);
		buf_printf(b, "%s", f[1].label != NULL ? "; " : ".\n");
	}
	if (t->observations != NULL)
		cJSON_ArrayForEach(o, jsonutil_path(r, t->observations))
			buf_printf(b, "- %s\n", fu_str(o, "text"));
}

static const struct followup_field fu_f_risk[] = {
	{ "Risk level", "analysis.risk.level", 's' },
	{ "annual volatility", "analysis.risk.volatility_percent", '%' },
	{ "beta", "analysis.risk.beta", 'f' },
	{ "maximum drawdown", "analysis.risk.max_drawdown_percent", '%' },
	{ "from", "analysis.risk.max_drawdown_peak", 's' },
	{ "to", "analysis.risk.max_drawdown_trough", 's' },
	{ "Sharpe ratio", "analysis.risk.sharpe", 'f' },
	{ NULL, NULL, 0 },
};
static const struct followup_field fu_f_perf[] = {
	{ "Price", "analysis.price", 'f' },
	{ "change on the day", "analysis.change_percent", '%' },
	{ "year to date", "analysis.returns.ytd_percent", '%' },
	{ "one year", "analysis.returns.one_year_percent", '%' },
	{ "52-week low", "analysis.range_52w.low", 'f' },
	{ "52-week high", "analysis.range_52w.high", 'f' },
	{ NULL, NULL, 0 },
};
static const struct followup_field fu_f_tech[] = {
	{ "Trend", "analysis.trend", 's' },
	{ "RSI(14)", "analysis.indicators.rsi14", 'f' },
	{ "MACD", "analysis.indicators.macd", 'f' },
	{ "SMA50", "analysis.indicators.sma50", 'f' },
	{ "SMA200", "analysis.indicators.sma200", 'f' },
	{ "technical score", "analysis.scores.technical", 'g' },
	{ NULL, NULL, 0 },
};
static const struct followup_field fu_f_fund[] = {
	{ "P/E", "market.fundamentals.pe_ratio", 'f' },
	{ "price to book", "market.fundamentals.price_to_book", 'f' },
	{ "dividend yield", "market.fundamentals.dividend_yield_percent", '%' },
	{ "profit margin", "market.fundamentals.profit_margin_percent", '%' },
	{ "fundamental score", "analysis.scores.fundamental", 'g' },
	{ NULL, NULL, 0 },
};
static const struct followup_field fu_f_summary[] = {
	{ "Overall score", "analysis.scores.overall", 'g' },
	{ "verdict", "analysis.scores.label", 's' },
	{ NULL, NULL, 0 },
};

static const char *const fu_w_risk[] = { "risk", "volatil", "drawdown", "beta",
	"sharpe", "safe", NULL };
static const char *const fu_w_perf[] = { "perform", "return", "price", "ytd",
	"gain", "loss", "52", NULL };
static const char *const fu_w_tech[] = { "technical", "trend", "rsi", "macd",
	"moving average", "sma", "indicator", "momentum", NULL };
static const char *const fu_w_fund[] = { "fundamental", "valuation", "p/e",
	"earning", "dividend", "margin", "book", NULL };
static const char *const fu_w_news[] = { "news", "headline", NULL };
static const char *const fu_w_none[] = { NULL };

static const struct followup_topic followup_topics[] = {
	{ fu_w_risk, "Risk", fu_f_risk, NULL },
	{ fu_w_perf, "Performance", fu_f_perf, NULL },
	{ fu_w_tech, "Technicals", fu_f_tech,
	    "analysis.observations.technical" },
	{ fu_w_fund, "Fundamentals", fu_f_fund,
	    "analysis.observations.fundamental" },
	{ fu_w_news, "News", NULL, NULL },
};
/* When the question names no topic: the scores and the narrative. */
static const struct followup_topic followup_summary = { fu_w_none, "Summary",
	fu_f_summary, NULL };

static int
fu_names(const char *lower, const char *const *words)
{
	for (; *words != NULL; words++) {
		if (strstr(lower, *words) != NULL)
			return 1;
	}
	return 0;
}

char *
followup_builtin(const cJSON *result, const char *question)
{
	char *lower = xstrdup(question), *p;
	struct buf b;
	size_t i, hits = 0;

	for (p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	buf_init(&b, 0);
	for (i = 0; i < sizeof followup_topics / sizeof *followup_topics; i++) {
		if (!fu_names(lower, followup_topics[i].words))
			continue;
		fu_topic(&b, result, &followup_topics[i]);
		hits++;
	}
	if (hits == 0) {
		fu_topic(&b, result, &followup_summary);
		buf_printf(&b,
		    "%s\nAsk about its risk, performance, "
		    "technicals, fundamentals or news for more.\n",
		    fu_str(result, "analysis.narrative.text"));
	}
	free(lower);
	return buf_take(&b);
}

/* The messages for the model: the analysis, the turns, the question. */
static cJSON *
followup_messages(const cJSON *result, const cJSON *history,
    const char *question)
{
	cJSON *msgs = cJSON_CreateArray();
	const cJSON *t;
	char *json = jsonutil_print(result), *sys;

	sys = xasprintf(
	    "You answer follow-up questions about the stock "
	    "analysis below, briefly and only from its figures; say so when "
	    "it does not hold the answer. This is not investment advice.\n\n"
	    "Analysis (JSON):\n%s",
	    json);
	cJSON_AddItemToArray(msgs, model_message("system", sys));
	cJSON_ArrayForEach(t, history) {
		const char *role = jsonutil_string(t, "role");
		const char *content = jsonutil_string(t, "content");

		if (role != NULL && content != NULL)
			cJSON_AddItemToArray(msgs,
			    model_message(role, content));
	}
	cJSON_AddItemToArray(msgs, model_message("user", question));
	free(sys);
	free(json);
	return msgs;
}

static int
followup_model(struct model *m, const cJSON *result, const cJSON *history,
    const char *question, char **answer_out, char **cause)
{
	struct model_request req;
	struct model_response resp;
	cJSON *msgs = followup_messages(result, history, question);
	int rc;

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	req.messages = msgs;
	req.tool_choice = "none";
	req.date = jsonutil_string(result, "as_of");
	req.params = (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	rc = model_chat(m, &req, &resp, cause);
	if (rc == 0 && (resp.content == NULL || *resp.content == '\0')) {
		*cause = xstrdup("the model gave an empty answer");
		rc = -1;
	}
	if (rc == 0)
		*answer_out = xstrdup(resp.content);
	model_response_clear(&resp);
	cJSON_Delete(msgs);
	return rc;
}

int
followup_answer(struct model *m, const cJSON *result, const cJSON *history,
    const char *question, int no_fallback, char **answer_out,
    const char **source_out, char **cause)
{
	char *why = NULL;

	*source_out = "builtin";
	if (m != NULL && !model_is_builtin(m)) {
		if (followup_model(m, result, history, question, answer_out,
			&why) == 0) {
			*source_out = "model";
			return 0;
		}
		if (no_fallback) {
			*cause = why;
			return -1;
		}
		free(why);
	}
	*answer_out = followup_builtin(result, question);
	return 0;
}
