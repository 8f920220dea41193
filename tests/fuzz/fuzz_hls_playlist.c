/* Fuzz target: the playlist reader used at restart (hls_playlist_parse in
 * src/media/hls_playlist.c), which reads a recording's playlist back from disk when a live
 * is resumed or finished after a crash. What it accepts must render, and the rendering must
 * read back to the same segments (names, discontinuities). */
#include "fuzz.h"
#include "media/hls_playlist.h"

#include <errno.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = g_strndup((const char *)data, size);
  HlsPlaylist *pl = NULL;
  char *err = NULL;
  int rc = hls_playlist_parse(text, 5, &pl, &err);
  FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
  FUZZ_CHECK((rc == 0) == (pl != NULL) && (rc == 0) == (err == NULL));
  if (pl) {
    char *live = hls_playlist_render(pl, HLS_VIEW_LIVE);
    char *event = hls_playlist_render(pl, HLS_VIEW_EVENT);
    guint64 peak, avg;
    hls_playlist_bitrates(pl, &peak, &avg);
    (void)hls_playlist_duration(pl);
    HlsPlaylist *back = NULL;
    char *err2 = NULL;
    FUZZ_CHECK(hls_playlist_parse(event, 5, &back, &err2) == 0);
    FUZZ_CHECK(hls_playlist_count(back) == hls_playlist_count(pl));
    for (guint i = 0; i < hls_playlist_count(pl); i++) {
      const HlsSegment *a = hls_playlist_segment(pl, i), *b = hls_playlist_segment(back, i);
      /* Not the sequence numbers: a MEDIA-SEQUENCE line after segments (never written by
       * lectern) numbers the rest anew, and the rendering has one line for all. */
      FUZZ_CHECK(!strcmp(a->uri, b->uri) && a->discontinuity == b->discontinuity);
    }
    hls_playlist_free(&back);
    g_free(live);
    g_free(event);
    hls_playlist_free(&pl);
  }
  g_free(err);
  g_free(text);
  return 0;
}
