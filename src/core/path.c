/* path: maps a request path onto a file under a root, refusing anything that could escape it. */
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <glib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int path_check_relative(const char *rel)
{
  if (!rel || !rel[0])
    return -EINVAL;
  size_t len = strlen(rel);
  if (len > PATH_REL_MAX || rel[0] == '/')
    return -EINVAL;

  const char *seg = rel;
  for (size_t i = 0; i <= len; i++) {
    unsigned char ch = (unsigned char)rel[i];
    if (ch == '/' || ch == '\0') {
      size_t seglen = (size_t)(&rel[i] - seg);
      if (seglen == 0 || seg[0] == '.')
        return -EINVAL; /* empty, ".", "..", and hidden files */
      seg = &rel[i + 1];
      continue;
    }
    if (ch < 0x20 || ch == 0x7f || ch == '%' || ch == '\\')
      return -EINVAL;
  }
  return 0;
}

int path_resolve_file(const char *root, const char *rel, char **out)
{
  char real_root[PATH_MAX];
  int ret = path_check_relative(rel);
  if (ret < 0)
    return ret;
  if (!realpath(root, real_root))
    return -ENOENT;
  return path_resolve_file_in(real_root, rel, out);
}

int path_resolve_file_in(const char *real_root, const char *rel, char **out)
{
  char real_file[PATH_MAX];
  int ret = path_check_relative(rel);
  if (ret < 0)
    return ret;
  char *joined = g_build_filename(real_root, rel, NULL);
  if (!realpath(joined, real_file)) {
    ret = -ENOENT;
    goto out;
  }
  size_t rlen = strlen(real_root);
  if (strncmp(real_file, real_root, rlen) != 0 || real_file[rlen] != '/') {
    ret = -EPERM;
    goto out;
  }
  struct stat st;
  if (stat(real_file, &st) < 0 || !S_ISREG(st.st_mode)) {
    ret = -ENOENT;
    goto out;
  }
  *out = g_strdup(real_file);
  ret = 0;
out:
  g_free(joined);
  return ret;
}

int path_open_beneath(int root_fd, const char *rel, int *fd, struct stat *st)
{
  int ret = path_check_relative(rel);
  if (ret < 0)
    return ret;
  /* O_NONBLOCK: a FIFO put in the tree must not hold the caller in open(); it has no effect
   * on a regular file. */
  struct open_how how = {
    .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  int f = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
  if (f < 0)
    return errno == ENOTDIR || errno == ELOOP ? -ENOENT : -errno;
  if (fstat(f, st) < 0 || !S_ISREG(st->st_mode)) {
    close(f);
    return -ENOENT;
  }
  *fd = f;
  return 0;
}
