/* roster: importing the union's member list from CSV. */
#include "auth/roster.h"
#include "db/db_audit.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

#define NUMBER_MAX 64
#define NAME_MAX_CHARS 100
#define UNIT_MAX_CHARS 200

enum { COL_NUMBER, COL_NAME, COL_UNIT, COL_PHONE, COL_ID_NUMBER, COL_COUNT };
static const char *const col_names[COL_COUNT] = { "member_number", "name", "unit", "phone",
                                                  "id_number" };

void roster_row_free(RosterRow *r)
{
  if (!r)
    return;
  roster_entry_clear(&r->entry);
  g_free(r);
}

void roster_refusal_free(RosterRefusal *r)
{
  if (!r)
    return;
  g_free(r->reason);
  g_free(r);
}

void roster_report_clear(RosterReport *r)
{
  if (r->refused)
    g_ptr_array_unref(r->refused);
  memset(r, 0, sizeof *r);
}

int roster_contact_hash(const guint8 key[TOKEN_SECRET_LEN], const char *value, char **out)
{
  GString *norm = g_string_new("roster-contact:");
  size_t digits = 0;
  int ret = 0;
  for (const char *p = value; *p && ret == 0; p++) {
    if (*p == ' ' || *p == '-' || (*p == '+' && p == value))
      continue;
    if (g_ascii_isdigit(*p))
      digits++;
    else if (!((*p == 'x' || *p == 'X') && p[1] == '\0'))
      ret = -EINVAL;
    g_string_append_c(norm, g_ascii_toupper(*p));
  }
  if (ret == 0 && (digits < 5 || digits > 32))
    ret = -EINVAL;
  if (ret == 0)
    *out = token_hash(key, norm->str);
  g_string_free(norm, TRUE);
  return ret;
}

/* Splits one CSV record starting at *POS into FIELDS; moves *POS past it and counts the
 * newlines it spans in *LINES. Returns 0, or -EINVAL with *WHY (static) for an unclosed
 * quote or a quote inside an unquoted field; the record is skipped either way. */
static int next_record(const char *text, size_t len, size_t *pos, GPtrArray *fields, int *lines,
                       const char **why)
{
  GString *f = g_string_new(NULL);
  size_t i = *pos;
  int ret = 0;
  bool quoted = false, was_quoted = false;
  *lines = 1;
  for (; i < len; i++) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < len && text[i + 1] == '"') {
        g_string_append_c(f, '"');
        i++;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n')
          (*lines)++;
        g_string_append_c(f, c);
      }
    } else if (c == '"' && !f->len && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == '"' || (was_quoted && c != ',' && c != '\n' && c != '\r')) {
      /* Kept literally so the record still ends where it should; the line is refused. */
      if (ret == 0) {
        ret = -EINVAL;
        *why = c == '"' ? "a quote inside a field that does not start with one"
                        : "text after a quoted field's closing quote";
      }
      g_string_append_c(f, c);
    } else if (c == ',') {
      g_ptr_array_add(fields, g_string_free(f, FALSE));
      f = g_string_new(NULL);
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
        i++;
      i++;
      break;
    } else {
      g_string_append_c(f, c);
    }
  }
  if (quoted && ret == 0) {
    ret = -EINVAL;
    *why = "a quoted field is not closed";
  }
  g_ptr_array_add(fields, g_string_free(f, FALSE));
  *pos = i;
  return ret;
}

