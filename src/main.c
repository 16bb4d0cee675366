/*
 * main.c: parse the global options and dispatch to a command.
 *
 * Global options may stand before or after the command name:
 *   stockagent [--db PATH] [--config FILE] [--color WHEN] [--quiet]
 *              [--lang en|vi] [--verbose] COMMAND ...
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcode.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"

static void
main_usage(FILE *f)
{
	fprintf(f,
	    _("usage: stockagent [--db PATH] [--config FILE] [--color "
	      "WHEN] [--lang en|vi] [--quiet] [--verbose] COMMAND "
	      "[ARGS]\n\nCommands:\n"));
	cmd_print_list(f);
	fprintf(f,
	    _("\nRun 'stockagent help COMMAND' for a command's "
	      "options.\nSee stockagent(1) for files, environment and "
	      "exit codes.\n"));
}

/* A global option's value: "--db=X" or "--db X". Returns NULL if absent. */
static const char *
main_optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr,
		    _("stockagent: option '%s' needs a value; "
		      "see 'stockagent help'\n"),
		    name);
		exit(EXIT_USAGE);
	}
	return argv[++*i];
}

/* --db PATH; an empty PATH would mean a temporary database that no later
 * command can list or resume, so it is refused. */
static void
main_db(struct settings *s, const char *path)
{
	if (*path == '\0') {
		fprintf(stderr,
		    _("stockagent: --db needs a file path (an "
		      "empty one would keep nothing); give a path "
		      "or leave --db out\n"));
		exit(EXIT_USAGE);
	}
	(void)settings_set(s, "db", path, "--db", NULL);
}

/* --color auto|always|never, --lang en|vi: the setting NAME from FLAG. */
static void
main_setting(struct settings *s, const char *name, const char *flag,
    const char *v)
{
	char *cause = NULL;

	if (settings_set(s, name, v, flag, &cause) != 0) {
		fprintf(stderr, "stockagent: %s\n", cause);
		free(cause);
		exit(EXIT_USAGE);
	}
}

/*
 * Takes the global options out of ARGV (up to a "--"), puts them in S, and
 * leaves the rest in ARGV. Returns the new argc.
 */
static int
main_globals(struct settings *s, int argc, char **argv, const char **cfg)
{
	int i, out = 1, dashdash = 0;
	const char *v;

	for (i = 1; i < argc; i++) {
		if (dashdash || strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			argv[out++] = argv[i];
		} else if ((v = main_optval(argc, argv, &i, "--db")) != NULL)
			main_db(s, v);
		else if ((v = main_optval(argc, argv, &i, "--config")) != NULL)
			*cfg = v;
		else if ((v = main_optval(argc, argv, &i, "--color")) != NULL)
			main_setting(s, "color", "--color", v);
		else if ((v = main_optval(argc, argv, &i, "--lang")) != NULL)
			main_setting(s, "lang", "--lang", v);
		else if (strcmp(argv[i], "--quiet") == 0 ||
		    strcmp(argv[i], "-q") == 0)
			log_set_level(LOG_LEVEL_QUIET);
		else if (strcmp(argv[i], "--verbose") == 0)
			log_set_level(LOG_LEVEL_DEBUG);
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

static int
main_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct settings *s = settings_new();
	struct cmd_ctx ctx = { s, "stockagent" };
	const struct cmd_entry *entry;
	const char *cfg = NULL;
	char *cause = NULL, *path = NULL;
	int rc, raw;

	setlocale(LC_CTYPE, "");
	i18n_set(settings_string(s, "lang")); /* from the environment */
	raw = argc > 1 && (entry = cmd_find(argv[1])) != NULL &&
	    (entry->flags & CMD_RAW_ARGS);
	if (!raw)
		argc = main_globals(s, argc, argv, &cfg);
	if (cfg == NULL && (cfg = getenv("STOCKAGENT_CONFIG")) != NULL &&
	    *cfg == '\0')
		cfg = NULL;
	path = cfg != NULL ? xstrdup(cfg) : settings_default_config_path();
	if (settings_load_file(s, path, cfg == NULL, &cause) != 0) {
		log_error("%s", cause);
		rc = EXIT_USAGE;
		goto out;
	}
	log_set_color(settings_string(s, "color"));
	i18n_set(settings_string(s, "lang"));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		main_usage(argc < 2 ? stderr : stdout);
		rc = argc < 2 ? EXIT_USAGE : EXIT_OK;
		goto out;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		argv[1] = (char *)"version";
	if ((entry = cmd_find(argv[1])) == NULL) {
		log_line("stockagent",
		    _("unknown command '%s'; run "
		      "'stockagent help' for the list"),
		    argv[1]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!raw && main_wants_help(argc - 1, argv + 1)) {
		cmd_print_help(cmd_find_help(entry, argc - 1, argv + 1));
		rc = EXIT_OK;
		goto out;
	}
	if (!(entry->flags & CMD_ANY_SETTINGS) &&
	    settings_check(s, &cause) != 0) {
		log_error("%s", cause);
		rc = EXIT_USAGE;
		goto out;
	}
	optind = 1;
	rc = entry->exec != NULL ?
	    entry->exec(&ctx, argc - 1, argv + 1) :
	    cmd_exec_sub(entry, &ctx, argc - 1, argv + 1);
out:
	free(cause);
	free(path);
	settings_free(s);
	return rc;
}
