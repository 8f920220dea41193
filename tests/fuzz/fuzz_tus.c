/* Fuzz target: the tus 1.0.0 headers (src/http/http_tus.c) a phone's upload sends — the input
 * is "Upload-Metadata\nUpload-Offset\nContent-Type". Whatever parses must keep the rules
 * (keys printable without space or comma, values UTF-8 without NUL within the limits) and
 * survive a round trip; numbers are digits only; a PATCH is refused with one of five codes. */
#include "fuzz.h"
#include "http/http_tus.h"

#include <errno.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

static void check_metadata(const char *hdr)
{
  GHashTable *t = NULL;
  int rc = http_tus_parse_metadata(hdr, &t);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
  if (rc < 0) {
    FUZZ_CHECK(t == NULL);
    return;
  }
  FUZZ_CHECK(g_hash_table_size(t) <= HTTP_TUS_METADATA_PAIRS);
  GString *again = g_string_new(NULL);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, t);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const char *key = k, *value = v;
    FUZZ_CHECK(*key);
    for (const char *c = key; *c; c++)
      FUZZ_CHECK(*c > 0x20 && *c < 0x7f && *c != ',');
    FUZZ_CHECK(strlen(value) <= HTTP_TUS_METADATA_VALUE_MAX && g_utf8_validate(value, -1, NULL));
    char *enc = g_base64_encode((const guchar *)value, strlen(value));
    g_string_append_printf(again, "%s%s%s%s", again->len ? "," : "", key, *value ? " " : "", enc);
    g_free(enc);
  }
  GHashTable *u = NULL;
  FUZZ_CHECK(http_tus_parse_metadata(again->str, &u) == 0);
  FUZZ_CHECK(g_hash_table_size(u) == g_hash_table_size(t));
  g_hash_table_iter_init(&it, t);
  while (g_hash_table_iter_next(&it, &k, &v))
    FUZZ_CHECK(g_strcmp0(g_hash_table_lookup(u, k), v) == 0);
  g_hash_table_unref(u);
  g_hash_table_unref(t);
  g_string_free(again, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = g_strndup((const char *)data, size); /* a header ends at a NUL, as lws's copy */
  char **parts = g_strsplit(text, "\n", 3);
  check_metadata(parts[0]);
  const char *offset = parts[0] && parts[1] ? parts[1] : NULL;
  const char *ctype = offset && parts[2] ? parts[2] : NULL;
  guint64 n = 0;
  if (http_tus_parse_uint(offset, &n) == 0) {
    FUZZ_CHECK(*offset && strlen(offset) <= 18);
    for (const char *c = offset; *c; c++)
      FUZZ_CHECK(g_ascii_isdigit(*c));
  }
  for (guint64 current = 0; current <= 2; current++) {
    int st = http_tus_patch_status(offset, ctype, current, 2, size % 4);
    FUZZ_CHECK(st == 0 || st == 400 || st == 409 || st == 413 || st == 415);
    if (st == 0)
      FUZZ_CHECK(n == current && size % 4 <= 2 - current);
  }
  g_strfreev(parts);
  g_free(text);
  return 0;
}
