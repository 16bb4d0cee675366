/*
 * local-map.h: the text side of the local gpt-oss backend (private to
 * model/): a model_request becomes a harmony conversation and prompt ids;
 * generated ids become a model_response.
 *
 * The functions return 0 / -1 with a cause (not the engine's status), so
 * callers need neither tokenizer.h nor harmony.h.
 *
 * Ownership: _new/_load results are freed with the matching _free (NULL
 * allowed); cJSON and arrays returned are the caller's.
 */
#ifndef STOCKAGENT_MODEL_LOCAL_MAP_H
#define STOCKAGENT_MODEL_LOCAL_MAP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "model/model.h"

struct gptoss_tokenizer;
struct local_parse;

/*
 * Loads the tokenizer file or directory PATH. Returns 0, or -1 with *cause
 * naming the file and the problem.
 */
int local_map_tokenizer_load(const char *path, struct gptoss_tokenizer **out,
    char **cause);
void local_map_tokenizer_free(struct gptoss_tokenizer *tok);

/* Encodes LEN bytes of TEXT (special-token text as the specials when
 * SPECIAL); *IDS_OUT is malloc'd. Returns 0, or -1 with *cause. */
int local_map_encode(const struct gptoss_tokenizer *tok, const char *text,
    size_t len, int special, uint32_t **ids_out, size_t *n_out, char **cause);

/* Decodes N ids into a NUL-terminated heap string (invalid UTF-8 kept as
 * bytes). Returns 0, or -1 with *cause naming the id out of range. */
int local_map_decode(const struct gptoss_tokenizer *tok, const uint32_t *ids,
    size_t n, char **text_out, char **cause);

/*
 * The harmony conversation (harmony.h JSON shape) for REQ: a system message
 * with REASONING ("low|medium|high") and DATE ("YYYY-MM-DD" or NULL); the
 * leading system/developer messages as the developer instructions, with
 * REQ's tools as function tools (none when tool_choice is "none"); user,
 * assistant (reasoning on analysis, answer on final, each tool call on
 * commentary to=functions.NAME <|constrain|>json) and tool results
 * (functions.NAME to=assistant on commentary) in order. Returns NULL with
 * *cause for a message harmony cannot express (an unknown role).
 */
cJSON *local_map_conversation(const struct model_request *req,
    const char *reasoning, const char *date, char **cause);

/* The date for the system message: REQ_DATE when it is a valid
 * YYYY-MM-DD, else today (UTC), in BUF. Returns BUF. */
const char *local_map_date(const char *req_date, char buf[16]);

/* Renders CONV (from local_map_conversation) for completion into ids.
 * Returns 0, or -1 with *cause. */
int local_map_render(const struct gptoss_tokenizer *tok, const cJSON *conv,
    uint32_t **ids_out, size_t *n_out, char **cause);

/*
 * Parsing of generated ids: the prompt ended in <|start|>assistant. REQ
 * (borrowed, must outlive the parse) gives on_delta, which is called with
 * "reasoning" and "content" text as it completes.
 */
struct local_parse *local_parse_new(const struct gptoss_tokenizer *tok,
    const struct model_request *req);
void local_parse_free(struct local_parse *lp);

/* Feeds one generated id: 0 to go on, 1 when the turn is over (<|return|>
 * or <|call|>), -1 when the output is not valid harmony (the reason is
 * kept for local_parse_finish). */
int local_parse_push(struct local_parse *lp, uint32_t id);

/*
 * Ends the output. HOW: LOCAL_END_TURN (push returned 1), LOCAL_END_STOP
 * (the model's own stop token, not harmony's), LOCAL_END_LENGTH (MAX
 * tokens were generated). Fills RESP's content, reasoning, calls
 * ("call_1"...) and stop_reason ("stop", "tool_calls", "length"). Returns
 * 0, or -1 with *cause when the output is malformed or holds no message.
 */
enum { LOCAL_END_TURN, LOCAL_END_STOP, LOCAL_END_LENGTH };
int local_parse_finish(struct local_parse *lp, int how, uint32_t max,
    struct model_response *resp, char **cause);

#endif
