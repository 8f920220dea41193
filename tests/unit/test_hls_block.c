/* Tests for src/http/hls_block.c: what a playlist says about its live edge, when a blocking
 * request (_HLS_msn/_HLS_part) is ready, waits or is too far ahead, the query's refusals, and
 * a held request answered on the main loop once the playlist lists its part — not before —
 * or 503 when it does not come in time; the hinted part file held until it is written. */
#include "http/hls_block.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *LL =
  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
  "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.320\n#EXT-X-PART-INF:PART-TARGET=0.440\n"
  "#EXT-X-MEDIA-SEQUENCE:10\n"
  "#EXT-X-PART:DURATION=0.400,URI=\"seg000010-p0.ts\",INDEPENDENT=YES\n#EXTINF:2.000,\nseg000010.ts\n"
  "#EXTINF:2.000,\nseg000011.ts\n"
  "#EXT-X-PART:DURATION=0.400,URI=\"seg000012-p0.ts\",INDEPENDENT=YES\n"
  "#EXT-X-PART:DURATION=0.400,URI=\"seg000012-p1.ts\"\n"
  "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg000012-p2.ts\"\n";

START_TEST(parse_reads_the_live_edge)
{
  HlsBlockState st;
  ck_assert_int_eq(hls_block_parse(LL, &st), 0);
  ck_assert_int_eq(st.target, 2);
  ck_assert(st.can_block && !st.ended);
  ck_assert(st.part_target > 0.439 && st.part_target < 0.441);
  ck_assert_int_eq(st.last_msn, 11);
  ck_assert_uint_eq(st.parts, 2);
  ck_assert_int_eq(hls_block_parse("nothing", &st), -EBADMSG);
  ck_assert_int_eq(hls_block_parse("#EXTM3U\n#EXTINF:2,\nx.ts\n", &st), -EBADMSG);
}
END_TEST

