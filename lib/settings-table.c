/*
 * settings-table.c: every setting stockagent reads, one row each.
 *
 * The man page's CONFIGURATION section lists exactly these rows (a test
 * compares them), and `stockagent config list` prints them in this order.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "lib/settings.h"

static const char *const settings_formats[] = { "text", "json", "ndjson", "csv",
	NULL };
static const char *const settings_papers[] = { "letter", "a4", NULL };
static const char *const settings_efforts[] = { "low", "medium", "high", NULL };
static const char *const settings_langs[] = { "en", "vi", NULL };
static const char *const settings_colors[] = { "auto", "always", "never",
	NULL };
static const char *const settings_precisions[] = { "fast", "exact", NULL };

const struct settings_entry settings_table[] = {
	{ "db", SETTINGS_STRING, NULL, 0, 0, NULL, "--db",
	    "the database (default $XDG_DATA_HOME/stockagent/stockagent.db)" },
	{ "model", SETTINGS_STRING, "builtin", 0, 0, NULL, "--model",
	    "the model URI that drives the agents" },
	{ "provider", SETTINGS_STRING, "auto", 0, 0, NULL, "--provider",
	    "the market data provider, or a comma list tried in order, for "
	    "every kind of data; auto: sim for SIM_ symbols, the chains below "
	    "for the others" },
	{ "format", SETTINGS_CHOICE, "text", 0, 0, settings_formats, "--format",
	    "the output format of analyze, ask and runs resume" },
	{ "out", SETTINGS_STRING, "reports", 0, 0, NULL, "--out",
	    "the directory PDF reports are written under" },
	{ "paper", SETTINGS_CHOICE, "letter", 0, 0, settings_papers, "--paper",
	    "the PDF page size" },
	{ "s3", SETTINGS_STRING, NULL, 0, 0, NULL, "--s3",
	    "s3://BUCKET/PREFIX the PDF is also uploaded to" },
	{ "no_pdf", SETTINGS_BOOL, "false", 0, 0, NULL, "--no-pdf",
	    "skip the PDF report" },
	{ "risk_free_rate", SETTINGS_NUMBER, "0.04", -0.5, 1, NULL, NULL,
	    "the annual risk-free rate of the Sharpe ratio, as a fraction" },
	{ "recursion_limit", SETTINGS_INT, "25", 1, 10000, NULL, NULL,
	    "the most graph steps one run may take" },
	{ "reasoning", SETTINGS_CHOICE, NULL, 0, 0, settings_efforts,
	    "--reasoning", "the model's reasoning effort" },
	{ "temperature", SETTINGS_NUMBER, NULL, 0, 2, NULL, "--temperature",
	    "the model's sampling temperature" },
	{ "max_tokens", SETTINGS_INT, NULL, 1, 1000000, NULL, "--max-tokens",
	    "the most tokens one model answer may have" },
	{ "seed", SETTINGS_INT, NULL, 0, 9007199254740991.0, NULL, "--seed",
	    "the model's sampling seed" },
	{ "max_steps", SETTINGS_INT, "8", 1, 100, NULL, NULL,
	    "the most model turns one agent may take" },
	{ "token_budget", SETTINGS_INT, "0", 0, 100000000, NULL, NULL,
	    "the most tokens one agent may spend (0: no limit)" },
	{ "model_prices", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "a price table replacing data/model-prices.json" },
	{ "batch_jobs", SETTINGS_INT, "0", 0, 256, NULL, NULL,
	    "worker threads of a batch (0: one per core)" },
	{ "model_concurrency", SETTINGS_INT, "4", 1, 256, NULL, NULL,
	    "the most analyses of a batch that call a remote model at once" },
	{ "color", SETTINGS_CHOICE, "auto", 0, 0, settings_colors, "--color",
	    "colour in text output and messages: auto (a terminal, unless "
	    "NO_COLOR is set or TERM is dumb), always or never" },
	{ "serve_host", SETTINGS_STRING, NULL, 0, 0, NULL, "--host",
	    "the address serve listens on (default 127.0.0.1, 0.0.0.0 in a "
	    "container)" },
	{ "serve_port", SETTINGS_INT, "8080", 0, 65535, NULL, "--port",
	    "the port serve listens on (0: any free port)" },
	{ "serve_workers", SETTINGS_INT, "0", 0, 256, NULL, "--workers",
	    "analyses serve runs at once (0: one per CPU, at least 2)" },
	{ "serve_queue", SETTINGS_INT, "16", 0, 10000, NULL, NULL,
	    "invocations that may wait for a worker before serve answers 503" },
	{ "serve_max_body", SETTINGS_INT, "1048576", 1, 100000000, NULL,
	    "--max-body", "the largest request body serve reads, in bytes" },
	{ "serve_max_header", SETTINGS_INT, "16384", 1024, 1048576, NULL, NULL,
	    "the largest request line and headers serve reads, in bytes" },
	{ "serve_max_connections", SETTINGS_INT, "256", 1, 100000, NULL, NULL,
	    "the most connections serve keeps open" },
	{ "serve_timeout", SETTINGS_INT, "30", 1, 3600, NULL, "--timeout",
	    "seconds a request may take to arrive, and a connection to idle" },
	{ "serve_drain", SETTINGS_INT, "60", 0, 3600, NULL, NULL,
	    "seconds serve waits for running invocations after SIGTERM" },
	{ "serve_access_log", SETTINGS_BOOL, "true", 0, 0, NULL, NULL,
	    "serve writes one JSON line per request on stderr" },
	{ "serve_log_prompts", SETTINGS_BOOL, "false", 0, 0, NULL, NULL,
	    "the access log shows the first 200 bytes of each prompt" },
	{ "serve_models", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "model URIs, comma-separated, a request may choose besides model "
	    "and builtin" },
	{ "session_ttl", SETTINGS_INT, "28800", 60, 2592000, NULL, NULL,
	    "seconds an idle serve session is kept" },
	{ "lang", SETTINGS_CHOICE, NULL, 0, 0, settings_langs, "--lang",
	    "the language of the report, the PDF and messages: en or vi "
	    "(default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG, else en)" },
	{ "lambda_margin", SETTINGS_INT, "1500", 100, 60000, NULL, NULL,
	    "milliseconds before an invocation's deadline that lambda stops "
	    "its run and answers an error" },
	{ "lambda_watchlist", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "the watchlist file lambda runs for a scheduled event that names "
	    "no symbols" },
	{ "history_provider", SETTINGS_STRING, "yahoo,stooq", 0, 0, NULL, NULL,
	    "the providers of daily bars, tried in order" },
	{ "fundamentals_provider", SETTINGS_STRING, "yahoo", 0, 0, NULL, NULL,
	    "the providers of company profiles and fundamentals, in order" },
	{ "news_provider", SETTINGS_STRING, "yahoo", 0, 0, NULL, NULL,
	    "the providers of news headlines, in order" },
	{ "benchmarks", SETTINGS_STRING,
	    "US=^GSPC,L=^FTSE,T=^N225,DE=^GDAXI,PA=^FCHI,HK=^HSI,TO=^GSPTSE,"
	    "AX=^AXJO",
	    0, 0, NULL, NULL,
	    "the index beta is measured against, per market (symbol suffix)" },
	{ "yahoo_url", SETTINGS_STRING, "https://query1.finance.yahoo.com", 0,
	    0, NULL, NULL,
	    "Yahoo Finance's API (chart, quoteSummary, search, crumb)" },
	{ "yahoo_cookie_url", SETTINGS_STRING, "https://fc.yahoo.com", 0, 0,
	    NULL, NULL, "where Yahoo sets the cookie its crumb needs" },
	{ "yahoo_news_url", SETTINGS_STRING,
	    "https://feeds.finance.yahoo.com/rss/2.0/headline", 0, 0, NULL,
	    NULL, "Yahoo's RSS headline feed" },
	{ "stooq_url", SETTINGS_STRING, "https://stooq.com", 0, 0, NULL, NULL,
	    "Stooq's site (daily CSV)" },
	{ "stooq_key", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "Stooq's API key, when Stooq asks for one (sent as apikey=)" },
	{ "market_timeout", SETTINGS_INT, "30", 1, 600, NULL, NULL,
	    "seconds one market data request may take" },
	{ "market_retries", SETTINGS_INT, "2", 0, 10, NULL, NULL,
	    "tries after a failed or throttled market data request" },
	{ "cache_bars_ttl", SETTINGS_INT, "0", 0, 31536000, NULL, NULL,
	    "seconds cached daily bars stay fresh (0: until the next session "
	    "close)" },
	{ "cache_fundamentals_ttl", SETTINGS_INT, "86400", 0, 31536000, NULL,
	    NULL, "seconds cached fundamentals stay fresh" },
	{ "cache_news_ttl", SETTINGS_INT, "3600", 0, 31536000, NULL, NULL,
	    "seconds cached news stays fresh" },
	{ "offline", SETTINGS_BOOL, "false", 0, 0, NULL, "--offline",
	    "use only cached market data (and sim), never the network" },
	{ "refresh", SETTINGS_BOOL, "false", 0, 0, NULL, "--refresh",
	    "fetch market data again even when the cache is fresh" },
	{ "alphavantage_key", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "the Alpha Vantage API key (else ALPHAVANTAGE_API_KEY); never "
	    "shown" },
	{ "alphavantage_url", SETTINGS_STRING,
	    "https://www.alphavantage.co/query", 0, 0, NULL, NULL,
	    "the Alpha Vantage query endpoint" },
	{ "sec_user_agent", SETTINGS_STRING, NULL, 0, 0, NULL, NULL,
	    "who calls SEC EDGAR, \"Name email@example.com\"; edgar needs it" },
	{ "edgar_url", SETTINGS_STRING, "https://data.sec.gov", 0, 0, NULL,
	    NULL, "the SEC EDGAR API (companyfacts)" },
	{ "edgar_tickers_url", SETTINGS_STRING,
	    "https://www.sec.gov/files/company_tickers.json", 0, 0, NULL, NULL,
	    "the SEC's ticker-to-CIK map" },
	{ "precision", SETTINGS_CHOICE, NULL, 0, 0, settings_precisions,
	    "--precision",
	    "the local gpt-oss engine's arithmetic: fast (8-bit activations "
	    "for the experts, bf16, a float16 KV cache) or exact (float32); "
	    "default fast, exact for model logits" },
	{ NULL, SETTINGS_STRING, NULL, 0, 0, NULL, NULL, NULL },
};

const struct settings_entry *
settings_entry_find(const char *name)
{
	const struct settings_entry *e;

	for (e = settings_table; e->name != NULL; e++) {
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}
