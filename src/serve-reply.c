/*
 * serve-reply.c: the reply forms both kinds of invocation share.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/httpd.h"
#include "lib/jsonutil.h"
#include "lib/xmalloc.h"
#include "src/serve.h"

void
serve_error(struct serve_call *c, int status, const char *title,
    const char *type, const char *msg)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "error", title);
	cJSON_AddStringToObject(e, "error_type", type);
	cJSON_AddStringToObject(e, "message", msg);
	httpd_reply_json(c->r, status, e);
}

int
serve_sse(struct serve_call *c, const cJSON *event)
{
	char *json = jsonutil_print_text(event, 0);
	char *line = xasprintf("data: %s\n\n", json);
	int rc = httpd_stream_write(c->r, line, strlen(line));

	free(line);
	free(json);
	return rc;
}
