/*
 * aws-eventstream.c: the AWS event-stream frame decoder.
 *
 * Frame (big-endian): total_length u32 | headers_length u32 | prelude_crc
 * u32 | headers | payload | message_crc u32 (CRC of everything before it).
 * Layout and limits as in botocore's eventstream.py.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/aws-eventstream.h"
#include "lib/xmalloc.h"

#define PRELUDE_LEN 12
#define MIN_MESSAGE 16
#define BACKLOG_SLACK (1024u * 1024)

struct eventstream_decoder {
	unsigned char *data; /* [cap]: bytes [start, len) are pending */
	size_t start;
	size_t len;
	size_t cap;
	size_t max_payload;
	enum eventstream_status error; /* sticky; EVENTSTREAM_OK when none */
};

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	uint32_t c, n, k;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

uint32_t
eventstream_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (len-- > 0)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be_n(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

struct eventstream_decoder *
eventstream_decoder_new(size_t max_payload)
{
	struct eventstream_decoder *d = xcalloc(1, sizeof *d);

	d->max_payload = max_payload ? max_payload : EVENTSTREAM_MAX_PAYLOAD;
	d->error = EVENTSTREAM_OK;
	return d;
}

void
eventstream_decoder_free(struct eventstream_decoder *d)
{
	if (d == NULL)
		return;
	free(d->data);
	free(d);
}

static size_t
max_message(const struct eventstream_decoder *d)
{
	return MIN_MESSAGE + EVENTSTREAM_MAX_HEADERS + d->max_payload;
}

enum eventstream_status
eventstream_push(struct eventstream_decoder *d, const void *data, size_t len)
{
	size_t pending;

	if (d->error != EVENTSTREAM_OK)
		return d->error;
	pending = d->len - d->start;
	if (len > max_message(d) + BACKLOG_SLACK - pending)
		return d->error = EVENTSTREAM_ERR_TOO_LARGE;
	if (d->start > 0) { /* compact: drop consumed bytes */
		memmove(d->data, d->data + d->start, pending);
		d->len = pending;
		d->start = 0;
	}
	if (d->len + len > d->cap) {
		size_t cap = d->cap ? d->cap : 4096;

		while (cap < d->len + len)
			cap *= 2;
		d->data = xreallocarray(d->data, cap, 1);
		d->cap = cap;
	}
	if (len > 0)
		memcpy(d->data + d->len, data, len);
	d->len += len;
	return EVENTSTREAM_OK;
}

/* Value sizes of fixed-width header types; -1 for length-prefixed ones. */
static int
fixed_size(unsigned type)
{
	static const int size[] = { 0, 0, 1, 2, 4, 8, -1, -1, 8, 16 };

	return type < sizeof size / sizeof *size ? size[type] : -2;
}

static int64_t
sign_extend(uint64_t v, size_t bytes)
{
	if (bytes < 8 && (v >> (bytes * 8 - 1)) & 1)
		v |= ~(uint64_t)0 << (bytes * 8);
	return (int64_t)v;
}

/* Parses one header at p (room bytes left); returns bytes used or 0. */
static size_t
parse_header(const unsigned char *p, size_t room, struct eventstream_header *h)
{
	size_t nlen, used, vlen;
	int fsz;

	if (room < 1 || (nlen = p[0]) == 0 || room < 1 + nlen + 1)
		return 0;
	h->name = xstrndup((const char *)p + 1, nlen);
	if (strlen(h->name) != nlen)
		return 0;
	used = 1 + nlen;
	h->type = p[used++];
	fsz = fixed_size(h->type);
	if (fsz == -2)
		return 0;
	if (fsz >= 0) {
		if (room - used < (size_t)fsz)
			return 0;
		if (h->type == EVENTSTREAM_UUID) {
			h->bytes = xmalloc(17);
			memcpy(h->bytes, p + used, 16);
			h->bytes[16] = 0;
			h->len = 16;
		} else if (h->type <= EVENTSTREAM_FALSE) {
			h->integer = h->type == EVENTSTREAM_TRUE;
		} else {
			h->integer = sign_extend(be_n(p + used, (size_t)fsz),
			    (size_t)fsz);
		}
		return used + (size_t)fsz;
	}
	if (room - used < 2)
		return 0;
	vlen = (size_t)be_n(p + used, 2);
	used += 2;
	if (room - used < vlen)
		return 0;
	h->bytes = xmalloc(vlen + 1);
	memcpy(h->bytes, p + used, vlen);
	h->bytes[vlen] = 0;
	h->len = vlen;
	return used + vlen;
}

static int
parse_headers(const unsigned char *p, size_t len, struct eventstream_message *m)
{
	size_t off = 0, used, i;

	while (off < len) {
		struct eventstream_header *h;

		m->headers = xreallocarray(m->headers, m->nheaders + 1,
		    sizeof *m->headers);
		h = &m->headers[m->nheaders++];
		memset(h, 0, sizeof *h);
		used = parse_header(p + off, len - off, h);
		if (used == 0)
			return -1;
		for (i = 0; i + 1 < m->nheaders; i++)
			if (strcmp(m->headers[i].name, h->name) == 0)
				return -1; /* duplicate header */
		off += used;
	}
	return 0;
}

enum eventstream_status
eventstream_next(struct eventstream_decoder *d,
    struct eventstream_message **out)
{
	const unsigned char *p;
	size_t avail = d->len - d->start;
	uint32_t total, hlen;
	struct eventstream_message *m;

	*out = NULL;
	if (d->error != EVENTSTREAM_OK)
		return d->error;
	if (avail < PRELUDE_LEN)
		return EVENTSTREAM_NEED_MORE; /* d->data may still be NULL */
	p = d->data + d->start;
	total = be32(p);
	hlen = be32(p + 4);
	if (eventstream_crc32(0, p, 8) != be32(p + 8))
		return d->error = EVENTSTREAM_ERR_PRELUDE_CRC;
	if (total < MIN_MESSAGE || hlen > total - MIN_MESSAGE)
		return d->error = EVENTSTREAM_ERR_MALFORMED;
	if (hlen > EVENTSTREAM_MAX_HEADERS ||
	    total - MIN_MESSAGE - hlen > d->max_payload)
		return d->error = EVENTSTREAM_ERR_TOO_LARGE;
	if (avail < total)
		return EVENTSTREAM_NEED_MORE;
	if (eventstream_crc32(0, p, total - 4) != be32(p + total - 4))
		return d->error = EVENTSTREAM_ERR_MESSAGE_CRC;
	m = xcalloc(1, sizeof *m);
	if (parse_headers(p + PRELUDE_LEN, hlen, m) != 0) {
		eventstream_message_free(m);
		return d->error = EVENTSTREAM_ERR_MALFORMED;
	}
	m->payload_len = total - MIN_MESSAGE - hlen;
	m->payload = xmalloc(m->payload_len + 1);
	memcpy(m->payload, p + PRELUDE_LEN + hlen, m->payload_len);
	m->payload[m->payload_len] = 0;
	d->start += total;
	*out = m;
	return EVENTSTREAM_OK;
}

enum eventstream_status
eventstream_finish(const struct eventstream_decoder *d)
{
	if (d->error != EVENTSTREAM_OK)
		return d->error;
	return d->len > d->start ? EVENTSTREAM_ERR_TRUNCATED : EVENTSTREAM_OK;
}

void
eventstream_message_free(struct eventstream_message *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].bytes);
	}
	free(m->headers);
	free(m->payload);
	free(m);
}

