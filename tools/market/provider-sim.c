/*
 * provider-sim.c: the deterministic simulated market ("sim" provider).
 *
 * The universe (companies, their price model and fundamentals) comes from
 * data/sim-universe.json, loaded once per path and kept for the life of the
 * process. Prices are one fixed path per symbol from the universe's start
 * date: every random number is a hash of (symbol, day, purpose), so the
 * path does not depend on the as-of date (which only truncates it), on the
 * wall clock or on any global generator state.
 *
 * Model, per trading day i (log prices, daily units):
 *   regime     Markov switch calm <-> turbulent; turbulent multiplies the
 *              volatility sigma
 *   overnight  sqrt(0.2) sigma z1 + jump         (open = prev close x e^.)
 *   intraday   beta m + sqrt(0.8) sigma z2 - reversion x dev + drift
 *   dev        log distance from the trend start x e^(drift i); reflected
 *              into +-band, which keeps SIM_STOCK in $20-40 and makes
 *              SIM_DECLINE fall over every 3-year window
 *   m          the index's own move that day beyond its drift
 * A profile's floor adds a constant under the simulated value so the price
 * never goes below it. Volume grows with |return| and with the gap.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "lib/date.h"
#include "lib/paths.h"
#include "lib/xmalloc.h"
#include "tools/market/calendar.h"
#include "tools/market/market.h"
#include "tools/market/provider.h"

#define SIM_FILE "sim-universe.json"
#define SIM_FILE_MAX (16 * 1024 * 1024) /* bytes */
#define SIM_COMPANIES_MAX 10000
#define SIM_HISTORY_YEARS 3 /* needed before the first as-of date */
#define SIM_DAYS_PER_YEAR 252.0
#define SIM_NEWS_DAYS 30   /* calendar days of news, as-of included */
#define SIM_AVGVOL_DAYS 91 /* calendar days in "the last 3 months" */
#define SIM_EPS_NOISE 0.03 /* log std of quarterly EPS surprises */

/* Purposes of random numbers (the third hash input). */
enum sim_stream {
	SIM_S_REGIME = 1,
	SIM_S_MOVE,		      /* overnight and intraday noise */
	SIM_S_RANGE = SIM_S_MOVE + 2, /* how far high and low reach */
	SIM_S_JUMP = SIM_S_RANGE + 2,
	SIM_S_JUMPSIZE,
	SIM_S_VOLUME = SIM_S_JUMPSIZE + 2,
	SIM_S_EPS = SIM_S_VOLUME + 2,
	SIM_S_NEWS = 64, /* news uses 64 + 8 x item + k */
};

/* The price model; rates per year, probabilities per trading day. */
struct sim_market {
	double start_price; /* at start_date */
	double drift;	    /* log trend per year */
	double volatility;  /* calm-regime idiosyncratic volatility per year */
	double turb_enter;  /* P(calm -> turbulent) */
	double turb_exit;   /* P(turbulent -> calm) */
	double turb_mult;   /* volatility multiplier when turbulent */
	double beta;	    /* response to the index's move */
	double jump_prob;   /* P(overnight jump) */
	double jump_size;   /* log std of a jump */
	double reversion;   /* pull toward the trend per day, 0 = none */
	double band;	    /* max |log distance| from the trend, 0 = none */
	double floor;	    /* price never below this */
	double volume;	    /* typical shares per day */
};

/* Fundamentals at start_date. */
struct sim_fund {
	double shares;	   /* shares outstanding */
	double eps;	   /* trailing EPS */
	double eps_growth; /* per year; also dividend and book value */
	double margin;	   /* profit margin, fraction */
	double dividend;   /* dividend per share per year */
	double book_value; /* per share */
};

struct sim_company {
	char symbol[32];
	int is_index;
	uint64_t key; /* hash of the symbol: seeds its random numbers */
	char name[128];
	char sector[64];
	char industry[64];
	char currency[8];
	char exchange[32];
	char description[512];
	struct sim_market m;
	struct sim_fund f;
};

struct sim_universe {
	char *path;
	int32_t start; /* first trading day of every path */
	size_t n;
	struct sim_company *c; /* [n] */
	const struct sim_company *index;
	struct sim_universe *next;
};

/* Loaded universes by path; never freed (they are few and immutable). */
static struct sim_universe *sim_cache;
static pthread_mutex_t sim_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* A number in the universe file: key, where it goes, allowed range. */
struct sim_param {
	const char *key;
	size_t offset;
	double lo, hi;
};

