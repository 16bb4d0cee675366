/*
 * provider-csv.c: the "csv" provider, the daily bars a user imported with
 * 'stockagent data import' (imported.h), read from the database that
 * market_config names. It has history and a profile (the name and
 * currency given at import); no fundamentals and no news.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tools/market/imported.h"
#include "tools/market/provider.h"

/* Opens the configured database. Returns 0 or -1 with *cause. */
static int
provider_csv_open(struct store **st, char **cause)
{
	const char *db = market_config_get()->db_path;
	char *path = db != NULL ? xstrdup(db) : settings_default_db_path();
	char *why = NULL;
	int rc;

	rc = store_open(path, st, &why);
	free(path);
	if (rc != 0) {
		*cause = xasprintf("csv: %s", why);
		free(why);
		return -1;
	}
	return 0;
}

static int
provider_csv_history(const char *symbol, int32_t as_of, int32_t from,
    struct market_bars *out, char **cause)
{
	struct store *st = NULL;
	char *why = NULL;
	int rc;

	if (provider_csv_open(&st, cause) != 0)
		return -1;
	rc = imported_history(st, symbol, as_of, from, out, &why);
	store_close(st);
	if (rc == 0)
		return 0;
	*cause = strncmp(why, "csv: ", 5) == 0 ? xstrdup(why) :
						 xasprintf("csv: %s", why);
	free(why);
	return -1;
}

static int
provider_csv_profile(const char *symbol, struct market_profile *out,
    char **cause)
{
	struct store *st = NULL;
	char *why = NULL;
	int rc;

	if (provider_csv_open(&st, cause) != 0)
		return -1;
	rc = imported_profile(st, symbol, out, &why);
	store_close(st);
	if (rc == 0)
		return 0;
	*cause = strncmp(why, "csv: ", 5) == 0 ? xstrdup(why) :
						 xasprintf("csv: %s", why);
	free(why);
	return -1;
}

const struct market_provider provider_csv_entry = {
	.name = "csv",
	.local = 1,
	.history = provider_csv_history,
	.profile = provider_csv_profile,
};
