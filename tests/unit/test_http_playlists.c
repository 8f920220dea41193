/* Tests for src/http/http_playlists.c: a playlist kept in memory is served while its file is
 * unchanged, and never once the file has changed (rewritten in place, replaced by rename); it
 * is kept only once seen unchanged for the settle time on the monotonic clock, whatever the
 * wall clock says (the date-shift run moves the wall clock, not the file system's). */
#include "http/http_playlists.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *dir;
static HttpPlaylists *cache;

static void setup(void)
{
  dir = tu_tmpdir();
  http_playlists_new(8, 4096, 1 << 20, &cache);
}

static void teardown(void)
{
  http_playlists_free(&cache);
  tu_rmtree(dir);
  g_free(dir);
}

/* The text served for NAME now, as the server asks for it: open, fstat, get. */
static char *get_at(const char *name, gint64 now_us, bool *finished, int *ret)
{
  char *path = g_build_filename(dir, name, NULL);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  g_free(path);
  ck_assert_int_ge(fd, 0);
  struct stat st;
  ck_assert_int_eq(fstat(fd, &st), 0);
  GBytes *text = NULL;
  bool fin = false;
  *ret = http_playlists_get(cache, fd, &st, now_us, &text, &fin);
  close(fd);
  if (*ret < 0)
    return NULL;
  if (finished)
    *finished = fin;
  gsize len;
  const char *data = g_bytes_get_data(text, &len);
  char *out = g_strndup(data, len);
  g_bytes_unref(text);
  return out;
}

static char *get_now(const char *name)
{
  int ret;
  char *text = get_at(name, g_get_monotonic_time(), NULL, &ret);
  ck_assert_int_eq(ret, 0);
  return text;
}

/* Asked for, then again once the settle time has passed (two misses): kept by the second. */
static char *get_settled(const char *name, bool *finished)
{
  g_free(get_now(name));
  g_usleep(HTTP_PLAYLISTS_SETTLE_US + 20000);
  int ret;
  char *text = get_at(name, g_get_monotonic_time(), finished, &ret);
  ck_assert_int_eq(ret, 0);
  return text;
}

static void stats(guint64 hits, guint64 misses, guint entries)
{
  HttpPlaylistsStats st;
  http_playlists_stats(cache, &st);
  ck_assert_uint_eq(st.hits, hits);
  ck_assert_uint_eq(st.misses, misses);
  ck_assert_uint_eq(st.entries, entries);
}

START_TEST(kept_while_unchanged)
{
  g_free(tu_write(dir, "a.m3u8", "#EXTM3U\n#EXTINF:2,\nseg0.ts\n"));
  bool fin = true;
  g_autofree char *t1 = get_settled("a.m3u8", &fin);
  ck_assert_str_eq(t1, "#EXTM3U\n#EXTINF:2,\nseg0.ts\n");
  ck_assert(!fin);
  stats(0, 2, 1);
  g_autofree char *t2 = get_now("a.m3u8");
  ck_assert_str_eq(t2, t1);
  stats(1, 2, 1);
}
END_TEST

START_TEST(rewritten_in_place_is_read_again)
{
  g_free(tu_write(dir, "a.m3u8", "#EXTM3U\nseg0.ts\n"));
  g_autofree char *t1 = get_settled("a.m3u8", NULL);
  ck_assert_str_eq(t1, "#EXTM3U\nseg0.ts\n");
  /* the same length, other bytes, same inode */
  char *path = g_build_filename(dir, "a.m3u8", NULL);
  FILE *fp = fopen(path, "r+");
  ck_assert_ptr_nonnull(fp);
  fputs("#EXTM3U\nseg1.ts\n", fp);
  fclose(fp);
  g_free(path);
  g_autofree char *t2 = get_now("a.m3u8");
  ck_assert_str_eq(t2, "#EXTM3U\nseg1.ts\n");
  stats(0, 3, 0); /* changed: dropped, not kept again yet */
  g_autofree char *t3 = get_settled("a.m3u8", NULL);
  ck_assert_str_eq(t3, "#EXTM3U\nseg1.ts\n");
  stats(0, 5, 1);
}
END_TEST

