/*
 * jsonschema.h: validate JSON values against the JSON Schema subset that
 * tool argument schemas use.
 *
 * Supported keywords: type (a name or an array of names), properties,
 * required, additionalProperties (boolean), enum, const, pattern (POSIX
 * extended regex, anchored as written), minLength, maxLength, minimum,
 * maximum, items, minItems, maxItems. Unknown keywords are ignored, as the
 * specification says.
 */
#ifndef STOCKAGENT_JSONSCHEMA_H
#define STOCKAGENT_JSONSCHEMA_H

#include <cjson/cJSON.h>

/*
 * Returns 0 when VALUE satisfies SCHEMA, else -1 with *cause naming the
 * first failing location, e.g. "$.symbol: does not match ^[A-Z]+$".
 */
int jsonschema_validate(const cJSON *schema, const cJSON *value, char **cause);

#endif
