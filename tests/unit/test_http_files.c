/* Tests for src/http/http_files.c: which file a GET path names (web root, index.html,
 * the /vendor/ table, /hls/, /images/), its MIME type and Cache-Control, and the refusals —
 * paths that would leave their root (400), files not served (404). No socket involved. */
#include "http/http_files.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir, *web, *outside;
static Config config;
static HttpFiles files;
static bool init_after; /* the roots exist when http_files_init runs (opened as directories) */

static void put(const char *root, const char *rel, const char *text)
{
  char *path = g_build_filename(root, rel, NULL);
  char *parent = g_path_get_dirname(path);
  ck_assert_int_eq(g_mkdir_with_parents(parent, 0755), 0);
  ck_assert(g_file_set_contents(path, text, -1, NULL));
  g_free(parent);
  g_free(path);
}

static void setup(void)
{
  dir = tu_tmpdir();
  web = g_build_filename(dir, "web", NULL);
  outside = g_build_filename(dir, "outside", NULL);
  config_init_defaults(&config);
  g_free(config.data_dir);
  config.data_dir = g_build_filename(dir, "data", NULL);
  g_free(config.web_dir);
  config.web_dir = g_strdup(web);
  config.hls_live_playlist_max_age = 1;
  config.hls_vod_playlist_max_age = 3600;
  config.hls_segment_max_age = 86400;
  if (!init_after)
    http_files_init(&files, &config);

  put(web, "index.html", "<!doctype html>");
  put(web, "editor/index.html", "<!doctype html>");
  put(web, "css/site.css", "body{}");
  put(web, "js/site.js", "export {}");
  put(web, "tool.exe", "MZ");
  put(web, ".env", "SECRET=1");
  put(web, "package.json", "{}");
  put(web, "node_modules/hls.js/dist/hls.min.js", "hls");
  put(web, "node_modules/hls.js/dist/sub/x.js", "x");
  put(web, "node_modules/chart.js/dist/chart.umd.js", "chart");
  put(web, "node_modules/playwright-core/package.json", "{}");
  put(outside, "secret.txt", "secret");
  char *link = g_build_filename(web, "escape.txt", NULL), *target = g_build_filename(outside, "secret.txt", NULL);
  ck_assert_int_eq(symlink(target, link), 0);
  g_free(link);
  g_free(target);

  char *media = config_media_dir(&config), *images = config_images_dir(&config);
  put(media, "v1/720p/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
  put(media, "v1/720p/vod.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n");
  put(media, "v1/720p/seg0.ts", "ts");
  put(media, "v1/720p/seg0.m4s", "m4s");
  put(media, "v1/thumbs.vtt", "WEBVTT");
  put(images, "p1.jpg", "jpg");
  g_free(media);
  g_free(images);
  if (init_after) {
    http_files_init(&files, &config);
    ck_assert_int_ge(files.media_fd, 0);
    ck_assert_int_ge(files.web_fd, 0);
  } else {
    ck_assert_int_eq(files.media_fd, -1);
  }
}

static void teardown(void);

/* The same tests with the roots there at start: files are opened below the roots' descriptors. */
static void setup_after(void)
{
  init_after = true;
  setup();
}

static void teardown_after(void)
{
  teardown();
  init_after = false;
}

static void teardown(void)
{
  http_files_clear(&files);
  config_clear(&config);
  tu_rmtree(dir);
  g_free(dir);
  g_free(web);
  g_free(outside);
}

START_TEST(byte_ranges)
{
  gint64 a = -1, b = -1;
  ck_assert_int_eq(http_files_range("bytes=0-99", 1000, &a, &b), 0);
  ck_assert_int_eq(a, 0);
  ck_assert_int_eq(b, 100);
  ck_assert_int_eq(http_files_range("bytes=500-", 1000, &a, &b), 0);
  ck_assert_int_eq(a, 500);
  ck_assert_int_eq(b, 1000);
  ck_assert_int_eq(http_files_range("bytes=900-5000", 1000, &a, &b), 0); /* clipped to the end */
  ck_assert_int_eq(b, 1000);
  ck_assert_int_eq(http_files_range("bytes=-100", 1000, &a, &b), 0);   /* the last 100 */
  ck_assert_int_eq(a, 900);
  ck_assert_int_eq(b, 1000);
  ck_assert_int_eq(http_files_range("bytes=-5000", 1000, &a, &b), 0);  /* all of it */
  ck_assert_int_eq(a, 0);
  ck_assert_int_eq(http_files_range("bytes=999-999", 1000, &a, &b), 0);
  ck_assert_int_eq(b - a, 1);
  /* unsatisfiable: 416 */
  ck_assert_int_eq(http_files_range("bytes=1000-", 1000, &a, &b), -ERANGE);
  ck_assert_int_eq(http_files_range("bytes=-0", 1000, &a, &b), -ERANGE);
  ck_assert_int_eq(http_files_range("bytes=0-", 0, &a, &b), -ERANGE);
  /* not one byte range we read: the whole file (200) */
  ck_assert_int_eq(http_files_range("bytes=0-1,5-6", 1000, &a, &b), -EINVAL);
  ck_assert_int_eq(http_files_range("items=0-1", 1000, &a, &b), -EINVAL);
  ck_assert_int_eq(http_files_range("bytes=5-1", 1000, &a, &b), -EINVAL);
  ck_assert_int_eq(http_files_range("bytes=x-1", 1000, &a, &b), -EINVAL);
  ck_assert_int_eq(http_files_range("bytes=-", 1000, &a, &b), -EINVAL);
  ck_assert_int_eq(http_files_range("bytes=99999999999999999999-", 1000, &a, &b), -EINVAL);
}
END_TEST

START_TEST(mime_types_by_extension)
{
  ck_assert_str_eq(http_mime_for("index.html"), "text/html; charset=utf-8");
  ck_assert_str_eq(http_mime_for("a/b/site.JS"), "text/javascript; charset=utf-8");
  ck_assert_str_eq(http_mime_for("v/720p/index.m3u8"), "application/vnd.apple.mpegurl");
  ck_assert_str_eq(http_mime_for("seg0.ts"), "video/mp2t");
  ck_assert_str_eq(http_mime_for("seg0.m4s"), "video/iso.segment");
  ck_assert_str_eq(http_mime_for("p.webp"), "image/webp");
  ck_assert_ptr_null(http_mime_for("tool.exe"));
  ck_assert_ptr_null(http_mime_for("README"));
  ck_assert_ptr_null(http_mime_for("v1.d/README"));  /* the dot is in a directory */
  ck_assert_ptr_null(http_mime_for("archive.tar.gz"));
}
END_TEST

/* Resolves PATH, checks status, file (relative to ROOT, or NULL), MIME and Cache-Control. */
static void expect(const char *path, int status, const char *root, const char *rel, const char *mime,
                   const char *cache_control)
{
  HttpFile f;
  ck_assert_msg(http_files_resolve(&files, path, &f) == status, "%s: %d, wanted %d", path, f.status, status);
  ck_assert_int_eq(f.status, status);
  if (status == 200) {
    if (rel) {
      /* the same file (by device and inode: the path may name it through a root's symlink) */
      char *want = g_build_filename(root, rel, NULL);
      struct stat a, b;
      ck_assert_msg(f.file && stat(f.file, &a) == 0 && stat(want, &b) == 0 && a.st_dev == b.st_dev &&
                    a.st_ino == b.st_ino, "%s: file %s, wanted %s", path, f.file, want);
      if (f.fd >= 0) { /* opened below the root: the same file again */
        ck_assert_int_eq(f.st.st_ino, b.st_ino);
        ck_assert(fstat(f.fd, &a) == 0 && a.st_ino == b.st_ino);
      }
      /* opened below the root's descriptor when there is one (the /vendor/ packages are
       * resolved in their own directories) */
      ck_assert_int_eq(f.fd >= 0, init_after && !g_str_has_prefix(path, "/vendor/"));
      ck_assert_ptr_null(f.body);
      g_free(want);
    }
    ck_assert_str_eq(f.mime, mime);
    ck_assert_str_eq(f.cache_control, cache_control);
  } else {
    ck_assert_ptr_null(f.file);
    ck_assert_ptr_null(f.body);
    ck_assert_int_eq(f.fd, -1);
  }
  http_file_clear(&f);
}

START_TEST(web_root_pages_and_assets)
{
  expect("/", 200, web, "index.html", "text/html; charset=utf-8", "no-cache");
  expect("/editor/", 200, web, "editor/index.html", "text/html; charset=utf-8", "no-cache");
  expect("/editor/index.html", 200, web, "editor/index.html", "text/html; charset=utf-8", "no-cache");
  expect("/css/site.css", 200, web, "css/site.css", "text/css; charset=utf-8", "public, max-age=300");
  expect("/js/site.js", 200, web, "js/site.js", "text/javascript; charset=utf-8", "public, max-age=300");
  expect("/missing.html", 404, NULL, NULL, NULL, NULL);
  expect("/css/", 404, NULL, NULL, NULL, NULL);       /* no index.html there */
  expect("/tool.exe", 404, NULL, NULL, NULL, NULL);   /* a type we do not serve */
}
END_TEST

/* The web-root name a path resolved to (for the server's 404 page and the watch page). */
static void expect_web_rel(const char *path, const char *web_rel)
{
  HttpFile f;
  http_files_resolve(&files, path, &f);
  if (web_rel)
    ck_assert_msg(f.web_rel && !strcmp(f.web_rel, web_rel), "%s: %s, wanted %s", path, f.web_rel, web_rel);
  else
    ck_assert_ptr_null(f.web_rel);
  http_file_clear(&f);
}

START_TEST(web_root_names_for_pages_and_404s)
{
  expect_web_rel("/", "index.html");
  expect_web_rel("/editor/", "editor/index.html");
  expect_web_rel("/missing", "missing");
  expect_web_rel("/css/", "css/index.html");
  expect_web_rel("/package.json", "package.json");
  expect_web_rel("/vendor/hls/hls.min.js", "hls.min.js");
  expect_web_rel("/hls/v1/720p/seg0.ts", NULL);
  expect_web_rel("/hls/v1/720p/missing.ts", NULL);
  expect_web_rel("/images/p2.jpg", NULL);
}
END_TEST

START_TEST(vendor_table_and_node_modules)
{
  expect("/vendor/hls/hls.min.js", 200, web, "node_modules/hls.js/dist/hls.min.js",
         "text/javascript; charset=utf-8", "public, max-age=300");
  expect("/vendor/chart/chart.umd.js", 200, web, "node_modules/chart.js/dist/chart.umd.js",
         "text/javascript; charset=utf-8", "public, max-age=300");
  expect("/vendor/hls/sub/x.js", 404, NULL, NULL, NULL, NULL);  /* only files directly in dist/ */
  expect("/vendor/hls/", 404, NULL, NULL, NULL, NULL);
  expect("/vendor/playwright/package.json", 404, NULL, NULL, NULL, NULL);
  expect("/node_modules/hls.js/dist/hls.min.js", 404, NULL, NULL, NULL, NULL);
  expect("/node_modules/playwright-core/package.json", 404, NULL, NULL, NULL, NULL);
  expect("/node_modules", 404, NULL, NULL, NULL, NULL);
  expect("/package.json", 404, NULL, NULL, NULL, NULL);
}
END_TEST

START_TEST(vendor_packages_through_a_symlinked_node_modules)
{
  /* node_modules a symlink to a shared install outside web/ (a worktree, pnpm): the package's
   * files are served, but a link out of the package is not. */
  char *nm = g_build_filename(web, "node_modules", NULL);
  tu_rmtree(nm);
  char *shared = g_build_filename(outside, "node_modules", NULL);
  put(shared, "hls.js/dist/hls.min.js", "hls");
  put(shared, "hls.js/package.json", "{}");
  ck_assert_int_eq(symlink(shared, nm), 0);
  char *out_link = g_build_filename(shared, "hls.js/dist/secret.txt", NULL);
  char *target = g_build_filename(outside, "secret.txt", NULL);
  ck_assert_int_eq(symlink(target, out_link), 0);

  expect("/vendor/hls/hls.min.js", 200, shared, "hls.js/dist/hls.min.js",
         "text/javascript; charset=utf-8", "public, max-age=300");
  expect("/vendor/hls/secret.txt", 400, NULL, NULL, NULL, NULL);
  expect("/vendor/hls/package.json", 404, NULL, NULL, NULL, NULL);  /* not in dist/ */
  expect("/node_modules/hls.js/dist/hls.min.js", 404, NULL, NULL, NULL, NULL);
  g_free(nm);
  g_free(shared);
  g_free(out_link);
  g_free(target);
}
END_TEST

START_TEST(paths_leaving_the_root_are_refused)
{
  expect("/../outside/secret.txt", 400, NULL, NULL, NULL, NULL);
  expect("/css/../index.html", 400, NULL, NULL, NULL, NULL);
  expect("/.env", 400, NULL, NULL, NULL, NULL);
  expect("//etc/passwd.txt", 400, NULL, NULL, NULL, NULL);
  expect("/css%2fsite.css", 400, NULL, NULL, NULL, NULL);
  expect("/escape.txt", 400, NULL, NULL, NULL, NULL);  /* a symlink out of the root */
  expect("/hls/../web/index.html", 400, NULL, NULL, NULL, NULL);
  expect("/hls/v1/../../web/index.html", 400, NULL, NULL, NULL, NULL);
  expect("/images/../secret.key", 400, NULL, NULL, NULL, NULL);
}
END_TEST

START_TEST(hls_playlists_by_state_and_segments_immutable)
{
  char *media = config_media_dir(&config);
  HttpFile f;
  ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/index.m3u8", &f), 200);
  ck_assert_ptr_null(f.file);
  ck_assert_str_eq(f.body->str, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
  ck_assert_str_eq(f.mime, "application/vnd.apple.mpegurl");
  ck_assert_str_eq(f.cache_control, "public, max-age=1");
  http_file_clear(&f);
  ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/vod.m3u8", &f), 200);
  ck_assert_ptr_nonnull(strstr(f.body->str, "#EXT-X-ENDLIST"));
  ck_assert_str_eq(f.cache_control, "public, max-age=3600");
  http_file_clear(&f);

  expect("/hls/v1/720p/seg0.ts", 200, media, "v1/720p/seg0.ts", "video/mp2t",
         "public, max-age=86400, immutable");
  expect("/hls/v1/720p/seg0.m4s", 200, media, "v1/720p/seg0.m4s", "video/iso.segment",
         "public, max-age=86400, immutable");
  expect("/hls/v1/thumbs.vtt", 200, media, "v1/thumbs.vtt", "text/vtt; charset=utf-8",
         "public, max-age=86400, immutable");
  expect("/hls/v1/720p/seg9.ts", 404, NULL, NULL, NULL, NULL);
  expect("/hls/", 400, NULL, NULL, NULL, NULL);  /* an empty path is not a file */

  /* A playlist is read whole only up to its limit. */
  char *big = g_strnfill(HTTP_FILES_PLAYLIST_MAX + 1, '#');
  put(media, "v2/huge.m3u8", big);
  expect("/hls/v2/huge.m3u8", 404, NULL, NULL, NULL, NULL);
  g_free(big);
  g_free(media);
}
END_TEST

/* A playlist kept in memory is never served once its file has changed. */
START_TEST(a_changed_playlist_is_served_as_it_is_now)
{
  char *media = config_media_dir(&config);
  HttpFile f;
  for (int i = 0; i < 3; i++) {
    /* seen, then settled (HTTP_PLAYLISTS_SETTLE_US): kept by the second read, the third a hit */
    for (int n = 0; n < 3; n++) {
      if (n == 1)
        g_usleep(HTTP_PLAYLISTS_SETTLE_US + 20000);
      ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/index.m3u8", &f), 200);
      char want[64];
      g_snprintf(want, sizeof want, "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:%d\n", i);
      if (i > 0)
        ck_assert_str_eq(f.body->str, want);
      http_file_clear(&f);
    }
    /* the writer replaces it (rename) with one more segment, the same size */
    char text[64];
    g_snprintf(text, sizeof text, "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:%d\n", i + 1);
    put(media, "v1/720p/index.m3u8", text);
  }
  ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/index.m3u8", &f), 200);
  ck_assert_str_eq(f.body->str, "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n");
  http_file_clear(&f);
  HttpPlaylistsStats st;
  http_playlists_stats(files.playlists, &st);
  ck_assert_uint_eq(st.hits, 3);
  /* With the media root open, each hit was answered from the path's stat (no open). */
  ck_assert_uint_eq(st.peeked, files.media_fd >= 0 ? 3 : 0);
  g_free(media);
}
END_TEST

/* Settles the playlist at PATH in memory (seen, then read again after the settle time). */
static void settle(const char *path)
{
  HttpFile f;
  for (int n = 0; n < 2; n++) {
    if (n == 1)
      g_usleep(HTTP_PLAYLISTS_SETTLE_US + 20000);
    ck_assert_int_eq(http_files_resolve(&files, path, &f), 200);
    http_file_clear(&f);
  }
}

static void settle_playlist(void)
{
  settle("/hls/v1/720p/index.m3u8");
}

/* What a kept playlist is answered with when its path changes under it: a removed file is
 * 404, a symlink put in its place that leaves the root is refused (400), one that stays
 * inside is followed — as for a playlist never kept. */
START_TEST(a_kept_playlist_follows_its_path)
{
  char *media = config_media_dir(&config);
  char *path = g_build_filename(media, "v1/720p/index.m3u8", NULL);
  char *secret = g_build_filename(outside, "secret.txt", NULL);
  char *vod = g_build_filename(media, "v1/720p/vod.m3u8", NULL);
  HttpFile f;

  settle_playlist();
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/index.m3u8", &f), 404);
  http_file_clear(&f);

  put(media, "v1/720p/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
  settle_playlist();
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(symlink(secret, path), 0);
  ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/index.m3u8", &f), 400);
  http_file_clear(&f);

  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(symlink(vod, path), 0);
  ck_assert_int_eq(http_files_resolve(&files, "/hls/v1/720p/index.m3u8", &f), 200);
  ck_assert_ptr_nonnull(strstr(f.body->str, "#EXT-X-ENDLIST"));
  http_file_clear(&f);
  g_free(vod);
  g_free(secret);
  g_free(path);
  g_free(media);
}
END_TEST

/* The frame of a kept whole answer: MIME, Cache-Control and the text, one per line. */
static GBytes *frame_text(GBytes *text, const char *mime, const char *cache_control, void *user)
{
  (*(int *)user)++;
  gsize len;
  const char *data = g_bytes_get_data(text, &len);
  char *a = g_strdup_printf("%s\n%s\n%.*s", mime, cache_control, (int)len, data);
  return g_bytes_new_take(a, strlen(a));
}

static char *kept_answer(const char *path, int *frames)
{
  const void *data = NULL;
  gsize len = 0;
  if (!http_files_kept_answer(&files, path, frame_text, frames, &data, &len))
    return NULL;
  return g_strndup(data, len);
}

/* The kept whole answer is given for exactly what a kept playlist would be answered with from
 * memory: a regular file below the media root in the state kept, never for a path that leaves
 * the root, a symlink, a removed file or anything but a playlist. Without the root open
 * (the usual way resolves every path then) there is none. */
START_TEST(a_kept_answer_only_for_a_kept_playlist)
{
  char *media = config_media_dir(&config);
  char *path = g_build_filename(media, "v1/720p/index.m3u8", NULL);
  char *vod = g_build_filename(media, "v1/720p/vod.m3u8", NULL);
  int frames = 0;

  ck_assert_ptr_null(kept_answer("/hls/v1/720p/index.m3u8", &frames)); /* not read yet */
  settle_playlist();
  g_autofree char *a = kept_answer("/hls/v1/720p/index.m3u8", &frames);
  if (files.media_fd < 0) {
    ck_assert_ptr_null(a);
    ck_assert_int_eq(frames, 0);
  } else {
    ck_assert_str_eq(a, "application/vnd.apple.mpegurl\npublic, max-age=1\n#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    g_autofree char *again = kept_answer("/hls/v1/720p/index.m3u8", &frames);
    ck_assert_str_eq(again, a);
    ck_assert_int_eq(frames, 1);
  }
  const char *never[] = { "/hls/v1/720p/../720p/index.m3u8", "/hls/../media/v1/720p/index.m3u8",
                          "/hls//v1/720p/index.m3u8", "/hls/v1/720p/seg0.ts", "/v1/720p/index.m3u8",
                          "/images/v1/720p/index.m3u8" };
  for (size_t i = 0; i < G_N_ELEMENTS(never); i++)
    ck_assert_msg(!kept_answer(never[i], &frames), "a kept answer for %s", never[i]);

  /* A finished playlist gets the VOD max-age. */
  settle("/hls/v1/720p/vod.m3u8");
  g_autofree char *v = kept_answer("/hls/v1/720p/vod.m3u8", &frames);
  if (files.media_fd >= 0)
    ck_assert_ptr_nonnull(strstr(v, "\npublic, max-age=3600\n#EXTM3U"));

  /* Removed, then a symlink in its place (to a playlist inside the root): no kept answer. */
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_ptr_null(kept_answer("/hls/v1/720p/index.m3u8", &frames));
  ck_assert_int_eq(symlink(vod, path), 0);
  ck_assert_ptr_null(kept_answer("/hls/v1/720p/index.m3u8", &frames));
  g_free(vod);
  g_free(path);
  g_free(media);
}
END_TEST

START_TEST(images_from_the_image_store)
{
  char *images = config_images_dir(&config);
  expect("/images/p1.jpg", 200, images, "p1.jpg", "image/jpeg", "public, max-age=86400, immutable");
  expect("/images/p2.jpg", 404, NULL, NULL, NULL, NULL);
  expect("/images/index.html", 404, NULL, NULL, NULL, NULL);
  expect("/p1.jpg", 404, NULL, NULL, NULL, NULL); /* not in the web root */
  g_free(images);
}
END_TEST

static Suite *http_files_suite(void)
{
  Suite *s = suite_create("http_files");
  /* Each case twice: roots missing at start (every path resolved) and there (opened below). */
  for (int after = 0; after < 2; after++) {
    TCase *tc = tcase_create(after ? "roots_opened" : "roots_resolved");
    if (after)
      tcase_add_checked_fixture(tc, setup_after, teardown_after);
    else
      tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mime_types_by_extension);
    tcase_add_test(tc, byte_ranges);
    tcase_add_test(tc, web_root_pages_and_assets);
    tcase_add_test(tc, web_root_names_for_pages_and_404s);
    tcase_add_test(tc, vendor_table_and_node_modules);
    tcase_add_test(tc, vendor_packages_through_a_symlinked_node_modules);
    tcase_add_test(tc, paths_leaving_the_root_are_refused);
    tcase_add_test(tc, hls_playlists_by_state_and_segments_immutable);
    tcase_add_test(tc, a_changed_playlist_is_served_as_it_is_now);
    tcase_add_test(tc, a_kept_playlist_follows_its_path);
    tcase_add_test(tc, a_kept_answer_only_for_a_kept_playlist);
    tcase_add_test(tc, images_from_the_image_store);
    suite_add_tcase(s, tc);
  }
  return s;
}

TU_MAIN(http_files_suite)
