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
#include <stdio.h>

struct settings;

/* What completes a value on the command line (stockagent __complete). */
enum cmd_value {
	CMD_VALUE_NONE,	    /* free text: nothing is offered */
	CMD_VALUE_WORDS,    /* the words of the row */
	CMD_VALUE_SYMBOL,   /* the symbols of the provider's universe */
	CMD_VALUE_RUN,	    /* the ids of the runs in the database */
	CMD_VALUE_MODEL,    /* model URI schemes ("bedrock:") */
	CMD_VALUE_PROVIDER, /* market provider names */
	CMD_VALUE_COMMAND,  /* a command, then one of its subcommands */
	CMD_VALUE_SETTING,  /* a setting name */
	CMD_VALUE_FILE,	    /* a file name: the shell completes it */
	CMD_VALUE_DIR,	    /* a directory name: the shell completes it */
};

/*
 * What one option's value, or a command's operands, complete to. An
 * option with no row takes the choices of the settings row whose flag it
 * is, or the defaults of src/cmd-complete.c (--provider, --model, ...).
 */
struct cmd_arg {
	const char *option; /* "format" (long name); NULL: the operands */
	enum cmd_value value;
	const char *const *words; /* CMD_VALUE_WORDS: NULL-terminated */
};

/* What every command gets from main: resolved global settings. */
struct cmd_ctx {
	struct settings *settings; /* flags > environment > file > defaults */
	const char *argv0;	   /* "stockagent" */
};

struct cmd_entry {
	const char *name;    /* "analyze"; a subcommand's: "model generate" */
	const char *usage;   /* "SYMBOL [--as-of DATE] [--format F]" */
	const char *summary; /* one line for 'stockagent help' */
	const char *help;    /* the options, one per line, for --help */
	/* Runs the command; argv[0] is the command name. Returns an exit code
	 * from exitcode.h and prints its own one-line error. NULL for a
	 * command made of subcommands: main runs the one named. */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
	/* A command made of subcommands: their entries, NULL-terminated
	 * (help lists them), each named by this name, a space and its own;
	 * NULL for none. */
	const struct cmd_entry *const *subcommands;
	int flags; /* CMD_* */
	/* The command's getopt_long table (NULL: no options) and how its
	 * values and operands complete, ended by a zeroed row (NULL: none):
	 * what 'stockagent __complete' offers. */
	const struct option *options;
	const struct cmd_arg *args;
};

/* The command runs with settings that fail their checks (help, version,
 * config): it reads none of them, or shows them as they are. */
#define CMD_ANY_SETTINGS 0x1
/* Left out of the lists of commands (stockagent __complete). */
#define CMD_HIDDEN 0x2
/* Gets its arguments as typed: main takes no global option or --help out
 * of them (stockagent __complete, whose arguments are a command line). */
#define CMD_RAW_ARGS 0x4

/* The global options main takes (--db, --config, --color, --quiet,
 * --verbose, --help), for completion. */
extern const struct option cmd_global_options[];

extern const struct cmd_entry *const cmd_table[];

/* "  NAME  SUMMARY" for every command but the hidden ones. */
void cmd_print_list(FILE *f);

/* The entry called NAME, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* The subcommand of ENTRY called NAME ("generate"), or NULL. */
const struct cmd_entry *cmd_find_sub(const struct cmd_entry *entry,
    const char *name);
/*
 * The entry whose help 'stockagent NAME ARGS... --help' asks for: the
 * subcommand ARGV[1] names, else ENTRY. ARGV[0] is NAME.
 */
const struct cmd_entry *cmd_find_help(const struct cmd_entry *entry, int argc,
    char **argv);

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

/* Sets setting NAME to ARG from the flag FLAG; a value its settings row
 * does not allow is a usage error of ENTRY. Returns 0 or EXIT_USAGE. */
int cmd_set(const struct cmd_entry *entry, struct settings *s, const char *name,
    const char *arg, const char *flag);

/* The options of analyze, which ask takes too. */
extern const struct option cmd_analyze_longopts[];
extern const struct cmd_arg cmd_analyze_args[];

/*
 * Runs the subcommand of ENTRY that ARGV[1] names with ARGC - 1, ARGV + 1;
 * a missing or unknown one is a usage error. How main runs a command made
 * of subcommands.
 */
int cmd_exec_sub(const struct cmd_entry *entry, struct cmd_ctx *ctx, int argc,
    char **argv);

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
