/*
 * settings.h: configuration from flags, environment, INI file and defaults.
 *
 * Every setting is a row of one const table (settings-table.c): its name,
 * type, default, allowed range or values, and a line of documentation. The
 * name is used in all four places: the config file key "risk_free_rate",
 * the environment variable STOCKAGENT_RISK_FREE_RATE, and the flag (where
 * the setting has one, e.g. --no-pdf for no_pdf). A flag wins over the
 * environment, which wins over the file, which wins over the default.
 *
 * A value is checked against its row when it is set (a flag), read (the
 * file) or first looked at (the environment, by settings_check), so the
 * typed getters below never meet a bad value. A bad value is reported as
 * one line naming the setting, where the value came from (the flag, the
 * variable or file:line) and what is allowed.
 */
#ifndef STOCKAGENT_SETTINGS_H
#define STOCKAGENT_SETTINGS_H

enum settings_type {
	SETTINGS_STRING, /* any text; empty means unset */
	SETTINGS_BOOL,	 /* 1/0, true/false, yes/no, on/off */
	SETTINGS_INT,	 /* a whole number from min to max */
	SETTINGS_NUMBER, /* a finite decimal number from min to max */
	SETTINGS_CHOICE, /* one of choices */
};

struct settings_entry {
	const char *name; /* "risk_free_rate" */
	enum settings_type type;
	const char *dflt;	    /* the default as text, NULL: unset */
	double min, max;	    /* SETTINGS_INT and SETTINGS_NUMBER */
	const char *const *choices; /* SETTINGS_CHOICE, NULL-terminated */
	const char *flag;	    /* "--no-pdf", or NULL: none */
	const char *doc;	    /* one line */
};

/* The table, ended by a row whose name is NULL. */
extern const struct settings_entry settings_table[];

/* The row called NAME, or NULL. */
const struct settings_entry *settings_entry_find(const char *name);

struct settings;

/* A set holding only the defaults. Free with settings_free (NULL allowed). */
struct settings *settings_new(void);
void settings_free(struct settings *s);

/* A copy of S that can be changed on its own (one request of 'serve'). */
struct settings *settings_copy(const struct settings *s);

/*
 * Reads the INI file PATH: "key = value" lines, '#' or ';' comments, and
 * [section] headers ([stockagent] or none for the table's keys). A missing
 * file is not an error when OPTIONAL is set (the default location). A bad
 * value, a malformed line or a file that cannot be read returns -1 with
 * *cause (path, line and what to do). An unknown key is a warning naming
 * the nearest known one, and is otherwise ignored.
 */
int settings_load_file(struct settings *s, const char *path, int optional,
    char **cause);

/*
 * Sets NAME from a command-line flag or another explicit source (highest
 * precedence). ORIGIN says where VALUE came from for messages and
 * `config list` ("--paper", "the run's request"). Returns 0, or -1 with
 * *cause when NAME is unknown or VALUE is not allowed.
 */
int settings_set(struct settings *s, const char *name, const char *value,
    const char *origin, char **cause);

/*
 * Checks the STOCKAGENT_* variable of every setting. Returns 0, or -1 with
 * *cause for the first bad value. Call once before a command reads them.
 */
int settings_check(struct settings *s, char **cause);

/* The value of NAME by precedence as text, or NULL when unset everywhere.
 * The string belongs to S (or to the environment) and stays valid. */
const char *settings_string(const struct settings *s, const char *name);

/* Typed values of checked settings; an unset INT or NUMBER is 0. */
int settings_bool(const struct settings *s, const char *name);
long long settings_int(const struct settings *s, const char *name);
double settings_number(const struct settings *s, const char *name);

/*
 * Where NAME's value came from: the flag or origin given to settings_set,
 * "STOCKAGENT_NAME", "FILE:LINE", "default", or "unset". The string
 * belongs to S.
 */
const char *settings_origin(const struct settings *s, const char *name);

/* Default paths: $XDG_DATA_HOME/stockagent/stockagent.db and
 * $XDG_CONFIG_HOME/stockagent/config (heap strings). */
char *settings_default_db_path(void);
char *settings_default_config_path(void);

#endif
