/* access_table: reading the access matrices (src/http/api_access.txt, src/http/ws_access.txt)
 * and their copies in docs/access.md, for test_api_access.c and test_ws_access.c.
 * Header-only (testutil does not link lectern). */
#pragma once

#include "testutil.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

/* The rows of a table file REL (from the source root): each a NULL-terminated array of its
 * fields; row 0 is the header. Comments (#) and blank lines are skipped. Unref the array. */
static inline GPtrArray *access_table_read(const char *rel)
{
  char *path = tu_source_path(rel), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
  char **lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    char *l = g_strstrip(lines[i]);
    if (!l[0] || l[0] == '#')
      continue;
    GPtrArray *fields = g_ptr_array_new();
    char **parts = g_strsplit_set(l, " \t", -1);
    for (int j = 0; parts[j]; j++)
      if (parts[j][0])
        g_ptr_array_add(fields, g_strdup(parts[j]));
    g_strfreev(parts);
    g_ptr_array_add(fields, NULL);
    g_ptr_array_add(rows, g_ptr_array_free(fields, FALSE));
  }
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  ck_assert_msg(rows->len >= 2, "%s has no rows", rel);
  for (guint i = 1; i < rows->len; i++)
    ck_assert_msg(g_strv_length(rows->pdata[i]) == g_strv_length(rows->pdata[0]),
                  "%s: row %u (%s) has %u fields, the header %u", rel, i, ((char **)rows->pdata[i])[0],
                  g_strv_length(rows->pdata[i]), g_strv_length(rows->pdata[0]));
  return rows;
}

/* The rows of the Markdown table in docs/access.md between "<!-- access: NAME -->" and
 * "<!-- /access -->", in the same shape (the separator row left out, `code` marks removed). */
static inline GPtrArray *access_table_from_doc(const char *name)
{
  char *path = tu_source_path("docs/access.md"), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  char *open = g_strdup_printf("<!-- access: %s -->", name);
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
  char **lines = g_strsplit(text, "\n", -1);
  bool inside = false, found = false;
  for (int i = 0; lines[i]; i++) {
    char *l = g_strstrip(lines[i]);
    if (!strcmp(l, open)) {
      inside = found = true;
      continue;
    }
    if (!strcmp(l, "<!-- /access -->"))
      inside = false;
    if (!inside || l[0] != '|' || g_str_has_prefix(l, "|-") || g_str_has_prefix(l, "| -"))
      continue;
    char **cells = g_strsplit(l, "|", -1);
    GPtrArray *fields = g_ptr_array_new();
    guint n = g_strv_length(cells);
    for (guint j = 1; j + 1 < n; j++) { /* the edges outside the first and last | */
      char **bare = g_strsplit(cells[j], "`", -1);
      char *cell = g_strjoinv("", bare);
      g_strfreev(bare);
      g_ptr_array_add(fields, g_strdup(g_strstrip(cell)));
      g_free(cell);
    }
    g_strfreev(cells);
    g_ptr_array_add(fields, NULL);
    g_ptr_array_add(rows, g_ptr_array_free(fields, FALSE));
  }
  ck_assert_msg(found, "docs/access.md has no table marked %s", open);
  g_strfreev(lines);
  g_free(open);
  g_free(text);
  g_free(path);
  return rows;
}

/* Fails listing every row of DOC that differs from the table file's (and the count). */
static inline void access_table_assert_same(GPtrArray *file, GPtrArray *doc, const char *name)
{
  GString *diff = g_string_new(NULL);
  for (guint i = 0; i < MAX(file->len, doc->len); i++) {
    char *a = i < file->len ? g_strjoinv(" ", file->pdata[i]) : g_strdup("(none)");
    char *b = i < doc->len ? g_strjoinv(" ", doc->pdata[i]) : g_strdup("(none)");
    if (strcmp(a, b) != 0)
      g_string_append_printf(diff, "\n  %s has \"%s\", docs/access.md \"%s\"", name, a, b);
    g_free(a);
    g_free(b);
  }
  ck_assert_msg(diff->len == 0, "docs/access.md differs from %s:%s", name, diff->str);
  g_string_free(diff, TRUE);
}

/* The index of column NAME in the header, failing when it is not there. */
static inline int access_table_column(GPtrArray *rows, const char *name)
{
  char **header = rows->pdata[0];
  for (int i = 0; header[i]; i++)
    if (!strcmp(header[i], name))
      return i;
  ck_abort_msg("the access table has no column %s", name);
  return -1;
}
