/*
 * paths.h: where stockagent finds its data files and makes directories.
 */
#ifndef STOCKAGENT_PATHS_H
#define STOCKAGENT_PATHS_H

/*
 * The full path of data file NAME (e.g. "sim-universe.json"), looked up in
 * $STOCKAGENT_DATA_DIR, then the source tree's data/ (a build that has not
 * been installed), then the installed $(pkgdatadir). Returns a heap string,
 * or NULL with *cause naming the places searched.
 */
char *paths_data_file(const char *name, char **cause);

/* mkdir -p for the directory part of FILE, mode 0755 (0700 when PRIVATE).
 * Returns 0, or -1 with *cause. */
int paths_mkdirs_for(const char *file, int private_, char **cause);

/*
 * Writes LEN bytes of DATA to PATH atomically: a temporary file beside it,
 * fsync, rename. On failure nothing is left behind and PATH is unchanged.
 */
int paths_write_atomic(const char *path, const void *data, size_t len,
    char **cause);

#endif
