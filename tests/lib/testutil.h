/* testutil: temp dirs and the Check main shared by the unit tests. */
#pragma once

#include <check.h>
#include <glib/gstdio.h>
#include <glib.h>
#include <stdlib.h>

/* A fresh directory under $TMPDIR; remove with tu_rmtree(). */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);
/* Path of a file in the source tree (LECTERN_SOURCE_DIR). Caller frees. */
char *tu_source_path(const char *rel);
/* Writes TEXT to DIR/NAME and returns the path (caller frees). */
char *tu_write(const char *dir, const char *name, const char *text);

/* Copies the template database of this build ($LECTERN_TEST_DB_TEMPLATE, migrated once by
 * tests/tools/db_template.c) to PATH, so that db_open(PATH) finds the schema current and
 * runs no migration: sixteen migrations per test case were most of the unit tests' time
 * under ASan. Does nothing when PATH exists (it is a database already) or the variable is
 * unset (a test binary run by hand: db_open migrates from empty as before). test_db checks
 * the template equals a fresh migration and migrates from empty itself. */
void tu_db_seed(const char *path);

/* The UTC day OFFSET days from now as "YYYY-MM-DD" (interned: never freed nor changed; a char * to fit the structs' fields). Tests open
 * campaigns and windows around now with it, never on fixed dates. */
char *tu_day(int offset);

/* What can be read from FD now (up to 16 KiB), as a string. Caller frees. */
char *tu_read_available(int fd);

/* Runs SUITE with Check's normal output (its summary line is what CI reads). */
#define TU_MAIN(suite_fn)                            \
  int main(void)                                     \
  {                                                  \
    SRunner *sr = srunner_create(suite_fn());        \
    srunner_run_all(sr, CK_NORMAL);                  \
    int failed = srunner_ntests_failed(sr);          \
    srunner_free(sr);                                \
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;     \
  }
