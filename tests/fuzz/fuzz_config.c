/* Fuzz target: the config file parser (src/core/config.c: GKeyFile, then every key checked
 * against the table) — a file's bytes, read from a memory file by its path, over defaults. */
#define _GNU_SOURCE
#include "fuzz.h"
#include "core/config.h"

#include <errno.h>
#include <sys/mman.h>

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  fd = memfd_create("lectern-fuzz.conf", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  g_snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
  Config c;
  config_init_defaults(&c);
  char *err = NULL;
  int rc = config_load_file(&c, path, &err);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EIO || rc == -ENOENT);
  FUZZ_CHECK((rc == 0) == (err == NULL));
  if (rc == 0) {
    /* Everything read is within the table's bounds. */
    for (const ConfKey *k = config_keys; k->key; k++) {
      if (k->type == CONF_INT || k->type == CONF_SIZE) {
        gint64 v = *(const gint64 *)((const char *)&c + k->offset);
        FUZZ_CHECK(v >= k->min && v <= k->max);
      }
    }
  }
  g_free(err);
  config_clear(&c);
  return 0;
}
