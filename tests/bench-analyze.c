/*
 * bench-analyze.c: builtin analyses in one process, checkpoints on.
 *
 *   tests/bench-analyze DB N SYMBOL...
 *
 * Runs N analyses cycling over the symbols, each exactly as 'stockagent
 * analyze SYMBOL --as-of 2025-09-04 --no-pdf --format json' does after the
 * program has started (database open, graph, three agents, checkpoints,
 * JSON output to /dev/null), and prints the time per analysis. Process
 * start-up is measured separately by scripts/bench-analyze.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/settings.h"
#include "src/runner.h"

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct settings *s;
	struct runner_opts o;
	double t0, t1;
	int i, n, fails = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-analyze DB N SYMBOL...\n");
		return 2;
	}
	n = atoi(argv[2]);
	s = settings_new();
	(void)settings_set(s, "db", argv[1], "argv[1]", NULL);
	(void)settings_set(s, "no_pdf", "1", "bench-analyze", NULL);
	if (freopen("/dev/null", "w", stdout) == NULL)
		return 1;
	memset(&o, 0, sizeof o);
	o.as_of = "2025-09-04";
	o.out.format = OUTPUT_JSON;
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		o.symbol = argv[3 + i % (argc - 3)];
		fails += runner_analyze(s, &o) != 0;
	}
	t1 = bench_now();
	settings_free(s);
	fprintf(stderr,
	    "in-process: %d analyses in %.2f s: %.2f ms each, "
	    "%.0f analyses/s, %d failed\n",
	    n, t1 - t0, (t1 - t0) * 1e3 / n, n / (t1 - t0), fails);
	return fails != 0;
}
