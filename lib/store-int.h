/*
 * store-int.h: the store's connection, private to lib (store-admin.c needs
 * it for SQLite's backup API, which works on two connections).
 */
#ifndef STOCKAGENT_STORE_INT_H
#define STOCKAGENT_STORE_INT_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

struct store;

/* S's connection; owned by S. */
sqlite3 *store_handle(struct store *s);

/* Steps ST to the end, collecting its rows into *OUT (a new array of
 * objects keyed by column name; SQL NULL as null); finalizes nothing. */
int store_collect(struct store *s, sqlite3_stmt *st, const char *doing,
    cJSON **out, char **cause);

/* Runs SQL with the text parameters ?1 = P1 and ?2 = P2 (SQL NULL when
 * NULL) and collects its rows into *OUT as store_collect does. */
int store_query(struct store *s, const char *sql, const char *p1,
    const char *p2, const char *doing, cJSON **out, char **cause);

/*
 * A pointer S keeps for one user (checkpoint.c's per-connection cache);
 * store_close calls FREE_FN on it when it is not NULL.
 */
void **store_cache_slot(struct store *s, void (*free_fn)(void *));

#endif
