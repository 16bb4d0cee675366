/*
 * bench-report.c: renders a run-state JSON file to PDF, N times, and
 * prints the time per report and the file size.
 *
 *   bench-report [-n N] [-p letter|a4] STATE.json OUT.pdf
 *
 * scripts/bench-report.sh runs it on the SIM_STOCK fixture.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "tools/report/report.h"

#define STATE_MAX (64u << 20) /* bytes of JSON we accept */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, STATE_MAX);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, n) != 0)
			break;
	fclose(f);
	return buf_take(&b);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct report_pdf_opts o = { 0 };
	int n = 1, i, ch;
	char *text, *cause = NULL;
	cJSON *state;
	double t0, best = 1e30, total = 0, t;
	struct stat st;

	while ((ch = getopt(argc, argv, "n:p:")) != -1) {
		if (ch == 'n')
			n = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else if (ch == 'p')
			o.paper = optarg;
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr,
		    "usage: bench-report [-n N] [-p letter|a4] "
		    "STATE.json OUT.pdf\n");
		return 2;
	}
	if ((text = slurp(argv[optind])) == NULL ||
	    (state = cJSON_Parse(text)) == NULL) {
		fprintf(stderr, "bench-report: cannot read %s\n", argv[optind]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		if (report_pdf_write(state, &o, argv[optind + 1], &cause) !=
		    0) {
			fprintf(stderr, "bench-report: %s\n", cause);
			return 1;
		}
		t = now_ms() - t0;
		total += t;
		if (t < best)
			best = t;
	}
	stat(argv[optind + 1], &st);
	printf("reports %d  mean %.2f ms  best %.2f ms  size %lld bytes\n", n,
	    total / n, best, (long long)st.st_size);
	cJSON_Delete(state);
	free(text);
	return 0;
}
