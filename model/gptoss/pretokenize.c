/*
 * pretokenize.c: the o200k pre-tokenization regex as straight-line code.
 *
 * Each alternative of the regex (see pretokenize.h) is one function that
 * returns the end of its match or 0. The backtracking the regex engine would
 * do is resolved by remembering, during one forward scan, the positions a
 * backtrack would land on:
 *   - alternative 1, [U]*[W]+: when the U-run is not followed by a W, the
 *     engine gives characters back until one in W ends the match, i.e. the
 *     match ends after the last W inside the U-run;
 *   - \s*[\r\n]+ ends after the last CR or LF of the whitespace run;
 *   - \s+(?!\S) ends at the whole run at the end of input, else before the
 *     run's last character if the run has two or more.
 * Every function works on valid UTF-8; pretok_sanitize makes it so.
 */
#include "config.h"

#include <string.h>

#include "model/gptoss/pretokenize.h"

/* Decodes the code point at S[I] (valid UTF-8); sets *NEXT past it. */
static inline uint32_t
pt_dec(const uint8_t *s, size_t i, size_t *next)
{
	uint32_t c = s[i];

	if (c < 0x80) {
		*next = i + 1;
		return c;
	}
	if (c < 0xE0) {
		*next = i + 2;
		return ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
	}
	if (c < 0xF0) {
		*next = i + 3;
		return ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) |
		    (s[i + 2] & 0x3F);
	}
	*next = i + 4;
	return ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) |
	    ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
}

/* Flags of the code point at S[I]; its value in *CP, the next index. */
static inline unsigned
pt_at(const uint8_t *s, size_t i, uint32_t *cp, size_t *next)
{
	*cp = pt_dec(s, i, next);
	return pretok_flags(*cp);
}

/* [^\r\n\p{L}\p{N}] */
static inline int
pt_is_prefix(uint32_t cp, unsigned f)
{
	return cp != '\r' && cp != '\n' && (f & (PRETOK_L | PRETOK_N)) == 0;
}

/* The end of the longest run of characters with any of FLAGS from I. */
static size_t
pt_run(const uint8_t *s, size_t n, size_t i, unsigned flags)
{
	uint32_t cp;
	size_t next;

	while (i < n && (pt_at(s, i, &cp, &next) & flags) != 0)
		i = next;
	return i;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)? at I: the end of the match, or I. */
static size_t
pt_contraction(const uint8_t *s, size_t n, size_t i)
{
	uint8_t a, b;

	if (i + 1 >= n || s[i] != '\'')
		return i;
	a = s[i + 1] | 0x20;
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return i + 2;
	/* U+017F LATIN SMALL LETTER LONG S folds to 's' under (?i). */
	if (s[i + 1] == 0xC5 && i + 2 < n && s[i + 2] == 0xBF)
		return i + 3;
	if (i + 2 >= n)
		return i;
	b = s[i + 2] | 0x20;
	if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
	    (a == 'l' && b == 'l'))
		return i + 3;
	return i;
}

/*
 * Alternatives 1 and 2 from START (after the optional prefix): the end of
 * the match or 0.
 */
static size_t
pt_letters_from(const uint8_t *s, size_t n, size_t start, int alt)
{
	size_t i = start, next, last_w = 0;
	uint32_t cp;
	unsigned f;

	while (i < n && ((f = pt_at(s, i, &cp, &next)) & PRETOK_U)) {
		if (f & PRETOK_W)
			last_w = next;
		i = next;
	}
	if (alt == 1) {
		if (i < n && (pt_at(s, i, &cp, &next) & PRETOK_W))
			return pt_run(s, n, i, PRETOK_W);
		return last_w;
	}
	if (i == start)
		return 0;
	return pt_run(s, n, i, PRETOK_W);
}

