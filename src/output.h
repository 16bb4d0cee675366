/*
 * output.h: how a finished run is shown (text, json, ndjson, csv).
 *
 * Every renderer reads the run state; the JSON object is the contract for
 * pipes (data/output.schema.json, "schema_version"), and the text shows the
 * same numbers rounded for reading.
 */
#ifndef STOCKAGENT_OUTPUT_H
#define STOCKAGENT_OUTPUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#define OUTPUT_SCHEMA_VERSION 1

enum output_format { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_NDJSON, OUTPUT_CSV };

/* How a finished run is printed. */
struct output_opts {
	enum output_format format;
	int header; /* csv: the header row first */
	int color;  /* text: ANSI colours (see output_text) */
};

/* Parses "text" | "json" | "ndjson" | "csv"; returns 0 or -1. */
int output_format_parse(const char *s, enum output_format *out);

/* The result object of a finished run (new; caller deletes). */
cJSON *output_result(const cJSON *state, const char *thread_id);

/* The three-section report the article shows, then scores and summary;
 * with COLOR, ANSI colours on headings, scores and changes. */
void output_text(FILE *f, const cJSON *state, int color);

/* The run as one CSV row (output-csv.c has the columns), under a header
 * row when HEADER is set. */
void output_csv(FILE *f, const cJSON *state, const char *thread_id, int header);

/* One JSON line: {"type": TYPE, ...DATA fields, "ts": ...}. */
void output_ndjson_event(FILE *f, const char *type, const cJSON *data);

#endif
