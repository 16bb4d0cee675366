/*
 * output-ndjson.c: graph events as JSON lines, as they happen.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "lib/jsonutil.h"
#include "src/output.h"

void
output_ndjson_event(FILE *f, const char *type, const cJSON *data)
{
	cJSON *e = data != NULL && cJSON_IsObject(data) ?
	    cJSON_Duplicate(data, 1) :
	    cJSON_CreateObject();
	struct timeval tv;
	struct tm tm;
	char ts[40];
	char *line;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + 19, sizeof ts - 19, ".%03dZ", (int)(tv.tv_usec / 1000));
	cJSON_DeleteItemFromObject(e, "type");
	cJSON_AddItemToObject(e, "type", cJSON_CreateString(type));
	cJSON_AddStringToObject(e, "ts", ts);
	line = jsonutil_print_text(e, 0);
	fprintf(f, "%s\n", line);
	fflush(f);
	free(line);
	cJSON_Delete(e);
}
