/*
 * unit-eventstream.c: the event-stream decoder against frames built here
 * (with a bit-by-bit CRC-32 independent of the decoder's table) and the
 * botocore-checked vectors of specs/aws-protocols.md section 4.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aws-eventstream.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"

static uint32_t
slow_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	int k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Wraps already-encoded headers and a payload into a frame. */
static unsigned char *
frame(const unsigned char *hdr, size_t hlen, const void *payload, size_t plen,
    size_t *len_out)
{
	size_t total = 16 + hlen + plen;
	unsigned char *f = xmalloc(total);

	put32(f, (uint32_t)total);
	put32(f + 4, (uint32_t)hlen);
	put32(f + 8, slow_crc32(f, 8));
	memcpy(f + 12, hdr, hlen);
	memcpy(f + 12 + hlen, payload, plen);
	put32(f + total - 4, slow_crc32(f, total - 4));
	*len_out = total;
	return f;
}

static size_t
str_header(unsigned char *p, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	p[0] = (unsigned char)n;
	memcpy(p + 1, name, n);
	p[1 + n] = 7;
	p[2 + n] = (unsigned char)(v >> 8);
	p[3 + n] = (unsigned char)v;
	memcpy(p + 4 + n, value, v);
	return 4 + n + v;
}

static unsigned char *
unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2, i;
	unsigned char *b = xmalloc(n);

	for (i = 0; i < n; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		b[i] = (unsigned char)v;
	}
	*len = n;
	return b;
}

/* Decodes f pushed in two pieces split at cut; returns messages seen. */
static int
decode_split(const unsigned char *f, size_t len, size_t cut,
    struct eventstream_message **first)
{
	struct eventstream_decoder *d = eventstream_decoder_new(0);
	struct eventstream_message *m = NULL;
	int count = 0;

	*first = NULL;
	eventstream_push(d, f, cut);
	while (eventstream_next(d, &m) == EVENTSTREAM_OK) {
		if (*first == NULL)
			*first = m;
		else
			eventstream_message_free(m);
		count++;
	}
	eventstream_push(d, f + cut, len - cut);
	while (eventstream_next(d, &m) == EVENTSTREAM_OK) {
		if (*first == NULL)
			*first = m;
		else
			eventstream_message_free(m);
		count++;
	}
	if (eventstream_finish(d) != EVENTSTREAM_OK)
		count = -1;
	eventstream_decoder_free(d);
	return count;
}

static void
test_spec_vectors(void)
{
	const char *chunk_hex =
	    "000000ab0000004b83dbe9f60b3a6576656e742d747970650700056368756e6b0d"
	    "3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d"
	    "3a6d6573736167652d747970650700056576656e747b226279746573223a226579"
	    "4a6a614739705932567a496a706265794a70626d526c654349364d4377695a4756"
	    "73644745694f6e7369593239756447567564434936496b6870496e31395858303d"
	    "227deaeea31d";
	const char *exc_hex =
	    "00000090000000618e91a9b70d3a6d6573736167652d7479706507000965786365"
	    "7074696f6e0f3a657863657074696f6e2d747970650700137468726f74746c696e"
	    "67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c6963"
	    "6174696f6e2f6a736f6e7b226d657373616765223a22546f6f206d616e79207265"
	    "717565737473227d9d6b6211";
	const char *elixir = "0000001e00000000baf2f68a7b22666f6f223a2022626172"
			     "227dae7258e4";
	struct eventstream_message *m;
	unsigned char *b;
	size_t len;
	char *s;

	b = unhex(chunk_hex, &len);
	TEST_CHECK("bedrock chunk frame decodes",
	    decode_split(b, len, len, &m) == 1 && m != NULL);
	if (m != NULL) {
		TEST_STREQ("event type",
		    eventstream_message_string(m, ":event-type"), "chunk");
		TEST_CHECK("it is an event",
		    eventstream_message_kind(m) == EVENTSTREAM_KIND_EVENT);
		TEST_CHECK("payload is the JSON with bytes",
		    strncmp((char *)m->payload, "{\"bytes\":\"eyJ", 12) == 0);
	}
	eventstream_message_free(m);
	free(b);

	b = unhex(exc_hex, &len);
	TEST_CHECK("exception frame decodes",
	    decode_split(b, len, 7, &m) == 1 && m != NULL);
	if (m != NULL) {
		TEST_CHECK("it is an exception",
		    eventstream_message_kind(m) == EVENTSTREAM_KIND_EXCEPTION);
		s = eventstream_message_describe_error(m);
		TEST_STREQ("exception described", s,
		    "throttlingException: Too many requests");
		free(s);
	}
	eventstream_message_free(m);
	free(b);

	b = unhex(elixir, &len);
	TEST_CHECK("no-header frame decodes",
	    decode_split(b, len, 0, &m) == 1 && m != NULL);
	if (m != NULL)
		TEST_STREQ("payload", (char *)m->payload, "{\"foo\": \"bar\"}");
	eventstream_message_free(m);
	free(b);
}

