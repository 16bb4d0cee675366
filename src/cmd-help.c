/*
 * cmd-help.c: stockagent help [COMMAND [SUBCOMMAND]].
 */
#include "config.h"

#include <stdio.h>

#include "lib/exitcode.h"
#include "lib/log.h"
#include "src/cmd.h"

/* 'help COMMAND [SUBCOMMAND]'. */
static int
cmd_help_one(int argc, char **argv)
{
	const struct cmd_entry *entry, *sub = NULL;

	if ((entry = cmd_find(argv[1])) == NULL) {
		log_line("stockagent help",
		    "unknown command '%s'; run "
		    "'stockagent help' for the list",
		    argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 3 && (sub = cmd_find_sub(entry, argv[2])) == NULL) {
		log_line("stockagent help",
		    "'%s' has no subcommand '%s'; run "
		    "'stockagent help %s'",
		    argv[1], argv[2], argv[1]);
		return EXIT_USAGE;
	}
	cmd_print_help(argc == 3 ? sub : entry);
	return EXIT_OK;
}

static int
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc > 3) {
		fprintf(stderr,
		    "stockagent help: takes at most a command "
		    "and a subcommand name\n");
		return EXIT_USAGE;
	}
	if (argc > 1)
		return cmd_help_one(argc, argv);
	printf("usage: stockagent [--db PATH] [--config FILE] [--color WHEN] "
	       "[--quiet] [--verbose] COMMAND [ARGS]\n\nCommands:\n");
	cmd_print_list(stdout);
	printf("\nGlobal options:\n"
	       "  --db PATH      the SQLite database (STOCKAGENT_DB)\n"
	       "  --config FILE  the INI configuration file "
	       "(STOCKAGENT_CONFIG)\n"
	       "  --color WHEN   colour text on a terminal: auto (default; "
	       "off with\n"
	       "                 NO_COLOR or TERM=dumb), always or never\n"
	       "  --quiet, -q    errors only on stderr\n"
	       "  --verbose      debugging detail on stderr\n"
	       "\nRun 'stockagent help COMMAND' for a command's options.\n"
	       "Shell completion for bash, zsh and fish is installed with the "
	       "program;\n"
	       "--format csv and colour are described in stockagent(1) (CSV, "
	       "COLOUR).\n"
	       "See stockagent(1) for files, environment and exit codes.\n");
	return EXIT_OK;
}

static const struct cmd_arg cmd_help_args[] = {
	{ NULL, CMD_VALUE_COMMAND, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "[COMMAND [SUBCOMMAND]]",
	.summary = "list the commands, or show one command's options",
	.help = "",
	.exec = cmd_help_exec,
	.flags = CMD_ANY_SETTINGS,
	.args = cmd_help_args,
};
