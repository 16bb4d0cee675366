/*
 * tokenizer.h: the o200k_harmony tokenizer of gpt-oss.
 *
 * Byte-level BPE with tiktoken's semantics: text is split by the o200k
 * pre-tokenization regex (pretokenize.h); a pre-token that is itself in the
 * vocabulary is one token, otherwise its bytes are merged pairwise, lowest
 * rank first (leftmost on ties), until no adjacent pair has a rank.
 *
 * Loads either the tokenizer.json of openai/gpt-oss-20b/-120b (HF BPE with
 * the Split regex pre-tokenizer and added special tokens 199998..200018) or
 * a tiktoken ranks file (o200k_base.tiktoken: "BASE64 RANK" per line), to
 * which the harmony special tokens are added as openai/harmony does
 * (<|startoftext|> 199998 ... <|call|> 200012, <|reserved_N|> up to 201088).
 *
 * Invalid UTF-8 given to encode is replaced by U+FFFD (one per maximal
 * subpart, as Python's and WHATWG's decoders do) before splitting.
 *
 * Ownership: gptoss_tokenizer_load returns a handle freed with
 * gptoss_tokenizer_free; arrays returned through _out parameters are the
 * caller's, freed with free(). A tokenizer is read-only after loading and
 * may be shared between threads.
 */
#ifndef STOCKAGENT_GPTOSS_TOKENIZER_H
#define STOCKAGENT_GPTOSS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "model/gptoss/status.h"

/* Harmony special token ids (o200k_harmony). */
enum {
	GPTOSS_TOKEN_STARTOFTEXT = 199998,
	GPTOSS_TOKEN_ENDOFTEXT = 199999,
	GPTOSS_TOKEN_RETURN = 200002,
	GPTOSS_TOKEN_CONSTRAIN = 200003,
	GPTOSS_TOKEN_CHANNEL = 200005,
	GPTOSS_TOKEN_START = 200006,
	GPTOSS_TOKEN_END = 200007,
	GPTOSS_TOKEN_MESSAGE = 200008,
	GPTOSS_TOKEN_CALL = 200012,
};

/* Largest tokenizer file accepted (the real tokenizer.json is ~27 MB). */
#define GPTOSS_TOKENIZER_MAX_FILE ((size_t)128 << 20)

/* Flags for gptoss_tokenizer_encode. */
enum {
	/* Recognise special-token text ("<|start|>") as the special token;
	 * without it such text is encoded as ordinary text. */
	GPTOSS_ENCODE_ALLOW_SPECIAL = 1,
};

struct gptoss_tokenizer;
struct gptoss_decoder;

/*
 * Loads PATH: a tokenizer.json, a .tiktoken ranks file, or a directory
 * holding tokenizer.json (or o200k_base.tiktoken). On failure returns
 * GPTOSS_ERR_IO (missing, unreadable), GPTOSS_ERR_FORMAT (malformed or
 * truncated), GPTOSS_ERR_UNSUPPORTED (another model type or pre-tokenizer)
 * or GPTOSS_ERR_TOO_LARGE, and, if DETAIL_OUT is not NULL, sets it to a
 * one-line heap message naming the file and the problem.
 */
enum gptoss_status gptoss_tokenizer_load(const char *path,
    struct gptoss_tokenizer **tok_out, char **detail_out);

/* Frees TOK; NULL is allowed. */
void gptoss_tokenizer_free(struct gptoss_tokenizer *tok);

/* One past the largest token id (201089 for .tiktoken, 200019 for HF). */
uint32_t gptoss_tokenizer_vocab_size(const struct gptoss_tokenizer *tok);

/* The number of mergeable (non-special) ranks: 199998 for o200k. */
uint32_t gptoss_tokenizer_n_ranks(const struct gptoss_tokenizer *tok);

/*
 * Encodes LEN bytes of TEXT. FLAGS: GPTOSS_ENCODE_*. Sets *IDS_OUT to a
 * malloc'd array of *N_OUT ids (never NULL, even when empty).
 */
enum gptoss_status gptoss_tokenizer_encode(const struct gptoss_tokenizer *tok,
    const char *text, size_t len, unsigned flags, uint32_t **ids_out,
    size_t *n_out);

/*
 * Decodes N ids into their bytes, concatenated (special tokens as their
 * text). The result may be invalid UTF-8 when a sequence is cut inside a
 * character. Sets *TEXT_OUT (malloc'd, NUL-terminated) and *LEN_OUT.
 * GPTOSS_ERR_RANGE if an id has no token; *BAD_INDEX_OUT (may be NULL)
 * then holds its index.
 */
enum gptoss_status gptoss_tokenizer_decode(const struct gptoss_tokenizer *tok,
    const uint32_t *ids, size_t n, char **text_out, size_t *len_out,
    size_t *bad_index_out);

/*
 * The bytes of token ID: *BYTES_OUT points into TOK (not NUL-terminated),
 * *LEN_OUT its length, *SPECIAL_OUT (may be NULL) 1 for a special token.
 * GPTOSS_ERR_RANGE if ID has no token.
 */
enum gptoss_status gptoss_tokenizer_token(const struct gptoss_tokenizer *tok,
    uint32_t id, const char **bytes_out, size_t *len_out, int *special_out);

/*
 * The id of the special token whose text is NAME ("<|start|>"), or
 * GPTOSS_ERR_RANGE if there is none.
 */
enum gptoss_status gptoss_tokenizer_special(const struct gptoss_tokenizer *tok,
    const char *name, uint32_t *id_out);

/*
 * A streaming decoder: push ids as they are generated; each push yields
 * the text that is complete so far, always valid UTF-8. Bytes of a
 * character split across tokens are held back until it completes; a byte
 * sequence that can no longer become valid comes out as U+FFFD.
 */
enum gptoss_status gptoss_decoder_new(const struct gptoss_tokenizer *tok,
    struct gptoss_decoder **dec_out);

/*
 * Adds token ID. *TEXT_OUT points to the newly completed text (valid until
 * the next call on DEC), *LEN_OUT its length (may be 0).
 * GPTOSS_ERR_RANGE if ID has no token (nothing changes).
 */
enum gptoss_status gptoss_decoder_push(struct gptoss_decoder *dec, uint32_t id,
    const char **text_out, size_t *len_out);

/* Ends the stream: held-back bytes come out as U+FFFD. Same outputs. */
enum gptoss_status gptoss_decoder_flush(struct gptoss_decoder *dec,
    const char **text_out, size_t *len_out);

/* Frees DEC; NULL is allowed. */
void gptoss_decoder_free(struct gptoss_decoder *dec);

#endif
