/*
 * cmd-model.h: what the two halves of 'stockagent model' share: the
 * tokenizer subcommands and the table in cmd-model.c, the engine's
 * subcommands in cmd-model-engine.c.
 */
#ifndef STOCKAGENT_CMD_MODEL_H
#define STOCKAGENT_CMD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "src/cmd.h"

struct gptoss_tokenizer;

/* 'stockagent model' itself (cmd-model.c), whose table lists those below. */
extern const struct cmd_entry cmd_model_entry;

/* The engine's subcommands (cmd-model-engine.c), listed by cmd-model.c. */
extern const struct cmd_entry cmd_model_info_entry;
extern const struct cmd_entry cmd_model_generate_entry;
extern const struct cmd_entry cmd_model_logits_entry;
extern const struct cmd_entry cmd_model_bench_entry;

/*
 * Loads the tokenizer at PATH: a tokenizer.json, a .tiktoken file or a
 * model directory. Returns 0 with *TOK_OUT (gptoss_tokenizer_free), or -1
 * with *cause naming the file and the problem.
 */
int cmd_model_tokenizer_load(const char *path,
    struct gptoss_tokenizer **tok_out, char **cause);

/*
 * Decodes N ids into *TEXT_OUT (heap, NUL-terminated, the caller frees
 * it) of *LEN_OUT bytes (LEN_OUT may be NULL). Returns 0, or -1 with
 * *cause naming the id that has no token.
 */
int cmd_model_decode(const struct gptoss_tokenizer *tok, const uint32_t *ids,
    size_t n, char **text_out, size_t *len_out, char **cause);

#endif
