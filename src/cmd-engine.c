/*
 * cmd-engine.c: TEMPORARY hidden command 'stockagent engine SUB ...' that
 * runs the engine subcommands (info, generate, logits, bench) until the
 * lead hooks cmd_model_*_entry into 'stockagent model'.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "src/cmd.h"
#include "src/exitcode.h"

extern const struct cmd_entry cmd_model_info_entry;
extern const struct cmd_entry cmd_model_generate_entry;
extern const struct cmd_entry cmd_model_logits_entry;
extern const struct cmd_entry cmd_model_bench_entry;

static const struct cmd_entry *const subs[] = {
	&cmd_model_info_entry, &cmd_model_generate_entry,
	&cmd_model_logits_entry, &cmd_model_bench_entry, NULL,
};

static int
cmd_engine_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *const *e;

	if (argc < 2) {
		fprintf(stderr, "stockagent engine: needs info, generate, "
		    "logits or bench\n");
		return EXIT_USAGE;
	}
	for (e = subs; *e != NULL; e++) {
		if (strcmp((*e)->name, argv[1]) == 0) {
			optind = 1;
			return (*e)->exec(ctx, argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "stockagent engine: unknown subcommand '%s'\n",
	    argv[1]);
	return EXIT_USAGE;
}

const struct cmd_entry cmd_engine_entry = {
	.name = "engine",
	.usage = "info|generate|logits|bench ...",
	.summary = "(temporary) the gpt-oss engine subcommands",
	.help = "",
	.exec = cmd_engine_exec,
};
