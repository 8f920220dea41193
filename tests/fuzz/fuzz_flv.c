/* Fuzz target: FLV tag reading and what lectern learns from tags (src/media/flv.c, and the
 * H.264 sequence header parser behind it) — the bytes of an FLV file, tag by tag. Each tag
 * read must also survive being written again and read back unchanged. */
#include "fuzz.h"
#include "media/flv.h"

#include <errno.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FlvInfo info;
  memset(&info, 0, sizeof info);
  flv_info_restart(&info);
  GByteArray *again = g_byte_array_new();
  size_t off = 0;
  FlvTag tag;
  int rc;
  gint64 now = 1800000000000;
  while ((rc = flv_read_tag(data, size, &off, &tag)) == 0) {
    FUZZ_CHECK(off <= size);
    FUZZ_CHECK(tag.len <= FLV_MAX_TAG_BODY && tag.data >= data && tag.data + tag.len <= data + size);
    int lrc = flv_learn(&info, tag.type, tag.ts, tag.data, tag.len, now += 33);
    FUZZ_CHECK(lrc == 0 || lrc == -EINVAL || lrc == -EBADMSG);
    (void)flv_gop_ms(&info);
    (void)flv_shape_known(&info, 2000, 500, 4000);

    uint8_t head[FLV_HEADER_LEN];
    flv_header(head, true);
    g_byte_array_set_size(again, 0);
    g_byte_array_append(again, head, sizeof head);
    flv_append_tag(again, tag.type, tag.ts, tag.data, tag.len);
    size_t off2 = 0;
    FlvTag back;
    FUZZ_CHECK(flv_read_tag(again->data, again->len, &off2, &back) == 0);
    FUZZ_CHECK(back.type == tag.type && back.ts == tag.ts && back.len == tag.len &&
               memcmp(back.data, tag.data, tag.len) == 0 && off2 == again->len);
  }
  FUZZ_CHECK(rc == -EAGAIN || rc == -EBADMSG);
  g_byte_array_unref(again);
  return 0;
}
