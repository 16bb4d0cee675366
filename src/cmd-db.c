/*
 * cmd-db.c: stockagent db check | backup FILE [--force] | vacuum.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/store-admin.h"
#include "lib/store.h"
#include "src/cmd.h"
#include "src/runner.h"

extern const struct cmd_entry cmd_db_entry;
static const struct cmd_entry cmd_db_check_entry;
static const struct cmd_entry cmd_db_backup_entry;
static const struct cmd_entry cmd_db_vacuum_entry;

static const struct option cmd_db_longopts[] = {
	{ "force", no_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

/* Parses E's options (--force where FORCE is not NULL) and checks that
 * NARGS operands follow. Returns 0 or EXIT_USAGE. */
static int
cmd_db_args(const struct cmd_entry *e, int argc, char **argv, int nargs,
    int *force)
{
	int c;

	while ((c = cmd_getopt(e, argc, argv, "", cmd_db_longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (force == NULL)
			return cmd_usage_error(e, "takes no --force");
		*force = 1;
	}
	if (argc - optind != nargs)
		return cmd_usage_error(e, "takes %s",
		    nargs == 0 ? "no arguments" : "one FILE");
	return 0;
}

/* cmd_db_args, then opens the database into *ST. Returns 0 or an exit
 * code. */
static int
cmd_db_open(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, int nargs, int *force, struct store **st)
{
	int rc;

	if ((rc = cmd_db_args(e, argc, argv, nargs, force)) != 0)
		return rc;
	return runner_open_store(ctx->settings, st);
}

/* Prints CAUSE, frees it, and returns the exit code of category RC. */
static int
cmd_db_failed(int rc, char *cause)
{
	log_error("%s", cause);
	free(cause);
	return rc == STORE_E_EXISTS ? EXIT_USAGE : EXIT_STORAGE;
}

static int
cmd_db_check(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store *st = NULL;
	cJSON *problems = NULL;
	const cJSON *p;
	char *cause = NULL;
	int rc, n;

	if ((rc = cmd_db_open(ctx, &cmd_db_check_entry, argc, argv, 0, NULL,
		 &st)) != 0)
		return rc;
	if ((rc = store_admin_check(st, &problems, &cause)) != 0) {
		rc = cmd_db_failed(rc, cause);
		goto out;
	}
	if ((n = cJSON_GetArraySize(problems)) == 0) {
		printf("ok: %s passed the integrity and foreign key checks\n",
		    store_path(st));
		goto out;
	}
	cJSON_ArrayForEach(p, problems)
		printf("%s\n", p->valuestring);
	log_error("database %s has %d problem%s; restore a backup made with "
		  "'stockagent db backup', or move it away to start afresh",
	    store_path(st), n, n == 1 ? "" : "s");
	rc = EXIT_STORAGE;
out:
	cJSON_Delete(problems);
	store_close(st);
	return rc;
}

static int
cmd_db_backup(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store *st = NULL;
	char *cause = NULL;
	int rc, force = 0;

	if ((rc = cmd_db_open(ctx, &cmd_db_backup_entry, argc, argv, 1, &force,
		 &st)) != 0)
		return rc;
	if ((rc = store_admin_backup(st, argv[optind], force, &cause)) != 0)
		rc = cmd_db_failed(rc, cause);
	else
		printf("backed up %s to %s\n", store_path(st), argv[optind]);
	store_close(st);
	return rc;
}

static int
cmd_db_vacuum(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store *st = NULL;
	char *cause = NULL;
	int rc;

	if ((rc = cmd_db_open(ctx, &cmd_db_vacuum_entry, argc, argv, 0, NULL,
		 &st)) != 0)
		return rc;
	if ((rc = store_vacuum(st, &cause)) != 0)
		rc = cmd_db_failed(rc, cause);
	else
		printf("compacted %s\n", store_path(st));
	store_close(st);
	return rc;
}

static const struct cmd_entry cmd_db_check_entry = {
	.name = "db check",
	.usage = "",
	.summary = "check the database's integrity and foreign keys",
	.help = "Exits 0 when the file is sound, else 5 with the problems "
		"listed.\n",
	.exec = cmd_db_check,
};

static const struct cmd_entry cmd_db_backup_entry = {
	.name = "db backup",
	.usage = "FILE [--force]",
	.summary = "copy the database to FILE, safely while runs write",
	.help = "  --force  replace FILE when it exists\n",
	.exec = cmd_db_backup,
};

static const struct cmd_entry cmd_db_vacuum_entry = {
	.name = "db vacuum",
	.usage = "",
	.summary = "rewrite the database without its free space",
	.help = "",
	.exec = cmd_db_vacuum,
};

static const struct cmd_entry *const cmd_db_subcommands[] = {
	&cmd_db_check_entry,
	&cmd_db_backup_entry,
	&cmd_db_vacuum_entry,
	NULL,
};

static int
cmd_db_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *s;

	if (argc < 2)
		return cmd_usage_error(&cmd_db_entry,
		    "missing subcommand "
		    "(check, backup or vacuum)");
	if ((s = cmd_find_sub(&cmd_db_entry, argv[1])) == NULL)
		return cmd_usage_error(&cmd_db_entry,
		    "unknown subcommand "
		    "'%s'",
		    argv[1]);
	return s->exec(ctx, argc - 1, argv + 1);
}

const struct cmd_entry cmd_db_entry = {
	.name = "db",
	.usage = "check | backup FILE [--force] | vacuum",
	.summary = "check, back up and compact the database",
	.help = "",
	.exec = cmd_db_exec,
	.subcommands = cmd_db_subcommands,
};
