/* Tests for src/core/path.c: request paths never escape their root. */
#include "core/path.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
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

/* The one-call open below a root's descriptor: the file inside, and none of the ways out. */
START_TEST(open_beneath_a_root_descriptor)
{
  int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_ge(rfd, 0);
  int fd = -1;
  struct stat st;
  ck_assert_int_eq(path_open_beneath(rfd, "v1/index.m3u8", &fd, &st), 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(st.st_size, 8);
  char buf[16] = "";
  ck_assert_int_eq(read(fd, buf, sizeof buf), 8);
  ck_assert_str_eq(buf, "#EXTM3U\n");
  close(fd);
  /* a relative symlink staying inside is followed */
  char *in_link = g_build_filename(root, "same.m3u8", NULL);
  ck_assert_int_eq(symlink("v1/index.m3u8", in_link), 0);
  ck_assert_int_eq(path_open_beneath(rfd, "same.m3u8", &fd, &st), 0);
  close(fd);
  /* out of the root: an absolute symlink (refused even were it pointing inside), "..", an
   * escape by a relative symlink */
  ck_assert_int_eq(path_open_beneath(rfd, "escape.ts", &fd, &st), -EXDEV);
  char *up_link = g_build_filename(root, "up.db", NULL);
  ck_assert_int_eq(symlink("../secret.db", up_link), 0);
  ck_assert_int_eq(path_open_beneath(rfd, "up.db", &fd, &st), -EXDEV);
  ck_assert_int_eq(path_open_beneath(rfd, "../secret.db", &fd, &st), -EINVAL);
  ck_assert_int_eq(path_open_beneath(rfd, "v1/none.ts", &fd, &st), -ENOENT);
  ck_assert_int_eq(path_open_beneath(rfd, "v1", &fd, &st), -ENOENT);
  ck_assert_int_eq(path_open_beneath(rfd, "v1/index.m3u8/x", &fd, &st), -ENOENT);
  close(rfd);
  g_free(in_link);
  g_free(up_link);
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
  tcase_add_test(tc, open_beneath_a_root_descriptor);
  tcase_add_test(tc, missing_and_directories_are_enoent);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(path_suite)
