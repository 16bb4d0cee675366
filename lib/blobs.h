/*
 * blobs.h: bulky run data stored once, by content.
 *
 * Three years of daily bars would otherwise be copied into every checkpoint
 * and write of every run. A blob is a text (JSON) keyed by its SHA-256; the
 * state holds a small reference instead. Identical data (the same symbol
 * and date analysed again) is stored once; 'runs prune' deletes blobs no
 * remaining run references.
 */
#ifndef STOCKAGENT_BLOBS_H
#define STOCKAGENT_BLOBS_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct store;

#define BLOBS_ID_SIZE 65	     /* hex SHA-256 + NUL */
#define BLOBS_MAX (64 * 1024 * 1024) /* bytes */

/*
 * Stores DATA (LEN bytes) for run THREAD_ID, if not already there, and
 * writes its id into ID_OUT. One transaction. Returns 0, or a negative
 * STORE_E_* with *cause.
 */
int blobs_put(struct store *s, const char *thread_id, const char *data,
    size_t len, char id_out[BLOBS_ID_SIZE], char **cause);

/* Reads blob ID into *data_out (NUL-terminated heap string). Returns 0,
 * STORE_E_NOTFOUND, or another STORE_E_* with *cause. */
int blobs_get(struct store *s, const char *id, char **data_out, char **cause);

/* Stores V (borrowed) printed as unformatted JSON, as blobs_put does. */
int blobs_put_json(struct store *s, const char *thread_id, const cJSON *v,
    char id_out[BLOBS_ID_SIZE], char **cause);

/*
 * Reads blob ID and parses it: 0 with *out, a new value the caller
 * deletes (NULL when the blob is not JSON, which the caller judges), or
 * an error as blobs_get.
 */
int blobs_get_json(struct store *s, const char *id, cJSON **out, char **cause);

#endif
