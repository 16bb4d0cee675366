/*
 * report-encoder.c: UTF-8 for the report's fonts, over the code points a
 * report can show (see report-encoder.h).
 */
#include "config.h"

#include <stdlib.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_encoder.h>
#include <hpdf_utils.h>

#include "lib/xmalloc.h"
#include "tools/report/report-encoder.h"

/* The code points mapped (CID = code point), ended as libharu ends them. */
static const HPDF_CidRange_Rec report_ranges[] = {
	{ 0x0020, 0x052F, 0x0020 },
	{ 0x1D00, 0x1FFF, 0x1D00 },
	{ 0x2000, 0x2BFF, 0x2000 },
	{ 0xFFFF, 0xFFFF, 0x0 },
};
static const HPDF_CidRange_Rec report_notdef = { 0x0000, 0x001F, 1 };
static const HPDF_CidRange_Rec report_space = { 0x0000, 0xFFFF, 0 };

/* The character being read: a document is drawn by one thread. */
static _Thread_local struct {
	HPDF_BYTE bytes[4];
	int at, last; /* bytes[0..at) read; last: index of its final byte */
} report_utf8;

/* The byte at STATE's index: SINGLE when it ends a character, TRIAL
 * inside one (the byte_type_fn contract: it advances the index). */
static HPDF_ByteType
report_byte_type(HPDF_Encoder encoder, HPDF_ParseText_Rec *state)
{
	HPDF_BYTE b = state->text[state->index++];

	(void)encoder;
	if (state->index == 1)
		report_utf8.at = 0;
	if (report_utf8.at == 0) {
		report_utf8.bytes[0] = b;
		if (b < 0x80) {
			report_utf8.last = 0;
			return HPDF_BYTE_TYPE_SINGLE;
		}
		report_utf8.last = (b & 0xF8) == 0xF0 ? 3 :
		    (b & 0xF0) == 0xE0		      ? 2 :
		    (b & 0xE0) == 0xC0		      ? 1 :
							-1;
		report_utf8.at = report_utf8.last > 0; /* else skip it */
		return HPDF_BYTE_TYPE_TRIAL;
	}
	report_utf8.bytes[report_utf8.at] = b;
	if (report_utf8.at == report_utf8.last) {
		report_utf8.at = 0;
		return HPDF_BYTE_TYPE_SINGLE;
	}
	report_utf8.at++;
	return HPDF_BYTE_TYPE_TRIAL;
}

/* The code point of the character just read (CODE is its last byte). */
static HPDF_UNICODE
report_to_unicode(HPDF_Encoder encoder, HPDF_UINT16 code)
{
	const HPDF_BYTE *b = report_utf8.bytes;
	unsigned v;

	(void)encoder;
	(void)code;
	switch (report_utf8.last) {
	case 3:
		v = (b[0] & 0x07u) << 18 | (b[1] & 0x3Fu) << 12 |
		    (b[2] & 0x3Fu) << 6 | (b[3] & 0x3Fu);
		break;
	case 2:
		v = (b[0] & 0x0Fu) << 12 | (b[1] & 0x3Fu) << 6 | (b[2] & 0x3Fu);
		break;
	case 1:
		v = (b[0] & 0x1Fu) << 6 | (b[1] & 0x3Fu);
		break;
	default:
		v = b[0];
	}
	return (HPDF_UNICODE)(v > 0xFFFF ? 0x20 : v);
}

/* TEXT as big-endian 16-bit CIDs; malloc'd, libharu frees it. */
static char *
report_encode_text(HPDF_Encoder encoder, const char *text, HPDF_UINT len,
    HPDF_UINT *length)
{
	char *out = xmalloc((size_t)len * 2 + 2), *c = out;
	HPDF_ParseText_Rec st;
	HPDF_UNICODE u;
	HPDF_UINT i;

	HPDF_Encoder_SetParseText(encoder, &st, (const HPDF_BYTE *)text, len);
	for (i = 0; i < len; i++) {
		if (report_byte_type(encoder, &st) == HPDF_BYTE_TYPE_TRIAL)
			continue;
		u = report_to_unicode(encoder, 0);
		*c++ = (char)(u >> 8);
		*c++ = (char)(u & 0xFF);
	}
	*length = (HPDF_UINT)(c - out);
	return out;
}

/* libharu's init function: the code point table and the CMap. */
static HPDF_STATUS
report_encoder_init(HPDF_Encoder encoder)
{
	HPDF_CMapEncoderAttr attr;
	const HPDF_CidRange_Rec *r;
	HPDF_STATUS ret;
	unsigned c;

	if ((ret = HPDF_CMapEncoder_InitAttr(encoder)) != HPDF_OK)
		return ret;
	encoder->byte_type_fn = report_byte_type;
	encoder->encode_text_fn = report_encode_text;
	/* to_unicode_fn stays HPDF_CMapEncoder_ToUnicode until the fonts
	 * are made: then libharu maps only the table's code points. */
	attr = (HPDF_CMapEncoderAttr)encoder->attr;
	for (r = report_ranges; r->from != 0xFFFF; r++)
		for (c = r->from; c <= r->to; c++) {
			attr->cid_map[c & 0xFF][c >> 8] = (HPDF_UINT16)c;
			attr->unicode_map[c & 0xFF][c >> 8] = (HPDF_UNICODE)c;
		}
	if (HPDF_CMapEncoder_AddCMap(encoder, report_ranges) != HPDF_OK ||
	    HPDF_CMapEncoder_AddCodeSpaceRange(encoder, report_space) !=
		HPDF_OK ||
	    HPDF_CMapEncoder_AddNotDefRange(encoder, report_notdef) != HPDF_OK)
		return encoder->error->error_no;
	attr->is_lead_byte_fn = NULL;
	attr->is_trial_byte_fn = NULL;
	HPDF_StrCpy(attr->registry, "Adobe",
	    attr->registry + HPDF_LIMIT_MAX_NAME_LEN);
	HPDF_StrCpy(attr->ordering, "Identity-H",
	    attr->ordering + HPDF_LIMIT_MAX_NAME_LEN);
	attr->suppliment = 0;
	attr->writing_mode = HPDF_WMODE_HORIZONTAL;
	encoder->type = HPDF_ENCODER_TYPE_DOUBLE_BYTE;
	return HPDF_OK;
}

HPDF_STATUS
report_encoder_use(HPDF_Doc pdf)
{
	HPDF_Encoder e = HPDF_CMapEncoder_New(pdf->mmgr, (char *)REPORT_ENCODER,
	    report_encoder_init);

	if (e == NULL)
		return HPDF_Error_GetCode(&pdf->error);
	return HPDF_Doc_RegisterEncoder(pdf, e);
}

void
report_encoder_fonts_made(HPDF_Doc pdf)
{
	HPDF_Encoder e = HPDF_GetEncoder(pdf, REPORT_ENCODER);

	if (e != NULL)
		e->to_unicode_fn = report_to_unicode;
}
