/*
 * report-json.h: reads of the run state that tolerate NULL, missing and
 * wrong types, and the number formats the report prints; private to
 * tools/report.
 *
 * Calls no other file of the report. PATH is dotted ("market.quote.price",
 * see jsonutil_path); ROOT may be NULL.
 */
#ifndef STOCKAGENT_REPORT_JSON_H
#define STOCKAGENT_REPORT_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* 1 and *OUT when PATH is a finite number, else 0. */
int report_num(const cJSON *root, const char *path, double *out);
/* The string at PATH, or NULL when missing, null, empty or not a string. */
const char *report_str(const cJSON *root, const char *path);
/* Array of numbers (null -> NAN) at PATH; *N its length; heap, or NULL. */
double *report_array(const cJSON *root, const char *path, size_t *n);

/* Formatted values into BUF (size REPORT_FMT); "n/a" when missing. */
#define REPORT_FMT 64
enum report_sign { REPORT_PLAIN, REPORT_SIGNED };
/*
 * The number at PATH, thousands grouped, with DECIMALS digits and SUFFIX
 * (may be NULL): "12.35%"; REPORT_SIGNED puts a plus before a value that
 * is not negative: "+1.25%", "-0.11%".
 */
const char *report_fmt_num(char *buf, const cJSON *root, const char *path,
    enum report_sign sign, int decimals, const char *suffix);
/* A price: "$226.19", "25,400.00 VND". */
const char *report_fmt_money(char *buf, const cJSON *root, const char *path,
    const char *currency);
/*
 * A large amount with a scale letter: "$343.81B", "1.52B" (CURRENCY NULL
 * for plain counts like shares).
 */
const char *report_fmt_big(char *buf, const cJSON *root, const char *path,
    const char *currency);
/* The string at PATH or "n/a". */
const char *report_fmt_str(const cJSON *root, const char *path);

#endif
