/*
 * csv.c: RFC 4180 fields and rows (see csv.h).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/jsonutil.h"

void
csv_field(FILE *f, const char *s)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

void
csv_number(FILE *f, double v)
{
	cJSON n;
	char buf[64];

	if (!isfinite(v))
		return;
	/* Written as cJSON writes it, so the CSV and the JSON of a run (and
	 * of the run resumed from its JSON checkpoint) show the same digits. */
	memset(&n, 0, sizeof n);
	n.type = cJSON_Number;
	n.valuedouble = v;
	if (cJSON_PrintPreallocated(&n, buf, sizeof buf, 0))
		fputs(buf, f);
}

static void
csv_value(FILE *f, const cJSON *v)
{
	if (cJSON_IsString(v))
		csv_field(f, v->valuestring);
	else if (cJSON_IsNumber(v))
		csv_number(f, v->valuedouble);
	else if (cJSON_IsBool(v))
		fputs(cJSON_IsTrue(v) ? "true" : "false", f);
}

static void
csv_row(FILE *f, const cJSON *rec, const struct csv_column *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		csv_value(f, jsonutil_path(rec, cols[i].path));
	}
	fputc('\n', f);
}

void
csv_write(FILE *f, const cJSON *rows, const struct csv_column *cols, size_t n,
    int header)
{
	const cJSON *r;
	size_t i;

	if (header) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc(',', f);
			csv_field(f, cols[i].name);
		}
		fputc('\n', f);
	}
	if (!cJSON_IsArray(rows)) {
		csv_row(f, rows, cols, n);
		return;
	}
	cJSON_ArrayForEach(r, rows)
		csv_row(f, r, cols, n);
}
