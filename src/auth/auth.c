/* auth: turns an Authorization header into a member, and checks roles. */
#include "auth/auth.h"

#include <errno.h>
#include <string.h>

int auth_bearer(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *header, Member **out)
{
  if (!header || !header[0])
    return -ENOENT;
  if (g_ascii_strncasecmp(header, "Bearer ", 7) != 0)
    return -EACCES;
  const char *token = header + 7;
  while (*token == ' ')
    token++;
  return auth_token(db, key, token, out);
}

int auth_token(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *token, Member **out)
{
  char *member_id = NULL, *stored = NULL;
  Member *m = NULL;
  int ret = token_parse(token, &member_id);
  if (ret < 0)
    return -EACCES;
  ret = db_member_get(db, member_id, &m, &stored);
  if (ret < 0) {
    /* Hash anyway so an unknown id costs the same time as a wrong secret. */
    g_free(token_hash(key, token));
    ret = -EACCES;
    goto out;
  }
  if (!token_verify(key, token, stored) || m->disabled) {
    ret = -EACCES;
    goto out;
  }
  *out = m;
  m = NULL;
  ret = 0;
out:
  member_free(&m);
  g_free(member_id);
  g_free(stored);
  return ret;
}

int auth_member_enabled(Db *db, const char *id, Member **out)
{
  Member *m = NULL;
  int ret = db_member_get(db, id, &m, NULL);
  if (ret == -ENOENT || (ret == 0 && m->disabled)) {
    member_free(&m);
    return -EACCES;
  }
  if (ret < 0)
    return ret;
  *out = m;
  return 0;
}

bool auth_role_at_least(const Member *m, Role need)
{
  return m && m->role >= need;
}

#include "core/util.h"

#include <json-glib/json-glib.h>

#define MEMBER_ID_BYTES 9
#define DISPLAY_NAME_MAX 100

int auth_member_create(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *display_name,
                       Role role, bool real_name_verified, Member **out, char **token)
{
  if (!display_name || !g_utf8_validate(display_name, -1, NULL))
    return -EINVAL;
  glong chars = g_utf8_strlen(display_name, -1);
  if (chars < 1 || chars > DISPLAY_NAME_MAX)
    return -EINVAL;

  for (int attempt = 0; attempt < 3; attempt++) {
    char *id = util_random_id(MEMBER_ID_BYTES);
    char *tok = token_new(id);
    char *hash = token_hash(key, tok);
    int ret = db_member_insert(db, id, display_name, role, real_name_verified, hash);
    g_free(hash);
    if (ret == 0)
      ret = db_member_get(db, id, out, NULL);
    g_free(id);
    if (ret == 0) {
      *token = tok;
      return 0;
    }
    g_free(tok);
    if (ret != -EEXIST)
      return ret;
  }
  return -EIO;
}

JsonNode *auth_member_json(const Member *m, const char *token)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_string_value(b, m->id);
  json_builder_set_member_name(b, "display_name");
  json_builder_add_string_value(b, m->display_name);
  json_builder_set_member_name(b, "role");
  json_builder_add_string_value(b, role_name(m->role));
  json_builder_set_member_name(b, "real_name_verified");
  json_builder_add_boolean_value(b, m->real_name_verified);
  json_builder_set_member_name(b, "disabled");
  json_builder_add_boolean_value(b, m->disabled);
  json_builder_set_member_name(b, "disqualified");
  json_builder_add_boolean_value(b, m->disqualified);
  json_builder_set_member_name(b, "created_at");
  char *iso = util_iso8601(m->created_at);
  json_builder_add_string_value(b, iso);
  g_free(iso);
  if (token) {
    json_builder_set_member_name(b, "token");
    json_builder_add_string_value(b, token);
  }
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  return node;
}
