/*
 * store-admin.h: looking after the database file: check and backup
 * ('stockagent db'). store_vacuum is in store.h.
 *
 * Functions return 0, or a negative STORE_E_* category (store.h) with
 * *cause set to a one-line message.
 */
#ifndef STOCKAGENT_STORE_ADMIN_H
#define STOCKAGENT_STORE_ADMIN_H

#include <cjson/cJSON.h>

struct store;

/*
 * Runs PRAGMA integrity_check and PRAGMA foreign_key_check: *PROBLEMS_OUT
 * is a new array of one-line strings, empty when the file is sound. A file
 * too damaged to be checked gives STORE_E_NOTADB.
 */
int store_admin_check(struct store *s, cJSON **problems_out, char **cause);

/*
 * Copies the database, as one consistent snapshot taken while other
 * processes go on writing, to FILE with SQLite's online backup API: into a
 * temporary file beside FILE, which then takes FILE's name. An existing
 * FILE is refused (STORE_E_EXISTS) unless FORCE, and is then replaced.
 * On failure nothing is left behind.
 */
int store_admin_backup(struct store *s, const char *file, int force,
    char **cause);

#endif
