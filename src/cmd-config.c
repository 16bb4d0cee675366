/*
 * cmd-config.c: stockagent config list [--format text|json],
 * stockagent config get NAME.
 *
 * list prints every setting of the table with its value and where the value
 * came from, as `git config --list --show-origin` does: the flag, the
 * STOCKAGENT_* variable, FILE:LINE, "default" or "unset".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"

extern const struct cmd_entry cmd_config_entry;

static const struct option cmd_config_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

static const char *const cmd_config_types[] = { "string", "bool", "int",
	"number", "choice" };

/* The value of NAME as shown: a secret (an API key) never is. */
static const char *
cmd_config_shown(const struct settings *s, const char *name)
{
	const char *v = settings_string(s, name);
	size_t n = strlen(name);

	if (v != NULL && n > 4 && strcmp(name + n - 4, "_key") == 0)
		return "[redacted]";
	return v;
}

/* One row as JSON (new object). */
static cJSON *
cmd_config_json_row(const struct settings *s, const struct settings_entry *e)
{
	cJSON *o = cJSON_CreateObject(), *c;
	const char *v = cmd_config_shown(s, e->name);
	size_t i;

	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddItemToObject(o, "value",
	    v != NULL ? cJSON_CreateString(v) : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "origin", settings_origin(s, e->name));
	cJSON_AddStringToObject(o, "type", cmd_config_types[e->type]);
	cJSON_AddItemToObject(o, "default",
	    e->dflt != NULL ? cJSON_CreateString(e->dflt) : cJSON_CreateNull());
	if (e->type == SETTINGS_INT || e->type == SETTINGS_NUMBER) {
		cJSON_AddNumberToObject(o, "min", e->min);
		cJSON_AddNumberToObject(o, "max", e->max);
	}
	if (e->type == SETTINGS_CHOICE) {
		c = cJSON_AddArrayToObject(o, "choices");
		for (i = 0; e->choices[i] != NULL; i++)
			cJSON_AddItemToArray(c,
			    cJSON_CreateString(e->choices[i]));
	}
	cJSON_AddItemToObject(o, "flag",
	    e->flag != NULL ? cJSON_CreateString(e->flag) : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "doc", e->doc);
	return o;
}

static void
cmd_config_print(const struct settings *s, int json)
{
	const struct settings_entry *e;
	cJSON *list;
	char *text;
	const char *v;

	if (!json) {
		for (e = settings_table; e->name != NULL; e++) {
			v = cmd_config_shown(s, e->name);
			printf("%s\t%s=%s\n", settings_origin(s, e->name),
			    e->name, v != NULL ? v : "");
		}
		return;
	}
	list = cJSON_CreateArray();
	for (e = settings_table; e->name != NULL; e++)
		cJSON_AddItemToArray(list, cmd_config_json_row(s, e));
	text = jsonutil_print_text(list, 1);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(list);
}

static int
cmd_config_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_config_entry;
	const char *format = "text";
	char *cause = NULL;
	int c;

	while ((c = cmd_getopt(e, argc, argv, "f:", cmd_config_longopts)) !=
	    -1) {
		if (c == '?')
			return EXIT_USAGE;
		format = optarg;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error(e,
		    "invalid --format '%s': use text or "
		    "json",
		    format);
	if (optind != argc)
		return cmd_usage_error(e, "list takes no arguments");
	cmd_config_print(ctx->settings, strcmp(format, "json") == 0);
	/* Shown as they are; a bad variable is named, as a run would. */
	if (settings_check(ctx->settings, &cause) != 0) {
		log_warn("%s", cause);
		free(cause);
	}
	return EXIT_OK;
}

static int
cmd_config_get(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_config_entry;
	const char *v;

	if (argc != 2)
		return cmd_usage_error(e, "get takes one setting NAME");
	if (settings_entry_find(argv[1]) == NULL)
		return cmd_usage_error(e,
		    "unknown setting '%s'; 'stockagent "
		    "config list' shows the settings",
		    argv[1]);
	if ((v = cmd_config_shown(ctx->settings, argv[1])) != NULL)
		printf("%s\n", v);
	return EXIT_OK;
}

static const char *const cmd_config_formats[] = { "text", "json", NULL };

static const struct cmd_arg cmd_config_list_args[] = {
	{ "format", CMD_VALUE_WORDS, cmd_config_formats },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_arg cmd_config_get_args[] = {
	{ NULL, CMD_VALUE_SETTING, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_entry cmd_config_list_entry = {
	.name = "config list",
	.usage = "[--format text|json]",
	.summary = "every setting: ORIGIN<TAB>NAME=VALUE, where ORIGIN is the "
		   "flag, the STOCKAGENT_* variable, FILE:LINE, default or "
		   "unset",
	.help = "  --format json  a JSON array (name, value, origin, type, "
		"default,\n"
		"                 range or choices, flag, doc)\n",
	.exec = cmd_config_list,
	.flags = CMD_ANY_SETTINGS,
	.options = cmd_config_longopts,
	.args = cmd_config_list_args,
};

static const struct cmd_entry cmd_config_get_entry = {
	.name = "config get",
	.usage = "NAME",
	.summary = "the value of one setting (nothing when unset)",
	.help = "",
	.exec = cmd_config_get,
	.flags = CMD_ANY_SETTINGS,
	.args = cmd_config_get_args,
};

static const struct cmd_entry *const cmd_config_subcommands[] = {
	&cmd_config_list_entry,
	&cmd_config_get_entry,
	NULL,
};

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.usage = "list [--format text|json] | get NAME",
	.summary = "show the settings, their values and where each came from",
	.help = "",
	.flags = CMD_ANY_SETTINGS,
	.subcommands = cmd_config_subcommands,
};
