/*
 * cmd-help.c: stockagent help [COMMAND].
 */
#include "config.h"

#include <stdio.h>

#include "src/cmd.h"
#include "lib/exitcode.h"
#include "lib/log.h"

static int
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *const *e, *entry;

	(void)ctx;
	if (argc > 2) {
		fprintf(stderr, "stockagent help: takes at most one command "
				"name\n");
		return EXIT_USAGE;
	}
	if (argc == 2) {
		if ((entry = cmd_find(argv[1])) == NULL) {
			log_line("stockagent help", "unknown command '%s'; "
			    "run 'stockagent help' for the list", argv[1]);
			return EXIT_USAGE;
		}
		cmd_print_help(entry);
		return EXIT_OK;
	}
	printf("usage: stockagent [--db PATH] [--config FILE] [--quiet] "
	       "[--verbose] COMMAND [ARGS]\n\nCommands:\n");
	for (e = cmd_table; *e != NULL; e++)
		printf("  %-10s %s\n", (*e)->name, (*e)->summary);
	printf("\nGlobal options:\n"
	       "  --db PATH      the SQLite database (STOCKAGENT_DB)\n"
	       "  --config FILE  the INI configuration file "
	       "(STOCKAGENT_CONFIG)\n"
	       "  --quiet, -q    errors only on stderr\n"
	       "  --verbose      debugging detail on stderr\n"
	       "\nRun 'stockagent help COMMAND' for a command's options.\n"
	       "See stockagent(1) for files, environment and exit codes.\n");
	return EXIT_OK;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = "list the commands, or show one command's options",
	.help = "",
	.exec = cmd_help_exec,
	.flags = CMD_ANY_SETTINGS,
};
