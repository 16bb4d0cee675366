/*
 * i18n.h: the language stockagent writes its words for people in.
 *
 * Messages are marked _("...") where they are used and N_("...") where
 * they sit in a table and are translated later with _(); xgettext finds
 * both (po/Makevars). The catalogs are gettext's, one per language of
 * po/LINGUAS. One language holds for the whole process: i18n_set picks it, and
 * everything after that (text output, observations, narrative, PDF, messages)
 * follows it. Machine output (JSON keys, enum values, CSV) never goes through
 * _().
 *
 * Without NLS (configure --disable-nls) _() returns its argument and
 * only English exists, though the number and date conventions of
 * lib/numfmt.h still follow the language chosen.
 */
#ifndef STOCKAGENT_I18N_H
#define STOCKAGENT_I18N_H

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) ((const char *)(s))
#endif
#define N_(s) s

enum i18n_lang {
	I18N_EN, /* English: 1,234.56, 2025-12-31, "$" before USD */
	I18N_VI, /* Vietnamese: 1.234,56, 31/12/2025, "USD" after */
};

/* The language codes --lang and the lang setting take, NULL-terminated. */
extern const char *const i18n_codes[];

/*
 * The language the environment asks for: the first of LANGUAGE, LC_ALL,
 * LC_MESSAGES and LANG that is set and not empty; "vi" when it starts
 * with "vi", else "en". Static string.
 */
const char *i18n_default(void);

/*
 * Makes CODE ("en", "vi"; NULL: i18n_default()) the language of the
 * process: binds the message catalogs (STOCKAGENT_LOCALEDIR, else the
 * build tree's po/locale when it holds them, else the installed
 * $(localedir)) and makes gettext use CODE even where no locale of that
 * language is generated (LANGUAGE, over C.UTF-8 when the messages locale
 * is "C"). An unknown CODE means English. Call before any thread starts.
 */
void i18n_set(const char *code);

/* The language i18n_set chose (English before it is called). */
enum i18n_lang i18n_lang(void);

/* Its code: "en" or "vi". Static string. */
const char *i18n_code(void);

#endif
