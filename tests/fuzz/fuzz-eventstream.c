/*
 * fuzz-eventstream.c: libFuzzer harness for the AWS event-stream decoder
 * (eventstream_push / eventstream_next / eventstream_finish) and what the
 * backends ask of a message (its kind, string headers, the error text).
 * The first byte sets the size of the pieces the rest arrives in (its
 * low six bits), a 64-byte payload limit (bit 6) and, with its top bit,
 * has the harness write the right CRCs into the frames it finds first, so
 * the fuzzer gets past the checksums to the headers and payloads. Errors
 * are fine; a crash, a payload without its NUL or two headers of one name
 * in a message are not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aws-eventstream.h"
#include "tests/fuzz/fuzz.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writes the prelude and message CRCs of the frames laid end to end. */
static void
fix_crcs(uint8_t *p, size_t size)
{
	uint32_t total;

	while (size >= 16 && (total = get32(p)) >= 16 && total <= size) {
		put32(p + 8, eventstream_crc32(0, p, 8));
		put32(p + total - 4, eventstream_crc32(0, p, total - 4));
		p += total;
		size -= total;
	}
}

static void
inspect(const struct eventstream_message *m)
{
	enum eventstream_kind kind = eventstream_message_kind(m);
	size_t i;

	if (m->payload[m->payload_len] != '\0')
		abort();
	for (i = 0; i < m->nheaders; i++)
		if (eventstream_message_header(m, m->headers[i].name) !=
		    &m->headers[i])
			abort(); /* names are unique */
	(void)eventstream_message_string(m, ":event-type");
	if (kind == EVENTSTREAM_KIND_EXCEPTION ||
	    kind == EVENTSTREAM_KIND_ERROR)
		free(eventstream_message_describe_error(m));
}

static int
feed(void *arg, const uint8_t *p, size_t n)
{
	struct eventstream_decoder *d = arg;
	struct eventstream_message *m;
	enum eventstream_status st;

	if ((st = eventstream_push(d, p, n)) != EVENTSTREAM_OK)
		return (int)st;
	while ((st = eventstream_next(d, &m)) == EVENTSTREAM_OK) {
		inspect(m);
		eventstream_message_free(m);
	}
	return st == EVENTSTREAM_NEED_MORE ? 0 : (int)st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eventstream_decoder *d;
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = xmalloc(size);
	memcpy(copy, data, size);
	if (data[0] & 0x80)
		fix_crcs(copy + 1, size - 1);
	d = eventstream_decoder_new(data[0] & 0x40 ? 64 : 0);
	/* An empty piece first: a transfer may deliver one. */
	if (feed(d, copy, 0) == 0 &&
	    fuzz_pieces(copy + 1, size - 1, 1 + (data[0] & 0x3f) * 7, feed,
		d) == 0)
		(void)eventstream_strerror(eventstream_finish(d));
	eventstream_decoder_free(d);
	free(copy);
	return 0;
}
