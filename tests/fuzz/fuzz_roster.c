/* Fuzz target: the roster CSV parser (src/auth/roster.c, roster_parse) — a whole file. */
#include "fuzz.h"
#include "auth/roster.h"

#include <errno.h>

static const guint8 key[TOKEN_SECRET_LEN] = { 9 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GPtrArray *rows = NULL, *refused = NULL;
  char *err = NULL;
  int rc = roster_parse((const char *)data, size, key, &rows, &refused, &err);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK((rc == 0) == (err == NULL));
  if (rc == 0) {
    /* Every row is one a database CHECK takes, each member number once, lines in order. */
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    int last = 1;
    for (guint i = 0; i < rows->len; i++) {
      RosterRow *r = rows->pdata[i];
      size_t n = strlen(r->entry.member_number);
      glong name = g_utf8_strlen(r->entry.name, -1);
      FUZZ_CHECK(n >= 1 && n <= 64 && name >= 1 && name <= 100);
      FUZZ_CHECK(g_utf8_strlen(r->entry.unit, -1) <= 200);
      size_t h = strlen(r->entry.contact_hash);
      FUZZ_CHECK(h == 0 || h == 64);
      FUZZ_CHECK(g_hash_table_add(seen, r->entry.member_number));
      FUZZ_CHECK(r->line > last);
      last = r->line;
    }
    g_hash_table_unref(seen);
    for (guint i = 0; i < refused->len; i++) {
      RosterRefusal *f = refused->pdata[i];
      FUZZ_CHECK(f->line > 1 && f->reason && f->reason[0]);
    }
    g_ptr_array_unref(rows);
    g_ptr_array_unref(refused);
  }
  g_free(err);
  return 0;
}
