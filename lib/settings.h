/*
 * settings.h: configuration from flags, environment, INI file and defaults.
 *
 * Every key has one name used in all four places: the config file key
 * "model", the environment variable STOCKAGENT_MODEL, the flag --model.
 * A value set by a flag wins over the environment, which wins over the file,
 * which wins over the built-in default. Keys in a [section] of the file are
 * named "section.key" and their variable STOCKAGENT_SECTION_KEY.
 */
#ifndef STOCKAGENT_SETTINGS_H
#define STOCKAGENT_SETTINGS_H

struct settings;

/* An empty set holding only the defaults. Free with settings_free. */
struct settings *settings_new(void);
void settings_free(struct settings *s);

/*
 * Reads the INI file PATH. A missing file is not an error when OPTIONAL is
 * set (the default location). Returns 0, or -1 with *cause set (line number
 * and what is wrong).
 */
int settings_load_file(struct settings *s, const char *path, int optional,
    char **cause);

/* Sets KEY from a command-line flag (highest precedence). */
void settings_set(struct settings *s, const char *key, const char *value);

/* The value of KEY by precedence, or NULL when unset everywhere. The
 * string belongs to S. */
const char *settings_get(struct settings *s, const char *key);

/* Where KEY's value came from: "flag", "environment", "file", "default". */
const char *settings_source(struct settings *s, const char *key);

/* Default paths: $XDG_DATA_HOME/stockagent/stockagent.db and
 * $XDG_CONFIG_HOME/stockagent/config (heap strings). */
char *settings_default_db_path(void);
char *settings_default_config_path(void);

#endif