/* A frame with one header of every type. */
static unsigned char *
all_types_frame(size_t *len)
{
	unsigned char h[256], *p = h;
	static const unsigned char uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16 };

	p += str_header(p, ":message-type", "event");
	*p++ = 1;
	*p++ = 't';
	*p++ = 0;
	*p++ = 1;
	*p++ = 'f';
	*p++ = 1;
	*p++ = 1;
	*p++ = 'b';
	*p++ = 2;
	*p++ = 0xff;
	*p++ = 1;
	*p++ = 's';
	*p++ = 3;
	*p++ = 0x80;
	*p++ = 0x00;
	*p++ = 1;
	*p++ = 'i';
	*p++ = 4;
	put32(p, 123456789);
	p += 4;
	*p++ = 1;
	*p++ = 'l';
	*p++ = 5;
	put32(p, 1);
	put32(p + 4, 2);
	p += 8;
	*p++ = 1;
	*p++ = 'y';
	*p++ = 6;
	*p++ = 0;
	*p++ = 3;
	*p++ = 0;
	*p++ = 'a';
	*p++ = 0xfe;
	*p++ = 2;
	*p++ = 't';
	*p++ = 's';
	*p++ = 8;
	put32(p, 0);
	put32(p + 4, 1000);
	p += 8;
	*p++ = 1;
	*p++ = 'u';
	*p++ = 9;
	memcpy(p, uuid, 16);
	p += 16;
	return frame(h, (size_t)(p - h), "hello", 5, len);
}

static void
test_all_types(void)
{
	struct eventstream_message *m;
	const struct eventstream_header *h;
	unsigned char *f;
	size_t len;

	f = all_types_frame(&len);
	TEST_CHECK("all header types decode",
	    decode_split(f, len, len / 2, &m) == 1 && m != NULL);
	if (m == NULL) {
		free(f);
		return;
	}
	TEST_CHECK("ten headers", m->nheaders == 10);
	h = eventstream_message_header(m, "t");
	TEST_CHECK("true", h && h->type == EVENTSTREAM_TRUE && h->integer == 1);
	h = eventstream_message_header(m, "f");
	TEST_CHECK("false",
	    h && h->type == EVENTSTREAM_FALSE && h->integer == 0);
	h = eventstream_message_header(m, "b");
	TEST_CHECK("byte is signed", h && h->integer == -1);
	h = eventstream_message_header(m, "s");
	TEST_CHECK("int16 is signed", h && h->integer == -32768);
	h = eventstream_message_header(m, "i");
	TEST_CHECK("int32", h && h->integer == 123456789);
	h = eventstream_message_header(m, "l");
	TEST_CHECK("int64", h && h->integer == ((int64_t)1 << 32 | 2));
	h = eventstream_message_header(m, "y");
	TEST_CHECK("bytes",
	    h && h->type == EVENTSTREAM_BYTES && h->len == 3 &&
		memcmp(h->bytes, "\0a\xfe", 3) == 0);
	h = eventstream_message_header(m, "ts");
	TEST_CHECK("timestamp ms",
	    h && h->type == EVENTSTREAM_TIMESTAMP && h->integer == 1000);
	h = eventstream_message_header(m, "u");
	TEST_CHECK("uuid", h && h->len == 16 && h->bytes[15] == 16);
	TEST_STREQ("payload", (char *)m->payload, "hello");
	eventstream_message_free(m);
	free(f);
}

static void
test_every_split(void)
{
	unsigned char *a, *b, *both;
	size_t alen, blen, cut;
	int ok = 1;

	a = all_types_frame(&alen);
	{
		unsigned char h[64];
		size_t hl = str_header(h, ":message-type", "event");

		b = frame(h, hl, "{\"x\":1}", 7, &blen);
	}
	both = xmalloc(alen + blen);
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	for (cut = 0; cut <= alen + blen; cut++) {
		struct eventstream_message *m;
		int n = decode_split(both, alen + blen, cut, &m);

		if (n != 2 || m == NULL || m->payload_len != 5)
			ok = 0;
		eventstream_message_free(m);
	}
	TEST_CHECK("two frames decode split at every byte offset", ok);

	/* One byte at a time. */
	{
		struct eventstream_decoder *d = eventstream_decoder_new(0);
		struct eventstream_message *m;
		size_t i;
		int n = 0;

		for (i = 0; i < alen + blen; i++) {
			eventstream_push(d, both + i, 1);
			while (eventstream_next(d, &m) == EVENTSTREAM_OK) {
				n++;
				eventstream_message_free(m);
			}
		}
		TEST_CHECK("byte-by-byte push yields both messages", n == 2);
		TEST_CHECK("clean end",
		    eventstream_finish(d) == EVENTSTREAM_OK);
		eventstream_decoder_free(d);
	}
	free(a);
	free(b);
	free(both);
}

