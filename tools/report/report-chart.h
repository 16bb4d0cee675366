/*
 * report-chart.h: the vector charts and the score gauge, private to
 * tools/report.
 *
 * Each chart draws into the box whose top left corner is (X, Y), W by H
 * points, from SERIES: the analysis's columnar chart series (see
 * ta_analyze), borrowed. A series that is missing or too short draws a
 * framed "not available" instead. Built on report-page.c and
 * report-json.c.
 */
#ifndef STOCKAGENT_REPORT_CHART_H
#define STOCKAGENT_REPORT_CHART_H

#include <cjson/cJSON.h>

#include "tools/report/report-page.h"

/* Close, SMA 50/200 and Bollinger bands over the volume bars. */
void report_chart_price(struct report_doc *d, const cJSON *series, float x,
    float y, float w, float h);
/* RSI (14) with the 30 and 70 lines. */
void report_chart_rsi(struct report_doc *d, const cJSON *series, float x,
    float y, float w, float h);
/* MACD, its signal line and the histogram. */
void report_chart_macd(struct report_doc *d, const cJSON *series, float x,
    float y, float w, float h);
/*
 * A small chart of a year: SERIES' "close" and "sma200" (any number of
 * points, no axes) inside a BORDER_W points BORDER frame.
 */
void report_chart_spark(struct report_doc *d, const cJSON *series, float x,
    float y, float w, float h, struct rgb border, float border_w);
/* Five blocks, SCORE (1-5, 0 for unknown) of them filled. */
void report_gauge(struct report_doc *d, int score, float x, float y, float w,
    float h);
/* The colour of SCORE (1-5; anything else is grey). */
struct rgb report_score_color(int score);

#endif
