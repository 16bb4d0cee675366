/*
 * report-chart.c: the vector charts (price with SMA 50/200 and Bollinger
 * bands over volume, RSI, MACD) and the 1-5 score gauge.
 *
 * Series come from analysis.series, columnar and aligned on series.date;
 * null values (indicator warm-up) break the lines instead of dropping to
 * zero. The x axis is the trading-day index with a tick at each month's
 * first session; y ticks are "nice" steps (1, 2, 2.5, 5 x 10^k).
 *
 * Drawn with report-page.c, the series read with report-json.c; the
 * sections place the charts.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/xmalloc.h"
#include "tools/report/report-chart.h"
#include "tools/report/report-json.h"

#define AXIS_W 40.0f /* room for the right-hand value labels */
#define LABEL_SIZE 6.8f

/* A plot box and the value range mapped onto it. */
struct plot {
	float x0, x1, y0, y1; /* box, points (y0 bottom) */
	double lo, hi;	      /* values at y0 and y1 */
	size_t n;	      /* samples across x0..x1 */
};

static float
px(const struct plot *p, size_t i)
{
	float step = (p->x1 - p->x0) / (float)(p->n > 0 ? p->n : 1);

	return p->x0 + step * ((float)i + 0.5f);
}

static float
py(const struct plot *p, double v)
{
	if (p->hi <= p->lo)
		return (p->y0 + p->y1) / 2;
	return p->y0 + (float)((v - p->lo) / (p->hi - p->lo)) * (p->y1 - p->y0);
}

/* 1, 2, 2.5 or 5 times a power of ten, at least RAW. */
static double
nice_step(double raw)
{
	double mag = pow(10, floor(log10(raw))), f = raw / mag;

	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 2.5)
		return 2.5 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

/* Widens [*LO, *HI] to whole steps of about TICKS intervals; the step. */
static double
nice_range(double *lo, double *hi, int ticks)
{
	double step;

	if (!(*hi > *lo)) {
		double pad = fabs(*lo) > 0 ? fabs(*lo) * 0.05 : 1;

		*lo -= pad;
		*hi += pad;
	}
	step = nice_step((*hi - *lo) / ticks);
	*lo = floor(*lo / step) * step;
	*hi = ceil(*hi / step) * step;
	return step;
}

static void
widen(const double *v, size_t n, double *lo, double *hi)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

