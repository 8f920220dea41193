/* Fuzz target: the AMF0 decoder (src/rtmp/amf0.c), every value a publisher's command or
 * metadata can carry. What decodes must encode again, and that encoding must decode to the
 * same encoding (the session re-encodes onMetaData for the ingest pipeline). */
#include "fuzz.h"
#include "rtmp/amf0.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

/* Walks V the way the session reads commands (names, strings, numbers). */
static void touch(const Amf0Value *v)
{
  (void)amf0_string(v);
  (void)amf0_number(v, 0);
  (void)amf0_get(v, "app");
  (void)amf0_get(v, "tcUrl");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GPtrArray *all = NULL;
  if (amf0_decode_all(data, size, &all) < 0) {
    /* One value, as the session's first read of a command name does. */
    Amf0Value *v = NULL;
    size_t used = 0;
    if (amf0_decode(data, size, &used, &v) == 0) {
      FUZZ_CHECK(used > 0 && used <= size);
      touch(v);
      amf0_free(&v);
    }
    return 0;
  }
  GByteArray *enc = g_byte_array_new();
  for (guint i = 0; i < all->len; i++) {
    touch(all->pdata[i]);
    amf0_put_value(enc, all->pdata[i]);
  }
  GPtrArray *again = NULL;
  FUZZ_CHECK(amf0_decode_all(enc->data, enc->len, &again) == 0);
  FUZZ_CHECK(again->len == all->len);
  GByteArray *enc2 = g_byte_array_new();
  for (guint i = 0; i < again->len; i++)
    amf0_put_value(enc2, again->pdata[i]);
  FUZZ_CHECK(enc2->len == enc->len && (enc->len == 0 || memcmp(enc2->data, enc->data, enc->len) == 0));
  g_byte_array_unref(enc2);
  g_ptr_array_unref(again);
  g_byte_array_unref(enc);
  g_ptr_array_unref(all);
  return 0;
}