START_TEST(replaced_by_rename_is_read_again)
{
  g_free(tu_write(dir, "a.m3u8", "#EXTM3U\nseg0.ts\n"));
  g_autofree char *t1 = get_settled("a.m3u8", NULL);
  /* what the live writer does: a new file renamed over the old one (a new segment) */
  g_free(tu_write(dir, "a.m3u8.tmp", "#EXTM3U\nseg0.ts\nseg1.ts\n#EXT-X-ENDLIST\n"));
  char *from = g_build_filename(dir, "a.m3u8.tmp", NULL), *to = g_build_filename(dir, "a.m3u8", NULL);
  ck_assert_int_eq(rename(from, to), 0);
  g_free(from);
  g_free(to);
  bool fin = false;
  int ret;
  g_autofree char *t2 = get_at("a.m3u8", g_get_monotonic_time(), &fin, &ret);
  ck_assert_int_eq(ret, 0);
  ck_assert_str_eq(t2, "#EXTM3U\nseg0.ts\nseg1.ts\n#EXT-X-ENDLIST\n");
  ck_assert(fin);
  stats(0, 3, 1); /* the old inode's text is still kept (for nobody): it goes when room is needed */
}
END_TEST

START_TEST(a_file_just_written_is_not_kept)
{
  g_free(tu_write(dir, "a.m3u8", "#EXTM3U\n"));
  int ret;
  gint64 now = g_get_monotonic_time();
  g_autofree char *t1 = get_at("a.m3u8", now, NULL, &ret);
  g_autofree char *t2 = get_at("a.m3u8", now + HTTP_PLAYLISTS_SETTLE_US - 1, NULL, &ret);
  ck_assert_str_eq(t2, "#EXTM3U\n");
  stats(0, 2, 0);
  /* an earlier time than first seen keeps nothing either */
  g_autofree char *t3 = get_at("a.m3u8", now - 10 * G_USEC_PER_SEC, NULL, &ret);
  stats(0, 3, 0);
  /* seen unchanged for the settle time: kept, by our clock alone (no sleep needed) */
  g_autofree char *t4 = get_at("a.m3u8", now + HTTP_PLAYLISTS_SETTLE_US, NULL, &ret);
  stats(0, 4, 1);
}
END_TEST

START_TEST(too_big_is_refused_and_memory_is_bounded)
{
  char *big = g_strnfill(5000, 'x');
  g_free(tu_write(dir, "big.m3u8", big));
  g_free(big);
  int ret;
  ck_assert_ptr_null(get_at("big.m3u8", g_get_monotonic_time(), NULL, &ret));
  ck_assert_int_eq(ret, -EFBIG);
  /* at most 8 kept: the ninth drops one */
  for (int i = 0; i < 9; i++) {
    char name[32];
    g_snprintf(name, sizeof name, "p%d.m3u8", i);
    g_free(tu_write(dir, name, "#EXTM3U\n"));
  }
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 9; i++) {
      char name[32];
      g_snprintf(name, sizeof name, "p%d.m3u8", i);
      g_free(get_now(name));
    }
    g_usleep(HTTP_PLAYLISTS_SETTLE_US + 20000);
  }
  /* Seen or kept, at most 8 entries: some are kept, never more than 8, their bytes counted. */
  HttpPlaylistsStats st;
  http_playlists_stats(cache, &st);
  ck_assert_uint_ge(st.entries, 1);
  ck_assert_uint_le(st.entries, 8);
  ck_assert_uint_eq(st.bytes, st.entries * 8);
}
END_TEST

/* A frame that puts "HEAD|" or "VOD|" before the text and counts its calls. */
static int frames;
static GBytes *frame(GBytes *text, bool finished, void *user)
{
  frames++;
  if (user)
    return NULL;
  gsize len;
  const char *data = g_bytes_get_data(text, &len);
  GString *a = g_string_new(finished ? "VOD|" : "HEAD|");
  g_string_append_len(a, data, (gssize)len);
  gsize alen = a->len;
  return g_bytes_new_take(g_string_free(a, FALSE), alen);
}

/* The kept answer for NAME now (by its path's stat, as the server asks), or NULL. */
static char *answer_of(const char *name, void *user)
{
  char *path = g_build_filename(dir, name, NULL);
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  g_free(path);
  const void *data = NULL;
  gsize len = 0;
  if (!http_playlists_answer(cache, &st, frame, user, &data, &len))
    return NULL;
  return g_strndup(data, len);
}

