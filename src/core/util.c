/* util: random bytes, short ids, encodings, constant-time compare, time. */
#include "core/util.h"

#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <json-glib/json-glib.h>

int util_random_bytes(void *buf, size_t len)
{
  guint8 *p = buf;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

char *util_base64url(const guint8 *data, size_t len)
{
  char *b64 = g_base64_encode(data, len);
  for (char *p = b64; *p; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
    else if (*p == '=') {
      *p = '\0';
      break;
    }
  }
  return b64;
}

char *util_random_id(size_t bytes)
{
  guint8 buf[64];
  g_assert(bytes > 0 && bytes <= sizeof buf);
  for (;;) {
    if (util_random_bytes(buf, bytes) < 0)
      g_error("kernel random source failed");
    /* The first character is the top 6 bits: 62 and 63 give '-' and '_', and an id that
     * starts with '-' reads as an option on a command line (`lectern video show -x…`). */
    if ((buf[0] >> 2) < 62)
      return util_base64url(buf, bytes);
  }
}

char *util_hex(const guint8 *data, size_t len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc(len * 2 + 1);
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  out[len * 2] = '\0';
  return out;
}

bool util_const_eq(const void *a, const void *b, size_t n)
{
  const volatile guint8 *x = a, *y = b;
  guint8 diff = 0;
  for (size_t i = 0; i < n; i++)
    diff |= x[i] ^ y[i];
  return diff == 0;
}

gint64 util_now(void)
{
  return g_get_real_time() / G_USEC_PER_SEC;
}

char *util_iso8601(gint64 unix_seconds)
{
  GDateTime *dt = g_date_time_new_from_unix_utc(unix_seconds);
  if (!dt)
    return g_strdup("");
  char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref(dt);
  return s;
}

int util_rmtree(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -errno;
  if (S_ISDIR(st.st_mode)) {
    GDir *d = g_dir_open(path, 0, NULL);
    if (!d)
      return -EACCES;
    const char *name;
    int ret = 0;
    while ((name = g_dir_read_name(d))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      int r = util_rmtree(child);
      if (r < 0 && ret == 0)
        ret = r;
    }
    g_dir_close(d);
    if (rmdir(path) != 0 && ret == 0)
      ret = -errno;
    return ret;
  }
  return unlink(path) == 0 ? 0 : -errno;
}

char *util_json_error(const GError *err)
{
  if (!err)
    return g_strdup("empty");
  const char *kind = "syntax error";
  if (err->domain == JSON_PARSER_ERROR) {
    switch (err->code) {
    case JSON_PARSER_ERROR_TRAILING_COMMA: kind = "a comma before a closing bracket"; break;
    case JSON_PARSER_ERROR_MISSING_COMMA: kind = "a comma expected"; break;
    case JSON_PARSER_ERROR_MISSING_COLON: kind = "a colon expected"; break;
    case JSON_PARSER_ERROR_INVALID_BAREWORD: kind = "a word that is not a JSON value"; break;
    case JSON_PARSER_ERROR_EMPTY_MEMBER_NAME: kind = "an empty member name"; break;
    case JSON_PARSER_ERROR_INVALID_DATA: kind = "invalid data"; break;
    default: break;
    }
  }
  /* json-glib writes "<data>:LINE:COLUMN: Parse error: ..." (the name is not ours). */
  unsigned line = 0, col = 0;
  const char *m = err->message ? err->message : "";
  const char *colon = strchr(m, ':');
  if (colon && sscanf(colon, ":%u:%u:", &line, &col) == 2)
    return g_strdup_printf("%s at line %u, column %u", kind, line, col);
  return g_strdup(kind);
}

char *util_json_text(JsonNode *node, bool pretty)
{
  char *text = json_to_string(node, pretty);
  if (!text || !strchr(text, 0x1f))
    return text;
  GString *out = g_string_sized_new(strlen(text) + 32);
  for (const char *p = text; *p; p++) {
    if (*p == 0x1f)
      g_string_append(out, "\\u001f");
    else
      g_string_append_c(out, *p);
  }
  g_free(text);
  return g_string_free(out, FALSE);
}

bool util_json_utf8(JsonNode *node)
{
  if (!node)
    return true;
  switch (json_node_get_node_type(node)) {
  case JSON_NODE_OBJECT: {
    JsonObjectIter it;
    const char *name;
    JsonNode *member;
    json_object_iter_init(&it, json_node_get_object(node));
    while (json_object_iter_next(&it, &name, &member))
      if (!g_utf8_validate(name, -1, NULL) || !util_json_utf8(member))
        return false;
    return true;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *a = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(a); i++)
      if (!util_json_utf8(json_array_get_element(a, i)))
        return false;
    return true;
  }
  case JSON_NODE_VALUE:
    return json_node_get_value_type(node) != G_TYPE_STRING ||
           g_utf8_validate(json_node_get_string(node), -1, NULL);
  default:
    return true;
  }
}
