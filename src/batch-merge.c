/*
 * batch-merge.c: one summary from the shards' summaries in S3 (see
 * batch-merge.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/s3.h"
#include "lib/xmalloc.h"
#include "src/batch-merge.h"
#include "src/batch-shard.h"
#include "src/batch-summary.h"

/* The exit code of an S3 failure reading a shard. */
static int
batch_merge_s3_code(int rc)
{
	return rc == S3_ERR_INPUT ? EXIT_USAGE : EXIT_NETWORK;
}

/* Reads shard K's summary under LOC into *OUT; 0 or an exit code. */
static int
batch_merge_get(const struct s3_location *loc, int k, cJSON **out, char **cause)
{
	struct buf b;
	char *key = xasprintf("shard-%d.json", k), *why = NULL;
	int rc;

	buf_init(&b, BATCH_MERGE_SHARD_MAX);
	*out = NULL;
	if ((rc = s3_get_object(loc, key, NULL, BATCH_MERGE_SHARD_MAX, &b,
		 &why)) != 0) {
		*cause = xasprintf("shard %d: %s; has every shard finished "
				   "(batch --shard %d/N --s3 ...)?",
		    k, why, k);
		rc = batch_merge_s3_code(rc);
	} else if ((*out = cJSON_ParseWithLength(b.data, b.len)) == NULL ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(*out, "ranking"))) {
		*cause = xasprintf("s3://%s/%s%s is not a shard summary",
		    loc->bucket, loc->prefix, key);
		rc = EXIT_USAGE;
	}
	free(why);
	free(key);
	buf_free(&b);
	return rc;
}

/* Checks that shard K's summary PART belongs with HEAD (shard 0's). */
static int
batch_merge_check(const cJSON *head, const cJSON *part, int k, int n,
    char **cause)
{
	const char *g0 = jsonutil_string(head, "group"),
		   *g = jsonutil_string(part, "group");

	if (g0 == NULL || g == NULL || strcmp(g0, g) != 0 ||
	    (int)jsonutil_number(part, "shard") != k ||
	    (int)jsonutil_number(part, "shards") != n) {
		*cause = xasprintf(
		    "shard-%d.json is not shard %d of %d of "
		    "batch %s; were the shards run with the same "
		    "watchlist, date and --shard count?",
		    k, k, n, g0 != NULL ? g0 : "?");
		return EXIT_USAGE;
	}
	return 0;
}

/* Moves the rows of PART's ranking into ROWS; each symbol once. */
static int
batch_merge_rows(cJSON *rows, cJSON *part, int k, char **cause)
{
	cJSON *rank = cJSON_GetObjectItemCaseSensitive(part, "ranking"), *r,
	      *have;
	const char *sym;

	while ((r = rank->child) != NULL) {
		cJSON_DetachItemViaPointer(rank, r);
		sym = jsonutil_string(r, "symbol");
		cJSON_ArrayForEach(have, rows) {
			if (sym == NULL ||
			    strcmp(jsonutil_string(have, "symbol"), sym) == 0) {
				*cause = xasprintf("shard %d: symbol %s is in "
						   "two shards",
				    k, sym != NULL ? sym : "(none)");
				cJSON_Delete(r);
				return EXIT_USAGE;
			}
		}
		/* A pod's local path means nothing here: its S3 copy does. */
		if (jsonutil_string(r, "s3_uri") != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(r, "pdf",
			    cJSON_CreateString(jsonutil_string(r, "s3_uri")));
		cJSON_AddItemToArray(rows, r);
	}
	return 0;
}

/* Reads every shard under LOC into *SUMMARY_OUT; 0 or an exit code. */
static int
batch_merge_read(const struct s3_location *loc, cJSON **summary_out,
    char **cause)
{
	cJSON *head = NULL, *part = NULL, *rows = cJSON_CreateArray();
	int k, n, rc;

	*summary_out = NULL;
	if ((rc = batch_merge_get(loc, 0, &head, cause)) != 0)
		goto out;
	n = (int)jsonutil_number(head, "shards");
	if (n < 1 || n > BATCH_SHARD_MAX ||
	    (rc = batch_merge_check(head, head, 0, n, cause)) != 0) {
		if (rc == 0)
			*cause = xstrdup("shard-0.json: no shard count");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = batch_merge_rows(rows, head, 0, cause)) != 0)
		goto out;
	for (k = 1; k < n; k++) {
		if ((rc = batch_merge_get(loc, k, &part, cause)) != 0 ||
		    (rc = batch_merge_check(head, part, k, n, cause)) != 0 ||
		    (rc = batch_merge_rows(rows, part, k, cause)) != 0)
			goto out;
		cJSON_Delete(part);
		part = NULL;
	}
	*summary_out = batch_summary_merged(head, rows);
	rows = NULL;
out:
	cJSON_Delete(rows);
	cJSON_Delete(part);
	cJSON_Delete(head);
	return rc;
}

int
batch_merge(struct settings *s, const char *uri, const struct output_opts *out)
{
	struct s3_location loc = { NULL, NULL };
	cJSON *summary = NULL;
	char *cause = NULL, *stem = NULL;
	int rc;

	if (strncmp(uri, "s3://", 5) != 0 ||
	    s3_uri_parse(uri, &loc, &cause) != 0 || loc.prefix[0] == '\0') {
		free(cause);
		log_error("batch merge: '%s' is not a batch's folder: give "
			  "s3://BUCKET/PREFIX/batches/GROUP",
		    uri);
		s3_location_free(&loc);
		return EXIT_USAGE;
	}
	if ((rc = batch_merge_read(&loc, &summary, &cause)) != 0)
		goto fail;
	stem = xasprintf("%s_summary", jsonutil_string(summary, "id"));
	if ((rc = batch_summary_files(s, summary, stem, uri, "summary",
		 &cause)) != 0)
		goto fail;
	batch_summary_print(summary, out);
	rc = batch_summary_code(summary);
	goto out;
fail:
	log_error("batch merge %s: %s", uri, cause);
out:
	free(cause);
	free(stem);
	cJSON_Delete(summary);
	s3_location_free(&loc);
	return rc;
}
