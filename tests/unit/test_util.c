/* Tests for src/core/util.c: encodings, ids, constant-time compare, time format, JSON text. */
#include "core/util.h"
#include "testutil.h"

#include <string.h>

START_TEST(base64url_has_no_padding_or_unsafe_chars)
{
  const guint8 data[] = { 0xfb, 0xff, 0xfe };
  char *s = util_base64url(data, sizeof data);
  ck_assert_str_eq(s, "-__-");
  g_free(s);
  const guint8 one[] = { 'a' };
  s = util_base64url(one, 1);
  ck_assert_str_eq(s, "YQ");
  g_free(s);
}
END_TEST

START_TEST(random_ids_are_url_safe_and_distinct)
{
  char *a = util_random_id(9), *b = util_random_id(9);
  ck_assert_uint_eq(strlen(a), 12);
  ck_assert_str_ne(a, b);
  for (const char *p = a; *p; p++)
    ck_assert(g_ascii_isalnum(*p) || *p == '-' || *p == '_');
  g_free(a);
  g_free(b);
  /* Never a leading '-' or '_' (an id must not read as a command-line option); with one
   * in 32 ids starting so if unguarded, 2000 ids would show it. */
  for (int i = 0; i < 2000; i++) {
    char *id = util_random_id(8);
    ck_assert_msg(g_ascii_isalnum(id[0]), "id %s", id);
    g_free(id);
  }
}
END_TEST

START_TEST(hex_and_compare)
{
  const guint8 d[] = { 0x00, 0xab, 0x7f };
  char *h = util_hex(d, 3);
  ck_assert_str_eq(h, "00ab7f");
  g_free(h);
  ck_assert(util_const_eq("abc", "abc", 3));
  ck_assert(!util_const_eq("abc", "abd", 3));
  ck_assert(util_const_eq("x", "y", 0));
}
END_TEST

START_TEST(iso8601_is_utc)
{
  char *s = util_iso8601(0);
  ck_assert_str_eq(s, "1970-01-01T00:00:00Z");
  g_free(s);
  s = util_iso8601(1795000000);
  ck_assert_str_eq(s, "2026-11-18T11:06:40Z");
  g_free(s);
}
END_TEST

/* Every control character comes out escaped, U+001F too (json-glib 1.6.6 writes it raw), in
 * member names and values, compact and pretty; nothing else changes. */
START_TEST(json_text_escapes_every_control_character)
{
  JsonObject *o = json_object_new();
  GString *all = g_string_new(NULL);
  for (int c = 1; c < 0x20; c++)
    g_string_append_c(all, (char)c);
  g_string_append(all, "学\x7f");
  json_object_set_string_member(o, all->str, all->str);
  json_object_set_string_member(o, "unit\x1fseparator", "a\x1f\x1f" "b");
  JsonNode *n = json_node_init_object(json_node_alloc(), o);
  for (int pretty = 0; pretty <= 1; pretty++) {
    char *text = util_json_text(n, pretty);
    for (const char *p = text; *p; p++)
      ck_assert_msg((unsigned char)*p >= 0x20 || (pretty && *p == '\n'), "raw control byte %#x in %s",
                    (unsigned char)*p, text);
    ck_assert_ptr_nonnull(strstr(text, "\"a\\u001f\\u001fb\""));
    ck_assert_ptr_nonnull(strstr(text, "unit\\u001fseparator"));
    JsonNode *back = json_from_string(text, NULL);
    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(json_object_get_string_member(json_node_get_object(back), all->str), all->str);
    ck_assert_str_eq(json_object_get_string_member(json_node_get_object(back), "unit\x1fseparator"), "a\x1f\x1f" "b");
    json_node_unref(back);
    g_free(text);
  }
  /* Without U+001F the text is json-glib's own. */
  JsonObject *plain = json_object_new();
  json_object_set_string_member(plain, "type", "学 \"x\"");
  JsonNode *pn = json_node_init_object(json_node_alloc(), plain);
  char *mine = util_json_text(pn, false), *theirs = json_to_string(pn, FALSE);
  ck_assert_str_eq(mine, theirs);
  g_free(mine);
  g_free(theirs);
  json_node_unref(pn);
  json_object_unref(plain);
  json_node_unref(n);
  json_object_unref(o);
  g_string_free(all, TRUE);
}
END_TEST

static Suite *util_suite(void)
{
  Suite *s = suite_create("util");
  TCase *tc = tcase_create("util");
  tcase_add_test(tc, base64url_has_no_padding_or_unsafe_chars);
  tcase_add_test(tc, random_ids_are_url_safe_and_distinct);
  tcase_add_test(tc, hex_and_compare);
  tcase_add_test(tc, iso8601_is_utc);
  tcase_add_test(tc, json_text_escapes_every_control_character);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(util_suite)
