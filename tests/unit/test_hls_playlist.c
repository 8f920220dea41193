/* Tests for src/media/hls_playlist.c: live window, discontinuities, target rule, VOD, parse, master. */
#include "media/hls_playlist.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static int count(const char *text, const char *needle)
{
  int n = 0;
  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

static void add_n(HlsPlaylist *pl, int n, gint64 *pdt)
{
  for (int i = 0; i < n; i++) {
    char uri[32];
    g_snprintf(uri, sizeof uri, "seg%06u.ts", (unsigned)hls_playlist_next_seq(pl));
    ck_assert_int_eq(hls_playlist_add(pl, uri, 2.0, *pdt, 500000), 0);
    *pdt += 2000;
  }
}

START_TEST(live_window_trims_listing_not_recording)
{
  HlsPlaylist *pl = hls_playlist_new(2, 3);
  gint64 pdt = 1795000000000;
  add_n(pl, 5, &pdt);
  char *live = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert(strstr(live, "#EXT-X-TARGETDURATION:2\n"));
  ck_assert(strstr(live, "#EXT-X-MEDIA-SEQUENCE:2\n"));
  ck_assert_int_eq(count(live, "#EXTINF:2.000,"), 3);
  ck_assert(!strstr(live, "seg000001.ts"));
  ck_assert(strstr(live, "seg000004.ts"));
  ck_assert(!strstr(live, "ENDLIST"));
  ck_assert(!strstr(live, "PLAYLIST-TYPE"));
  ck_assert_int_eq(count(live, "#EXT-X-PROGRAM-DATE-TIME:"), 3);
  ck_assert(strstr(live, "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T"));
  char *event = hls_playlist_render(pl, HLS_VIEW_EVENT);
  ck_assert(strstr(event, "#EXT-X-MEDIA-SEQUENCE:0\n"));
  ck_assert(strstr(event, "#EXT-X-PLAYLIST-TYPE:EVENT\n"));
  ck_assert_int_eq(count(event, "#EXTINF:"), 5);
  hls_playlist_end(pl);
  char *vod = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert(strstr(vod, "#EXT-X-MEDIA-SEQUENCE:0\n"));
  ck_assert(strstr(vod, "#EXT-X-PLAYLIST-TYPE:VOD\n"));
  ck_assert(g_str_has_suffix(vod, "#EXT-X-ENDLIST\n"));
  ck_assert_int_eq(count(vod, "#EXTINF:"), 5);
  ck_assert_int_eq(hls_playlist_add(pl, "late.ts", 2, 0, 1), -EINVAL);
  ck_assert(hls_playlist_duration(pl) > 9.99 && hls_playlist_duration(pl) < 10.01);
  g_free(live);
  g_free(event);
  g_free(vod);
  hls_playlist_free(&pl);
  ck_assert_ptr_null(pl);
  hls_playlist_free(NULL);
}
END_TEST

START_TEST(discontinuity_sequence_counts_trimmed_ones)
{
  HlsPlaylist *pl = hls_playlist_new(2, 2);
  gint64 pdt = 1795000000000;
  hls_playlist_mark_discontinuity(pl); /* nothing before: ignored */
  add_n(pl, 2, &pdt);
  hls_playlist_mark_discontinuity(pl);
  add_n(pl, 1, &pdt); /* seq 2 after a reconnect */
  char *a = hls_playlist_render(pl, HLS_VIEW_LIVE);
  /* Window is seq 1..2; the discontinuity is inside it. */
  ck_assert(strstr(a, "#EXT-X-MEDIA-SEQUENCE:1\n"));
  ck_assert(!strstr(a, "DISCONTINUITY-SEQUENCE"));
  ck_assert_int_eq(count(a, "#EXT-X-DISCONTINUITY\n"), 1);
  add_n(pl, 2, &pdt); /* window 3..4: the discontinuity was trimmed */
  char *b = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert(strstr(b, "#EXT-X-MEDIA-SEQUENCE:3\n"));
  ck_assert(strstr(b, "#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
  ck_assert_int_eq(count(b, "#EXT-X-DISCONTINUITY\n"), 0);
  g_free(a);
  g_free(b);
  hls_playlist_free(&pl);
}
END_TEST

START_TEST(target_duration_rule)
{
  HlsPlaylist *pl = hls_playlist_new(2, 6);
  ck_assert_int_eq(hls_playlist_add(pl, "a.ts", 2.49, 0, 1), 0);   /* rounds to 2 */
  ck_assert_int_eq(hls_playlist_add(pl, "b.ts", 2.5, 0, 1), -ERANGE); /* rounds to 3 */
  ck_assert_int_eq(hls_playlist_count(pl), 2); /* still listed; the caller logs */
  char *t = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert_int_eq(count(t, "#EXT-X-TARGETDURATION:"), 1);
  ck_assert(!strstr(t, "PROGRAM-DATE-TIME")); /* unknown PDTs are left out */
  g_free(t);
  hls_playlist_free(&pl);
}
END_TEST

START_TEST(bitrates_ignore_short_tail)
{
  HlsPlaylist *pl = hls_playlist_new(2, 6);
  hls_playlist_add(pl, "a.ts", 2.0, 0, 500000);  /* 2 Mbit/s */
  hls_playlist_add(pl, "b.ts", 2.0, 0, 750000);  /* 3 Mbit/s */
  hls_playlist_add(pl, "c.ts", 0.1, 0, 100000);  /* 8 Mbit/s over a tenth of a second */
  guint64 peak, avg;
  hls_playlist_bitrates(pl, &peak, &avg);
  ck_assert_uint_eq(peak, 3000000);
  ck_assert_uint_eq(avg, (guint64)(1350000 * 8 / 4.1));
  hls_playlist_free(&pl);
}
END_TEST

START_TEST(parse_reads_back_what_render_wrote)
{
  HlsPlaylist *pl = hls_playlist_new(2, 3);
  gint64 pdt = 1795000000123;
  add_n(pl, 2, &pdt);
  hls_playlist_mark_discontinuity(pl);
  add_n(pl, 3, &pdt);
  char *event = hls_playlist_render(pl, HLS_VIEW_EVENT);
  HlsPlaylist *back = NULL;
  char *err = NULL;
  ck_assert_int_eq(hls_playlist_parse(event, 3, &back, &err), 0);
  ck_assert_uint_eq(hls_playlist_count(back), 5);
  ck_assert(hls_playlist_segment(back, 2)->discontinuity);
  ck_assert(!hls_playlist_segment(back, 3)->discontinuity);
  ck_assert_int_eq(hls_playlist_segment(back, 4)->pdt_ms, 1795000008123);
  ck_assert_uint_eq(hls_playlist_next_seq(back), 5);
  char *again = hls_playlist_render(back, HLS_VIEW_EVENT);
  ck_assert_str_eq(again, event);
  g_free(again);
  hls_playlist_free(&back);

  static const char *bad[] = {
    "", "#EXTM3U\n#EXTINF:2,\nseg.ts\n",                                 /* no target */
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:x,\nseg.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n../../etc/passwd\n",  /* escapes */
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n/abs.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\nseg.ts\n",                         /* no EXTINF */
    "garbage",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    ck_assert_int_eq(hls_playlist_parse(bad[i], 3, &back, &err), -EBADMSG);
    ck_assert_ptr_nonnull(err);
    g_clear_pointer(&err, g_free);
  }
  g_free(event);
  hls_playlist_free(&pl);
}
END_TEST

START_TEST(master_lists_every_attribute)
{
  HlsVariant v[2] = {
    {"source/index.m3u8", 3100000, 2900000, "avc1.64001f,mp4a.40.2", 1280, 720, 30},
    {"360p/index.m3u8", 800000, 0, "avc1.64001e", 640, 360, 29.97},
  };
  char *m = hls_master_render(v, 2);
  ck_assert(g_str_has_prefix(m, "#EXTM3U\n"));
  ck_assert(strstr(m, "#EXT-X-STREAM-INF:BANDWIDTH=3100000,AVERAGE-BANDWIDTH=2900000,"
                      "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=30.000\n"
                      "source/index.m3u8\n"));
  ck_assert(strstr(m, "BANDWIDTH=800000,CODECS=\"avc1.64001e\",RESOLUTION=640x360,FRAME-RATE=29.970\n"));
  g_free(m);
}
END_TEST

START_TEST(atomic_write_replaces_whole_file)
{
  char *dir = tu_tmpdir();
  char *path = g_build_filename(dir, "index.m3u8", NULL);
  char *err = NULL;
  ck_assert_int_eq(hls_write_atomic(path, "one\n", &err), 0);
  ck_assert_int_eq(hls_write_atomic(path, "two\n", &err), 0);
  char *text = NULL;
  ck_assert(g_file_get_contents(path, &text, NULL, NULL));
  ck_assert_str_eq(text, "two\n");
  char *tmp = g_strdup_printf("%s.tmp", path);
  ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS));
  char *missing = g_build_filename(dir, "no", "such", "x.m3u8", NULL);
  ck_assert_int_eq(hls_write_atomic(missing, "x", &err), -ENOENT);
  ck_assert_ptr_nonnull(err);
  g_free(err);
  g_free(missing);
  g_free(tmp);
  g_free(text);
  g_free(path);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

/* LL-HLS: one segment's parts, the last one's length left to the segment. */
static void add_parts(HlsPlaylist *pl, int n, bool last_unknown)
{
  for (int k = 0; k < n; k++) {
    char uri[32];
    g_snprintf(uri, sizeof uri, "seg%06u-p%d.ts", (unsigned)hls_playlist_next_seq(pl), k);
    hls_playlist_add_part(pl, uri, last_unknown && k == n - 1 ? -1 : 0.4, k == 0);
  }
}

START_TEST(ll_live_view_lists_parts_hint_and_reports)
{
  HlsPlaylist *pl = hls_playlist_new(2, 6);
  hls_playlist_set_parts(pl, 0.44);
  gint64 pdt = 1795000000000;
  for (int i = 0; i < 5; i++) {
    add_parts(pl, 5, true);
    add_n(pl, 1, &pdt);
  }
  add_parts(pl, 2, false);
  hls_playlist_set_hint(pl, "seg000005-p2.ts");
  guint64 msn = 0;
  guint part = 0;
  ck_assert(hls_playlist_last_part(pl, &msn, &part));
  ck_assert_uint_eq(msn, 5);
  ck_assert_uint_eq(part, 1);
  HlsReport rep = {"../360p/index.m3u8", 5, 0};
  char *live = hls_playlist_render_reports(pl, HLS_VIEW_LIVE, &rep, 1);
  ck_assert(strstr(live, "#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,"
                         "PART-HOLD-BACK=1.320\n#EXT-X-PART-INF:PART-TARGET=0.440\n"));
  /* Parts of the last three whole segments and of the one being written, each segment's
   * first INDEPENDENT; the last part of a segment is what the segment had left (2.0 - 1.6). */
  ck_assert_int_eq(count(live, "#EXT-X-PART:"), 3 * 5 + 2);
  ck_assert(!strstr(live, "seg000001-p0.ts"));
  ck_assert(strstr(live, "#EXT-X-PART:DURATION=0.400,URI=\"seg000002-p0.ts\",INDEPENDENT=YES\n"
                         "#EXT-X-PART:DURATION=0.400,URI=\"seg000002-p1.ts\"\n"));
  ck_assert(strstr(live, "#EXT-X-PART:DURATION=0.400,URI=\"seg000004-p4.ts\"\n#EXTINF:2.000,\nseg000004.ts\n"
                         "#EXT-X-PART:DURATION=0.400,URI=\"seg000005-p0.ts\",INDEPENDENT=YES\n"));
  ck_assert(g_str_has_suffix(live, "URI=\"seg000005-p1.ts\"\n"
                                   "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg000005-p2.ts\"\n"
                                   "#EXT-X-RENDITION-REPORT:URI=\"../360p/index.m3u8\",LAST-MSN=5,LAST-PART=0\n"));
  ck_assert_int_eq(count(live, "#EXTINF:2.000,"), 5);
  /* The recording (event view) and the finished playlist have no LL-HLS tags. */
  char *event = hls_playlist_render_reports(pl, HLS_VIEW_EVENT, &rep, 1);
  ck_assert(!strstr(event, "EXT-X-PART") && !strstr(event, "SERVER-CONTROL") && !strstr(event, "PRELOAD"));
  ck_assert(!strstr(event, "RENDITION-REPORT"));
  /* Parts forgotten (their files removed) are no longer listed. */
  hls_playlist_forget_parts(pl, 2);
  char *after = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert(!strstr(after, "seg000002-p0.ts"));
  ck_assert_int_eq(count(after, "#EXT-X-PART:"), 2 * 5 + 2);
  hls_playlist_drop_pending_parts(pl);
  ck_assert_uint_eq(hls_playlist_pending_parts(pl), 0);
  ck_assert(hls_playlist_last_part(pl, &msn, &part));
  ck_assert_uint_eq(msn, 4);
  ck_assert_uint_eq(part, 4);
  hls_playlist_end(pl);
  char *vod = hls_playlist_render_reports(pl, HLS_VIEW_LIVE, &rep, 1);
  ck_assert(!strstr(vod, "EXT-X-PART") && !strstr(vod, "SERVER-CONTROL") && !strstr(vod, "REPORT"));
  ck_assert_int_eq(count(vod, "#EXTINF:"), 5);
  g_free(live);
  g_free(event);
  g_free(after);
  g_free(vod);
  hls_playlist_free(&pl);
}
END_TEST

START_TEST(ll_off_changes_nothing)
{
  HlsPlaylist *pl = hls_playlist_new(2, 6);
  gint64 pdt = 1795000000000;
  add_n(pl, 2, &pdt);
  char *live = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert(!strstr(live, "SERVER-CONTROL") && !strstr(live, "PART"));
  guint64 msn;
  guint part;
  ck_assert(!hls_playlist_last_part(pl, &msn, &part));
  g_free(live);
  hls_playlist_free(&pl);
}
END_TEST

START_TEST(ll_discontinuity_before_pending_parts)
{
  HlsPlaylist *pl = hls_playlist_new(2, 6);
  hls_playlist_set_parts(pl, 0.44);
  gint64 pdt = 1795000000000;
  add_n(pl, 1, &pdt);
  hls_playlist_mark_discontinuity(pl);
  add_parts(pl, 1, false);
  char *live = hls_playlist_render(pl, HLS_VIEW_LIVE);
  ck_assert(strstr(live, "seg000000.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-PART:DURATION=0.400,URI=\"seg000001-p0.ts\""));
  g_free(live);
  hls_playlist_free(&pl);
}
END_TEST

static Suite *hls_suite(void)
{
  Suite *s = suite_create("hls_playlist");
  TCase *tc = tcase_create("hls_playlist");
  tcase_add_test(tc, live_window_trims_listing_not_recording);
  tcase_add_test(tc, discontinuity_sequence_counts_trimmed_ones);
  tcase_add_test(tc, target_duration_rule);
  tcase_add_test(tc, bitrates_ignore_short_tail);
  tcase_add_test(tc, parse_reads_back_what_render_wrote);
  tcase_add_test(tc, master_lists_every_attribute);
  tcase_add_test(tc, atomic_write_replaces_whole_file);
  tcase_add_test(tc, ll_live_view_lists_parts_hint_and_reports);
  tcase_add_test(tc, ll_off_changes_nothing);
  tcase_add_test(tc, ll_discontinuity_before_pending_parts);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(hls_suite)
