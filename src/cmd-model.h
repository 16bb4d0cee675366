/*
 * cmd-model.h: what the two halves of 'stockagent model' share: the
 * tokenizer subcommands and the table in cmd-model.c, the engine's
 * subcommands in cmd-model-engine.c.
 */
#ifndef STOCKAGENT_CMD_MODEL_H
#define STOCKAGENT_CMD_MODEL_H

#include "src/cmd.h"

/* 'stockagent model' itself (cmd-model.c), whose table lists those below. */
extern const struct cmd_entry cmd_model_entry;

/* The engine's subcommands (cmd-model-engine.c), listed by cmd-model.c. */
extern const struct cmd_entry cmd_model_info_entry;
extern const struct cmd_entry cmd_model_generate_entry;
extern const struct cmd_entry cmd_model_logits_entry;
extern const struct cmd_entry cmd_model_bench_entry;

#endif
