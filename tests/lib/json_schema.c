/* json_schema: a JSON Schema checker for the subset schemas/ws uses. For tests. */
#include "json_schema.h"

#include <math.h>
#include <string.h>

static const char *const known[] = { "$schema", "$id", "title", "description", "x-direction", "type",
  "const", "enum", "properties", "required", "additionalProperties", "minimum", "maximum",
  "exclusiveMinimum", "minLength", "maxLength", "pattern", "oneOf", "items", NULL };

static bool is_type(JsonNode *n, const char *t)
{
  if (!strcmp(t, "null"))
    return JSON_NODE_HOLDS_NULL(n);
  if (!strcmp(t, "object"))
    return JSON_NODE_HOLDS_OBJECT(n);
  if (!strcmp(t, "array"))
    return JSON_NODE_HOLDS_ARRAY(n);
  if (!JSON_NODE_HOLDS_VALUE(n))
    return false;
  GType vt = json_node_get_value_type(n);
  if (!strcmp(t, "string"))
    return vt == G_TYPE_STRING;
  if (!strcmp(t, "boolean"))
    return vt == G_TYPE_BOOLEAN;
  if (!strcmp(t, "integer"))
    return vt == G_TYPE_INT64 || (vt == G_TYPE_DOUBLE && floor(json_node_get_double(n)) == json_node_get_double(n));
  if (!strcmp(t, "number"))
    return vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
  return false;
}

static bool equal(JsonNode *a, JsonNode *b)
{
  return json_node_equal(a, b);
}

static bool fail(char **why, const char *path, const char *what)
{
  *why = g_strdup_printf("%s: %s", path[0] ? path : "(root)", what);
  return false;
}

static bool check(JsonObject *s, JsonNode *n, const char *path, char **why)
{
  JsonNode *k;
  if ((k = json_object_get_member(s, "type"))) {
    bool ok = false;
    if (JSON_NODE_HOLDS_ARRAY(k)) {
      JsonArray *a = json_node_get_array(k);
      for (guint i = 0; i < json_array_get_length(a); i++)
        ok = ok || is_type(n, json_array_get_string_element(a, i));
    } else {
      ok = is_type(n, json_node_get_string(k));
    }
    if (!ok)
      return fail(why, path, "wrong type");
  }
  if ((k = json_object_get_member(s, "const")) && !equal(k, n))
    return fail(why, path, "not the constant");
  if ((k = json_object_get_member(s, "enum"))) {
    JsonArray *a = json_node_get_array(k);
    bool ok = false;
    for (guint i = 0; i < json_array_get_length(a); i++)
      ok = ok || equal(json_array_get_element(a, i), n);
    if (!ok)
      return fail(why, path, "not in the enum");
  }
  if ((k = json_object_get_member(s, "oneOf"))) {
    JsonArray *a = json_node_get_array(k);
    int matches = 0;
    for (guint i = 0; i < json_array_get_length(a); i++) {
      char *w = NULL;
      if (check(json_array_get_object_element(a, i), n, path, &w))
        matches++;
      g_free(w);
    }
    if (matches != 1)
      return fail(why, path, "not exactly one of oneOf");
  }
  if (JSON_NODE_HOLDS_VALUE(n) && (json_node_get_value_type(n) == G_TYPE_INT64 ||
                                   json_node_get_value_type(n) == G_TYPE_DOUBLE)) {
    double v = json_node_get_double(n);
    if (json_object_has_member(s, "minimum") && v < json_object_get_double_member(s, "minimum"))
      return fail(why, path, "below minimum");
    if (json_object_has_member(s, "maximum") && v > json_object_get_double_member(s, "maximum"))
      return fail(why, path, "above maximum");
    if (json_object_has_member(s, "exclusiveMinimum") && v <= json_object_get_double_member(s, "exclusiveMinimum"))
      return fail(why, path, "not above exclusiveMinimum");
  }
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
    const char *str = json_node_get_string(n);
    glong len = g_utf8_strlen(str, -1);
    if (json_object_has_member(s, "minLength") && len < json_object_get_int_member(s, "minLength"))
      return fail(why, path, "too short");
    if (json_object_has_member(s, "maxLength") && len > json_object_get_int_member(s, "maxLength"))
      return fail(why, path, "too long");
    if (json_object_has_member(s, "pattern") &&
        !g_regex_match_simple(json_object_get_string_member(s, "pattern"), str, 0, 0))
      return fail(why, path, "does not match the pattern");
  }
  if (JSON_NODE_HOLDS_ARRAY(n) && (k = json_object_get_member(s, "items"))) {
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
      g_autofree char *sub = g_strdup_printf("%s/%u", path, i);
      if (!check(json_node_get_object(k), json_array_get_element(a, i), sub, why))
        return false;
    }
  }
  if (JSON_NODE_HOLDS_OBJECT(n)) {
    JsonObject *o = json_node_get_object(n);
    if ((k = json_object_get_member(s, "required"))) {
      JsonArray *a = json_node_get_array(k);
      for (guint i = 0; i < json_array_get_length(a); i++)
        if (!json_object_has_member(o, json_array_get_string_element(a, i))) {
          g_autofree char *what = g_strdup_printf("missing %s", json_array_get_string_element(a, i));
          return fail(why, path, what);
        }
    }
    JsonObject *props = json_object_has_member(s, "properties") ? json_object_get_object_member(s, "properties") : NULL;
    JsonNode *extra = json_object_get_member(s, "additionalProperties");
    GList *names = json_object_get_members(o);
    for (GList *l = names; l; l = l->next) {
      g_autofree char *sub = g_strdup_printf("%s/%s", path, (char *)l->data);
      if (props && json_object_has_member(props, l->data)) {
        if (!check(json_object_get_object_member(props, l->data), json_object_get_member(o, l->data), sub, why)) {
          g_list_free(names);
          return false;
        }
      } else if (extra && JSON_NODE_HOLDS_VALUE(extra) && !json_node_get_boolean(extra)) {
        g_list_free(names);
        return fail(why, sub, "not allowed (additionalProperties)");
      }
    }
    g_list_free(names);
  }
  return true;
}

bool json_schema_check(JsonNode *schema, JsonNode *instance, char **why)
{
  *why = NULL;
  return check(json_node_get_object(schema), instance, "", why);
}

static char *unsupported(JsonObject *s)
{
  GList *names = json_object_get_members(s);
  char *found = NULL;
  for (GList *l = names; l && !found; l = l->next) {
    bool ok = false;
    for (int i = 0; known[i]; i++)
      ok = ok || !strcmp(known[i], l->data);
    if (!ok)
      found = g_strdup(l->data);
  }
  g_list_free(names);
  if (!found && json_object_has_member(s, "properties")) {
    JsonObject *props = json_object_get_object_member(s, "properties");
    GList *ps = json_object_get_values(props);
    for (GList *l = ps; l && !found; l = l->next)
      found = unsupported(json_node_get_object(l->data));
    g_list_free(ps);
  }
  if (!found && json_object_has_member(s, "items"))
    found = unsupported(json_object_get_object_member(s, "items"));
  if (!found && json_object_has_member(s, "oneOf")) {
    JsonArray *a = json_object_get_array_member(s, "oneOf");
    for (guint i = 0; i < json_array_get_length(a) && !found; i++)
      found = unsupported(json_array_get_object_element(a, i));
  }
  return found;
}

char *json_schema_unsupported(JsonNode *schema)
{
  return unsupported(json_node_get_object(schema));
}
