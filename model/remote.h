/*
 * remote.h: what the remote backends (openai, bedrock, sagemaker) share
 * (private to model/).
 *
 * A URI's rest is "BASE[?k=v&k=v][#FRAGMENT]" (the options may also follow
 * the fragment). Options every remote backend takes:
 *   stream=1|0    stream the response (default 1)
 *   timeout=S     whole-request limit in seconds (default 300)
 *   retries=N     attempts for throttling and 5xx (default 3)
 * The remote call helper applies connect (10 s), total and stall (no byte
 * for 60 s, or the timeout when shorter) limits, retries with backoff and
 * jitter, and turns error responses into "CODE: message (HTTP n)".
 */
#ifndef STOCKAGENT_MODEL_REMOTE_H
#define STOCKAGENT_MODEL_REMOTE_H

#include <stddef.h>

#include "lib/http.h"
#include "model/model.h"

/* Most bytes a model response (or a whole stream) may take. */
#define REMOTE_MAX_RESPONSE (16u << 20)

struct remote_uri {
	char *base;	/* before '?' and '#' */
	char *fragment; /* after '#', or NULL */
	char **keys;	/* [n] */
	char **values;	/* [n] */
	size_t n;
};

/*
 * Splits REST (may be NULL) for SCHEME. ALLOWED lists the option names the
 * backend knows besides the common ones (NULL-terminated). Returns 0, or
 * -1 with *cause for an unknown option or a malformed pair.
 */
int remote_uri_parse(const char *scheme, const char *rest,
    const char *const *allowed, struct remote_uri *out, char **cause);
/* The value of option KEY, or NULL; borrowed. */
const char *remote_uri_get(const struct remote_uri *u, const char *key);
void remote_uri_free(struct remote_uri *u);

/* Common settings read from the options. */
struct remote_conf {
	int stream;
	long timeout_ms;
	int attempts;
};

/* Fills CONF from U; -1 with *cause for a bad value. */
int remote_conf_parse(const char *scheme, const struct remote_uri *u,
    struct remote_conf *conf, char **cause);

/*
 * The effective parameters of a request: the request's own values where
 * set, else the defaults given at open. DEFAULTS may be NULL.
 */
void remote_params(const struct model_params *req,
    const struct model_params *defaults, struct model_params *out);

/* One exchange as a backend sees it. */
struct remote_call {
	const char *what; /* "bedrock Converse", for messages */
	const char *url;
	const struct http_headers *headers;
	const char *body;
	size_t body_len;
	const struct remote_conf *conf;
	http_prepare_fn prepare; /* signing; may be NULL */
	void *prepare_arg;
	http_chunk_fn on_chunk; /* NULL: collect the body */
	void *chunk_arg;
};

/*
 * Performs CALL. Returns 0 with RESP holding a 2xx response (its body
 * when not streamed), or -1 with *cause naming the service, the error code
 * and message from the response (x-amzn-ErrorType, "__type", "code",
 * "error.message", "message") or the transport failure. RESP must be
 * initialised; the caller frees it.
 */
int remote_perform(const struct remote_call *call, struct http_response *resp,
    char **cause);

/*
 * Splits "<reasoning>...</reasoning>rest" (gpt-oss on Bedrock's OpenAI
 * path and InvokeModel) into *reasoning (appended) and the text left in
 * *content. Either may be NULL on entry; both are heap strings.
 */
void remote_split_reasoning(char **content, char **reasoning);

/* Appends TEXT to the heap string *dst (NULL counts as empty). */
void remote_append(char **dst, const char *text, size_t len);

/* Adds a tool call to RESP (copies the strings). */
void remote_add_call(struct model_response *resp, const char *id,
    const char *name, const char *arguments);

/*
 * Line reassembly for streamed bodies (SSE "data:" lines or JSON lines),
 * across chunks split anywhere. Each complete payload (a line's JSON) is
 * handed to on_json; "[DONE]" sets done. Lines beyond REMOTE_MAX_LINE
 * bytes, bad JSON and too much data in total are errors.
 */
#define REMOTE_MAX_LINE (4u << 20)
struct remote_lines {
	struct buf line;
	size_t total;
	int done;
	char *error; /* set once feeding failed */
	int (*on_json)(void *arg, const cJSON *obj, char **cause);
	void *arg;
};

void remote_lines_init(struct remote_lines *l,
    int (*on_json)(void *arg, const cJSON *obj, char **cause), void *arg);
/* Feeds bytes; 0, or -1 with l->error set. */
int remote_lines_feed(struct remote_lines *l, const char *data, size_t len);
/* Flushes a last line without newline; 0 or -1 with l->error. */
int remote_lines_finish(struct remote_lines *l);
void remote_lines_free(struct remote_lines *l);

/*
 * Event-stream bodies (application/vnd.amazon.eventstream): frames are
 * decoded with their CRCs checked as chunks arrive; each event message is
 * handed to on_event; an exception or error message ends the stream with
 * its type and message in error.
 */
struct eventstream_message;
struct remote_events {
	struct eventstream_decoder *dec;
	size_t total;
	char *error;
	int (*on_event)(void *arg, const char *type,
	    const struct eventstream_message *m, char **cause);
	void *arg;
};

void remote_events_init(struct remote_events *e,
    int (*on_event)(void *arg, const char *type,
	const struct eventstream_message *m, char **cause),
    void *arg);
/* An http_chunk_fn: non-zero (and e->error set) stops the transfer. */
int remote_events_chunk(void *arg, const char *data, size_t len);
/* At the end of the body: 0, or -1 with e->error (a frame cut short). */
int remote_events_finish(struct remote_events *e);
void remote_events_free(struct remote_events *e);

/* Decodes base64 (Bedrock's chunk "bytes"); heap, NUL-terminated, or
 * NULL when malformed. */
char *remote_base64_decode(const char *in, size_t *len_out);

#endif