static void refuse(GPtrArray *refused, int line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void refuse(GPtrArray *refused, int line, const char *fmt, ...)
{
  RosterRefusal *r = g_new0(RosterRefusal, 1);
  va_list ap;
  va_start(ap, fmt);
  r->line = line;
  r->reason = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_ptr_array_add(refused, r);
}

/* The record's fields mapped to a roster row, or a reason in *WHY (caller frees). */
static int row_from_fields(GPtrArray *fields, const int map[COL_COUNT], const guint8 *key,
                           RosterEntry *e, char **why)
{
  const char *v[COL_COUNT] = { 0 };
  for (int c = 0; c < COL_COUNT; c++)
    v[c] = map[c] >= 0 ? g_strstrip((char *)fields->pdata[map[c]]) : "";
  size_t nlen = strlen(v[COL_NUMBER]);
  if (nlen == 0) {
    *why = g_strdup("member_number is empty");
    return -EINVAL;
  }
  if (nlen > NUMBER_MAX) {
    *why = g_strdup_printf("member_number is longer than %d characters", NUMBER_MAX);
    return -EINVAL;
  }
  for (const char *p = v[COL_NUMBER]; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') {
      *why = g_strdup("member_number may hold only letters, digits, '-' and '_'");
      return -EINVAL;
    }
  glong name_chars = g_utf8_strlen(v[COL_NAME], -1);
  if (name_chars == 0 || name_chars > NAME_MAX_CHARS) {
    *why = g_strdup_printf("name must be 1 to %d characters", NAME_MAX_CHARS);
    return -EINVAL;
  }
  if (g_utf8_strlen(v[COL_UNIT], -1) > UNIT_MAX_CHARS) {
    *why = g_strdup_printf("unit is longer than %d characters", UNIT_MAX_CHARS);
    return -EINVAL;
  }
  if (v[COL_PHONE][0] && v[COL_ID_NUMBER][0]) {
    *why = g_strdup("give a phone or an ID number, not both");
    return -EINVAL;
  }
  const char *contact = v[COL_PHONE][0] ? v[COL_PHONE] : v[COL_ID_NUMBER];
  char *hash = NULL;
  if (contact[0] && roster_contact_hash(key, contact, &hash) < 0) {
    /* The reason names the column, never the value: it may be shown or logged. */
    *why = g_strdup_printf("%s is not a number of 5 to 32 digits", v[COL_PHONE][0] ? "phone" : "id_number");
    return -EINVAL;
  }
  e->member_number = g_strdup(v[COL_NUMBER]);
  e->name = g_strdup(v[COL_NAME]);
  e->unit = g_strdup(v[COL_UNIT]);
  e->contact_hash = hash ? hash : g_strdup("");
  return 0;
}

int roster_parse(const char *text, size_t len, const guint8 key[TOKEN_SECRET_LEN],
                 GPtrArray **rows_out, GPtrArray **refused_out, char **err)
{
  if (!g_utf8_validate_len(text, len, NULL)) {
    *err = g_strdup("the file is not UTF-8 text (save it as CSV UTF-8)");
    return -EINVAL;
  }
  size_t pos = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;
  GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
  int lines = 0, line = 1, map[COL_COUNT];
  const char *why = NULL;
  int ret = next_record(text, len, &pos, fields, &lines, &why);
  for (int c = 0; c < COL_COUNT; c++)
    map[c] = -1;
  for (guint i = 0; ret == 0 && i < fields->len; i++) {
    const char *name = g_strstrip((char *)fields->pdata[i]);
    int c = 0;
    while (c < COL_COUNT && g_ascii_strcasecmp(name, col_names[c]) != 0)
      c++;
    if (c == COL_COUNT || map[c] >= 0) {
      *err = g_strdup_printf("line 1: column \"%s\" is %s (expected member_number, name and "
                             "optionally unit, phone, id_number)", name,
                             c == COL_COUNT ? "unknown" : "given twice");
      ret = -EINVAL;
    } else {
      map[c] = (int)i;
    }
  }
  if (ret == 0 && (map[COL_NUMBER] < 0 || map[COL_NAME] < 0)) {
    *err = g_strdup("line 1 must name the columns, at least member_number and name");
    ret = -EINVAL;
  } else if (ret < 0 && !*err) {
    *err = g_strdup_printf("line 1: %s", why);
  }
  guint ncols = fields->len;
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)roster_row_free);
  GPtrArray *refused = g_ptr_array_new_with_free_func((GDestroyNotify)roster_refusal_free);
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  line += lines;
  while (ret == 0 && pos < len) {
    int at = line;
    g_ptr_array_set_size(fields, 0);
    int r = next_record(text, len, &pos, fields, &lines, &why);
    line += lines;
    if (r == 0 && fields->len == 1 && ((char *)fields->pdata[0])[0] == '\0')
      continue; /* an empty line */
    if (rows->len + refused->len >= ROSTER_MAX_LINES) {
      *err = g_strdup_printf("more than %d lines: split the file", ROSTER_MAX_LINES);
      ret = -EINVAL;
      break;
    }
    if (r < 0) {
      refuse(refused, at, "%s", why);
      continue;
    }
    if (fields->len != ncols) {
      refuse(refused, at, "%u fields where the header has %u", fields->len, ncols);
      continue;
    }
    RosterRow *row = g_new0(RosterRow, 1);
    char *reason = NULL;
    row->line = at;
    if (row_from_fields(fields, map, key, &row->entry, &reason) < 0) {
      refuse(refused, at, "%s", reason);
      g_free(reason);
      roster_row_free(row);
      continue;
    }
    gpointer first = g_hash_table_lookup(seen, row->entry.member_number);
    if (first) {
      refuse(refused, at, "member_number %s is already on line %d", row->entry.member_number,
             GPOINTER_TO_INT(first));
      roster_row_free(row);
      continue;
    }
    g_hash_table_insert(seen, g_strdup(row->entry.member_number), GINT_TO_POINTER(at));
    g_ptr_array_add(rows, row);
  }
  g_hash_table_unref(seen);
  g_ptr_array_unref(fields);
  if (ret < 0) {
    g_ptr_array_unref(rows);
    g_ptr_array_unref(refused);
    return ret;
  }
  *rows_out = rows;
  *refused_out = refused;
  return 0;
}

