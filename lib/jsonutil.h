/*
 * jsonutil.h: small cJSON conveniences used across the program.
 *
 * Numbers that are not finite (NAN = "not available") are written as JSON
 * null and read back as NAN.
 */
#ifndef STOCKAGENT_JSONUTIL_H
#define STOCKAGENT_JSONUTIL_H

#include <cjson/cJSON.h>

/* Adds KEY: V, or KEY: null when V is not finite. Returns the item. */
cJSON *jsonutil_add_number(cJSON *obj, const char *key, double v);
/* The item at a dotted PATH ("analysis.scores.technical"), or NULL. */
const cJSON *jsonutil_path(const cJSON *root, const char *path);
/* The number at PATH, or NAN when missing, null or not a number. */
double jsonutil_number(const cJSON *root, const char *path);
/* The string at PATH, or NULL. */
const char *jsonutil_string(const cJSON *root, const char *path);
/* Prints V to a heap string (unformatted); never NULL. */
char *jsonutil_print(const cJSON *v);
/*
 * Prints V (FORMATTED or on one line) for people and pipes: always valid
 * UTF-8, each byte that starts no valid sequence written as U+FFFD (cJSON
 * copies string bytes as they are). Heap string; "null" for NULL.
 */
char *jsonutil_print_text(const cJSON *v, int formatted);

#endif
