/* Tests for src/club/vote_signal.c: many members from one address in a short time and bursts
 * of new members' votes are flagged; ordinary voting is not; nothing is changed by a report. */
#include "testutil.h"
#include "vote_fixture.h"

#include <string.h>

static JsonObject *report(const VoteSignalRules *r, JsonNode **keep)
{
  ck_assert_int_eq(vote_signal_report(db, contest->id, r, keep), 0);
  return json_node_get_object(*keep);
}

START_TEST(shared_address_flagged)
{
  /* Six members from one address within minutes; two from another an hour apart. */
  Member *ms[6];
  for (int i = 0; i < 6; i++) {
    g_autofree char *id = g_strdup_printf("m-same-%d", i);
    ms[i] = vf_member(id, true, false, base - 86400 * 30);
    ck_assert_int_eq(vf_cast_on(db, contest, ms[i], 0, base + i * 60, "198.51.100.1", NULL), VOTE_OK);
  }
  ck_assert_int_eq(vf_cast_on(db, contest, verified, 0, base, "198.51.100.2", NULL), VOTE_OK);
  ck_assert_int_eq(vf_cast_on(db, contest, verified2, 0, base + 3600, "198.51.100.2", NULL), VOTE_OK);
  VoteSignalRules r = VOTE_SIGNAL_RULES_DEFAULT;
  JsonNode *n = NULL;
  JsonObject *o = report(&r, &n);
  JsonArray *shared = json_object_get_array_member(o, "shared_addresses");
  ck_assert_int_eq(json_array_get_length(shared), 1);
  JsonObject *g = json_array_get_object_element(shared, 0);
  ck_assert_int_eq(json_object_get_int_member(g, "members"), 6);
  ck_assert_int_eq(json_object_get_int_member(g, "ballots"), 6);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(g, "ballot_ids")), 6);
  const char *addr = json_object_get_string_member(g, "address");
  ck_assert_int_eq(strlen(addr), 12);
  ck_assert_ptr_null(strstr(addr, "198"));
  /* Old members, no bursts of new ones. */
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "new_member_bursts")), 0);
  json_node_unref(n);
  /* Spread wider than the window, they are not one group. */
  r.window = 30;
  o = report(&r, &n);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "shared_addresses")), 0);
  json_node_unref(n);
  for (int i = 0; i < 6; i++)
    member_free(&ms[i]);
}
END_TEST

START_TEST(new_member_burst_flagged)
{
  VoteSignalRules r = { 600, 5, 86400, 4 };
  Member *ms[5];
  for (int i = 0; i < 5; i++) {
    g_autofree char *id = g_strdup_printf("m-new-%d", i);
    ms[i] = vf_member(id, true, false, base - 3600);  /* an hour old */
    ck_assert_int_eq(vf_cast_on(db, contest, ms[i], 1, base + i * 10, NULL, NULL), VOTE_OK);
  }
  /* An old member voting in the middle is not part of it. */
  ck_assert_int_eq(vf_cast_on(db, contest, verified, 1, base + 15, NULL, NULL), VOTE_OK);
  JsonNode *n = NULL;
  JsonObject *o = report(&r, &n);
  JsonArray *bursts = json_object_get_array_member(o, "new_member_bursts");
  ck_assert_int_eq(json_array_get_length(bursts), 1);
  JsonObject *g = json_array_get_object_element(bursts, 0);
  ck_assert_int_eq(json_object_get_int_member(g, "ballots"), 5);
  ck_assert_int_eq(json_object_get_int_member(g, "members"), 5);
  ck_assert(!json_object_has_member(g, "address"));
  json_node_unref(n);
  /* Below the threshold: not flagged. */
  r.min_new = 6;
  o = report(&r, &n);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "new_member_bursts")), 0);
  json_node_unref(n);
  /* A report changes nothing. */
  VoteTally *t = NULL;
  ck_assert_int_eq(vote_tally_count(db, contest->id, 0, &t), 0);
  ck_assert_int_eq(t->valid, 6);
  ck_assert_int_eq(t->invalidated, 0);
  vote_tally_free(&t);
  for (int i = 0; i < 5; i++)
    member_free(&ms[i]);
}
END_TEST

static Suite *vote_signal_suite(void)
{
  Suite *s = suite_create("vote_signal");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, vf_setup, vf_teardown);
  tcase_add_test(tc, shared_address_flagged);
  tcase_add_test(tc, new_member_burst_flagged);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(vote_signal_suite)