/* "1.2M", "850K", "225", "2.5": axis labels as short as the step allows. */
static void
fmt_tick(char *buf, size_t size, double v, double step)
{
	double a = fabs(v);

	if (a >= 1e9)
		snprintf(buf, size, "%.*fB", step >= 1e9 ? 0 : 1, v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "%.*fM", step >= 1e6 ? 0 : 1, v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, size, "%.0fK", v / 1e3);
	else if ((step >= 1 && fmod(step, 1) == 0) || v == 0)
		snprintf(buf, size, "%.0f", v);
	else if (step >= 0.1)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

/* Horizontal gridlines with labels right of the box (TOP: label the top). */
static void
y_grid(struct report_doc *d, const struct plot *p, double step, int top)
{
	char lab[32];
	double v;
	float y;

	for (v = p->lo; v <= p->hi + step * 1e-6; v += step) {
		y = py(p, v);
		report_hline(d, report_grid, 0.5f, p->x0, p->x1, y);
		if (!top && v > p->hi - step * 1e-6)
			break;
		fmt_tick(lab, sizeof lab, fabs(v) < step * 1e-6 ? 0 : v, step);
		report_text(d, d->font, LABEL_SIZE, report_muted, p->x1 + 4,
		    y - LABEL_SIZE * 0.35f, lab);
	}
}

static void
frame(struct report_doc *d, const struct plot *p)
{
	report_stroke_rect(d, report_rule, 0.6f, p->x0, p->y0, p->x1 - p->x0,
	    p->y1 - p->y0);
}

/* TRANSLATORS: month abbreviations on a chart's time axis */
static const char *const months[] = { N_("Jan"), N_("Feb"), N_("Mar"),
	N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"), N_("Sep"),
	N_("Oct"), N_("Nov"), N_("Dec") };

/* Month of "YYYY-MM-DD" (1-12) and the year's last two digits; 0 if bad. */
static int
date_month(const cJSON *dates, size_t i, int *yy)
{
	const cJSON *e = cJSON_GetArrayItem(dates, (int)i);
	int y, m, dd;

	if (!cJSON_IsString(e) ||
	    sscanf(e->valuestring, "%4d-%2d-%2d", &y, &m, &dd) != 3 || m < 1 ||
	    m > 12)
		return 0;
	*yy = y % 100;
	return m;
}

/*
 * Vertical gridlines at each month's first session of every plot in
 * GRIDS[0..NGRIDS), labels under LABELS (NULL: none).
 */
static void
x_grid(struct report_doc *d, const cJSON *dates, const struct plot *grids,
    size_t ngrids, const struct plot *labels)
{
	const struct plot *p = &grids[0];
	char lab[16];
	float x, last_right = -1e9f, lw;
	int m, prev = 0, yy, first = 1;
	size_t i, g;

	for (i = 0; i < p->n; i++, prev = m) {
		m = date_month(dates, i, &yy);
		if (m == 0 || m == prev || i == 0)
			continue;
		x = px(p, i);
		for (g = 0; g < ngrids; g++) {
			HPDF_Page_SetRGBStroke(d->page, report_grid.r,
			    report_grid.g, report_grid.b);
			HPDF_Page_SetLineWidth(d->page, 0.5f);
			HPDF_Page_MoveTo(d->page, x, grids[g].y0);
			HPDF_Page_LineTo(d->page, x, grids[g].y1);
			HPDF_Page_Stroke(d->page);
		}
		if (labels == NULL)
			continue;
		if (m == 1 || first)
			snprintf(lab, sizeof lab, "%s '%02d", _(months[m - 1]),
			    yy);
		else
			snprintf(lab, sizeof lab, "%s", _(months[m - 1]));
		lw = report_text_width(d, d->font, LABEL_SIZE, lab);
		if (x - lw / 2 < last_right + 4 || x + lw / 2 > labels->x1 + 4)
			continue;
		report_text_center(d, d->font, LABEL_SIZE, report_muted, x,
		    labels->y0 - 10, lab);
		last_right = x + lw / 2;
		first = 0;
	}
}

/* V as a polyline, broken at missing values. */
static void
stroke_series(struct report_doc *d, const struct plot *p, const double *v,
    struct rgb c, float width)
{
	size_t i;
	int pen = 0, drawn = 0;

	if (v == NULL)
		return;
	HPDF_Page_SetRGBStroke(d->page, c.r, c.g, c.b);
	HPDF_Page_SetLineWidth(d->page, width);
	HPDF_Page_SetLineJoin(d->page, HPDF_ROUND_JOIN);
	for (i = 0; i < p->n; i++) {
		if (isnan(v[i])) {
			pen = 0;
			continue;
		}
		if (pen)
			HPDF_Page_LineTo(d->page, px(p, i), py(p, v[i]));
		else
			HPDF_Page_MoveTo(d->page, px(p, i), py(p, v[i]));
		pen = drawn = 1;
	}
	if (drawn) /* Stroke without a path is a libharu error */
		HPDF_Page_Stroke(d->page);
	HPDF_Page_SetLineJoin(d->page, HPDF_MITER_JOIN);
}

/* The area between UP and LO, one polygon per run where both exist. */
static void
fill_band(struct report_doc *d, const struct plot *p, const double *up,
    const double *lo, struct rgb c)
{
	size_t i = 0, start, k;

	if (up == NULL || lo == NULL)
		return;
	HPDF_Page_SetRGBFill(d->page, c.r, c.g, c.b);
	while (i < p->n) {
		while (i < p->n && (isnan(up[i]) || isnan(lo[i])))
			i++;
		start = i;
		while (i < p->n && !isnan(up[i]) && !isnan(lo[i]))
			i++;
		if (i - start < 2)
			continue;
		HPDF_Page_MoveTo(d->page, px(p, start), py(p, up[start]));
		for (k = start + 1; k < i; k++)
			HPDF_Page_LineTo(d->page, px(p, k), py(p, up[k]));
		for (k = i; k-- > start;)
			HPDF_Page_LineTo(d->page, px(p, k), py(p, lo[k]));
		HPDF_Page_ClosePath(d->page);
		HPDF_Page_Fill(d->page);
	}
}

/* Legend entries along Y from X: colour swatch then label. */
static float
legend(struct report_doc *d, float x, float y, struct rgb c, int block,
    const char *label)
{
	if (block)
		report_fill_rect(d, c, x, y - 1, 12, 6);
	else
		report_fill_rect(d, c, x, y + 1.2f, 12, 1.8f);
	report_text(d, d->font, 7.5f, report_ink, x + 15, y, label);
	return x + 15 + report_text_width(d, d->font, 7.5f, label) + 12;
}

static void
no_data(struct report_doc *d, float x, float y, float w, float h,
    const char *what)
{
	struct plot p = { x, x + w, y - h, y, 0, 1, 1 };

	frame(d, &p);
	report_text_center(d, d->font, 9, report_muted, x + w / 2, y - h / 2,
	    what);
}

/* A value tag on the right axis: the last close. */
static void
last_tag(struct report_doc *d, const struct plot *p, double v, struct rgb c)
{
	char lab[32];
	float y = py(p, v), w;

	snprintf(lab, sizeof lab, "%.2f", v);
	w = report_text_width(d, d->bold, LABEL_SIZE, lab) + 6;
	report_fill_rect(d, c, p->x1 + 1, y - 5, w, 10);
	report_text(d, d->bold, LABEL_SIZE, report_white, p->x1 + 4,
	    y - LABEL_SIZE * 0.35f, lab);
}

static double
last_value(const double *v, size_t n)
{
	while (v != NULL && n-- > 0)
		if (!isnan(v[n]))
			return v[n];
	return NAN;
}

static void
volume_bars(struct report_doc *d, const struct plot *p, const double *vol,
    const double *close)
{
	float bw = (p->x1 - p->x0) / (float)p->n * 0.72f;
	size_t i;
	int up;

	for (i = 0; i < p->n; i++) {
		if (isnan(vol[i]) || vol[i] <= 0)
			continue;
		up = i == 0 || isnan(close[i]) || isnan(close[i - 1]) ||
		    close[i] >= close[i - 1];
		HPDF_Page_SetRGBFill(d->page, up ? 0.55f : 0.90f,
		    up ? 0.78f : 0.58f, up ? 0.66f : 0.56f);
		HPDF_Page_Rectangle(d->page, px(p, i) - bw / 2, p->y0, bw,
		    py(p, vol[i]) - p->y0);
		HPDF_Page_Fill(d->page);
	}
}

void
report_chart_price(struct report_doc *d, const cJSON *s, float x, float y,
    float w, float h)
{
	static const char *const keys[] = { "close", "volume", "sma50",
		"sma200", "bb_upper", "bb_middle", "bb_lower" };
	enum { CLOSE, VOLUME, SMA50, SMA200, BBU, BBM, BBL, NKEYS };
	double *v[NKEYS], lo = INFINITY, hi = -INFINITY, vlo = 0, vhi = 0, step,
			  vstep;
	size_t n[NKEYS], k, npts;
	struct plot price, vol, both[2];
	float lx;

	for (k = 0; k < NKEYS; k++)
		v[k] = report_array(s, keys[k], &n[k]);
	npts = n[CLOSE];
	if (npts < 2) {
		no_data(d, x, y, w, h, _("Price history not available"));
		goto cleanup;
	}
	for (k = 0; k < NKEYS; k++) {
		if (v[k] != NULL && n[k] != npts) {
			free(v[k]); /* misaligned: leave it out */
			v[k] = NULL;
		}
	}
	lx = legend(d, x, y - 8, report_navy, 0, _("Close"));
	lx = legend(d, lx, y - 8, report_sma50, 0, _("SMA 50"));
	lx = legend(d, lx, y - 8, report_sma200, 0, _("SMA 200"));
	lx = legend(d, lx, y - 8, report_band, 1, _("Bollinger Bands (20, 2)"));
	legend(d, lx, y - 8, (struct rgb){ 0.55f, 0.78f, 0.66f }, 1,
	    _("Volume"));
	price = (struct plot){ x, x + w - AXIS_W, y - 16 - (h - 30) * 0.74f,
		y - 16, 0, 0, npts };
	vol = (struct plot){ x, x + w - AXIS_W, y - h + 14, price.y0 - 6, 0, 0,
		npts };
	widen(v[CLOSE], npts, &lo, &hi);
	widen(v[BBU], npts, &lo, &hi);
	widen(v[BBL], npts, &lo, &hi);
	widen(v[SMA50], npts, &lo, &hi);
	widen(v[SMA200], npts, &lo, &hi);
	step = nice_range(&lo, &hi, 6);
	price.lo = lo;
	price.hi = hi;
	fill_band(d, &price, v[BBU], v[BBL], report_band);
	y_grid(d, &price, step, 1);
	both[0] = price;
	both[1] = vol;
	if (v[VOLUME] != NULL) {
		widen(v[VOLUME], npts, &vlo, &vhi);
		vlo = 0;
		vstep = nice_range(&vlo, &vhi, 2);
		vol.lo = vlo;
		vol.hi = vhi;
		y_grid(d, &vol, vstep, 0);
		volume_bars(d, &vol, v[VOLUME], v[CLOSE]);
	}
	x_grid(d, jsonutil_path(s, "date"), both, 2, &vol);
	stroke_series(d, &price, v[BBU], (struct rgb){ 0.62f, 0.74f, 0.88f },
	    0.5f);
	stroke_series(d, &price, v[BBL], (struct rgb){ 0.62f, 0.74f, 0.88f },
	    0.5f);
	stroke_series(d, &price, v[SMA200], report_sma200, 1.1f);
	stroke_series(d, &price, v[SMA50], report_sma50, 1.1f);
	stroke_series(d, &price, v[CLOSE], report_navy, 1.3f);
	frame(d, &price);
	frame(d, &vol);
	if (!isnan(last_value(v[CLOSE], npts)))
		last_tag(d, &price, last_value(v[CLOSE], npts), report_navy);
cleanup:
	for (k = 0; k < NKEYS; k++)
		free(v[k]);
}

/* Panel title at the top left inside the box, value at the right. */
static void
panel_title(struct report_doc *d, float x, float y, const char *title,
    const char *value)
{
	report_text(d, d->bold, 8, report_ink, x, y - 8, title);
	if (value != NULL)
		report_text(d, d->font, 8, report_muted,
		    x + report_text_width(d, d->bold, 8, title) + 8, y - 8,
		    value);
}

void
report_chart_rsi(struct report_doc *d, const cJSON *s, float x, float y,
    float w, float h)
{
	size_t n;
	double *rsi = report_array(s, "rsi14", &n), last;
	struct plot p;
	char val[32];
	static const HPDF_UINT16 dash[] = { 3, 2 };

	if (n < 2) {
		no_data(d, x, y, w, h, _("RSI not available"));
		goto cleanup;
	}
	last = last_value(rsi, n);
	snprintf(val, sizeof val, isnan(last) ? _("n/a") : _("last %.1f"),
	    last);
	panel_title(d, x, y, "RSI (14)", val);
	p = (struct plot){ x, x + w - AXIS_W, y - h + 14, y - 14, 0, 100, n };
	report_fill_rect(d, report_zebra, p.x0, py(&p, 30), p.x1 - p.x0,
	    py(&p, 70) - py(&p, 30));
	y_grid(d, &p, 25, 1);
	x_grid(d, jsonutil_path(s, "date"), &p, 1, &p);
	HPDF_Page_SetDash(d->page, dash, 2, 0);
	report_hline(d, report_down, 0.6f, p.x0, p.x1, py(&p, 70));
	report_hline(d, report_up, 0.6f, p.x0, p.x1, py(&p, 30));
	HPDF_Page_SetDash(d->page, NULL, 0, 0);
	report_text(d, d->font, 6, report_down, p.x0 + 3, py(&p, 70) + 2,
	    _("Overbought 70"));
	report_text(d, d->font, 6, report_up, p.x0 + 3, py(&p, 30) - 7,
	    _("Oversold 30"));
	stroke_series(d, &p, rsi, report_accent, 1.1f);
	frame(d, &p);
cleanup:
	free(rsi);
}

static void
macd_hist(struct report_doc *d, const struct plot *p, const double *hist)
{
	float bw = (p->x1 - p->x0) / (float)p->n * 0.72f, y0 = py(p, 0);
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (isnan(hist[i]))
			continue;
		HPDF_Page_SetRGBFill(d->page, hist[i] >= 0 ? 0.55f : 0.90f,
		    hist[i] >= 0 ? 0.78f : 0.58f, hist[i] >= 0 ? 0.66f : 0.56f);
		HPDF_Page_Rectangle(d->page, px(p, i) - bw / 2, y0, bw,
		    py(p, hist[i]) - y0);
		HPDF_Page_Fill(d->page);
	}
}

