/*
 * aws-eventstream.h: decoder for application/vnd.amazon.eventstream, the
 * binary framing of Bedrock InvokeModelWithResponseStream / ConverseStream
 * and SageMaker InvokeEndpointWithResponseStream responses.
 *
 * Push bytes as they arrive, in any chunking; take whole messages out.
 * Both CRCs (prelude and message) are checked; any framing error poisons
 * the decoder (the stream cannot be resynchronised).
 *
 * Ownership: messages returned by eventstream_next belong to the caller,
 * who releases them with eventstream_message_free.
 */
#ifndef STOCKAGENT_AWS_EVENTSTREAM_H
#define STOCKAGENT_AWS_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

/* botocore's limits: 128 KiB of headers, 24 MiB of payload. */
#define EVENTSTREAM_MAX_HEADERS (128u * 1024)
#define EVENTSTREAM_MAX_PAYLOAD (24u * 1024 * 1024)

enum eventstream_status {
	EVENTSTREAM_OK = 0,	     /* a message is returned */
	EVENTSTREAM_NEED_MORE,	     /* no whole message buffered yet */
	EVENTSTREAM_ERR_PRELUDE_CRC, /* bytes 0..7 do not match their CRC */
	EVENTSTREAM_ERR_MESSAGE_CRC, /* the message CRC does not match */
	EVENTSTREAM_ERR_TOO_LARGE,   /* over the decoder's size limits */
	EVENTSTREAM_ERR_MALFORMED,   /* bad lengths or header encoding */
	EVENTSTREAM_ERR_TRUNCATED,   /* the stream ended mid-message */
};

enum eventstream_type {
	EVENTSTREAM_TRUE = 0,
	EVENTSTREAM_FALSE = 1,
	EVENTSTREAM_BYTE = 2,
	EVENTSTREAM_INT16 = 3,
	EVENTSTREAM_INT32 = 4,
	EVENTSTREAM_INT64 = 5,
	EVENTSTREAM_BYTES = 6,
	EVENTSTREAM_STRING = 7,
	EVENTSTREAM_TIMESTAMP = 8, /* milliseconds since the epoch */
	EVENTSTREAM_UUID = 9,
};

struct eventstream_header {
	char *name; /* NUL-terminated */
	enum eventstream_type type;
	int64_t integer; /* true/false (1/0), byte, int16/32/64, timestamp */
	unsigned char *bytes; /* bytes, string (NUL-terminated), uuid [16] */
	size_t len;	      /* bytes in bytes (not counting the NUL) */
};

struct eventstream_message {
	struct eventstream_header *headers; /* [nheaders] */
	size_t nheaders;
	unsigned char *payload; /* [payload_len], NUL-terminated */
	size_t payload_len;
};

/* What a message means (its ":message-type" header). */
enum eventstream_kind {
	EVENTSTREAM_KIND_EVENT,	    /* ":event-type" names the member */
	EVENTSTREAM_KIND_EXCEPTION, /* modeled error: ":exception-type" */
	EVENTSTREAM_KIND_ERROR,	    /* ":error-code", ":error-message" */
	EVENTSTREAM_KIND_UNKNOWN,
};

struct eventstream_decoder;

/* max_payload 0 means EVENTSTREAM_MAX_PAYLOAD. */
struct eventstream_decoder *eventstream_decoder_new(size_t max_payload);
void eventstream_decoder_free(struct eventstream_decoder *d);

/*
 * Buffers len bytes. Fails with EVENTSTREAM_ERR_TOO_LARGE when more than
 * one maximal message plus 1 MiB would be waiting (drain with
 * eventstream_next between pushes), or with the decoder's earlier error.
 */
enum eventstream_status eventstream_push(struct eventstream_decoder *d,
    const void *data, size_t len);

/*
 * Takes the next whole message: EVENTSTREAM_OK and *out set (caller
 * frees), EVENTSTREAM_NEED_MORE, or an error (and every later call returns
 * it again).
 */
enum eventstream_status eventstream_next(struct eventstream_decoder *d,
    struct eventstream_message **out);

/* At the end of the stream: EVENTSTREAM_OK, or ERR_TRUNCATED when bytes of
 * an unfinished message are left, or the decoder's earlier error. */
enum eventstream_status eventstream_finish(const struct eventstream_decoder *d);

void eventstream_message_free(struct eventstream_message *m);

/* The header called name, or NULL (borrowed from m). */
const struct eventstream_header *eventstream_message_header(
    const struct eventstream_message *m, const char *name);
/* A string header's value, or NULL if missing or not a string. */
const char *eventstream_message_string(const struct eventstream_message *m,
    const char *name);
enum eventstream_kind
eventstream_message_kind(const struct eventstream_message *m);

/*
 * For an exception or error message: "throttlingException: Too many
 * requests" (the type, then the payload's "message" when it is JSON).
 * Heap string.
 */
char *eventstream_message_describe_error(const struct eventstream_message *m);

/* A one-line English description of a status. */
const char *eventstream_strerror(enum eventstream_status status);

/* CRC-32 (IEEE 802.3, as zlib) continuing from crc (start with 0). */
uint32_t eventstream_crc32(uint32_t crc, const void *data, size_t len);

#endif