static bool same_entry(const RosterEntry *a, const RosterEntry *b)
{
  return strcmp(a->name, b->name) == 0 && strcmp(a->unit, b->unit) == 0 &&
         strcmp(a->contact_hash, b->contact_hash) == 0;
}

int roster_import(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *text, size_t len,
                  const char *actor_id, const char *actor_name, RosterReport *report, char **err)
{
  GPtrArray *rows = NULL, *refused = NULL;
  memset(report, 0, sizeof *report);
  int ret = roster_parse(text, len, key, &rows, &refused, err);
  if (ret < 0)
    return ret;
  gint64 now = util_now();
  ret = db_begin(db);
  for (guint i = 0; ret == 0 && i < rows->len; i++) {
    RosterRow *row = rows->pdata[i];
    RosterEntry old = { 0 };
    int got = db_roster_get(db, row->entry.member_number, &old);
    if (got == 0 && same_entry(&old, &row->entry)) {
      report->unchanged++;
    } else if (got == 0 || got == -ENOENT) {
      ret = db_roster_put(db, &row->entry, now);
      if (ret == 0 && got == 0)
        report->updated++;
      else if (ret == 0)
        report->added++;
    } else {
      ret = got;
    }
    roster_entry_clear(&old);
  }
  if (ret == 0) {
    JsonObject *d = json_object_new();
    json_object_set_int_member(d, "added", report->added);
    json_object_set_int_member(d, "updated", report->updated);
    json_object_set_int_member(d, "unchanged", report->unchanged);
    json_object_set_int_member(d, "refused", refused->len);
    JsonNode *detail = json_node_init_object(json_node_alloc(), d);
    json_object_unref(d);
    /* Under "member": the roster is the member list (audit_log takes a fixed set of types). */
    ret = db_audit_add(db, actor_id, actor_name, "roster.import", "member", "roster", detail);
    json_node_unref(detail);
  }
  if (ret == 0)
    ret = db_commit(db);
  else
    db_rollback(db);
  g_ptr_array_unref(rows);
  if (ret < 0) {
    g_ptr_array_unref(refused);
    memset(report, 0, sizeof *report);
    return ret;
  }
  report->refused = refused;
  return 0;
}

JsonNode *roster_report_json(const RosterReport *r)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "added", r->added);
  json_object_set_int_member(o, "updated", r->updated);
  json_object_set_int_member(o, "unchanged", r->unchanged);
  JsonArray *a = json_array_new();
  for (guint i = 0; r->refused && i < r->refused->len; i++) {
    RosterRefusal *f = r->refused->pdata[i];
    JsonObject *x = json_object_new();
    json_object_set_int_member(x, "line", f->line);
    json_object_set_string_member(x, "reason", f->reason);
    json_array_add_object_element(a, x);
  }
  json_object_set_array_member(o, "refused", a);
  return json_node_init_object(json_node_alloc(), o);
}
