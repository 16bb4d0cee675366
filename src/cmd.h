/*
 * cmd.h: the command table.
 *
 * One file per command (cmd-analyze.c, cmd-runs.c, ...), each defining a
 * const struct cmd_entry; cmd.c lists them in cmd_table[]. main.c parses
 * the global options, finds the entry and calls exec.
 */
#ifndef STOCKAGENT_CMD_H
#define STOCKAGENT_CMD_H

#include <getopt.h>

struct settings;

/* What every command gets from main: resolved global settings. */
struct cmd_ctx {
	struct settings *settings; /* flags > environment > file > defaults */
	const char *argv0;     /* "stockagent" */
};

struct cmd_entry {
	const char *name;    /* "analyze"; a subcommand's: "model generate" */
	const char *usage;   /* "SYMBOL [--as-of DATE] [--format F]" */
	const char *summary; /* one line for 'stockagent help' */
	const char *help;    /* the options, one per line, for --help */
	/* Runs the command; argv[0] is the command name. Returns an exit code
	 * from exitcode.h and prints its own one-line error. */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
	/* A command made of subcommands: their entries, NULL-terminated
	 * (help lists them), each named by this name, a space and its own;
	 * NULL for none. */
	const struct cmd_entry *const *subcommands;
	int flags; /* CMD_* */
};

/* The command runs with settings that fail their checks (help, version,
 * config): it reads none of them, or shows them as they are. */
#define CMD_ANY_SETTINGS 0x1

extern const struct cmd_entry *const cmd_table[];

/* The entry called NAME, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* The subcommand of ENTRY called NAME ("generate"), or NULL. */
const struct cmd_entry *cmd_find_sub(const struct cmd_entry *entry,
    const char *name);
/*
 * The entry whose help 'stockagent NAME ARGS... --help' asks for: the
 * subcommand ARGV[1] names, else ENTRY. ARGV[0] is NAME.
 */
const struct cmd_entry *cmd_find_help(const struct cmd_entry *entry,
    int argc, char **argv);

/*
 * Prints "usage: stockagent NAME USAGE", the summary, the help text and
 * the list of subcommands to stdout.
 */
void cmd_print_help(const struct cmd_entry *entry);

/*
 * getopt_long for a command, with stockagent's messages: an unknown option
 * or a missing argument prints one line naming it and how to get help, and
 * returns '?'. Options may follow positional arguments.
 */
int cmd_getopt(const struct cmd_entry *entry, int argc, char **argv,
    const char *shortopts, const struct option *longopts);

/* Prints "stockagent NAME: MESSAGE; see 'stockagent help NAME'", returns 2. */
int cmd_usage_error(const struct cmd_entry *entry, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct runner_opts;

/*
 * Parses the options analyze and ask share (cmd-analyze.c) into O, then
 * checks the settings a run reads, so bad values fail before any work.
 * Returns 0 with optind at the first operand, or an exit code.
 */
int cmd_analyze_parse(const struct cmd_entry *e, int argc, char **argv,
    struct settings *s, struct runner_opts *o);

/*
 * The symbol PROMPT names, as 'ask' finds it (cmd-ask.c): the model picks
 * it when a real one is configured, else the rules, preferring symbols
 * the provider covers. Returns 0 with OUT (SYMBOL_MAX + 1 bytes), or an
 * exit code with *cause.
 */
int cmd_ask_symbol(struct settings *s, const char *prompt, int no_fallback,
    char *out, char **cause);

#endif