static const struct sim_param sim_market_params[] = {
	{ "start_price", offsetof(struct sim_market, start_price), 0.01, 1e6 },
	{ "drift", offsetof(struct sim_market, drift), -1, 1 },
	{ "volatility", offsetof(struct sim_market, volatility), 0.001, 3 },
	{ "turbulent_enter", offsetof(struct sim_market, turb_enter), 0, 1 },
	{ "turbulent_exit", offsetof(struct sim_market, turb_exit), 0.001, 1 },
	{ "turbulent_multiplier", offsetof(struct sim_market, turb_mult), 1,
	    10 },
	{ "beta", offsetof(struct sim_market, beta), -3, 5 },
	{ "jump_prob", offsetof(struct sim_market, jump_prob), 0, 0.5 },
	{ "jump_size", offsetof(struct sim_market, jump_size), 0, 1 },
	{ "reversion", offsetof(struct sim_market, reversion), 0, 0.5 },
	{ "band", offsetof(struct sim_market, band), 0, 5 },
	{ "floor", offsetof(struct sim_market, floor), 0, 1e5 },
	{ "volume", offsetof(struct sim_market, volume), 1, 1e12 },
};

static const struct sim_param sim_fund_params[] = {
	{ "shares_outstanding", offsetof(struct sim_fund, shares), 1, 1e13 },
	{ "eps_ttm", offsetof(struct sim_fund, eps), 1e-4, 1e5 },
	{ "eps_growth", offsetof(struct sim_fund, eps_growth), -0.9, 2 },
	{ "profit_margin", offsetof(struct sim_fund, margin), 1e-3, 1 },
	{ "dividend_per_share", offsetof(struct sim_fund, dividend), 0, 1e5 },
	{ "book_value_per_share", offsetof(struct sim_fund, book_value), 1e-4,
	    1e6 },
};

#define SIM_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Counter-based random numbers.                                        */

static uint64_t
sim_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* FNV-1a: the symbol's key. */
static uint64_t
sim_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return sim_mix(h);
}

static uint64_t
sim_bits(uint64_t key, int32_t day, unsigned stream)
{
	uint64_t ctr = ((uint64_t)(uint32_t)day << 12) | stream;

	return sim_mix(key ^ sim_mix(ctr));
}

/* Uniform in (0, 1). */
static double
sim_unif(uint64_t key, int32_t day, unsigned stream)
{
	return ((double)(sim_bits(key, day, stream) >> 11) + 0.5) *
	    (1.0 / 9007199254740992.0);
}

/* Standard normal (Box-Muller on streams STREAM and STREAM + 1). */
static double
sim_normal(uint64_t key, int32_t day, unsigned stream)
{
	double u = sim_unif(key, day, stream);
	double v = sim_unif(key, day, stream + 1);

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Two independent standard normals from the same two streams. */
static void
sim_normal2(uint64_t key, int32_t day, unsigned stream, double *z1, double *z2)
{
	double r = sqrt(-2.0 * log(sim_unif(key, day, stream)));
	double t = 6.283185307179586 * sim_unif(key, day, stream + 1);

	*z1 = r * cos(t);
	*z2 = r * sin(t);
}

/* ------------------------------------------------------------------ */
/* Loading and validating the universe.                                 */

/* Reads PATH (at most SIM_FILE_MAX bytes) into a heap string. */
static char *
sim_read_file(const char *path, char **msg)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data = NULL;
	size_t len;

	if (f == NULL) {
		*msg = xasprintf("cannot open it: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size > SIM_FILE_MAX) {
		*msg = xasprintf("it is not a regular file of at most %d "
				 "bytes",
		    SIM_FILE_MAX);
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	len = fread(data, 1, (size_t)st.st_size, f);
	if (ferror(f) || len != (size_t)st.st_size) {
		*msg = xstrdup("cannot read it");
		free(data);
		data = NULL;
		goto out;
	}
	data[len] = '\0';
out:
	fclose(f);
	return data;
}

/* Copies string member KEY of OBJ into DST (SIZE bytes, non-empty). */
static int
sim_get_string(const cJSON *obj, const char *key, char *dst, size_t size,
    const char *where, char **msg)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsString(v) || v->valuestring[0] == '\0' ||
	    strlen(v->valuestring) >= size) {
		*msg = xasprintf("%s: \"%s\" must be a string of 1 to %zu "
				 "characters",
		    where, key, size - 1);
		return -1;
	}
	memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

/* Fills the doubles of BASE listed in PARAMS from object KEY of OBJ. */
static int
sim_get_params(const cJSON *obj, const char *key,
    const struct sim_param *params, size_t n, void *base, const char *where,
    char **msg)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key), *v;
	size_t i;

	if (!cJSON_IsObject(o)) {
		*msg = xasprintf("%s: \"%s\" must be an object", where, key);
		return -1;
	}
	for (i = 0; i < n; i++) {
		v = cJSON_GetObjectItemCaseSensitive(o, params[i].key);
		if (!cJSON_IsNumber(v) ||
		    !(v->valuedouble >= params[i].lo &&
			v->valuedouble <= params[i].hi)) {
			*msg = xasprintf("%s: %s.%s must be a number from %g "
					 "to %g",
			    where, key, params[i].key, params[i].lo,
			    params[i].hi);
			return -1;
		}
		*(double *)((char *)base + params[i].offset) = v->valuedouble;
	}
	return 0;
}

