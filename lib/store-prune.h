/*
 * store-prune.h: old reports and their records removed (reports prune).
 *
 * A report may go when it is older than the cut and its run is neither
 * running (a killed run keeps its report for the resume) nor leased by
 * a process. The record goes first, in a statement that checks that
 * again, so a run resumed meanwhile keeps its report; the caller removes
 * the file after.
 */
#ifndef STOCKAGENT_STORE_PRUNE_H
#define STOCKAGENT_STORE_PRUNE_H

#include <cjson/cJSON.h>

struct store;

/*
 * The reports created before BEFORE (store time text, "YYYY-MM-DDTHH:MM:
 * SS.mmmZ") that may go, oldest first: *OUT a new array of {id,
 * thread_id, symbol, path, size, s3_uri, created_at}. Returns 0 or a
 * STORE_E_* category with *cause.
 */
int store_reports_prunable(struct store *s, const char *before, cJSON **out,
    char **cause);

/*
 * Deletes the record of report ID when it still may go. Returns 1 when
 * it was deleted, 0 when it was kept (its run runs again), or a STORE_E_*
 * category with *cause.
 */
int store_report_prune(struct store *s, long long id, char **cause);

#endif