const struct eventstream_header *
eventstream_message_header(const struct eventstream_message *m,
    const char *name)
{
	size_t i;

	for (i = 0; i < m->nheaders; i++)
		if (strcmp(m->headers[i].name, name) == 0)
			return &m->headers[i];
	return NULL;
}

const char *
eventstream_message_string(const struct eventstream_message *m,
    const char *name)
{
	const struct eventstream_header *h = eventstream_message_header(m,
	    name);

	return h != NULL && h->type == EVENTSTREAM_STRING ? (char *)h->bytes :
							    NULL;
}

enum eventstream_kind
eventstream_message_kind(const struct eventstream_message *m)
{
	const char *t = eventstream_message_string(m, ":message-type");

	if (t == NULL)
		return EVENTSTREAM_KIND_UNKNOWN;
	if (strcmp(t, "event") == 0)
		return EVENTSTREAM_KIND_EVENT;
	if (strcmp(t, "exception") == 0)
		return EVENTSTREAM_KIND_EXCEPTION;
	if (strcmp(t, "error") == 0)
		return EVENTSTREAM_KIND_ERROR;
	return EVENTSTREAM_KIND_UNKNOWN;
}

char *
eventstream_message_describe_error(const struct eventstream_message *m)
{
	const char *type, *msg = NULL;
	cJSON *json = NULL, *item;
	char *s;

	if (eventstream_message_kind(m) == EVENTSTREAM_KIND_ERROR) {
		type = eventstream_message_string(m, ":error-code");
		msg = eventstream_message_string(m, ":error-message");
	} else {
		type = eventstream_message_string(m, ":exception-type");
		json = cJSON_ParseWithLength((const char *)m->payload,
		    m->payload_len);
		item = cJSON_GetObjectItemCaseSensitive(json, "message");
		if (item == NULL)
			item = cJSON_GetObjectItemCaseSensitive(json,
			    "Message");
		if (cJSON_IsString(item))
			msg = item->valuestring;
		else if (json == NULL && m->payload_len > 0)
			msg = (const char *)m->payload;
	}
	s = xasprintf("%s%s%s", type ? type : "unknown error",
	    msg && *msg ? ": " : "", msg ? msg : "");
	cJSON_Delete(json);
	return s;
}

const char *
eventstream_strerror(enum eventstream_status status)
{
	switch (status) {
	case EVENTSTREAM_OK:
		return "no error";
	case EVENTSTREAM_NEED_MORE:
		return "incomplete message";
	case EVENTSTREAM_ERR_PRELUDE_CRC:
		return "event-stream prelude CRC mismatch";
	case EVENTSTREAM_ERR_MESSAGE_CRC:
		return "event-stream message CRC mismatch";
	case EVENTSTREAM_ERR_TOO_LARGE:
		return "event-stream message too large";
	case EVENTSTREAM_ERR_MALFORMED:
		return "malformed event-stream message";
	case EVENTSTREAM_ERR_TRUNCATED:
		return "event stream ended in the middle of a message";
	}
	return "unknown event-stream error";
}
