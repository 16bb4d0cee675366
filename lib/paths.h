/*
 * paths.h: where stockagent finds its data files and makes directories.
 */
#ifndef STOCKAGENT_PATHS_H
#define STOCKAGENT_PATHS_H

#include <stddef.h>

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

/*
 * Checks, before anything is created, that files EXTRA bytes long can be
 * made under DIR: the whole path within PATH_MAX and each name within
 * NAME_MAX. Returns 0, or -1 with *cause.
 */
int paths_check_dir(const char *dir, size_t extra, char **cause);

/* The most numbered names paths_write_new tries. */
#define PATHS_MAX_NUMBERED 1000

/*
 * Called by paths_write_new with a free NAME it is about to take and the
 * LEN bytes of DATA the file will hold, before the file appears under that
 * name: the caller records it elsewhere (the database), so a process killed
 * at any moment leaves no file that no record names. Returns 0, or -1 with
 * *cause, and then nothing is written.
 */
typedef int (*paths_claim_fn)(void *arg, const char *name, const void *data,
    size_t len, char **cause);

/*
 * Writes LEN bytes of DATA to a file that did not exist: PATH, or when PATH
 * is taken the first free PATH with "-2", "-3", ... before its extension.
 * An existing file is never replaced, even by a writer racing this one.
 * CLAIM (may be NULL) is called with each free name before the file is
 * linked under it; a name that a racing writer takes between the claim and
 * the link is claimed again under the next number. Returns 0 with
 * *path_out (heap string, the name taken), or -1 with *cause; on failure
 * nothing is left behind.
 */
int paths_write_new(const char *path, const void *data, size_t len,
    paths_claim_fn claim, void *arg, char **path_out, char **cause);

/*
 * Removes the temporary files in DIR that paths_write_atomic and
 * paths_write_new left when their process was killed (its process id is
 * in the name and no longer runs; names without one, once a day old).
 * Returns how many were removed.
 */
int paths_remove_stale_temps(const char *dir);

#endif
