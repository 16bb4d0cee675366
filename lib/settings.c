/*
 * settings.c: flags > environment > INI file > defaults, each value checked
 * once against its row of settings_table[].
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"

#define SETTINGS_MAX_LINE 4096

/* A value set by a flag or read from the file, and where it came from. */
struct settings_slot {
	char *value;
	char *origin; /* "--paper", "FILE:LINE" */
};

struct settings {
	size_t n;		    /* rows in settings_table */
	struct settings_slot *flag; /* [n] */
	struct settings_slot *file; /* [n] */
	char (*env_name)[64];	    /* [n] "STOCKAGENT_NAME" */
};

struct settings *
settings_new(void)
{
	struct settings *s = xcalloc(1, sizeof *s);
	size_t i, j;

	while (settings_table[s->n].name != NULL)
		s->n++;
	s->flag = xcalloc(s->n, sizeof *s->flag);
	s->file = xcalloc(s->n, sizeof *s->file);
	s->env_name = xcalloc(s->n, sizeof *s->env_name);
	for (i = 0; i < s->n; i++) {
		const char *name = settings_table[i].name;
		char *v = s->env_name[i];

		j = (size_t)snprintf(v, sizeof s->env_name[i], "STOCKAGENT_");
		for (; *name != '\0' && j + 1 < sizeof s->env_name[i]; name++)
			v[j++] = isalnum((unsigned char)*name) ?
			    (char)toupper((unsigned char)*name) :
			    '_';
		v[j] = '\0';
	}
	return s;
}

static void
settings_slot_clear(struct settings_slot *slot)
{
	free(slot->value);
	free(slot->origin);
	slot->value = slot->origin = NULL;
}

void
settings_free(struct settings *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		settings_slot_clear(&s->flag[i]);
		settings_slot_clear(&s->file[i]);
	}
	free(s->flag);
	free(s->file);
	free(s->env_name);
	free(s);
}

/* The row index of NAME; aborts on a name missing from the table, which
 * is a mistake in the program, not in the user's input. */
static size_t
settings_index(const char *name)
{
	const struct settings_entry *e = settings_entry_find(name);

	if (e == NULL) {
		log_error("internal error: no setting called '%s'", name);
		abort();
	}
	return (size_t)(e - settings_table);
}

static int
settings_parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
settings_parse_int(const struct settings_entry *e, const char *v,
    long long *out)
{
	const char *p = v + (*v == '-' || *v == '+');
	char *end;

	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno != 0 || *end != '\0' || (double)*out < e->min ||
		(double)*out > e->max ?
	    -1 :
	    0;
}

static int
settings_parse_number(const struct settings_entry *e, const char *v,
    double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	return errno != 0 || end == v || *end != '\0' || !isfinite(*out) ||
		!(*out >= e->min && *out <= e->max) ?
	    -1 :
	    0;
}

static int
settings_parse_choice(const struct settings_entry *e, const char *v)
{
	const char *const *c;

	for (c = e->choices; *c != NULL; c++) {
		if (strcmp(*c, v) == 0)
			return 0;
	}
	return -1;
}

/* What E allows, for messages (heap string). */
static char *
settings_allowed(const struct settings_entry *e)
{
	char buf[256] = "";
	size_t i, len = 0;

	switch (e->type) {
	case SETTINGS_BOOL:
		return xstrdup("use true or false (also yes/no, on/off, 1/0)");
	case SETTINGS_INT:
		return xasprintf("use a whole number from %.0f to %.0f", e->min,
		    e->max);
	case SETTINGS_NUMBER:
		return xasprintf("use a number from %g to %g", e->min, e->max);
	case SETTINGS_CHOICE:
		for (i = 0; e->choices[i] != NULL; i++)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "%s%s",
			    i == 0			  ? "" :
				e->choices[i + 1] == NULL ? " or " :
							    ", ",
			    e->choices[i]);
		return xasprintf("use %s", buf);
	case SETTINGS_STRING:
		break;
	}
	return xstrdup("use any text");
}

