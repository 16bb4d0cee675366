/*
 * cmd-complete.c: stockagent __complete WORDS... (hidden).
 *
 * The shell completion scripts (completions/) call it with the words of
 * the command line after "stockagent", the last one being the word under
 * the cursor (empty when it starts a new word), and print what it prints:
 * one candidate a line, each starting with that word. Everything comes
 * from the tables, so completion never goes stale: command and subcommand
 * names from cmd_table, options from each entry's getopt_long table, their
 * values from the entry's cmd_arg rows or the settings table's choices,
 * symbols from the provider, run ids from the database, model URI schemes
 * from the model registry.
 *
 * A value the shell knows better (a file or a directory name) is one line
 * ":file" or ":dir": candidates never start with ':'.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "src/cmd.h"
#include "tools/market/market.h"

/* How an option with no row of its own completes. */
static const struct cmd_arg complete_defaults[] = {
	{ "provider", CMD_VALUE_PROVIDER, NULL },
	{ "model", CMD_VALUE_MODEL, NULL },
	{ "db", CMD_VALUE_FILE, NULL },
	{ "config", CMD_VALUE_FILE, NULL },
	{ "out", CMD_VALUE_DIR, NULL },
	{ "tokenizer", CMD_VALUE_FILE, NULL },
	{ "tools", CMD_VALUE_FILE, NULL },
	{ "symbol", CMD_VALUE_SYMBOL, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

/* Where the walk over the words has got to. */
struct complete {
	struct cmd_ctx *ctx;
	const struct cmd_entry *entry; /* NULL: no command yet */
	const char *operand0;	       /* the first operand, or NULL */
	size_t operands;	       /* operands before the current word */
	const char *provider;	       /* --provider given, or NULL */
	const char *prefix;	       /* what candidates are printed after */
	const char *cur;	       /* the part of the word to match */
	int lost;		       /* a word named no command: no offer */
};

static void
complete_print(const struct complete *c, const char *cand, int fold)
{
	size_t n = strlen(c->cur);

	if (fold ? strncasecmp(cand, c->cur, n) == 0 :
		   strncmp(cand, c->cur, n) == 0)
		printf("%s%s\n", c->prefix, cand);
}

/* Whether the entry has subcommands and none has been named yet. */
static int
complete_wants_sub(const struct complete *c)
{
	return c->entry != NULL && c->entry->subcommands != NULL;
}

/* The option NAME (long, up to '=' or the end) or -X of the current
 * entry or the global ones, or NULL. */
static const struct option *
complete_option(const struct complete *c, const char *word)
{
	const struct option *tables[2] = { cmd_global_options, NULL }, *o;
	size_t t, n;

	if (c->entry != NULL && !complete_wants_sub(c))
		tables[1] = c->entry->options;
	for (t = 0; t < 2; t++) {
		for (o = tables[t]; o != NULL && o->name != NULL; o++) {
			n = strlen(o->name);
			if (word[1] != '-' && word[1] == o->val && word[2] == 0)
				return o;
			if (word[1] == '-' &&
			    strncmp(word + 2, o->name, n) == 0 &&
			    (word[2 + n] == '\0' || word[2 + n] == '='))
				return o;
		}
	}
	return NULL;
}

/* The row of ROWS for OPTION (NULL: the operands), or NULL. */
static const struct cmd_arg *
complete_row(const struct cmd_arg *rows, const char *option)
{
	for (; rows != NULL &&
	     (rows->option != NULL || rows->value != CMD_VALUE_NONE);
	     rows++) {
		if (option == NULL ? rows->option == NULL :
				     rows->option != NULL &&
			    strcmp(rows->option, option) == 0)
			return rows;
	}
	return NULL;
}

static void
complete_symbols(const struct complete *c)
{
	const struct market_provider *p;
	const char *name = c->provider;
	char **syms = NULL;
	size_t n = 0, i;

	if (name == NULL)
		name = settings_string(c->ctx->settings, "provider");
	/* auto: the simulator's symbols (real providers list none). */
	if (name == NULL || strcmp(name, "auto") == 0)
		name = "sim";
	if ((p = market_provider_find(name)) == NULL ||
	    market_symbols(p, &syms, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		complete_print(c, syms[i], 1);
		free(syms[i]);
	}
	free(syms);
}

/* Run ids, newest first, from a database that exists (none is made). */
static void
complete_runs(const struct complete *c)
{
	const char *db = settings_string(c->ctx->settings, "db");
	char *path = db != NULL ? NULL : settings_default_db_path();
	struct store *st = NULL;
	cJSON *runs = NULL;
	const cJSON *r;
	char *cause = NULL;

	if (access(db != NULL ? db : path, R_OK) == 0 &&
	    store_open(db != NULL ? db : path, &st, &cause) == 0 &&
	    store_runs_list(st, 0, NULL, &runs, &cause) == 0) {
		cJSON_ArrayForEach(r, runs)
			complete_print(c, jsonutil_string(r, "thread_id"), 0);
	}
	cJSON_Delete(runs);
	store_close(st);
	free(cause);
	free(path);
}

static void
complete_schemes(const struct complete *c)
{
	const char *scheme, *summary;
	char buf[64];
	size_t i;

	/* Every scheme but builtin takes the rest of a URI after ':'. */
	for (i = 0; model_backend_at(i, &scheme, &summary) == 0; i++) {
		snprintf(buf, sizeof buf, "%s%s", scheme,
		    strcmp(scheme, "builtin") == 0 ? "" : ":");
		complete_print(c, buf, 0);
	}
}

/* Command names, or the subcommands of the command the first operand
 * names (help COMMAND SUBCOMMAND). */
static void
complete_commands(const struct complete *c)
{
	const struct cmd_entry *const *e, *parent = NULL;
	size_t skip = 0;

	if (c->operands == 1 && (parent = cmd_find(c->operand0)) == NULL)
		return;
	if (c->operands > 1 || (parent != NULL && parent->subcommands == NULL))
		return;
	if (parent != NULL)
		skip = strlen(parent->name) + 1;
	for (e = parent != NULL ? parent->subcommands : cmd_table; *e != NULL;
	     e++) {
		if (!((*e)->flags & CMD_HIDDEN))
			complete_print(c, (*e)->name + skip, 0);
	}
}

static void
complete_words(const struct complete *c, const char *const *w)
{
	for (; w != NULL && *w != NULL; w++)
		complete_print(c, *w, 0);
}

static void
complete_value(const struct complete *c, const struct cmd_arg *row)
{
	const struct settings_entry *s;
	size_t i;

	switch (row != NULL ? row->value : CMD_VALUE_NONE) {
	case CMD_VALUE_WORDS:
		complete_words(c, row->words);
		break;
	case CMD_VALUE_SYMBOL:
		complete_symbols(c);
		break;
	case CMD_VALUE_RUN:
		complete_runs(c);
		break;
	case CMD_VALUE_MODEL:
		complete_schemes(c);
		break;
	case CMD_VALUE_COMMAND:
		complete_commands(c);
		break;
	case CMD_VALUE_FILE:
		printf(":file\n");
		break;
	case CMD_VALUE_DIR:
		printf(":dir\n");
		break;
	case CMD_VALUE_PROVIDER:
		complete_print(c, "auto", 0);
		for (i = 0; market_provider_at(i) != NULL; i++)
			complete_print(c,
			    market_provider_name(market_provider_at(i)), 0);
		break;
	case CMD_VALUE_SETTING:
		for (s = settings_table; s->name != NULL; s++)
			complete_print(c, s->name, 0);
		break;
	case CMD_VALUE_NONE:
		break;
	}
}

/* The values of option O: its row, a default row, or its setting's
 * choices. */
static void
complete_option_value(const struct complete *c, const struct option *o)
{
	const struct cmd_arg *row = NULL;
	const struct settings_entry *s;
	char flag[64];

	if (c->entry != NULL)
		row = complete_row(c->entry->args, o->name);
	if (row == NULL)
		row = complete_row(complete_defaults, o->name);
	if (row != NULL) {
		complete_value(c, row);
		return;
	}
	snprintf(flag, sizeof flag, "--%s", o->name);
	for (s = settings_table; s->name != NULL; s++) {
		if (s->flag != NULL && strcmp(s->flag, flag) == 0 &&
		    s->type == SETTINGS_CHOICE)
			complete_words(c, s->choices);
	}
}

/* Long options of the entry (once it is known) and the global ones. */
static void
complete_options(const struct complete *c)
{
	const struct option *o;
	char buf[64];

	if (c->entry != NULL && !complete_wants_sub(c)) {
		for (o = c->entry->options; o != NULL && o->name != NULL; o++) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			complete_print(c, buf, 0);
		}
	}
	for (o = cmd_global_options; o->name != NULL; o++) {
		snprintf(buf, sizeof buf, "--%s", o->name);
		complete_print(c, buf, 0);
	}
}

/* VALUE, given to option O before the current word: --provider and --db
 * change where symbols and run ids come from. */
static void
complete_took_value(struct complete *c, const struct option *o,
    const char *value)
{
	if (strcmp(o->name, "provider") == 0)
		c->provider = value;
	else if (strcmp(o->name, "db") == 0 && *value != '\0')
		(void)settings_set(c->ctx->settings, "db", value, "--db", NULL);
}

/* Takes WORD, one of the words before the current one, into C. Returns
 * the option whose value the next word is, or NULL. */
static const struct option *
complete_take(struct complete *c, const char *word, int dashdash)
{
	const struct option *o;
	const struct cmd_entry *sub;
	const char *eq;

	if (!dashdash && word[0] == '-' && word[1] != '\0') {
		o = complete_option(c, word);
		if (o == NULL || o->has_arg != required_argument)
			return NULL;
		if (word[1] == '-' && (eq = strchr(word, '=')) != NULL) {
			complete_took_value(c, o, eq + 1);
			return NULL;
		}
		return o;
	}
	if (c->entry == NULL)
		c->lost = (c->entry = cmd_find(word)) == NULL;
	else if (complete_wants_sub(c))
		c->lost = (sub = cmd_find_sub(c->entry, word)) == NULL ||
		    (c->entry = sub) == NULL;
	else if (c->operands++ == 0)
		c->operand0 = word;
	return NULL;
}

/* What the current word CUR completes to, after the walk. */
static void
complete_current(struct complete *c, const char *cur, int dashdash)
{
	const struct cmd_arg *row;
	const struct option *o;
	const char *eq;
	char *pre;

	c->cur = cur;
	if (!dashdash && cur[0] == '-' && cur[1] == '-' &&
	    (eq = strchr(cur, '=')) != NULL) {
		if ((o = complete_option(c, cur)) == NULL)
			return;
		pre = xstrndup(cur, (size_t)(eq - cur) + 1);
		c->prefix = pre;
		c->cur = eq + 1;
		complete_option_value(c, o);
		free(pre);
	} else if (!dashdash && cur[0] == '-') {
		complete_options(c);
	} else if (c->entry == NULL) {
		complete_commands(c);
	} else if (complete_wants_sub(c)) {
		complete_commands(&(struct complete){ .ctx = c->ctx,
		    .operand0 = c->entry->name,
		    .operands = 1,
		    .prefix = "",
		    .cur = cur });
	} else if ((row = complete_row(c->entry->args, NULL)) != NULL &&
	    (c->operands == 0 || row->value == CMD_VALUE_COMMAND)) {
		/* One operand completes, but help's two (a command, then
		 * its subcommand). */
		complete_value(c, row);
	}
}

static int
cmd_complete_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct complete c = { .ctx = ctx, .prefix = "" };
	const struct option *pending = NULL;
	int i, dashdash = 0;

	if (argc < 2)
		return EXIT_USAGE;
	for (i = 1; i < argc - 1 && !c.lost; i++) {
		if (pending != NULL) {
			complete_took_value(&c, pending, argv[i]);
			pending = NULL;
		} else if (!dashdash && strcmp(argv[i], "--") == 0) {
			dashdash = 1;
		} else {
			pending = complete_take(&c, argv[i], dashdash);
		}
	}
	if (c.lost)
		return EXIT_OK;
	c.cur = argv[argc - 1];
	if (pending != NULL)
		complete_option_value(&c, pending);
	else
		complete_current(&c, argv[argc - 1], dashdash);
	return EXIT_OK;
}

const struct cmd_entry cmd_complete_entry = {
	.name = "__complete",
	.usage = "WORDS...",
	.summary = "print the completions of a command line (for the shell "
		   "completion scripts)",
	.help =
	    "  WORDS  the words after 'stockagent', the last one the word "
	    "being\n"
	    "         completed (\"\" for a new one); prints one candidate a "
	    "line\n",
	.exec = cmd_complete_exec,
	.flags = CMD_ANY_SETTINGS | CMD_HIDDEN | CMD_RAW_ARGS,
};