static enum eventstream_status
decode_status(const unsigned char *f, size_t len, size_t max_payload)
{
	struct eventstream_decoder *d = eventstream_decoder_new(max_payload);
	struct eventstream_message *m = NULL;
	enum eventstream_status st;

	eventstream_push(d, f, len);
	st = eventstream_next(d, &m);
	eventstream_message_free(m);
	if (st == EVENTSTREAM_NEED_MORE)
		st = eventstream_finish(d);
	eventstream_decoder_free(d);
	return st;
}

static void
test_errors(void)
{
	unsigned char *f, h[256];
	size_t len, hl;

	f = all_types_frame(&len);
	f[len - 10] ^= 1;
	TEST_CHECK("a flipped payload bit fails the message CRC",
	    decode_status(f, len, 0) == EVENTSTREAM_ERR_MESSAGE_CRC);
	f[len - 10] ^= 1;
	f[3] ^= 1;
	TEST_CHECK("a corrupted length fails the prelude CRC",
	    decode_status(f, len, 0) == EVENTSTREAM_ERR_PRELUDE_CRC);
	f[3] ^= 1;
	TEST_CHECK("a truncated frame is reported at the end",
	    decode_status(f, len - 1, 0) == EVENTSTREAM_ERR_TRUNCATED);
	TEST_CHECK("a payload over the limit is refused before buffering",
	    decode_status(f, 12, 4) == EVENTSTREAM_ERR_TOO_LARGE);
	free(f);

	/* Duplicate header names are malformed (botocore DuplicateHeader). */
	hl = str_header(h, "a", "1");
	hl += str_header(h + hl, "a", "2");
	f = frame(h, hl, "", 0, &len);
	TEST_CHECK("duplicate header is malformed",
	    decode_status(f, len, 0) == EVENTSTREAM_ERR_MALFORMED);
	free(f);

	/* A header length that runs past the headers block. */
	hl = str_header(h, "abc", "value");
	h[hl - 6] = 0x40; /* string length 0x4005 */
	f = frame(h, hl, "", 0, &len);
	TEST_CHECK("header overrunning its block is malformed",
	    decode_status(f, len, 0) == EVENTSTREAM_ERR_MALFORMED);
	free(f);

	/* Unknown header type. */
	h[0] = 1;
	h[1] = 'x';
	h[2] = 42;
	f = frame(h, 3, "", 0, &len);
	TEST_CHECK("unknown header type is malformed",
	    decode_status(f, len, 0) == EVENTSTREAM_ERR_MALFORMED);
	free(f);

	/* The error stays: a later good frame is not decoded. */
	{
		struct eventstream_decoder *d = eventstream_decoder_new(0);
		struct eventstream_message *m;
		unsigned char bad[16] = { 0 };

		eventstream_push(d, bad, sizeof bad);
		TEST_CHECK("zeros fail the prelude CRC",
		    eventstream_next(d, &m) == EVENTSTREAM_ERR_PRELUDE_CRC);
		f = all_types_frame(&len);
		TEST_CHECK("errors are sticky",
		    eventstream_push(d, f, len) == EVENTSTREAM_ERR_PRELUDE_CRC);
		free(f);
		eventstream_decoder_free(d);
	}

	/* An :message-type error frame. */
	{
		struct eventstream_message *m;
		char *s;

		hl = str_header(h, ":message-type", "error");
		hl += str_header(h + hl, ":error-code", "InternalFailure");
		hl += str_header(h + hl, ":error-message", "boom");
		f = frame(h, hl, "", 0, &len);
		TEST_CHECK("error frame decodes",
		    decode_split(f, len, 3, &m) == 1 && m != NULL);
		if (m != NULL) {
			TEST_CHECK("kind error",
			    eventstream_message_kind(m) ==
				EVENTSTREAM_KIND_ERROR);
			s = eventstream_message_describe_error(m);
			TEST_STREQ("error described", s,
			    "InternalFailure: boom");
			free(s);
		}
		eventstream_message_free(m);
		free(f);
	}
}

int
main(void)
{
	TEST_CHECK("table CRC matches the bit-by-bit CRC",
	    eventstream_crc32(0, "123456789", 9) == 0xCBF43926u &&
		slow_crc32((const unsigned char *)"123456789", 9) ==
		    0xCBF43926u);
	test_spec_vectors();
	test_all_types();
	test_every_split();
	test_errors();
	return TEST_REPORT();
}
