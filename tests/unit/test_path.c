/* Tests for src/core/path.c: request paths never escape their root. */
#include "core/path.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static char *dir;
static char *root;

static void setup(void)
{
  dir = tu_tmpdir();
  root = g_build_filename(dir, "root", NULL);
  g_mkdir(root, 0755);
  char *sub = g_build_filename(root, "v1", NULL);
  g_mkdir(sub, 0755);
  g_free(tu_write(sub, "index.m3u8", "#EXTM3U\n"));
  g_free(tu_write(dir, "secret.db", "SQLite format 3"));
  char *link = g_build_filename(root, "escape.ts", NULL);
  char *target = g_build_filename(dir, "secret.db", NULL);
  g_assert(symlink(target, link) == 0);
  g_free(link);
  g_free(target);
  g_free(sub);
}

static void teardown(void)
{
  tu_rmtree(dir);
  g_free(dir);
  g_free(root);
}

static const char *const refused[] = {
  "", "/etc/passwd", "../secret.db", "v1/../../secret.db", "v1/..", "..", ".", "./v1/index.m3u8",
  "v1//index.m3u8", "v1/", "%2e%2e/secret.db", "%252e%252e/secret.db", "v1\\..\\..\\secret.db",
  ".hidden", "v1/.git", "v1/index.m3u8\n", "a\x01" "b",
};

START_TEST(bad_relative_paths_are_refused)
{
  ck_assert_msg(path_check_relative(refused[_i]) == -EINVAL, "accepted '%s'", refused[_i]);
  char *out = NULL;
  ck_assert_int_eq(path_resolve_file(root, refused[_i], &out), -EINVAL);
  ck_assert_ptr_null(out);
}
END_TEST

START_TEST(long_path_is_refused)
{
  char *p = g_strnfill(PATH_REL_MAX + 1, 'a');
  ck_assert_int_eq(path_check_relative(p), -EINVAL);
  g_free(p);
}
END_TEST

START_TEST(good_path_resolves_inside_root)
{
  char *out = NULL;
  ck_assert_int_eq(path_check_relative("v1/index.m3u8"), 0);
  ck_assert_int_eq(path_resolve_file(root, "v1/index.m3u8", &out), 0);
  ck_assert(g_str_has_suffix(out, "/root/v1/index.m3u8"));
  g_free(out);
}
END_TEST

START_TEST(symlink_escape_is_eperm)
{
  char *out = NULL;
  ck_assert_int_eq(path_check_relative("escape.ts"), 0);
  ck_assert_int_eq(path_resolve_file(root, "escape.ts", &out), -EPERM);
  ck_assert_ptr_null(out);
  /* the same with the root resolved once by the caller */
  char *real = realpath(root, NULL);
  ck_assert_int_eq(path_resolve_file_in(real, "escape.ts", &out), -EPERM);
  ck_assert_int_eq(path_resolve_file_in(real, "../root/v1/index.m3u8", &out), -EINVAL);
  ck_assert_int_eq(path_resolve_file_in(real, "v1/none.ts", &out), -ENOENT);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(path_resolve_file_in(real, "v1/index.m3u8", &out), 0);
  ck_assert(g_str_has_suffix(out, "/root/v1/index.m3u8"));
  g_free(out);
  free(real);
}
END_TEST

START_TEST(missing_and_directories_are_enoent)
{
  char *out = NULL;
  ck_assert_int_eq(path_resolve_file(root, "v1/none.ts", &out), -ENOENT);
  ck_assert_int_eq(path_resolve_file(root, "v1", &out), -ENOENT);
  ck_assert_ptr_null(out);
}
END_TEST

static Suite *path_suite(void)
{
  Suite *s = suite_create("path");
  TCase *tc = tcase_create("path");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_loop_test(tc, bad_relative_paths_are_refused, 0, G_N_ELEMENTS(refused));
  tcase_add_test(tc, long_path_is_refused);
  tcase_add_test(tc, good_path_resolves_inside_root);
  tcase_add_test(tc, symlink_escape_is_eperm);
  tcase_add_test(tc, missing_and_directories_are_enoent);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(path_suite)