/* Whether S is a valid symbol: A-Z, 0-9, '_', '.', '-'. */
static int
sim_symbol_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!isupper((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return 0;
	}
	return 1;
}

/* The identity strings of a company. */
static int
sim_load_strings(const cJSON *o, struct sim_company *c, const char *where,
    char **msg)
{
	const struct {
		const char *key;
		char *dst;
		size_t size;
	} f[] = {
		{ "symbol", c->symbol, sizeof c->symbol },
		{ "name", c->name, sizeof c->name },
		{ "sector", c->sector, sizeof c->sector },
		{ "industry", c->industry, sizeof c->industry },
		{ "currency", c->currency, sizeof c->currency },
		{ "exchange", c->exchange, sizeof c->exchange },
		{ "description", c->description, sizeof c->description },
	};
	size_t i;

	for (i = 0; i < SIM_NELEM(f); i++) {
		if (sim_get_string(o, f[i].key, f[i].dst, f[i].size, where,
			msg) != 0)
			return -1;
	}
	if (!sim_symbol_ok(c->symbol)) {
		*msg = xasprintf("%s: symbol \"%s\" may hold only A-Z, 0-9, "
				 "'_', '.' and '-'",
		    where, c->symbol);
		return -1;
	}
	return 0;
}

/* One entry of "companies". */
static int
sim_load_company(const cJSON *o, size_t i, struct sim_company *c, char **msg)
{
	char where[48];
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");

	snprintf(where, sizeof where, "companies[%zu]", i);
	if (!cJSON_IsObject(o)) {
		*msg = xasprintf("%s must be an object", where);
		return -1;
	}
	if (sim_load_strings(o, c, where, msg) != 0)
		return -1;
	snprintf(where, sizeof where, "%s", c->symbol);
	if (!cJSON_IsString(kind) ||
	    (strcmp(kind->valuestring, "stock") != 0 &&
		strcmp(kind->valuestring, "index") != 0)) {
		*msg = xasprintf("%s: \"kind\" must be \"stock\" or "
				 "\"index\"",
		    where);
		return -1;
	}
	c->is_index = strcmp(kind->valuestring, "index") == 0;
	c->key = sim_hash(c->symbol);
	if (sim_get_params(o, "market", sim_market_params,
		SIM_NELEM(sim_market_params), &c->m, where, msg) != 0)
		return -1;
	if (c->m.start_price <= c->m.floor) {
		*msg = xasprintf("%s: market.start_price must be above "
				 "market.floor",
		    where);
		return -1;
	}
	if (c->is_index)
		return 0;
	return sim_get_params(o, "fundamentals", sim_fund_params,
	    SIM_NELEM(sim_fund_params), &c->f, where, msg);
}

static int
sim_symbol_cmp(const void *a, const void *b)
{
	return strcasecmp((*(const struct sim_company *const *)a)->symbol,
	    (*(const struct sim_company *const *)b)->symbol);
}

/* Checks symbols are unique (sorted, so a large universe loads fast) and
 * finds the benchmark. */
static int
sim_link(struct sim_universe *u, const char *benchmark, char **msg)
{
	const struct sim_company **by = xcalloc(u->n, sizeof *by);
	size_t i;

	for (i = 0; i < u->n; i++) {
		by[i] = &u->c[i];
		if (strcmp(u->c[i].symbol, benchmark) == 0)
			u->index = &u->c[i];
	}
	qsort(by, u->n, sizeof *by, sim_symbol_cmp);
	for (i = 1; i < u->n; i++) {
		if (strcasecmp(by[i]->symbol, by[i - 1]->symbol) == 0) {
			*msg = xasprintf("symbol %s appears twice",
			    by[i]->symbol);
			free(by);
			return -1;
		}
	}
	free(by);
	if (u->index == NULL || !u->index->is_index) {
		*msg = xasprintf("benchmark \"%s\" must be a company of kind "
				 "\"index\"",
		    benchmark);
		return -1;
	}
	return 0;
}

