/* http_tus: tus 1.0.0 header parsing and the PATCH checks. */
#include "http/http_tus.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int http_tus_parse_uint(const char *s, guint64 *out)
{
  if (!s || !*s || strlen(s) > 18)
    return -EINVAL;
  guint64 v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9')
      return -EINVAL;
    v = v * 10 + (guint64)(*p - '0');
  }
  *out = v;
  return 0;
}

/* Standard base64 with its padding, as the protocol asks; g_base64_decode alone accepts
 * anything, so the alphabet and the length are checked first. */
static int decode_value(const char *s, size_t len, char **out)
{
  if (len % 4 != 0 || len / 4 * 3 > HTTP_TUS_METADATA_VALUE_MAX + 2)
    return len % 4 ? -EINVAL : -E2BIG;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    bool pad = c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '=');
    if (!g_ascii_isalnum(c) && c != '+' && c != '/' && !pad)
      return -EINVAL;
  }
  g_autofree char *text = g_strndup(s, len);
  gsize n = 0;
  guchar *raw = len ? g_base64_decode(text, &n) : (guchar *)g_strdup("");
  if (n > HTTP_TUS_METADATA_VALUE_MAX || memchr(raw, '\0', n) || !g_utf8_validate((char *)raw, (gssize)n, NULL)) {
    int r = n > HTTP_TUS_METADATA_VALUE_MAX ? -E2BIG : -EINVAL;
    g_free(raw);
    return r;
  }
  *out = g_strndup((char *)raw, n);
  g_free(raw);
  return 0;
}

int http_tus_parse_metadata(const char *s, GHashTable **out)
{
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  int ret = 0;
  const char *p = s ? s : "";
  while (*p && ret == 0) {
    while (*p == ' ')
      p++;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *sp = memchr(p, ' ', len);
    size_t klen = sp ? (size_t)(sp - p) : len;
    if (klen == 0) {
      ret = -EINVAL;
      break;
    }
    for (size_t i = 0; i < klen; i++)
      if (p[i] < 0x21 || p[i] > 0x7e)
        ret = -EINVAL;
    if (ret < 0)
      break;
    g_autofree char *key = g_strndup(p, klen);
    char *value = NULL;
    const char *v = sp ? sp + 1 : p + len;
    size_t vlen = (size_t)(p + len - v);
    while (vlen && v[vlen - 1] == ' ')
      vlen--; /* spaces after the value, before the comma */
    if (g_hash_table_contains(t, key)) {
      ret = -EINVAL;
    } else if (g_hash_table_size(t) >= HTTP_TUS_METADATA_PAIRS) {
      ret = -E2BIG;
    } else if ((ret = decode_value(v, vlen, &value)) == 0) {
      g_hash_table_insert(t, g_steal_pointer(&key), value);
    }
    if (!end)
      break;
    p = end + 1;
    if (!*p)
      ret = -EINVAL; /* a trailing comma */
  }
  if (ret < 0) {
    g_hash_table_unref(t);
    return ret;
  }
  *out = t;
  return 0;
}

int http_tus_patch_status(const char *upload_offset, const char *content_type, guint64 current,
                          guint64 length, size_t body_len)
{
  guint64 offset = 0;
  if (!content_type || g_ascii_strcasecmp(content_type, "application/offset+octet-stream") != 0)
    return 415;
  if (http_tus_parse_uint(upload_offset, &offset) < 0)
    return 400;
  if (offset != current)
    return 409;
  if (body_len > length - current)
    return 413;
  return 0;
}