START_TEST(a_whole_answer_is_made_once_per_kept_text)
{
  g_free(tu_write(dir, "a.m3u8", "#EXTM3U\nseg0.ts\n"));
  frames = 0;
  ck_assert_ptr_null(answer_of("a.m3u8", NULL)); /* nothing kept yet: the usual way */
  g_free(get_now("a.m3u8"));
  ck_assert_ptr_null(answer_of("a.m3u8", NULL)); /* seen, not settled */
  ck_assert_int_eq(frames, 0);
  g_free(get_settled("a.m3u8", NULL));
  for (int i = 0; i < 3; i++) {
    g_autofree char *a = answer_of("a.m3u8", NULL);
    ck_assert_str_eq(a, "HEAD|#EXTM3U\nseg0.ts\n");
  }
  ck_assert_int_eq(frames, 1);
  HttpPlaylistsStats st;
  http_playlists_stats(cache, &st);
  ck_assert_uint_eq(st.answered, 3);
  ck_assert_uint_eq(st.bytes, 16 + 21); /* the text and its answer */

  /* Rewritten by the writer (rename): the old answer is never given again; the new text's
   * is made once it is kept. */
  g_usleep(20000);
  g_free(tu_write(dir, "a.m3u8.tmp", "#EXTM3U\nseg0.ts\nseg1.ts\n#EXT-X-ENDLIST\n"));
  g_autofree char *from = g_build_filename(dir, "a.m3u8.tmp", NULL);
  g_autofree char *to = g_build_filename(dir, "a.m3u8", NULL);
  ck_assert_int_eq(rename(from, to), 0);
  ck_assert_ptr_null(answer_of("a.m3u8", NULL));
  g_free(get_settled("a.m3u8", NULL));
  g_autofree char *b = answer_of("a.m3u8", NULL);
  ck_assert_str_eq(b, "VOD|#EXTM3U\nseg0.ts\nseg1.ts\n#EXT-X-ENDLIST\n");
  ck_assert_int_eq(frames, 2);
  http_playlists_stats(cache, &st);
  /* The replaced file's entry (its inode is never asked for again) waits to be dropped when
   * room is needed, with its answer counted. */
  ck_assert_uint_eq(st.entries, 2);
  ck_assert_uint_eq(st.bytes, 16 + 21 + 39 + 43);
}
END_TEST

START_TEST(no_answer_when_none_can_be_made_or_kept)
{
  g_free(tu_write(dir, "a.m3u8", "#EXTM3U\n"));
  g_free(get_settled("a.m3u8", NULL));
  frames = 0;
  ck_assert_ptr_null(answer_of("a.m3u8", (void *)1)); /* the frame made nothing */
  ck_assert_ptr_null(answer_of("a.m3u8", (void *)1));
  ck_assert_int_eq(frames, 2);
  HttpPlaylistsStats st;
  http_playlists_stats(cache, &st);
  ck_assert_uint_eq(st.answered, 0);
  ck_assert_uint_eq(st.bytes, 8);

  /* An answer over the budget is not kept: the text still is, and served. */
  http_playlists_free(&cache);
  http_playlists_new(8, 4096, 10, &cache);
  g_free(get_settled("a.m3u8", NULL));
  ck_assert_ptr_null(answer_of("a.m3u8", NULL));
  http_playlists_stats(cache, &st);
  ck_assert_uint_eq(st.entries, 1);
  ck_assert_uint_eq(st.bytes, 8);
  g_autofree char *t = get_now("a.m3u8");
  ck_assert_str_eq(t, "#EXTM3U\n");
}
END_TEST

static Suite *http_playlists_suite(void)
{
  Suite *s = suite_create("http_playlists");
  TCase *tc = tcase_create("http_playlists");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, kept_while_unchanged);
  tcase_add_test(tc, rewritten_in_place_is_read_again);
  tcase_add_test(tc, replaced_by_rename_is_read_again);
  tcase_add_test(tc, a_file_just_written_is_not_kept);
  tcase_add_test(tc, too_big_is_refused_and_memory_is_bounded);
  tcase_add_test(tc, a_whole_answer_is_made_once_per_kept_text);
  tcase_add_test(tc, no_answer_when_none_can_be_made_or_kept);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(http_playlists_suite)