START_TEST(decide_follows_the_spec)
{
  HlsBlockState st;
  ck_assert_int_eq(hls_block_parse(LL, &st), 0);
  ck_assert_int_eq(hls_block_decide(&st, 11, -1), HLS_BLOCK_READY);
  ck_assert_int_eq(hls_block_decide(&st, 11, 7), HLS_BLOCK_READY);  /* a whole segment */
  ck_assert_int_eq(hls_block_decide(&st, 12, 1), HLS_BLOCK_READY);
  ck_assert_int_eq(hls_block_decide(&st, 12, 2), HLS_BLOCK_WAIT);   /* the hinted part */
  ck_assert_int_eq(hls_block_decide(&st, 12, -1), HLS_BLOCK_WAIT);
  ck_assert_int_eq(hls_block_decide(&st, 13, 0), HLS_BLOCK_WAIT);
  ck_assert_int_eq(hls_block_decide(&st, 13, -1), HLS_BLOCK_WAIT);  /* last + 2 */
  ck_assert_int_eq(hls_block_decide(&st, 14, -1), HLS_BLOCK_TOO_FAR);
  /* Advance Part Limit: 3 / 0.44 = 6 parts past the last one listed. */
  ck_assert_int_eq(hls_block_decide(&st, 12, 7), HLS_BLOCK_WAIT);
  ck_assert_int_eq(hls_block_decide(&st, 12, 8), HLS_BLOCK_TOO_FAR);
  ck_assert_int_eq(hls_block_decide(&st, 13, 6), HLS_BLOCK_TOO_FAR);
  /* A finished playlist, or one without CAN-BLOCK-RELOAD, is answered at once. */
  g_autofree char *ended = g_strconcat(LL, "#EXT-X-ENDLIST\n", NULL);
  ck_assert_int_eq(hls_block_parse(ended, &st), 0);
  ck_assert_int_eq(hls_block_decide(&st, 99, 0), HLS_BLOCK_READY);
  ck_assert_int_eq(hls_block_parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nx.ts\n", &st), 0);
  ck_assert_int_eq(hls_block_decide(&st, 99, 0), HLS_BLOCK_READY);
}
END_TEST

START_TEST(query_refusals)
{
  GHashTable *q = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  guint64 msn = 0;
  gint64 part = 0;
  ck_assert_int_eq(hls_block_query(q, &msn, &part), 0);
  g_hash_table_replace(q, g_strdup("_HLS_part"), g_strdup("1"));
  ck_assert_int_eq(hls_block_query(q, &msn, &part), -EINVAL); /* _HLS_part alone */
  g_hash_table_replace(q, g_strdup("_HLS_msn"), g_strdup("12"));
  ck_assert_int_eq(hls_block_query(q, &msn, &part), 1);
  ck_assert_uint_eq(msn, 12);
  ck_assert_int_eq(part, 1);
  g_hash_table_remove(q, "_HLS_part");
  ck_assert_int_eq(hls_block_query(q, &msn, &part), 1);
  ck_assert_int_eq(part, -1);
  const char *bad[] = {"", "-1", "1x", "abc", "99999999999999999999", "1.5"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_hash_table_replace(q, g_strdup("_HLS_msn"), g_strdup(bad[i]));
    ck_assert_int_eq(hls_block_query(q, &msn, &part), -EINVAL);
  }
  g_hash_table_replace(q, g_strdup("_HLS_msn"), g_strdup("3"));
  g_hash_table_replace(q, g_strdup("_HLS_part"), g_strdup("x"));
  ck_assert_int_eq(hls_block_query(q, &msn, &part), -EINVAL);
  g_hash_table_unref(q);
}
END_TEST

/* ---- held requests on the main loop ---- */

static Config config;
static HttpFiles files;
static char *dir, *playlist;
static int answers;
static HttpResponse last;

static void on_answer(void *server, guint64 id, void *resp)
{
  (void)server;
  (void)id;
  http_response_clear(&last);
  last = *(HttpResponse *)resp;
  g_free(resp);
  answers++;
}

static void setup(void)
{
  dir = tu_tmpdir();
  config_init_defaults(&config);
  g_free(config.data_dir);
  config.data_dir = g_build_filename(dir, "data", NULL);
  g_autofree char *media = config_media_dir(&config);
  g_autofree char *rend = g_build_filename(media, "v1", "src", NULL);
  ck_assert_int_eq(g_mkdir_with_parents(rend, 0755), 0);
  playlist = g_build_filename(rend, "index.m3u8", NULL);
  ck_assert(g_file_set_contents(playlist, LL, -1, NULL));
  http_files_init(&files, &config);
  answers = 0;
  http_response_init(&last);
}

static void teardown(void)
{
  http_response_clear(&last);
  http_files_clear(&files);
  config_clear(&config);
  tu_rmtree(dir);
  g_free(dir);
  g_free(playlist);
}

static GHashTable *query(const char *msn, const char *part)
{
  GHashTable *q = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (msn)
    g_hash_table_replace(q, g_strdup("_HLS_msn"), g_strdup(msn));
  if (part)
    g_hash_table_replace(q, g_strdup("_HLS_part"), g_strdup(part));
  return q;
}

static void spin(int ms)
{
  gint64 end = g_get_monotonic_time() + ms * 1000;
  while (g_get_monotonic_time() < end)
    g_main_context_iteration(NULL, FALSE), g_usleep(2000);
}

static const char *header(const HttpResponse *r, const char *name)
{
  for (guint i = 0; r->headers && i + 1 < r->headers->len; i += 2)
    if (!strcmp(g_ptr_array_index(r->headers, i), name))
      return g_ptr_array_index(r->headers, i + 1);
  return NULL;
}

START_TEST(held_until_the_part_is_listed)
{
  HlsBlock *b = hls_block_new(&files, &config);
  HttpLater later = {on_answer, NULL, 1};
  HttpResponse r;
  /* Ready now: answered at once, cacheable by its query. */
  http_response_init(&r);
  GHashTable *q = query("12", "1");
  ck_assert(hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
  ck_assert(!r.later);
  ck_assert_int_eq(r.status, 200);
  ck_assert(strstr(r.body->str, "seg000012-p1.ts"));
  ck_assert_str_eq(header(&r, "cache-control:"), "public, max-age=6");
  http_response_clear(&r);
  g_hash_table_unref(q);
  /* Not a blocking request: served as usual by the caller. */
  http_response_init(&r);
  q = query(NULL, NULL);
  ck_assert(!hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
  g_hash_table_unref(q);
  /* The next part: held. */
  q = query("12", "2");
  ck_assert(hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
  ck_assert(r.later);
  ck_assert_uint_eq(hls_block_held(b), 1);
  spin(100);
  ck_assert_int_eq(answers, 0); /* the playlist did not change: still waiting */
  /* The file rewritten without the part: still waiting... */
  g_autofree char *other = g_strconcat(LL, "", NULL);
  ck_assert(g_file_set_contents(playlist, other, -1, NULL));
  spin(60);
  ck_assert_int_eq(answers, 0);
  /* ...then the part: answered within a few polls. */
  g_autofree char *next = g_strconcat(LL, "#EXT-X-PART:DURATION=0.400,URI=\"seg000012-p2.ts\"\n", NULL);
  ck_assert(g_file_set_contents(playlist, next, -1, NULL));
  gint64 t0 = g_get_monotonic_time();
  while (!answers && g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC)
    g_main_context_iteration(NULL, FALSE), g_usleep(1000);
  ck_assert_int_eq(answers, 1);
  ck_assert_int_lt(g_get_monotonic_time() - t0, 10 * HLS_BLOCK_POLL_MS * 1000);
  ck_assert_int_eq(last.status, 200);
  ck_assert(strstr(last.body->str, "seg000012-p2.ts"));
  ck_assert_uint_eq(hls_block_held(b), 0);
  http_response_clear(&r);
  g_hash_table_unref(q);
  hls_block_free(&b);
  ck_assert_ptr_null(b);
}
END_TEST

START_TEST(refusals_and_limits)
{
  HlsBlock *b = hls_block_new(&files, &config);
  HttpLater later = {on_answer, NULL, 1};
  HttpResponse r;
  struct { const char *msn, *part; int status; } cases[] = {
    {NULL, "1", 400}, {"x", NULL, 400}, {"20", NULL, 400}, {"12", "9", 400},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    http_response_init(&r);
    GHashTable *q = query(cases[i].msn, cases[i].part);
    ck_assert(hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
    ck_assert_int_eq(r.status, cases[i].status);
    ck_assert(!r.later);
    ck_assert_str_eq(header(&r, "cache-control:"), "no-store");
    http_response_clear(&r);
    g_hash_table_unref(q);
  }
  http_response_init(&r);
  GHashTable *q = query("12", "0");
  ck_assert(hls_block_handle(b, "/hls/v1/nothing/index.m3u8", q, &later, &r));
  ck_assert_int_eq(r.status, 404);
  http_response_clear(&r);
  http_response_init(&r);
  ck_assert(hls_block_handle(b, "/hls/../etc/index.m3u8", q, &later, &r));
  ck_assert_int_eq(r.status, 400);
  http_response_clear(&r);
  g_hash_table_unref(q);
  /* The bound: past hls_block_max held, 503 at once. */
  config.hls_block_max = 1;
  q = query("13", NULL);
  http_response_init(&r);
  ck_assert(hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
  ck_assert(r.later);
  http_response_clear(&r);
  http_response_init(&r);
  ck_assert(hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
  ck_assert_int_eq(r.status, 503);
  http_response_clear(&r);
  g_hash_table_unref(q);
  hls_block_free(&b);
}
END_TEST

START_TEST(timeout_is_503)
{
  /* Three target durations: a 1 s target makes it 3 s. */
  g_autofree char *one = g_strdup(LL);
  one[strstr(one, "DURATION:2") - one + 9] = '1';
  ck_assert(g_file_set_contents(playlist, one, -1, NULL));
  HlsBlock *b = hls_block_new(&files, &config);
  HttpLater later = {on_answer, NULL, 1};
  HttpResponse r;
  http_response_init(&r);
  GHashTable *q = query("12", "3");
  ck_assert(hls_block_handle(b, "/hls/v1/src/index.m3u8", q, &later, &r));
  ck_assert(r.later);
  spin(2500);
  ck_assert_int_eq(answers, 0);
  spin(800);
  ck_assert_int_eq(answers, 1);
  ck_assert_int_eq(last.status, 503);
  http_response_clear(&r);
  g_hash_table_unref(q);
  hls_block_free(&b);
}
END_TEST

START_TEST(hinted_part_held_until_written)
{
  HlsBlock *b = hls_block_new(&files, &config);
  HttpLater later = {on_answer, NULL, 1};
  HttpResponse r;
  http_response_init(&r);
  /* Not the hinted part (one further, a listed one, another name): served as any file. */
  ck_assert(!hls_block_part(b, "/hls/v1/src/seg000012-p3.ts", &later, &r));
  ck_assert(!hls_block_part(b, "/hls/v1/src/seg000012-p2.tsx", &later, &r));
  ck_assert(!hls_block_part(b, "/hls/v1/src/index.m3u8", &later, &r));
  ck_assert(!hls_block_part(b, "/hls/v1/nothing/seg000012-p2.ts", &later, &r));
  ck_assert(!hls_block_part(b, "/hls/../v1/src/seg000012-p2.ts", &later, &r));
  ck_assert(!r.later);
  /* The hinted one, not written yet: held, and answered with its bytes once in place. */
  ck_assert(hls_block_part(b, "/hls/v1/src/seg000012-p2.ts", &later, &r));
  ck_assert(r.later);
  ck_assert_uint_eq(hls_block_held(b), 1);
  spin(100);
  ck_assert_int_eq(answers, 0);
  g_autofree char *part = g_build_filename(dir, "data", "media", "v1", "src", "seg000012-p2.ts", NULL);
  g_autofree char *tmp = g_strconcat(part, ".tmp", NULL);
  ck_assert(g_file_set_contents(tmp, "G-part-bytes", -1, NULL));
  ck_assert_int_eq(rename(tmp, part), 0);
  gint64 t0 = g_get_monotonic_time();
  while (!answers && g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC)
    g_main_context_iteration(NULL, FALSE), g_usleep(1000);
  ck_assert_int_eq(answers, 1);
  ck_assert_int_eq(last.status, 200);
  ck_assert_str_eq(last.body->str, "G-part-bytes");
  ck_assert_uint_eq(hls_block_held(b), 0);
  /* In place now: served as any file. */
  ck_assert(!hls_block_part(b, "/hls/v1/src/seg000012-p2.ts", &later, &r));
  /* A hint that comes to nothing (the live ends before the part): 404 at once, not at the
   * deadline three target durations later. */
  ck_assert(hls_block_part(b, "/hls/v1/src/seg000012-p3.ts", &later, &r) == false); /* not hinted */
  g_autofree char *moved = g_strdup(LL);
  *strstr(moved, "seg000012-p2.ts\"\n") = '\0';
  g_autofree char *hinting3 = g_strconcat(moved, "seg000012-p2.ts\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg000012-p3.ts\"\n", NULL);
  ck_assert(g_file_set_contents(playlist, hinting3, -1, NULL));
  ck_assert(hls_block_part(b, "/hls/v1/src/seg000012-p3.ts", &later, &r));
  ck_assert(r.later);
  g_autofree char *over = g_strconcat(LL, "#EXT-X-ENDLIST\n", NULL);
  ck_assert(g_file_set_contents(playlist, over, -1, NULL));
  t0 = g_get_monotonic_time();
  while (answers < 2 && g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC)
    g_main_context_iteration(NULL, FALSE), g_usleep(1000);
  ck_assert_int_eq(answers, 2);
  ck_assert_int_eq(last.status, 404);
  ck_assert_int_lt(g_get_monotonic_time() - t0, G_USEC_PER_SEC);
  /* The live ended: nothing is held. */
  ck_assert_int_eq(unlink(part), 0);
  g_autofree char *ended = g_strconcat(LL, "#EXT-X-ENDLIST\n", NULL);
  ck_assert(g_file_set_contents(playlist, ended, -1, NULL));
  ck_assert(!hls_block_part(b, "/hls/v1/src/seg000012-p2.ts", &later, &r));
  http_response_clear(&r);
  hls_block_free(&b);
}
END_TEST

static Suite *block_suite(void)
{
  Suite *s = suite_create("hls_block");
  TCase *tc = tcase_create("hls_block");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, parse_reads_the_live_edge);
  tcase_add_test(tc, decide_follows_the_spec);
  tcase_add_test(tc, query_refusals);
  tcase_add_test(tc, held_until_the_part_is_listed);
  tcase_add_test(tc, refusals_and_limits);
  tcase_add_test(tc, timeout_is_503);
  tcase_add_test(tc, hinted_part_held_until_written);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(block_suite)
