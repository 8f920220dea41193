/* oidc_claims: provider claims mapped to lectern's member fields. */
#include "auth/oidc_claims.h"

#include <errno.h>
#include <string.h>

#define NAME_MAX_CHARS 100
#define NUMBER_MAX_CHARS 64
#define UNIT_MAX_CHARS 200

void oidc_identity_clear(OidcIdentity *id)
{
  g_clear_pointer(&id->subject, g_free);
  g_clear_pointer(&id->display_name, g_free);
  g_clear_pointer(&id->member_number, g_free);
  g_clear_pointer(&id->unit, g_free);
  id->verified = false;
}

char *oidc_claims_text(JsonObject *claims, const char *name)
{
  if (!claims || !name || !name[0])
    return NULL;
  g_auto(GStrv) parts = g_strsplit(name, ".", 8);
  JsonObject *o = claims;
  JsonNode *n = NULL;
  for (int i = 0; parts[i]; i++) {
    n = o ? json_object_get_member(o, parts[i]) : NULL;
    if (!n)
      return NULL;
    o = parts[i + 1] && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
  }
  if (!JSON_NODE_HOLDS_VALUE(n))
    return NULL;
  switch (json_node_get_value_type(n)) {
  case G_TYPE_STRING:
    return g_strdup(json_node_get_string(n));
  case G_TYPE_INT64:
    return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
  case G_TYPE_BOOLEAN:
    return g_strdup(json_node_get_boolean(n) ? "true" : "false");
  default:
    return NULL;
  }
}

/* S stripped and cut to MAX characters; "" for NULL. Takes S. */
static char *fit(char *s, glong max)
{
  if (!s)
    return g_strdup("");
  g_strstrip(s);
  if (g_utf8_strlen(s, -1) > max)
    *g_utf8_offset_to_pointer(s, max) = '\0';
  return s;
}

int oidc_claims_map(JsonObject *claims, const OidcClaimMap *map, OidcIdentity *out)
{
  memset(out, 0, sizeof *out);
  char *sub = oidc_claims_text(claims, "sub");
  if (!sub || !sub[0] || strlen(sub) > 255) {
    g_free(sub);
    return -EINVAL;
  }
  out->subject = sub;
  char *name = fit(oidc_claims_text(claims, map->name), NAME_MAX_CHARS);
  if (!name[0]) {
    g_free(name);
    name = fit(oidc_claims_text(claims, "preferred_username"), NAME_MAX_CHARS);
  }
  if (!name[0]) {
    g_free(name);
    name = g_strdup("会员");
  }
  out->display_name = name;
  out->member_number = fit(oidc_claims_text(claims, map->member_number), NUMBER_MAX_CHARS);
  out->unit = fit(oidc_claims_text(claims, map->unit), UNIT_MAX_CHARS);
  if (map->verified_claim && map->verified_claim[0]) {
    g_autofree char *v = oidc_claims_text(claims, map->verified_claim);
    out->verified = v && g_strcmp0(v, map->verified_value ? map->verified_value : "true") == 0;
  }
  return 0;
}

int oidc_claims_merge(JsonObject *base, JsonObject *userinfo)
{
  g_autofree char *a = oidc_claims_text(base, "sub");
  g_autofree char *b = oidc_claims_text(userinfo, "sub");
  if (!a || !b || strcmp(a, b) != 0)
    return -EACCES;
  GList *names = json_object_get_members(userinfo);
  for (GList *l = names; l; l = l->next)
    if (!json_object_has_member(base, l->data))
      json_object_set_member(base, l->data, json_node_copy(json_object_get_member(userinfo, l->data)));
  g_list_free(names);
  return 0;
}
