/*
 * cmd-model.h: the engine's subcommands of 'stockagent model'
 * (cmd-model-engine.c), dispatched from cmd-model.c.
 */
#ifndef STOCKAGENT_CMD_MODEL_H
#define STOCKAGENT_CMD_MODEL_H

struct cmd_ctx;

/* Each parses its own options (argv[0] is the subcommand) and returns an
 * exit code. */
int cmd_model_engine_info(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_model_engine_generate(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_model_engine_logits(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_model_engine_bench(struct cmd_ctx *ctx, int argc, char **argv);

#endif
