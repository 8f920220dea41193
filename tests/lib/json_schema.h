/* json_schema: a JSON Schema checker for the subset schemas/ws uses (type, const, enum,
 * properties, required, additionalProperties: false, minimum, maximum, exclusiveMinimum,
 * minLength, maxLength, pattern, oneOf). For tests. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* True when INSTANCE satisfies SCHEMA; otherwise false with *why (caller frees). */
bool json_schema_check(JsonNode *schema, JsonNode *instance, char **why);

/* Unsupported keywords in SCHEMA (so a schema cannot silently use one): NULL when none,
 * else the first one's name (caller frees). */
char *json_schema_unsupported(JsonNode *schema);
