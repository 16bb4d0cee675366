/*
 * settings.c: flags > environment > INI file > defaults.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings.h"
#include "lib/xmalloc.h"

#define SETTINGS_MAX_LINE 4096
#define SETTINGS_MAX_KEYS 256

struct setting {
	char *key;
	char *value;
	int from_flag; /* else from the file */
};

struct settings {
	struct setting items[SETTINGS_MAX_KEYS];
	int n;
};

/* Built-in defaults; everything else defaults to unset. */
static const struct {
	const char *key;
	const char *value;
} settings_defaults[] = {
	{ "model", "builtin" },
	{ "provider", "sim" },
	{ "format", "text" },
	{ "out", "reports" },
	{ "paper", "letter" },
	{ "recursion_limit", "25" },
};

struct settings *
settings_new(void)
{
	return xcalloc(1, sizeof(struct settings));
}

void
settings_free(struct settings *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->items[i].key);
		free(s->items[i].value);
	}
	free(s);
}

static struct setting *
settings_find(struct settings *s, const char *key, int from_flag)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (s->items[i].from_flag == from_flag &&
		    strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	}
	return NULL;
}

static int
settings_put(struct settings *s, const char *key, const char *value,
    int from_flag)
{
	struct setting *it = settings_find(s, key, from_flag);

	if (it == NULL) {
		if (s->n == SETTINGS_MAX_KEYS)
			return -1;
		it = &s->items[s->n++];
		it->key = xstrdup(key);
		it->from_flag = from_flag;
	} else {
		free(it->value);
	}
	it->value = xstrdup(value);
	return 0;
}

void
settings_set(struct settings *s, const char *key, const char *value)
{
	(void)settings_put(s, key, value, 1);
}

static char *
trim(char *p)
{
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return p;
}

static int
settings_parse_line(struct settings *s, char *line, char *section,
    size_t section_size, char **err)
{
	char *p = trim(line), *eq, *key, *value, full[256];
	size_t n;

	if (*p == '\0' || *p == '#' || *p == ';')
		return 0;
	if (*p == '[') {
		n = strlen(p);
		if (p[n - 1] != ']' || n < 3 || n - 2 >= section_size) {
			*err = xstrdup("a section header must look like [name]");
			return -1;
		}
		memcpy(section, p + 1, n - 2);
		section[n - 2] = '\0';
		return 0;
	}
	if ((eq = strchr(p, '=')) == NULL) {
		*err = xstrdup("expected 'key = value'");
		return -1;
	}
	*eq = '\0';
	key = trim(p);
	value = trim(eq + 1);
	if (*key == '\0') {
		*err = xstrdup("empty key before '='");
		return -1;
	}
	n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	}
	if (*section != '\0' && strcmp(section, "stockagent") != 0)
		snprintf(full, sizeof full, "%s.%s", section, key);
	else
		snprintf(full, sizeof full, "%s", key);
	if (settings_put(s, full, value, 0) != 0) {
		*err = xstrdup("too many keys");
		return -1;
	}
	return 0;
}

int
settings_load_file(struct settings *s, const char *path, int optional,
    char **cause)
{
	char line[SETTINGS_MAX_LINE], section[128] = "", *err = NULL;
	FILE *f;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (optional && errno == ENOENT)
			return 0;
		*cause = xasprintf("cannot read config file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			err = xstrdup("line too long");
			rc = -1;
		} else {
			rc = settings_parse_line(s, line, section,
			    sizeof section, &err);
		}
		if (rc != 0) {
			*cause = xasprintf("config file %s, line %d: %s; fix "
			    "or remove that line", path, lineno, err);
			free(err);
			break;
		}
	}
	fclose(f);
	return rc;
}

/* STOCKAGENT_KEY's value; the string is the environment's own, valid
 * for the life of the program (stockagent never changes its environment). */
static const char *
settings_env(const char *key)
{
	char name[300];
	size_t i, j = 0;
	const char *v;

	j = (size_t)snprintf(name, sizeof name, "STOCKAGENT_");
	for (i = 0; key[i] != '\0' && j + 1 < sizeof name; i++) {
		unsigned char c = (unsigned char)key[i];

		name[j++] = isalnum(c) ? (char)toupper(c) : '_';
	}
	name[j] = '\0';
	v = getenv(name);
	return v == NULL || *v == '\0' ? NULL : v;
}

static const char *
settings_default(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof settings_defaults / sizeof settings_defaults[0];
	     i++) {
		if (strcmp(settings_defaults[i].key, key) == 0)
			return settings_defaults[i].value;
	}
	return NULL;
}

const char *
settings_get(struct settings *s, const char *key)
{
	struct setting *it;
	const char *v;

	if ((it = settings_find(s, key, 1)) != NULL)
		return it->value;
	if ((v = settings_env(key)) != NULL)
		return v;
	if ((it = settings_find(s, key, 0)) != NULL)
		return it->value;
	return settings_default(key);
}

const char *
settings_source(struct settings *s, const char *key)
{
	if (settings_find(s, key, 1) != NULL)
		return "flag";
	if (settings_env(key) != NULL)
		return "environment";
	if (settings_find(s, key, 0) != NULL)
		return "file";
	return settings_default(key) != NULL ? "default" : "unset";
}

static char *
xdg_path(const char *var, const char *fallback, const char *file)
{
	const char *base = getenv(var), *home = getenv("HOME");

	if (base != NULL && *base == '/')
		return xasprintf("%s/stockagent/%s", base, file);
	if (home == NULL || *home == '\0')
		home = ".";
	return xasprintf("%s/%s/stockagent/%s", home, fallback, file);
}

char *
settings_default_db_path(void)
{
	return xdg_path("XDG_DATA_HOME", ".local/share", "stockagent.db");
}

char *
settings_default_config_path(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "config");
}
