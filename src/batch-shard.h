/*
 * batch-shard.h: one worker's part of a watchlist (batch --shard).
 *
 * N workers that each run `batch --shard K/N` (K from 0 to N-1) over the
 * same watchlist analyze every symbol exactly once: a symbol belongs to
 * shard FNV-1a-64(symbol) mod N, a hash of its normalised text alone, so
 * the split depends neither on the order of the list nor on the machine.
 * `--shard auto` reads K from JOB_COMPLETION_INDEX (set by Kubernetes in
 * the pods of an Indexed Job) and N from STOCKAGENT_SHARDS (set in the
 * manifest to the Job's completions, which the pod cannot read itself).
 */
#ifndef STOCKAGENT_BATCH_SHARD_H
#define STOCKAGENT_BATCH_SHARD_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* The most shards. */
#define BATCH_SHARD_MAX 100000

struct batch_shard {
	int index; /* K, 0 to count - 1 */
	int count; /* N; 0: not sharded */
};

/*
 * Parses "K/N" or "auto" (which reads the environment) into *OUT.
 * Returns 0, or -1 with *cause naming the value and what to give.
 */
int batch_shard_parse(const char *arg, struct batch_shard *out, char **cause);

/* The shard of SYMBOL among COUNT shards. */
int batch_shard_of(const char *symbol, int count);

/* Removes from the array LIST the symbols that are not SH's. */
void batch_shard_filter(cJSON *list, const struct batch_shard *sh);

#endif
