/*
 * store-int.h: the store's connection, private to lib (store-admin.c needs
 * it for SQLite's backup API, which works on two connections).
 */
#ifndef STOCKAGENT_STORE_INT_H
#define STOCKAGENT_STORE_INT_H

#include <sqlite3.h>

struct store;

/* S's connection; owned by S. */
sqlite3 *store_handle(struct store *s);

#endif
