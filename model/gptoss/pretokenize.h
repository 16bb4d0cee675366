/*
 * pretokenize.h: the o200k pre-tokenizer, tiktoken's regex done by hand.
 *
 * o200k_base and o200k_harmony split text with this regex (alternatives in
 * order, leftmost-first, greedy with backtracking):
 *
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
 *       (?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
 *       (?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   \p{N}{1,3}
 *    ?[^\s\p{L}\p{N}]+[\r\n/]*
 *   \s*[\r\n]+
 *   \s+(?!\S)
 *   \s+
 *
 * with Rust regex semantics, which tiktoken uses: \s is Unicode White_Space
 * (U+0085 is space, U+FEFF is not) and (?i) folds 's' to U+017F as well.
 * The property flags come from unicode-tables.c (generated).
 */
#ifndef STOCKAGENT_GPTOSS_PRETOKENIZE_H
#define STOCKAGENT_GPTOSS_PRETOKENIZE_H

#include <stddef.h>
#include <stdint.h>

/* Property flags of a code point. */
enum {
	PRETOK_L = 1,  /* \p{L} */
	PRETOK_N = 2,  /* \p{N} */
	PRETOK_U = 4,  /* [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
	PRETOK_W = 8,  /* [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
	PRETOK_S = 16, /* \s: White_Space */
};

#define PRETOK_BLOCK 128

extern const uint16_t pretok_block_index[0x110000 / PRETOK_BLOCK];
extern const uint8_t pretok_blocks[][PRETOK_BLOCK];

/* The PRETOK_* flags of code point CP (0 for CP > 0x10FFFF). */
static inline unsigned
pretok_flags(uint32_t cp)
{
	if (cp >= 0x110000)
		return 0;
	return pretok_blocks[pretok_block_index[cp / PRETOK_BLOCK]]
			    [cp % PRETOK_BLOCK];
}

/*
 * The length in bytes of the pre-token starting at TEXT[0], TEXT being LEN
 * (> 0) bytes of valid UTF-8. Always at least one code point.
 */
size_t pretok_next(const uint8_t *text, size_t len);

/*
 * Copies LEN bytes of TEXT into OUT (room for 3 * LEN bytes) with every
 * ill-formed UTF-8 subsequence replaced by U+FFFD, one per maximal subpart
 * as the Unicode standard, Python and WHATWG TextDecoder do. Returns the
 * bytes written.
 */
size_t pretok_sanitize(const uint8_t *text, size_t len, uint8_t *out);

/* The length of the valid UTF-8 prefix of TEXT (LEN if all of it). */
size_t pretok_valid_prefix(const uint8_t *text, size_t len);

/*
 * The length (0..3) of the tail of TEXT that is the valid beginning of a
 * character whose remaining bytes have not arrived yet.
 */
size_t pretok_incomplete_tail(const uint8_t *text, size_t len);

#endif