void
report_chart_macd(struct report_doc *d, const cJSON *s, float x, float y,
    float w, float h)
{
	size_t n, ns, nh;
	double *m = report_array(s, "macd", &n);
	double *sig = report_array(s, "macd_signal", &ns);
	double *hist = report_array(s, "macd_hist", &nh);
	double lo = 0, hi = 0, step;
	struct plot p;
	float lx;

	if (n < 2) {
		no_data(d, x, y, w, h, _("MACD not available"));
		goto cleanup;
	}
	panel_title(d, x, y, "MACD (12, 26, 9)", NULL);
	lx = x + report_text_width(d, d->bold, 8, "MACD (12, 26, 9)") + 12;
	lx = legend(d, lx, y - 8, report_navy, 0, _("MACD"));
	lx = legend(d, lx, y - 8, report_sma50, 0, _("Signal"));
	legend(d, lx, y - 8, (struct rgb){ 0.55f, 0.78f, 0.66f }, 1,
	    _("Histogram"));
	if (ns != n) {
		free(sig);
		sig = NULL;
	}
	if (nh != n) {
		free(hist);
		hist = NULL;
	}
	widen(m, n, &lo, &hi);
	widen(sig, n, &lo, &hi);
	widen(hist, n, &lo, &hi);
	step = nice_range(&lo, &hi, 4);
	p = (struct plot){ x, x + w - AXIS_W, y - h + 14, y - 14, lo, hi, n };
	y_grid(d, &p, step, 1);
	x_grid(d, jsonutil_path(s, "date"), &p, 1, &p);
	if (hist != NULL)
		macd_hist(d, &p, hist);
	report_hline(d, report_muted, 0.5f, p.x0, p.x1, py(&p, 0));
	stroke_series(d, &p, sig, report_sma50, 1.0f);
	stroke_series(d, &p, m, report_navy, 1.1f);
	frame(d, &p);
cleanup:
	free(m);
	free(sig);
	free(hist);
}

