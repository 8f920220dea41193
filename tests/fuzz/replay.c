/* replay: runs a fuzz target's LLVMFuzzerTestOneInput over files and directories of inputs
 * (the kept regressions and the seeds), without libFuzzer, so every build — gcc, with or
 * without sanitizers — replays them as a test. A crash or a failed check ends the process. */
#include "fuzz.h"

#include <stdio.h>

static int passed;

static void run_file(const char *path)
{
  char *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_get_contents(path, &data, &len, &err)) {
    fprintf(stderr, "replay: %s\n", err->message);
    exit(1);
  }
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  g_free(data);
  passed++;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return; /* a target without regressions yet */
  if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
    run_file(path);
    return;
  }
  GDir *d = g_dir_open(path, 0, NULL);
  if (!d)
    return;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *n;
  while ((n = g_dir_read_name(d)))
    if (n[0] != '.')
      g_ptr_array_add(names, g_build_filename(path, n, NULL));
  g_dir_close(d);
  g_ptr_array_sort(names, by_name);
  for (guint i = 0; i < names->len; i++)
    run_path(names->pdata[i]);
  g_ptr_array_unref(names);
}

int main(int argc, char **argv)
{
  LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++)
    run_path(argv[i]);
  printf("%d passed, 0 failed\n", passed);
  return passed > 0 ? 0 : 1;
}