/* Checks V against E. Returns 0, or -1 with *cause naming ORIGIN. */
static int
settings_validate(const struct settings_entry *e, const char *v,
    const char *origin, char **cause)
{
	long long n;
	double d;
	int b, bad = 0;
	char *allowed;

	switch (e->type) {
	case SETTINGS_BOOL:
		bad = settings_parse_bool(v, &b);
		break;
	case SETTINGS_INT:
		bad = settings_parse_int(e, v, &n);
		break;
	case SETTINGS_NUMBER:
		bad = settings_parse_number(e, v, &d);
		break;
	case SETTINGS_CHOICE:
		bad = settings_parse_choice(e, v);
		break;
	case SETTINGS_STRING:
		break;
	}
	if (bad == 0)
		return 0;
	allowed = settings_allowed(e);
	*cause = xasprintf("invalid %s '%s' (from %s): %s", e->name, v, origin,
	    allowed);
	free(allowed);
	return -1;
}

static void
settings_slot_put(struct settings_slot *slot, const char *value,
    const char *origin)
{
	settings_slot_clear(slot);
	slot->value = xstrdup(value);
	slot->origin = xstrdup(origin);
}

int
settings_set(struct settings *s, const char *name, const char *value,
    const char *origin, char **cause)
{
	const struct settings_entry *e = settings_entry_find(name);

	if (e == NULL) {
		*cause = xasprintf("unknown setting '%s'", name);
		return -1;
	}
	if (*value != '\0' && settings_validate(e, value, origin, cause) != 0)
		return -1;
	settings_slot_put(&s->flag[e - settings_table], value, origin);
	return 0;
}

static void
settings_slot_copy(struct settings_slot *to, const struct settings_slot *from)
{
	if (from->value != NULL)
		settings_slot_put(to, from->value, from->origin);
}

struct settings *
settings_copy(const struct settings *s)
{
	struct settings *c = settings_new();
	size_t i;

	for (i = 0; i < s->n; i++) {
		settings_slot_copy(&c->flag[i], &s->flag[i]);
		settings_slot_copy(&c->file[i], &s->file[i]);
	}
	return c;
}

/* The value of STOCKAGENT_NAME for row I; empty counts as unset. */
static const char *
settings_env(const struct settings *s, size_t i)
{
	const char *v = getenv(s->env_name[i]);

	return v == NULL || *v == '\0' ? NULL : v;
}

int
settings_check(struct settings *s, char **cause)
{
	const char *v;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if ((v = settings_env(s, i)) != NULL &&
		    settings_validate(&settings_table[i], v, s->env_name[i],
			cause) != 0)
			return -1;
	}
	return 0;
}

/* The slot that holds row I's value by precedence, NULL for the
 * environment or the default; *env_out set when the environment wins. */
static const struct settings_slot *
settings_winner(const struct settings *s, size_t i, const char **env_out)
{
	*env_out = NULL;
	if (s->flag[i].value != NULL)
		return &s->flag[i];
	if ((*env_out = settings_env(s, i)) != NULL)
		return NULL;
	return s->file[i].value != NULL ? &s->file[i] : NULL;
}

const char *
settings_string(const struct settings *s, const char *name)
{
	size_t i = settings_index(name);
	const struct settings_slot *slot;
	const char *env, *v;

	slot = settings_winner(s, i, &env);
	v = slot != NULL ? slot->value :
	    env != NULL	 ? env :
			   settings_table[i].dflt;
	return v == NULL || *v == '\0' ? NULL : v;
}

const char *
settings_origin(const struct settings *s, const char *name)
{
	size_t i = settings_index(name);
	const struct settings_slot *slot;
	const char *env;

	slot = settings_winner(s, i, &env);
	if (slot != NULL)
		return slot->origin;
	if (env != NULL)
		return s->env_name[i];
	return settings_table[i].dflt != NULL ? "default" : "unset";
}

int
settings_bool(const struct settings *s, const char *name)
{
	const char *v = settings_string(s, name);
	int b = 0;

	return v != NULL && settings_parse_bool(v, &b) == 0 ? b : 0;
}

long long
settings_int(const struct settings *s, const char *name)
{
	const char *v = settings_string(s, name);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

double
settings_number(const struct settings *s, const char *name)
{
	const char *v = settings_string(s, name);

	return v != NULL ? strtod(v, NULL) : 0;
}

/* ---- the INI file ------------------------------------------------------ */

static char *
settings_trim(char *p)
{
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return p;
}

/* Edit distance of A and B (both short), for "did you mean". */
static size_t
settings_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, row[64];

	if (lb >= sizeof row / sizeof row[0])
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb];
}

