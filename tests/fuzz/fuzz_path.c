/* Fuzz target: request-path validation (src/core/path.c) — a decoded URL path checked, then
 * resolved under a root holding a file, a directory and symlinks in and out of it. Whatever
 * resolves must be a file inside the root. */
#include "fuzz.h"
#include "core/path.h"

#include <errno.h>
#include <sys/stat.h>

static char *root, *real_root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  root = g_build_filename(fuzz_scratch(), "root", NULL);
  char *sub = g_build_filename(root, "hls", "v1", NULL);
  FUZZ_CHECK(g_mkdir_with_parents(sub, 0755) == 0);
  char *f = g_build_filename(sub, "index.m3u8", NULL);
  FUZZ_CHECK(g_file_set_contents(f, "#EXTM3U\n", -1, NULL));
  char *in = g_build_filename(root, "inside", NULL), *out = g_build_filename(root, "outside", NULL);
  FUZZ_CHECK(symlink("hls/v1/index.m3u8", in) == 0);
  FUZZ_CHECK(symlink("/etc/passwd", out) == 0);
  real_root = realpath(root, NULL);
  FUZZ_CHECK(real_root);
  g_free(sub), g_free(f), g_free(in), g_free(out);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *rel = g_strndup((const char *)data, size); /* a C string ends at a NUL, as lws's */
  int rc = path_check_relative(rel);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  char *out = NULL;
  int rrc = path_resolve_file(root, rel, &out);
  FUZZ_CHECK(rrc == 0 || rrc == -EINVAL || rrc == -EPERM || rrc == -ENOENT);
  FUZZ_CHECK((rrc == -EINVAL) == (rc == -EINVAL));
  if (rrc == 0) {
    size_t n = strlen(real_root);
    FUZZ_CHECK(out && strncmp(out, real_root, n) == 0 && out[n] == '/');
    struct stat st;
    FUZZ_CHECK(stat(out, &st) == 0 && S_ISREG(st.st_mode));
  }
  g_free(out);
  g_free(rel);
  return 0;
}
