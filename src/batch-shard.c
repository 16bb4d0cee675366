/*
 * batch-shard.c: one worker's part of a watchlist (see batch-shard.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "src/batch-shard.h"

/* A whole number from MIN to MAX, or -1. */
static long
batch_shard_number(const char *s, long min, long max)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

/* K and N from the Kubernetes Indexed Job environment. */
static int
batch_shard_auto(struct batch_shard *out, char **cause)
{
	const char *k = getenv("JOB_COMPLETION_INDEX");
	const char *n = getenv("STOCKAGENT_SHARDS");
	long kv, nv;

	if (k == NULL || n == NULL) {
		*cause = xasprintf(
		    "--shard auto: %s is not set; run it in a "
		    "Kubernetes Indexed Job with STOCKAGENT_SHARDS "
		    "set to the Job's completions, or give "
		    "--shard K/N",
		    k == NULL ? "JOB_COMPLETION_INDEX" : "STOCKAGENT_SHARDS");
		return -1;
	}
	if ((nv = batch_shard_number(n, 1, BATCH_SHARD_MAX)) < 0) {
		*cause = xasprintf("--shard auto: STOCKAGENT_SHARDS '%s' is "
				   "not a count from 1 to %d",
		    n, BATCH_SHARD_MAX);
		return -1;
	}
	if ((kv = batch_shard_number(k, 0, nv - 1)) < 0) {
		*cause = xasprintf(
		    "--shard auto: JOB_COMPLETION_INDEX '%s' is "
		    "not an index from 0 to %ld (STOCKAGENT_SHARDS "
		    "%ld)",
		    k, nv - 1, nv);
		return -1;
	}
	out->index = (int)kv;
	out->count = (int)nv;
	return 0;
}

int
batch_shard_parse(const char *arg, struct batch_shard *out, char **cause)
{
	const char *slash = strchr(arg, '/');
	char *k;
	long kv, nv;

	if (strcmp(arg, "auto") == 0)
		return batch_shard_auto(out, cause);
	nv = slash != NULL ? batch_shard_number(slash + 1, 1, BATCH_SHARD_MAX) :
			     -1;
	k = slash != NULL ? xstrndup(arg, (size_t)(slash - arg)) : NULL;
	kv = nv > 0 ? batch_shard_number(k, 0, nv - 1) : -1;
	free(k);
	if (kv < 0) {
		*cause = xasprintf(
		    "invalid --shard '%s': use K/N with N from 1 "
		    "to %d and K from 0 to N-1, or auto",
		    arg, BATCH_SHARD_MAX);
		return -1;
	}
	out->index = (int)kv;
	out->count = (int)nv;
	return 0;
}

int
batch_shard_of(const char *symbol, int count)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
	const unsigned char *p;

	for (p = (const unsigned char *)symbol; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return (int)(h % (uint64_t)count);
}

void
batch_shard_filter(cJSON *list, const struct batch_shard *sh)
{
	cJSON *it = list->child, *next;

	if (sh->count <= 1)
		return;
	for (; it != NULL; it = next) {
		next = it->next;
		if (batch_shard_of(it->valuestring, sh->count) != sh->index)
			cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
	}
}
