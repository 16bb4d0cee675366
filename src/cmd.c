/*
 * cmd.c: the command table and the helpers every command shares.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"

extern const struct cmd_entry cmd_analyze_entry;
extern const struct cmd_entry cmd_ask_entry;
extern const struct cmd_entry cmd_batch_entry;
extern const struct cmd_entry cmd_complete_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_data_entry;
extern const struct cmd_entry cmd_db_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_lambda_entry;
extern const struct cmd_entry cmd_model_entry;
extern const struct cmd_entry cmd_models_entry;
extern const struct cmd_entry cmd_reports_entry;
extern const struct cmd_entry cmd_runs_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_version_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_analyze_entry,
	&cmd_ask_entry,
	&cmd_batch_entry,
	&cmd_data_entry,
	&cmd_serve_entry,
	&cmd_lambda_entry,
	&cmd_runs_entry,
	&cmd_reports_entry,
	&cmd_db_entry,
	&cmd_models_entry,
	&cmd_model_entry,
	&cmd_config_entry,
	&cmd_version_entry,
	&cmd_help_entry,
	&cmd_complete_entry,
	NULL,
};

/* What main.c takes out of every command line (main_globals). */
const struct option cmd_global_options[] = {
	{ "db", required_argument, NULL, 0 },
	{ "config", required_argument, NULL, 0 },
	{ "color", required_argument, NULL, 0 },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 0 },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
cmd_print_list(FILE *f)
{
	const struct cmd_entry *const *e;

	for (e = cmd_table; *e != NULL; e++) {
		if (!((*e)->flags & CMD_HIDDEN))
			fprintf(f, "  %-10s %s\n", (*e)->name, (*e)->summary);
	}
}

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *e;

	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
	}
	return NULL;
}

/* SUB's own name: "generate" of "model generate". */
static const char *
cmd_sub_name(const struct cmd_entry *entry, const struct cmd_entry *sub)
{
	return sub->name + strlen(entry->name) + 1;
}

const struct cmd_entry *
cmd_find_sub(const struct cmd_entry *entry, const char *name)
{
	const struct cmd_entry *const *e;

	for (e = entry->subcommands; e != NULL && *e != NULL; e++) {
		if (strcmp(cmd_sub_name(entry, *e), name) == 0)
			return *e;
	}
	return NULL;
}

const struct cmd_entry *
cmd_find_help(const struct cmd_entry *entry, int argc, char **argv)
{
	const struct cmd_entry *sub;

	if (argc > 1 && (sub = cmd_find_sub(entry, argv[1])) != NULL)
		return sub;
	return entry;
}

/* "list, show, resume or prune": the subcommands of ENTRY (heap). */
static char *
cmd_sub_names(const struct cmd_entry *entry)
{
	const struct cmd_entry *const *e;
	char *s = xstrdup(""), *t;

	for (e = entry->subcommands; *e != NULL; e++) {
		t = xasprintf("%s%s%s", s,
		    e == entry->subcommands ? "" :
			e[1] == NULL	    ? " or " :
					      ", ",
		    cmd_sub_name(entry, *e));
		free(s);
		s = t;
	}
	return s;
}

int
cmd_exec_sub(const struct cmd_entry *entry, struct cmd_ctx *ctx, int argc,
    char **argv)
{
	const struct cmd_entry *sub = NULL;
	char *names = cmd_sub_names(entry);
	int rc = EXIT_USAGE;

	if (argc < 2)
		rc = cmd_usage_error(entry, "missing subcommand: use %s",
		    names);
	else if ((sub = cmd_find_sub(entry, argv[1])) == NULL)
		rc = cmd_usage_error(entry, "unknown subcommand '%s': use %s",
		    argv[1], names);
	free(names);
	if (sub == NULL)
		return rc;
	optind = 1;
	return sub->exec(ctx, argc - 1, argv + 1);
}

static void
cmd_print_subcommands(const struct cmd_entry *entry)
{
	const struct cmd_entry *const *e;

	printf("\nSubcommands:\n");
	for (e = entry->subcommands; *e != NULL; e++)
		printf("  %s%s%s\n      %s\n", cmd_sub_name(entry, *e),
		    *(*e)->usage ? " " : "", (*e)->usage, (*e)->summary);
	printf("\nRun 'stockagent help %s SUBCOMMAND' for a subcommand's "
	       "options.\n",
	    entry->name);
}

void
cmd_print_help(const struct cmd_entry *entry)
{
	printf("usage: stockagent %s%s%s\n\n%s\n", entry->name,
	    *entry->usage ? " " : "", entry->usage, entry->summary);
	if (entry->help != NULL && *entry->help != '\0')
		printf("\n%s", entry->help);
	if (entry->subcommands != NULL)
		cmd_print_subcommands(entry);
	printf("\nGlobal options: --db PATH, --config FILE, --color WHEN, "
	       "--quiet, --verbose (see 'stockagent help').\n");
}

int
cmd_usage_error(const struct cmd_entry *entry, const char *fmt, ...)
{
	va_list ap;
	char *msg, *who;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	who = xasprintf("stockagent %s", entry->name);
	log_line(who, "%s; see 'stockagent help %s'", msg, entry->name);
	free(who);
	free(msg);
	return EXIT_USAGE;
}

int
cmd_set(const struct cmd_entry *entry, struct settings *s, const char *name,
    const char *arg, const char *flag)
{
	char *cause = NULL;
	int rc;

	if (settings_set(s, name, arg, flag, &cause) == 0)
		return 0;
	rc = cmd_usage_error(entry, "%s", cause);
	free(cause);
	return rc;
}

int
cmd_getopt(const struct cmd_entry *entry, int argc, char **argv,
    const char *shortopts, const struct option *longopts)
{
	char opts[128];
	int c;

	snprintf(opts, sizeof opts, ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == ':') {
		cmd_usage_error(entry, "option '%s' needs a value",
		    argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		if (optopt != 0)
			cmd_usage_error(entry, "unknown option '-%c'", optopt);
		else
			cmd_usage_error(entry, "unknown option '%s'",
			    argv[optind - 1]);
		return '?';
	}
	return c;
}