/* Alternative ALT (1 or 2) at 0, with and then without the prefix. */
static size_t
pt_letters(const uint8_t *s, size_t n, int alt)
{
	uint32_t cp;
	size_t next, end;
	unsigned f = pt_at(s, 0, &cp, &next);

	if (pt_is_prefix(cp, f) && next < n &&
	    (end = pt_letters_from(s, n, next, alt)) != 0)
		return pt_contraction(s, n, end);
	if ((end = pt_letters_from(s, n, 0, alt)) != 0)
		return pt_contraction(s, n, end);
	return 0;
}

/* \p{N}{1,3} */
static size_t
pt_numbers(const uint8_t *s, size_t n)
{
	size_t i = 0, next;
	uint32_t cp;
	int k;

	for (k = 0; k < 3 && i < n; k++) {
		if (!(pt_at(s, i, &cp, &next) & PRETOK_N))
			break;
		i = next;
	}
	return i;
}

/* [^\s\p{L}\p{N}] */
static inline int
pt_is_other(unsigned f)
{
	return (f & (PRETOK_S | PRETOK_L | PRETOK_N)) == 0;
}

/*  ?[^\s\p{L}\p{N}]+[\r\n/]* */
static size_t
pt_other(const uint8_t *s, size_t n)
{
	size_t i = 0, next;
	uint32_t cp;

	if (s[0] == ' ' && n > 1 && pt_is_other(pt_at(s, 1, &cp, &next)))
		i = 1;
	else if (!pt_is_other(pt_at(s, 0, &cp, &next)))
		return 0;
	while (i < n && pt_is_other(pt_at(s, i, &cp, &next)))
		i = next;
	while (i < n && (s[i] == '\r' || s[i] == '\n' || s[i] == '/'))
		i++;
	return i;
}

/* \s*[\r\n]+ | \s+(?!\S) | \s+ */
static size_t
pt_space(const uint8_t *s, size_t n)
{
	size_t i = 0, next, last_nl = 0, last_start = 0;
	uint32_t cp;

	while (i < n && (pt_at(s, i, &cp, &next) & PRETOK_S)) {
		if (cp == '\r' || cp == '\n')
			last_nl = next;
		last_start = i;
		i = next;
	}
	if (i == 0)
		return 0;
	if (last_nl != 0)
		return last_nl;
	if (i == n || last_start == 0)
		return i;
	return last_start;
}

size_t
pretok_next(const uint8_t *s, size_t n)
{
	size_t end, next;

	if ((end = pt_letters(s, n, 1)) != 0)
		return end;
	if ((end = pt_letters(s, n, 2)) != 0)
		return end;
	if ((end = pt_numbers(s, n)) != 0)
		return end;
	if ((end = pt_other(s, n)) != 0)
		return end;
	if ((end = pt_space(s, n)) != 0)
		return end;
	/* Unreachable for valid input: every character is in some class. */
	pt_dec(s, 0, &next);
	return next;
}

/*
 * The length of the UTF-8 sequence at S (N > 0 bytes): a valid sequence's
 * length with *OK set, or the length of its maximal valid prefix (at
 * least 1) with *OK clear.
 */
static size_t
pt_utf8_seq(const uint8_t *s, size_t n, int *ok)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	*ok = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		*ok = 0;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*ok = 0;
			return i;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return i;
}

size_t
pretok_valid_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0, k;
	int ok;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = pt_utf8_seq(s + i, n - i, &ok);
		if (!ok)
			break;
		i += k;
	}
	return i;
}

size_t
pretok_sanitize(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0, k;
	int ok;

	while (i < n) {
		k = pt_utf8_seq(s + i, n - i, &ok);
		if (ok) {
			memcpy(out + o, s + i, k);
			o += k;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
		}
		i += k;
	}
	return o;
}

size_t
pretok_incomplete_tail(const uint8_t *s, size_t n)
{
	size_t k, got;
	int ok;

	for (k = 1; k <= 3 && k <= n; k++) {
		if ((s[n - k] & 0xC0) == 0x80)
			continue;
		if (s[n - k] < 0xC2 || s[n - k] > 0xF4)
			return 0;
		got = pt_utf8_seq(s + n - k, k, &ok);
		return !ok && got == k ? k : 0;
	}
	return 0;
}
