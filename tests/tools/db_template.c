/* db_template: migrates a new database at PATH from empty to the latest schema, once per
 * build; the unit tests copy it (tu_db_seed) instead of running every migration for every
 * test case. test_db's template_equals_fresh_migration checks it against a fresh migration.
 *   db_template PATH */
#include "db/db.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: db_template PATH\n");
    return 2;
  }
  /* A rebuild starts from empty again, never from the last template. */
  const char *suffix[] = { "", "-wal", "-shm" };
  for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
    char *p = g_strconcat(argv[1], suffix[i], NULL);
    g_remove(p);
    g_free(p);
  }
  Db *db = NULL;
  char *err = NULL;
  if (db_open(argv[1], 0, &db, &err) < 0) {
    fprintf(stderr, "db_template: %s\n", err ? err : "cannot migrate");
    g_free(err);
    return 1;
  }
  db_close(&db);  /* checkpoints the WAL into the file: the file alone is the database */
  return 0;
}
