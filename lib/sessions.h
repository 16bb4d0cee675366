/*
 * sessions.h: the conversations of 'stockagent serve', kept in the run
 * database (table "sessions", schema version 3).
 *
 * A session is what the AgentCore session header names: the last analysis
 * (its run, symbol and result object) and the turns since, so a follow-up
 * question can be answered in its context. Sessions expire: each save sets
 * the expiry TTL seconds ahead, and an expired one reads as absent.
 *
 * Functions return 0 or a negative STORE_E_* with *cause (lib/store.h).
 * cJSON results are new objects the caller deletes.
 */
#ifndef STOCKAGENT_SESSIONS_H
#define STOCKAGENT_SESSIONS_H

#include <cjson/cJSON.h>

struct store;

/* The most turns a session's history keeps (oldest dropped first). */
#define SESSIONS_MAX_TURNS 40

/*
 * Session ID unless it has expired: {"id", "thread_id", "symbol",
 * "result" (object or null), "history" (array of {"role", "content"}),
 * "created_at", "updated_at"}. STORE_E_NOTFOUND when there is none.
 */
int sessions_get(struct store *s, const char *id, cJSON **out, char **cause);

/*
 * Saves SESSION (an object as sessions_get gives, "id" required) and
 * makes it expire TTL_S seconds from now. The history is cut to the last
 * SESSIONS_MAX_TURNS turns.
 */
int sessions_put(struct store *s, const cJSON *session, long long ttl_s,
    char **cause);

/* Deletes every expired session. */
int sessions_expire(struct store *s, char **cause);

#endif
