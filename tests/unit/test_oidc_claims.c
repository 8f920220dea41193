/* Tests for src/auth/oidc_claims.c: claims mapped by the [oidc] claim keys, nested claims,
 * fallbacks, the verified claim and value, and userinfo merged only for the same subject. */
#include "auth/oidc_claims.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <string.h>

static JsonObject *obj(const char *json)
{
  JsonNode *n = json_from_string(json, NULL);
  ck_assert_ptr_nonnull(n);
  JsonObject *o = json_object_ref(json_node_get_object(n));
  json_node_unref(n);
  return o;
}

START_TEST(claims_are_mapped)
{
  JsonObject *c = obj("{\"sub\":\"u-1\",\"name\":\" 张三 \",\"union\":{\"no\":1001,\"unit\":\"市总工会\"},"
                      "\"rn\":true}");
  OidcClaimMap map = { "name", "union.no", "union.unit", "rn", "true" };
  OidcIdentity id;
  ck_assert_int_eq(oidc_claims_map(c, &map, &id), 0);
  ck_assert_str_eq(id.subject, "u-1");
  ck_assert_str_eq(id.display_name, "张三");
  ck_assert_str_eq(id.member_number, "1001");  /* a number claim read as text */
  ck_assert_str_eq(id.unit, "市总工会");
  ck_assert(id.verified);
  oidc_identity_clear(&id);
  OidcClaimMap other_value = { "name", "union.no", "union.unit", "rn", "yes" };
  ck_assert_int_eq(oidc_claims_map(c, &other_value, &id), 0);
  ck_assert(!id.verified);
  oidc_identity_clear(&id);
  OidcClaimMap unmapped = { "nick", "number", "", "", "true" };
  ck_assert_int_eq(oidc_claims_map(c, &unmapped, &id), 0);
  ck_assert_str_eq(id.display_name, "会员"); /* no name, no preferred_username */
  ck_assert_str_eq(id.member_number, "");
  ck_assert_str_eq(id.unit, "");
  ck_assert(!id.verified);
  oidc_identity_clear(&id);
  json_object_unref(c);
}
END_TEST

START_TEST(fallbacks_limits_and_no_subject)
{
  GString *long_name = g_string_new("{\"sub\":\"s\",\"preferred_username\":\"");
  for (int i = 0; i < 150; i++)
    g_string_append(long_name, "长");
  g_string_append(long_name, "\",\"number\":[1,2]}");
  JsonObject *c = obj(long_name->str);
  OidcClaimMap map = { "name", "number", "unit", "verified", "true" };
  OidcIdentity id;
  ck_assert_int_eq(oidc_claims_map(c, &map, &id), 0);
  ck_assert_int_eq(g_utf8_strlen(id.display_name, -1), 100); /* cut on a character */
  ck_assert_str_eq(id.member_number, "");                    /* an array is not text */
  oidc_identity_clear(&id);
  json_object_unref(c);
  g_string_free(long_name, TRUE);
  JsonObject *nosub = obj("{\"name\":\"x\"}"), *empty = obj("{\"sub\":\"\"}"), *numsub = obj("{\"sub\":{}}");
  ck_assert_int_eq(oidc_claims_map(nosub, &map, &id), -EINVAL);
  ck_assert_int_eq(oidc_claims_map(empty, &map, &id), -EINVAL);
  ck_assert_int_eq(oidc_claims_map(numsub, &map, &id), -EINVAL);
  json_object_unref(nosub), json_object_unref(empty), json_object_unref(numsub);
}
END_TEST

START_TEST(userinfo_merges_only_for_the_same_subject)
{
  JsonObject *base = obj("{\"sub\":\"a\",\"name\":\"令牌里的名字\"}");
  JsonObject *info = obj("{\"sub\":\"a\",\"name\":\"userinfo 的名字\",\"member_number\":\"1001\"}");
  JsonObject *other = obj("{\"sub\":\"b\",\"member_number\":\"9999\"}");
  ck_assert_int_eq(oidc_claims_merge(base, other), -EACCES);
  ck_assert(!json_object_has_member(base, "member_number"));
  ck_assert_int_eq(oidc_claims_merge(base, info), 0);
  g_autofree char *name = oidc_claims_text(base, "name");
  g_autofree char *num = oidc_claims_text(base, "member_number");
  ck_assert_str_eq(name, "令牌里的名字"); /* the ID token's claims stay */
  ck_assert_str_eq(num, "1001");
  json_object_unref(base), json_object_unref(info), json_object_unref(other);
}
END_TEST

static Suite *oidc_claims_suite(void)
{
  Suite *s = suite_create("oidc_claims");
  TCase *tc = tcase_create("oidc_claims");
  tcase_add_test(tc, claims_are_mapped);
  tcase_add_test(tc, fallbacks_limits_and_no_subject);
  tcase_add_test(tc, userinfo_merges_only_for_the_same_subject);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(oidc_claims_suite)