/* The top-level fields: version, start_date, benchmark, companies. */
static int
sim_load_root(const cJSON *root, struct sim_universe *u, char **msg)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(root,
	    "start_date");
	const cJSON *bench = cJSON_GetObjectItemCaseSensitive(root,
	    "benchmark");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "companies");
	const cJSON *o;
	size_t i = 0;

	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		*msg = xstrdup("\"version\" must be 1");
		return -1;
	}
	if (!cJSON_IsString(start) ||
	    date_parse(start->valuestring, &u->start) != 0) {
		*msg = xstrdup("\"start_date\" must be a date YYYY-MM-DD");
		return -1;
	}
	u->start = calendar_next_trading_day(u->start);
	if (!cJSON_IsString(bench)) {
		*msg = xstrdup("\"benchmark\" must be a symbol");
		return -1;
	}
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 2 ||
	    cJSON_GetArraySize(list) > SIM_COMPANIES_MAX) {
		*msg = xasprintf("\"companies\" must be an array of 2 to %d "
				 "companies",
		    SIM_COMPANIES_MAX);
		return -1;
	}
	u->n = (size_t)cJSON_GetArraySize(list);
	u->c = xcalloc(u->n, sizeof *u->c);
	cJSON_ArrayForEach(o, list) {
		if (sim_load_company(o, i, &u->c[i], msg) != 0)
			return -1;
		i++;
	}
	return sim_link(u, bench->valuestring, msg);
}

static void
sim_universe_free(struct sim_universe *u)
{
	if (u == NULL)
		return;
	free(u->path);
	free(u->c);
	free(u);
}

/* Parses and validates TEXT, a universe file's contents; NULL with *msg. */
static struct sim_universe *
sim_parse(const char *text, char **msg)
{
	struct sim_universe *u = xcalloc(1, sizeof *u);
	const char *end = NULL;
	cJSON *root;

	if ((root = cJSON_ParseWithOpts(text, &end, 1)) == NULL)
		*msg = xasprintf("it is not valid JSON (error near byte %td)",
		    end != NULL ? end - text : (ptrdiff_t)0);
	else if (!cJSON_IsObject(root))
		*msg = xstrdup("it is not a JSON object");
	else if (sim_load_root(root, u, msg) == 0) {
		cJSON_Delete(root);
		return u;
	}
	cJSON_Delete(root);
	sim_universe_free(u);
	return NULL;
}

/* Loads and validates the universe in PATH. */
static struct sim_universe *
sim_load(const char *path, char **cause)
{
	struct sim_universe *u = NULL;
	char *text, *msg = NULL;

	if ((text = sim_read_file(path, &msg)) != NULL)
		u = sim_parse(text, &msg);
	if (u != NULL)
		u->path = xstrdup(path);
	else
		*cause = xasprintf(
		    "the sim market universe %s is invalid: "
		    "%s; restore it from the stockagent sources or unset "
		    "STOCKAGENT_DATA_DIR",
		    path, msg);
	free(msg);
	free(text);
	return u;
}

int
provider_sim_check(const char *text, char **cause)
{
	struct sim_universe *u = sim_parse(text, cause);
	int rc = u != NULL ? 0 : -1;

	sim_universe_free(u);
	return rc;
}

/* The universe for the current data directory, loaded on first use. */
static const struct sim_universe *
sim_universe(char **cause)
{
	struct sim_universe *u;
	char *path = paths_data_file(SIM_FILE, cause);

	if (path == NULL)
		return NULL;
	pthread_mutex_lock(&sim_cache_lock);
	for (u = sim_cache; u != NULL; u = u->next) {
		if (strcmp(u->path, path) == 0)
			break;
	}
	if (u == NULL && (u = sim_load(path, cause)) != NULL) {
		u->next = sim_cache;
		sim_cache = u;
	}
	pthread_mutex_unlock(&sim_cache_lock);
	free(path);
	return u;
}

/* ------------------------------------------------------------------ */
/* Lookups and argument checks.                                         */

static void
sim_unknown(const struct sim_universe *u, const char *symbol, char **cause)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < u->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", u->c[i].symbol);
	*cause = xasprintf(
	    "no market data for %.40s: the sim provider covers "
	    "%s; other symbols need a real market data provider (--provider)",
	    symbol, b.data);
	buf_free(&b);
}

/* The universe and the company called SYMBOL (any case). */
static const struct sim_company *
sim_find(const char *symbol, const struct sim_universe **up, char **cause)
{
	const struct sim_universe *u = sim_universe(cause);
	size_t i;

	if (u == NULL)
		return NULL;
	*up = u;
	for (i = 0; i < u->n; i++) {
		if (strcasecmp(u->c[i].symbol, symbol) == 0)
			return &u->c[i];
	}
	sim_unknown(u, symbol, cause);
	return NULL;
}