/* The known setting nearest to NAME, or NULL when none is near. */
static const char *
settings_nearest(const char *name)
{
	const struct settings_entry *e, *best = NULL;
	size_t d, best_d = (size_t)-1, limit = strlen(name) / 3 + 2;

	for (e = settings_table; e->name != NULL; e++) {
		if ((d = settings_distance(name, e->name)) < best_d) {
			best_d = d;
			best = e;
		}
	}
	return best != NULL && best_d <= limit ? best->name : NULL;
}

static void
settings_unknown(const char *where, const char *key)
{
	const char *near = settings_nearest(key);

	if (near != NULL)
		log_warn("%s: unknown setting '%s' ignored; did you mean '%s'?",
		    where, key, near);
	else
		log_warn("%s: unknown setting '%s' ignored; 'stockagent config "
			 "list' shows the settings",
		    where, key);
}

/* One "key = value" line of the file, at WHERE ("FILE:LINE"). */
static int
settings_file_value(struct settings *s, const char *section, char *key,
    char *value, const char *where, char **cause)
{
	const struct settings_entry *e;
	char full[256];
	size_t n = strlen(value);

	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	}
	if (*section != '\0' && strcmp(section, "stockagent") != 0)
		snprintf(full, sizeof full, "%s.%s", section, key);
	else
		snprintf(full, sizeof full, "%s", key);
	if ((e = settings_entry_find(full)) == NULL) {
		settings_unknown(where, full);
		return 0;
	}
	if (*value != '\0' && settings_validate(e, value, where, cause) != 0)
		return -1;
	settings_slot_put(&s->file[e - settings_table], value, where);
	return 0;
}

static int
settings_parse_line(struct settings *s, char *line, char *section,
    size_t section_size, const char *where, char **cause)
{
	char *p = settings_trim(line), *eq, *key;
	size_t n;

	if (*p == '\0' || *p == '#' || *p == ';')
		return 0;
	if (*p == '[') {
		n = strlen(p);
		if (p[n - 1] != ']' || n < 3 || n - 2 >= section_size) {
			*cause = xasprintf(
			    "%s: a section header must look like "
			    "[name]; fix or remove that line",
			    where);
			return -1;
		}
		memcpy(section, p + 1, n - 2);
		section[n - 2] = '\0';
		return 0;
	}
	if ((eq = strchr(p, '=')) == NULL || eq == p) {
		*cause = xasprintf("%s: expected 'key = value'; fix or remove "
				   "that line",
		    where);
		return -1;
	}
	*eq = '\0';
	key = settings_trim(p);
	return settings_file_value(s, section, key, settings_trim(eq + 1),
	    where, cause);
}

/* Opens PATH for reading as a regular file. */
static FILE *
settings_open(const char *path, int optional, int *missing, char **cause)
{
	struct stat st;
	FILE *f;

	*missing = 0;
	if ((f = fopen(path, "r")) == NULL) {
		if (optional && errno == ENOENT)
			return *missing = 1, NULL;
		*cause = xasprintf("cannot read config file %s: %s; give an "
				   "existing file with --config",
		    path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		*cause = xasprintf("config file %s is a directory; give the "
				   "path of a file with --config",
		    path);
		return NULL;
	}
	return f;
}

int
settings_load_file(struct settings *s, const char *path, int optional,
    char **cause)
{
	char line[SETTINGS_MAX_LINE], section[128] = "", *where = NULL;
	FILE *f;
	int lineno = 0, rc = 0, missing;

	if ((f = settings_open(path, optional, &missing, cause)) == NULL)
		return missing ? 0 : -1;
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		free(where);
		where = xasprintf("%s:%d", path, ++lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			*cause = xasprintf("%s: line too long (the limit is %d "
					   "bytes); shorten it",
			    where, SETTINGS_MAX_LINE - 2);
			rc = -1;
		} else {
			rc = settings_parse_line(s, line, section,
			    sizeof section, where, cause);
		}
	}
	if (rc == 0 && ferror(f)) {
		*cause = xasprintf("cannot read config file %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(where);
	fclose(f);
	return rc;
}

/* ---- default paths ------------------------------------------------------ */

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
