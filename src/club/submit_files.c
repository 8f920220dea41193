/* submit_files: a member's submission files to delete with their personal data. */
#include "club/submit_files.h"
#include "core/log.h"
#include "db/db_member_image.h"

#include <errno.h>
#include <glib/gstdio.h>

int submit_files_of_member(Db *db, const Config *cfg, const char *member, char ***out)
{
  char **names = NULL;
  int rc = db_member_image_unused(db, member, &names);
  if (rc < 0)
    return rc;
  g_autofree char *dir = config_images_dir(cfg);
  GPtrArray *paths = g_ptr_array_new();
  for (char **n = names; *n; n++)
    g_ptr_array_add(paths, g_build_filename(dir, *n, NULL));
  g_ptr_array_add(paths, NULL);
  g_strfreev(names);
  *out = (char **)g_ptr_array_free(paths, FALSE);
  return 0;
}

int submit_files_remove(char *const *paths, int *removed)
{
  int ret = 0, n = 0;
  for (char *const *p = paths; p && *p; p++) {
    if (g_unlink(*p) == 0) {
      n++;
    } else if (errno != ENOENT) {
      int e = errno;
      /* The path is a content hash under the data dir: nothing personal in the log. */
      log_warn("submit", "could not delete %s: %s", *p, g_strerror(e));
      if (ret == 0)
        ret = -e;
    }
  }
  if (removed)
    *removed = n;
  return ret;
}
