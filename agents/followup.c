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

/* A topic of the built-in answer: words that name it, and its writer. */
struct followup_topic {
	const char *const *words;
	void (*write)(struct buf *b, const cJSON *r);
};

static double
fu_num(const cJSON *r, const char *path)
{
	return jsonutil_number(r, path);
}

static const char *
fu_str(const cJSON *r, const char *path)
{
	const char *s = jsonutil_string(r, path);

	return s != NULL ? s : "n/a";
}

/* "37.76%" or "n/a" into BUF. */
static const char *
fu_pct(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "%.2f%%", v);
	return buf;
}

static const char *
fu_fix(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "%.2f", v);
	return buf;
}

static void
fu_head(struct buf *b, const cJSON *r, const char *what)
{
	buf_printf(b, "%s of %s (%s) as of %s:\n", what,
	    fu_str(r, "market.profile.name"), fu_str(r, "symbol"),
	    fu_str(r, "as_of"));
}

static void
fu_observations(struct buf *b, const cJSON *r, const char *kind)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, jsonutil_path(r, kind))
		buf_printf(b, "- %s\n", fu_str(o, "text"));
}

static void
fu_risk(struct buf *b, const cJSON *r)
{
	char v[32], d[32], s[32], be[32];

	fu_head(b, r, "Risk");
	buf_printf(b, "Risk level %s: annual volatility %s, beta %s, maximum "
	    "drawdown %s (from %s to %s), Sharpe ratio %s.\n",
	    fu_str(r, "analysis.risk.level"),
	    fu_pct(v, sizeof v, fu_num(r, "analysis.risk.volatility_percent")),
	    fu_fix(be, sizeof be, fu_num(r, "analysis.risk.beta")),
	    fu_pct(d, sizeof d,
		fu_num(r, "analysis.risk.max_drawdown_percent")),
	    fu_str(r, "analysis.risk.max_drawdown_peak"),
	    fu_str(r, "analysis.risk.max_drawdown_trough"),
	    fu_fix(s, sizeof s, fu_num(r, "analysis.risk.sharpe")));
}

static void
fu_performance(struct buf *b, const cJSON *r)
{
	char p[32], c[32], y[32], o[32], h[32], l[32];

	fu_head(b, r, "Performance");
	buf_printf(b, "Price %s (%s on the day); year to date %s, one year "
	    "%s; 52-week range %s to %s.\n",
	    fu_fix(p, sizeof p, fu_num(r, "analysis.price")),
	    fu_pct(c, sizeof c, fu_num(r, "analysis.change_percent")),
	    fu_pct(y, sizeof y, fu_num(r, "analysis.returns.ytd_percent")),
	    fu_pct(o, sizeof o,
		fu_num(r, "analysis.returns.one_year_percent")),
	    fu_fix(l, sizeof l, fu_num(r, "analysis.range_52w.low")),
	    fu_fix(h, sizeof h, fu_num(r, "analysis.range_52w.high")));
}

static void
fu_technical(struct buf *b, const cJSON *r)
{
	char rsi[32], macd[32], s50[32], s200[32];

	fu_head(b, r, "Technicals");
	buf_printf(b, "Trend %s; RSI(14) %s, MACD %s, SMA50 %s, SMA200 %s; "
	    "technical score %g/5.\n", fu_str(r, "analysis.trend"),
	    fu_fix(rsi, sizeof rsi, fu_num(r, "analysis.indicators.rsi14")),
	    fu_fix(macd, sizeof macd, fu_num(r, "analysis.indicators.macd")),
	    fu_fix(s50, sizeof s50, fu_num(r, "analysis.indicators.sma50")),
	    fu_fix(s200, sizeof s200,
		fu_num(r, "analysis.indicators.sma200")),
	    fu_num(r, "analysis.scores.technical"));
	fu_observations(b, r, "analysis.observations.technical");
}

static void
fu_fundamental(struct buf *b, const cJSON *r)
{
	char pe[32], pb[32], dy[32], pm[32];

	fu_head(b, r, "Fundamentals");
	buf_printf(b, "P/E %s, price to book %s, dividend yield %s, profit "
	    "margin %s; fundamental score %g/5.\n",
	    fu_fix(pe, sizeof pe, fu_num(r, "market.fundamentals.pe_ratio")),
	    fu_fix(pb, sizeof pb,
		fu_num(r, "market.fundamentals.price_to_book")),
	    fu_pct(dy, sizeof dy,
		fu_num(r, "market.fundamentals.dividend_yield_percent")),
	    fu_pct(pm, sizeof pm,
		fu_num(r, "market.fundamentals.profit_margin_percent")),
	    fu_num(r, "analysis.scores.fundamental"));
	fu_observations(b, r, "analysis.observations.fundamental");
}

static void
fu_news(struct buf *b, const cJSON *r)
{
	const cJSON *n;

	fu_head(b, r, "News");
	cJSON_ArrayForEach(n, jsonutil_path(r, "market.news"))
		buf_printf(b, "- %s (%s, %s)\n", fu_str(n, "headline"),
		    fu_str(n, "source"), fu_str(n, "date"));
}

static void
fu_summary(struct buf *b, const cJSON *r)
{
	fu_head(b, r, "Summary");
	buf_printf(b, "Overall score %g/5 (%s).\n%s\n",
	    fu_num(r, "analysis.scores.overall"),
	    fu_str(r, "analysis.scores.label"),
	    fu_str(r, "analysis.narrative.text"));
}

static const char *const fu_w_risk[] = { "risk", "volatil", "drawdown",
	"beta", "sharpe", "safe", NULL };
static const char *const fu_w_perf[] = { "perform", "return", "price",
	"ytd", "gain", "loss", "52", NULL };
static const char *const fu_w_tech[] = { "technical", "trend", "rsi",
	"macd", "moving average", "sma", "indicator", "momentum", NULL };
static const char *const fu_w_fund[] = { "fundamental", "valuation", "p/e",
	"earning", "dividend", "margin", "book", NULL };
static const char *const fu_w_news[] = { "news", "headline", NULL };

static const struct followup_topic followup_topics[] = {
	{ fu_w_risk, fu_risk },
	{ fu_w_perf, fu_performance },
	{ fu_w_tech, fu_technical },
	{ fu_w_fund, fu_fundamental },
	{ fu_w_news, fu_news },
};

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
	for (i = 0; i < sizeof followup_topics / sizeof *followup_topics;
	     i++) {
		if (!fu_names(lower, followup_topics[i].words))
			continue;
		followup_topics[i].write(&b, result);
		hits++;
	}
	if (hits == 0) {
		fu_summary(&b, result);
		buf_printf(&b, "Ask about its risk, performance, technicals, "
		    "fundamentals or news for more.\n");
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

	sys = xasprintf("You answer follow-up questions about the stock "
	    "analysis below, briefly and only from its figures; say so when "
	    "it does not hold the answer. This is not investment advice.\n\n"
	    "Analysis (JSON):\n%s", json);
	cJSON_AddItemToArray(msgs, model_message("system", sys));
	cJSON_ArrayForEach(t, history) {
		const char *role = jsonutil_string(t, "role");
		const char *content = jsonutil_string(t, "content");

		if (role != NULL && content != NULL)
			cJSON_AddItemToArray(msgs, model_message(role, content));
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
	req.params = (struct model_params){ NULL, 0, -1, -1, -1 };
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