struct rgb
report_score_color(int score)
{
	static const struct rgb c[] = { { 0.70f, 0.72f, 0.75f },
		{ 0.80f, 0.20f, 0.18f }, { 0.93f, 0.45f, 0.18f },
		{ 0.85f, 0.65f, 0.13f }, { 0.40f, 0.68f, 0.30f },
		{ 0.10f, 0.56f, 0.33f } };

	return c[score >= 1 && score <= 5 ? score : 0];
}

void
report_gauge(struct report_doc *d, int score, float x, float y, float w,
    float h)
{
	float gap = 2.5f, bw = (w - 4 * gap) / 5;
	struct rgb on = report_score_color(score);
	int i;

	for (i = 0; i < 5; i++)
		report_fill_rect(d, i < score ? on : report_grid,
		    x + i * (bw + gap), y, bw, h);
}

void
report_chart_spark(struct report_doc *d, const cJSON *s, float x, float y,
    float w, float h, struct rgb border, float border_w)
{
	size_t n = 0, n2 = 0;
	double *close = report_array(s, "close", &n);
	double *sma = report_array(s, "sma200", &n2);
	double lo = INFINITY, hi = -INFINITY;
	struct plot p = { x, x + w, y - h, y, 0, 1, 1 };

	report_stroke_rect(d, border, border_w, x, y - h, w, h);
	if (n < 2) {
		report_text_center(d, d->font, 6.5f, report_muted, x + w / 2,
		    y - h / 2, _("no chart"));
		goto out;
	}
	if (sma != NULL && n2 != n) {
		free(sma);
		sma = NULL;
	}
	widen(close, n, &lo, &hi);
	widen(sma, n, &lo, &hi);
	p = (struct plot){ x + 2, x + w - 2, y - h + 3, y - 3, lo, hi, n };
	stroke_series(d, &p, sma, report_sma200, 0.6f);
	stroke_series(d, &p, close, report_navy, 0.8f);
out:
	free(close);
	free(sma);
}