/* The first as-of date: SIM_HISTORY_YEARS after the start. */
static int32_t
sim_first_as_of(const struct sim_universe *u)
{
	int y, m, d;

	date_to_ymd(u->start, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return date_from_ymd(y + SIM_HISTORY_YEARS, m, d);
}

/* Whether AS_OF has 3 years of simulated history and is not future. */
static int
sim_check_as_of(const struct sim_universe *u, const char *symbol, int32_t as_of,
    char **cause)
{
	char a[DATE_STR_SIZE], b[DATE_STR_SIZE], c[DATE_STR_SIZE];
	int32_t first = sim_first_as_of(u), today = date_today();

	if (as_of < first) {
		*cause = xasprintf(
		    "as-of date %s is too early for %s: the "
		    "sim provider's history starts on %s and an analysis "
		    "needs %d years of it; use %s or later",
		    date_format(as_of, a), symbol, date_format(u->start, b),
		    SIM_HISTORY_YEARS, date_format(first, c));
		return -1;
	}
	if (as_of > today) {
		*cause = xasprintf("as-of date %s is in the future (today is "
				   "%s); use today or an earlier date",
		    date_format(as_of, a), date_format(today, b));
		return -1;
	}
	return 0;
}

/* Finds SYMBOL and checks AS_OF for it. */
static const struct sim_company *
sim_find_as_of(const char *symbol, int32_t as_of,
    const struct sim_universe **up, char **cause)
{
	const struct sim_company *c = sim_find(symbol, up, cause);

	if (c == NULL || sim_check_as_of(*up, c->symbol, as_of, cause) != 0)
		return NULL;
	return c;
}

/* ------------------------------------------------------------------ */
/* The price path.                                                      */

/* One series' state between days. */
struct sim_state {
	double dev;    /* log distance of the last close from the trend */
	int turbulent; /* regime */
};

/* One day of one series, in log space relative to the floor. */
struct sim_day {
	double x_open, x_high, x_low, x_close;
	double move; /* close-to-close log change beyond the drift */
	double gap;  /* |overnight log change| */
	double sigma_base;
};

/* Reflects DEV into [-BAND, BAND] (BAND 0: unbounded). */
static double
sim_reflect(double dev, double band)
{
	if (band <= 0)
		return dev;
	if (dev > band)
		dev = 2 * band - dev;
	else if (dev < -band)
		dev = -2 * band - dev;
	return dev > band ? band : dev < -band ? -band : dev;
}

static double
sim_clip(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Advances the regime of C on DAY and returns today's daily sigma. */
static double
sim_regime(const struct sim_company *c, int32_t day, struct sim_state *st)
{
	double u = sim_unif(c->key, day, SIM_S_REGIME);

	if (st->turbulent)
		st->turbulent = u >= c->m.turb_exit;
	else
		st->turbulent = u < c->m.turb_enter;
	return c->m.volatility / sqrt(SIM_DAYS_PER_YEAR) *
	    (st->turbulent ? c->m.turb_mult : 1.0);
}

/*
 * Trading day I (DAY) of company C: advances ST and fills OUT. MARKET is
 * the index's move that day (ignored for the index itself).
 */
static void
sim_step(const struct sim_company *c, int32_t day, long i, double market,
    struct sim_state *st, struct sim_day *out)
{
	const struct sim_market *m = &c->m;
	double drift = m->drift / SIM_DAYS_PER_YEAR;
	double trend = log(m->start_price - m->floor) + drift * (double)i;
	double sigma = sim_regime(c, day, st), jump = 0, on, in, dev, cap;
	double z1, z2, zh, zl;

	if (sim_unif(c->key, day, SIM_S_JUMP) < m->jump_prob)
		jump = m->jump_size * sim_normal(c->key, day, SIM_S_JUMPSIZE);
	sim_normal2(c->key, day, SIM_S_MOVE, &z1, &z2);
	sim_normal2(c->key, day, SIM_S_RANGE, &zh, &zl);
	on = sqrt(0.2) * sigma * z1 + jump;
	in = sqrt(0.8) * sigma * z2 - m->reversion * st->dev +
	    (c->is_index ? 0 : m->beta * market);
	dev = sim_reflect(st->dev + on + in, m->band);
	cap = m->band > 0 ? m->band + 0.04 : INFINITY;
	out->x_open = trend - drift + sim_clip(st->dev + on, -cap, cap);
	out->x_close = trend + dev;
	out->x_high = fmax(out->x_open, out->x_close) + 0.5 * sigma * fabs(zh);
	out->x_low = fmin(out->x_open, out->x_close) - 0.5 * sigma * fabs(zl);
	out->x_high = fmin(out->x_high, trend + cap);
	out->x_low = fmax(out->x_low, trend - cap);
	out->move = dev - st->dev;
	out->gap = fabs(on);
	out->sigma_base = m->volatility / sqrt(SIM_DAYS_PER_YEAR);
	st->dev = dev;
}

static double
sim_cents(double price)
{
	double p = round(price * 100.0) / 100.0;

	return p < 0.01 ? 0.01 : p;
}

/* Turns DAY's log values into bar K of OUT. */
static void
sim_bar(const struct sim_company *c, int32_t day, const struct sim_day *d,
    struct market_bars *out, size_t k)
{
	double fl = c->m.floor, a, g, v;

	out->date[k] = day;
	out->open[k] = sim_cents(fl + exp(d->x_open));
	out->high[k] = sim_cents(fl + exp(d->x_high));
	out->low[k] = sim_cents(fl + exp(d->x_low));
	out->close[k] = sim_cents(fl + exp(d->x_close));
	a = fabs(d->move) / d->sigma_base;
	g = d->gap / d->sigma_base;
	v = c->m.volume *
	    exp(0.25 * sim_normal(c->key, day, SIM_S_VOLUME) - 0.03) *
	    (0.55 + 0.3 * a + 0.3 * g);
	out->volume[k] = fmax(1.0, round(v));
}

static void
sim_bars_alloc(struct market_bars *b, size_t cap)
{
	b->n = 0;
	b->date = xcalloc(cap ? cap : 1, sizeof *b->date);
	b->open = xcalloc(cap ? cap : 1, sizeof *b->open);
	b->high = xcalloc(cap ? cap : 1, sizeof *b->high);
	b->low = xcalloc(cap ? cap : 1, sizeof *b->low);
	b->close = xcalloc(cap ? cap : 1, sizeof *b->close);
	b->volume = xcalloc(cap ? cap : 1, sizeof *b->volume);
}

/*
 * The bars of C with FROM <= date <= AS_OF into OUT. The path always
 * starts at the universe's start date, so the result never depends on
 * AS_OF beyond truncation.
 */
static void
sim_path(const struct sim_universe *u, const struct sim_company *c,
    int32_t as_of, int32_t from, struct market_bars *out)
{
	struct sim_state sc = { 0, 0 }, si = { 0, 0 };
	struct sim_day dc, di;
	int32_t day;
	long i = 0;

	if (from < u->start)
		from = u->start;
	sim_bars_alloc(out, from <= as_of ? (size_t)(as_of - from + 1) : 0);
	for (day = u->start; day <= as_of; day++) {
		if (!calendar_is_trading_day(day))
			continue;
		di.move = 0;
		if (!c->is_index)
			sim_step(u->index, day, i, 0, &si, &di);
		sim_step(c, day, i, di.move, &sc, &dc);
		if (day >= from)
			sim_bar(c, day, &dc, out, out->n++);
		i++;
	}
}

/* ------------------------------------------------------------------ */
/* Provider operations.                                                 */

static int
sim_history(const char *symbol, int32_t as_of, int32_t from,
    struct market_bars *out, char **cause)
{
	const struct sim_universe *u;
	const struct sim_company *c = sim_find_as_of(symbol, as_of, &u, cause);

	if (c == NULL)
		return -1;
	sim_path(u, c, as_of, from, out);
	return 0;
}

static int
sim_profile(const char *symbol, struct market_profile *out, char **cause)
{
	const struct sim_universe *u;
	const struct sim_company *c = sim_find(symbol, &u, cause);

	if (c == NULL)
		return -1;
	memcpy(out->symbol, c->symbol, sizeof out->symbol);
	memcpy(out->name, c->name, sizeof out->name);
	memcpy(out->sector, c->sector, sizeof out->sector);
	memcpy(out->industry, c->industry, sizeof out->industry);
	memcpy(out->currency, c->currency, sizeof out->currency);
	memcpy(out->exchange, c->exchange, sizeof out->exchange);
	memcpy(out->description, c->description, sizeof out->description);
	return 0;
}

/* Calendar quarters from the universe's start to DAY. */
static int
sim_quarter(const struct sim_universe *u, int32_t day)
{
	int y0, m0, d0, y, m, d;

	date_to_ymd(u->start, &y0, &m0, &d0);
	date_to_ymd(day, &y, &m, &d);
	return (y - y0) * 4 + (m - 1) / 3 - (m0 - 1) / 3;
}

/* Fills OUT from the per-share figures and the day's close. */
static void
sim_ratios(const struct sim_company *c, double close, double growth, double eps,
    struct market_fundamentals *out)
{
	const struct sim_fund *f = &c->f;

	out->shares_outstanding = f->shares;
	out->eps_ttm = eps;
	out->forward_eps = eps * (1.0 + f->eps_growth);
	out->book_value_per_share = f->book_value * growth;
	out->dividend_per_share = f->dividend * growth;
	out->profit_margin_pct = f->margin * 100.0;
	out->market_cap = close * f->shares;
	out->pe_ratio = eps > 0 ? close / eps : NAN;
	out->forward_pe = out->forward_eps > 0 ? close / out->forward_eps : NAN;
	out->price_to_book = close / out->book_value_per_share;
	out->dividend_yield_pct = out->dividend_per_share / close * 100.0;
	out->revenue_ttm = eps * f->shares / f->margin;
}

static int
sim_fundamentals(const char *symbol, int32_t as_of,
    struct market_fundamentals *out, char **cause)
{
	const struct sim_universe *u;
	const struct sim_company *c = sim_find_as_of(symbol, as_of, &u, cause);
	struct market_bars b = { 0 };
	double growth, eps, sum = 0;
	int q;
	size_t k;

	if (c == NULL)
		return -1;
	if (c->is_index) {
		*cause = xasprintf("%s is an index: it has no fundamentals; "
				   "ask for a company such as SIM_STOCK",
		    c->symbol);
		return -1;
	}
	sim_path(u, c, as_of, as_of - SIM_AVGVOL_DAYS + 1, &b);
	q = sim_quarter(u, as_of);
	growth = pow(1.0 + c->f.eps_growth, q / 4.0);
	eps = c->f.eps * growth *
	    exp(SIM_EPS_NOISE * sim_normal(c->key, q, SIM_S_EPS));
	sim_ratios(c, b.close[b.n - 1], growth, eps, out);
	for (k = 0; k < b.n; k++)
		sum += b.volume[k];
	out->average_volume = sum / (double)b.n;
	market_bars_free(&b);
	return 0;
}

/* News templates; "{n}" is the company's name, "{s}" its symbol. */
static const char *const sim_news_stock[3][8] = {
	{ "{n} misses quarterly earnings estimates",
	    "Analysts cut price targets on {n} ({s})",
	    "{n} shares slide after a guidance cut",
	    "{n} faces a regulatory review of its main business",
	    "{n} warns of weaker demand in the coming quarter",
	    "Short interest in {n} rises to a yearly high",
	    "{n} delays a product launch",
	    "Executive departures at {n} worry investors" },
	{ "{n} to present at an industry conference",
	    "{n} reports quarterly results in line with expectations",
	    "{n} names a new chief financial officer",
	    "{n} reaffirms its full-year guidance",
	    "{s} trading volume near its three-month average",
	    "{n} files its annual report",
	    "{n} schedules its next earnings call",
	    "Analysts keep neutral ratings on {n}" },
	{ "{n} beats quarterly earnings estimates",
	    "Analysts raise price targets on {n} ({s})",
	    "{n} announces an expanded share buyback",
	    "{n} wins a multi-year contract with a major customer",
	    "{n} shares climb after upbeat guidance",
	    "{n} launches a new product line to strong demand",
	    "Institutional investors add to stakes in {n}",
	    "{n} raises its full-year outlook" },
};

static const char *const sim_news_index[3][8] = {
	{ "Stocks slide as the {n} posts its worst day in weeks",
	    "{n} falls on growth worries", "Selling pressure weighs on the {n}",
	    "{n} drops as bond yields climb",
	    "{n} extends losses amid recession fears",
	    "Weak earnings drag the {n} lower",
	    "{n} retreats as volatility spikes",
	    "Investors flee equities, sinking the {n}" },
	{ "{n} ends little changed ahead of a central bank meeting",
	    "{n} trades flat as investors await data",
	    "Mixed earnings leave the {n} range-bound",
	    "{n} holds steady in light trading",
	    "Sector rotation keeps the {n} flat",
	    "Analysts see the {n} consolidating",
	    "{n} announces its quarterly rebalancing",
	    "Volatility subdued as the {n} drifts" },
	{ "Stocks rally as the {n} notches fresh gains",
	    "{n} rises on upbeat economic data",
	    "{n} climbs as earnings beat forecasts",
	    "Broad buying lifts the {n}", "{n} extends its winning streak",
	    "Investors pile into equities, lifting the {n}",
	    "{n} gains as inflation cools",
	    "A strong jobs report lifts the {n}" },
};

static const char *const sim_news_sources[] = {
	"SimWire",
	"Sim Business Daily",
	"The Sim Street Journal",
	"SimMarkets Today",
	"Simulated Press",
};

static const char *const sim_labels[3] = { "negative", "neutral", "positive" };

/* Writes template T for C into DST (SIZE bytes). */
static void
sim_expand(const char *t, const struct sim_company *c, char *dst, size_t size)
{
	struct buf b;

	buf_init(&b, size - 1);
	for (; *t != '\0'; t++) {
		if (t[0] == '{' && (t[1] == 'n' || t[1] == 's') &&
		    t[2] == '}') {
			buf_printf(&b, "%s", t[1] == 'n' ? c->name : c->symbol);
			t += 2;
		} else
			buf_append(&b, t, 1);
	}
	snprintf(dst, size, "%s", b.data != NULL ? b.data : "");
	buf_free(&b);
}

/* Log return of C over the SIM_NEWS_DAYS ending on AS_OF. */
static double
sim_recent_return(const struct sim_universe *u, const struct sim_company *c,
    int32_t as_of)
{
	struct market_bars b = { 0 };
	double r;
	size_t k = 0;

	sim_path(u, c, as_of, as_of - SIM_NEWS_DAYS - 10, &b);
	while (k + 1 < b.n && b.date[k + 1] <= as_of - SIM_NEWS_DAYS)
		k++;
	r = log(b.close[b.n - 1] / b.close[k]);
	market_bars_free(&b);
	return r;
}

/* Headline J of the day's news, leaning with LEAN (-1..1). */
static void
sim_news_item(const struct sim_company *c, uint64_t seed, int32_t as_of, int j,
    double lean, unsigned *used, struct market_news *out)
{
	unsigned s = SIM_S_NEWS + 8 * (unsigned)j;
	double score = 0.7 * lean + 0.45 * sim_normal(seed, as_of, s);
	int label, t;

	score = round(sim_clip(score, -1, 1) * 100.0) / 100.0;
	label = score <= -0.2 ? 0 : score >= 0.2 ? 2 : 1;
	t = (int)(sim_bits(seed, as_of, s + 2) % 8);
	while (used[label] & (1u << t))
		t = (t + 1) % 8;
	used[label] |= 1u << t;
	sim_expand(c->is_index ? sim_news_index[label][t] :
				 sim_news_stock[label][t],
	    c, out->headline, sizeof out->headline);
	out->date = as_of -
	    (int32_t)(sim_bits(seed, as_of, s + 3) % SIM_NEWS_DAYS);
	snprintf(out->source, sizeof out->source, "%s",
	    sim_news_sources[sim_bits(seed, as_of, s + 4) %
		SIM_NELEM(sim_news_sources)]);
	snprintf(out->sentiment, sizeof out->sentiment, "%s",
	    sim_labels[label]);
	out->sentiment_score = score;
}

/*
 * 4 to 8 headlines dated on calendar days (weekends included) within the
 * SIM_NEWS_DAYS ending on AS_OF, newest first; seeded by (symbol, as-of)
 * and leaning with the close-to-close return over those days.
 */
static int
sim_news(const char *symbol, int32_t as_of, struct market_news **out,
    size_t *n_out, char **cause)
{
	const struct sim_universe *u;
	const struct sim_company *c = sim_find_as_of(symbol, as_of, &u, cause);
	uint64_t seed;
	unsigned used[3] = { 0, 0, 0 };
	struct market_news *news, tmp;
	double lean;
	size_t n, j, k;

	if (c == NULL)
		return -1;
	seed = sim_mix(c->key ^ 0x6e657773ULL);
	lean = tanh(sim_recent_return(u, c, as_of) / 0.06);
	n = 4 + sim_bits(seed, as_of, SIM_S_NEWS - 1) % 5;
	news = xcalloc(n, sizeof *news);
	for (j = 0; j < n; j++)
		sim_news_item(c, seed, as_of, (int)j, lean, used, &news[j]);
	for (j = 1; j < n; j++) {
		tmp = news[j];
		for (k = j; k > 0 && news[k - 1].date < tmp.date; k--)
			news[k] = news[k - 1];
		news[k] = tmp;
	}
	*out = news;
	*n_out = n;
	return 0;
}

static int
sim_benchmark(char *symbol_out, size_t size)
{
	char *cause = NULL;
	const struct sim_universe *u = sim_universe(&cause);

	free(cause);
	if (u == NULL || strlen(u->index->symbol) >= size)
		return -1;
	memcpy(symbol_out, u->index->symbol, strlen(u->index->symbol) + 1);
	return 0;
}

static int
sim_symbols(char ***out, size_t *n)
{
	char *cause = NULL;
	const struct sim_universe *u = sim_universe(&cause);
	size_t i;

	free(cause);
	if (u == NULL)
		return -1;
	*out = xcalloc(u->n, sizeof **out);
	for (i = 0; i < u->n; i++)
		(*out)[i] = xstrdup(u->c[i].symbol);
	*n = u->n;
	return 0;
}

const struct market_provider provider_sim_entry = {
	.local = 1,
	.name = "sim",
	.history = sim_history,
	.profile = sim_profile,
	.fundamentals = sim_fundamentals,
	.news = sim_news,
	.benchmark = sim_benchmark,
	.symbols = sim_symbols,
};
