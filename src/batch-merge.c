/*
 * batch-merge.c: one summary from the shards' summaries in S3 (see
 * batch-merge.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/s3.h"
#include "lib/settings.h"
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

/* The batches folder holding LOC's group folder into *PARENT. */
static void
batch_merge_parent(const struct s3_location *loc, struct s3_location *parent)
{
	size_t n = strlen(loc->prefix);

	if (n > 0)
		n--; /* the group's trailing '/' */
	while (n > 0 && loc->prefix[n - 1] != '/')
		n--;
	parent->bucket = xstrdup(loc->bucket);
	parent->prefix = xasprintf("%.*s", (int)n, loc->prefix);
}

/* The key of the pointer to the latest merged summary of GROUP's
 * watchlist ("HASH-latest.json"), or NULL for a group not named
 * DATE-HASH. */
static char *
batch_merge_pointer_key(const char *group)
{
	if (group == NULL || strlen(group) <= 11 || group[10] != '-')
		return NULL;
	return xasprintf("%s-latest.json", group + 11);
}

/*
 * Object KEY under LOC parsed into *OUT; 0, or -1 (and *OUT NULL) when it
 * cannot be read or parsed, after a warning. An OPTIONAL object that is
 * absent is *OUT NULL and 0, quietly; so is an AccessDenied, which is how
 * S3 answers a missing key when the role lacks s3:ListBucket (an upload
 * that follows fails loudly if the credentials are wrong).
 */
static int
batch_merge_get_json(const struct s3_location *loc, const char *key,
    int optional, cJSON **out)
{
	struct buf b;
	char *why = NULL;
	int rc;

	*out = NULL;
	buf_init(&b, BATCH_MERGE_SHARD_MAX);
	rc = s3_get_object(loc, key, NULL, BATCH_MERGE_SHARD_MAX, &b, &why);
	if (rc == S3_OK &&
	    (*out = cJSON_ParseWithLength(b.data, b.len)) == NULL) {
		free(why);
		why = xasprintf("s3://%s/%s%s is not JSON", loc->bucket,
		    loc->prefix, key);
	}
	buf_free(&b);
	if (*out == NULL && optional &&
	    (rc == S3_ERR_REJECTED || rc == S3_ERR_AUTH)) {
		log_debug("batch merge: %s: none yet", why);
		rc = 0;
	} else if (*out == NULL) {
		log_warn("batch merge: %s; what changed since the previous "
			 "batch is not marked",
		    why);
		rc = -1;
	} else {
		rc = 0;
	}
	free(why);
	return rc;
}

/*
 * The group of the merged summary before SUMMARY's, by the watchlist's
 * pointer POINTER (NULL: none): the pointer's group when it is of an
 * earlier date, its "previous" when it is SUMMARY's own group (a merge
 * done again). Borrowed from POINTER, or NULL.
 */
static const char *
batch_merge_previous_group(const cJSON *pointer, const cJSON *summary)
{
	const char *id = jsonutil_string(summary, "id"),
		   *as_of = jsonutil_string(summary, "as_of"),
		   *g = jsonutil_string(pointer, "group"),
		   *d = jsonutil_string(pointer, "as_of");

	if (g == NULL || d == NULL || id == NULL || as_of == NULL)
		return NULL;
	if (strcmp(g, id) == 0)
		return jsonutil_string(pointer, "previous");
	return strcmp(d, as_of) < 0 ? g : NULL;
}

/* Writes TEXT to PATH and uploads it as KEY under LOC; 0 or an exit code
 * with *cause. */
static int
batch_merge_put_text(const struct s3_location *loc, const char *key,
    const char *path, const char *text, char **cause)
{
	char *uri = NULL;
	int rc;

	if (paths_mkdirs_for(path, 0, cause) != 0 ||
	    paths_write_atomic(path, text, strlen(text), cause) != 0)
		return EXIT_STORAGE;
	rc = s3_put_file(loc, key, path, "application/json", NULL, &uri, cause);
	free(uri);
	return rc != S3_OK ? EXIT_UPLOAD : 0;
}

/*
 * Keeps SUMMARY for the next merge of its watchlist: as summary.json in
 * its group's folder LOC (and OUT/batches/GROUP_summary.json), and, unless
 * POINTER names a later date, the watchlist's pointer in PARENT naming it
 * (with PREVIOUS, the group before it).
 */
static int
batch_merge_keep(struct settings *s, const struct s3_location *loc,
    const struct s3_location *parent, const cJSON *summary,
    const cJSON *pointer, const char *previous, char **cause)
{
	const char *dir = settings_string(s, "out") != NULL ?
	    settings_string(s, "out") :
	    "reports",
		   *id = jsonutil_string(summary, "id"),
		   *as_of = jsonutil_string(summary, "as_of"),
		   *d = jsonutil_string(pointer, "as_of");
	char *key = batch_merge_pointer_key(id), *path, *text;
	cJSON *p;
	int rc;

	path = xasprintf("%s/batches/%s_summary.json", dir, id);
	text = jsonutil_print_text(summary, 0);
	rc = batch_merge_put_text(loc, "summary.json", path, text, cause);
	free(text);
	free(path);
	if (rc != 0 || key == NULL || as_of == NULL ||
	    (d != NULL && strcmp(d, as_of) > 0)) {
		free(key);
		return rc;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "group", id);
	cJSON_AddStringToObject(p, "as_of", as_of);
	if (previous != NULL)
		cJSON_AddStringToObject(p, "previous", previous);
	else
		cJSON_AddNullToObject(p, "previous");
	text = jsonutil_print_text(p, 0);
	cJSON_Delete(p);
	path = xasprintf("%s/batches/%s_latest.json", dir, id);
	rc = batch_merge_put_text(parent, key, path, text, cause);
	unlink(path);
	free(path);
	free(text);
	free(key);
	return rc;
}

int
batch_merge(struct settings *s, const char *uri, const struct output_opts *out)
{
	struct s3_location loc = { NULL, NULL }, parent = { NULL, NULL };
	cJSON *summary = NULL, *pointer = NULL, *prev = NULL;
	char *cause = NULL, *stem = NULL, *key = NULL, *prev_key = NULL;
	const char *previous = NULL;
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
	/* What changed is told against the previous merged summary of the
	 * watchlist: a pod's database is gone by the next day. */
	batch_merge_parent(&loc, &parent);
	if ((key = batch_merge_pointer_key(jsonutil_string(summary, "id"))) !=
		NULL &&
	    batch_merge_get_json(&parent, key, 1, &pointer) == 0 &&
	    (previous = batch_merge_previous_group(pointer, summary)) != NULL) {
		prev_key = xasprintf("%s/summary.json", previous);
		if (batch_merge_get_json(&parent, prev_key, 0, &prev) == 0 &&
		    prev != NULL)
			batch_summary_changes_since(summary, prev);
	}
	stem = xasprintf("%s_summary", jsonutil_string(summary, "id"));
	if ((rc = batch_summary_files(s, summary, stem, uri, "summary",
		 &cause)) != 0 ||
	    (rc = batch_merge_keep(s, &loc, &parent, summary, pointer, previous,
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
	free(key);
	free(prev_key);
	cJSON_Delete(summary);
	cJSON_Delete(pointer);
	cJSON_Delete(prev);
	s3_location_free(&parent);
	s3_location_free(&loc);
	return rc;
}
