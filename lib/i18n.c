/*
 * i18n.c: choosing the language and finding its catalogs.
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/i18n.h"

const char *const i18n_codes[] = { "en", "vi", NULL };

static enum i18n_lang i18n_current = I18N_EN;

const char *
i18n_default(void)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES",
		"LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof *vars; i++) {
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			return strncmp(v, "vi", 2) == 0 ? "vi" : "en";
	}
	return "en";
}

#if ENABLE_NLS
/* Where the catalogs are: see i18n_set. */
static const char *
i18n_localedir(void)
{
	const char *dir = getenv("STOCKAGENT_LOCALEDIR");

	if (dir != NULL && *dir != '\0')
		return dir;
	if (access(STOCKAGENT_BUILDLOCALEDIR "/vi/LC_MESSAGES/" PACKAGE ".mo",
		R_OK) == 0)
		return STOCKAGENT_BUILDLOCALEDIR;
	return STOCKAGENT_LOCALEDIR;
}

/* gettext reads LANGUAGE only when the messages locale is not "C": a
 * machine without a vi_VN locale still has C.UTF-8 (Debian, glibc). */
static void
i18n_bind(const char *code)
{
	const char *loc = setlocale(LC_MESSAGES, "");

	if (loc == NULL || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
		(void)setlocale(LC_MESSAGES, "C.UTF-8");
	(void)setenv("LANGUAGE", code, 1);
	(void)bindtextdomain(PACKAGE, i18n_localedir());
	(void)bind_textdomain_codeset(PACKAGE, "UTF-8");
	(void)textdomain(PACKAGE); /* also drops translations cached */
}
#else
static void
i18n_bind(const char *code)
{
	(void)code;
}
#endif

void
i18n_set(const char *code)
{
	if (code == NULL)
		code = i18n_default();
	i18n_current = strcmp(code, "vi") == 0 ? I18N_VI : I18N_EN;
	i18n_bind(i18n_code());
}

enum i18n_lang
i18n_lang(void)
{
	return i18n_current;
}

const char *
i18n_code(void)
{
	return i18n_current == I18N_VI ? "vi" : "en";
}
