/* Tests for src/lottery/lottery_draw.c: the published vectors (made by the independent
 * reference tests/unit/data/lottery_vector.py), tickets in proportion (chi-square over many
 * seeded draws), one prize per member, the canonical record, and the verifier catching a
 * tampered entry list, public value or pick. */
#include "lottery/lottery_draw.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *read_vector(const char *name, gsize *len)
{
  char *rel = g_build_filename("tests/unit/data", name, NULL);
  char *path = tu_source_path(rel);
  char *text = NULL;
  ck_assert(g_file_get_contents(path, &text, len, NULL));
  g_free(path);
  g_free(rel);
  g_strchomp(text);
  *len = strlen(text);
  return text;
}

static char *replace_once(const char *text, const char *from, const char *to)
{
  const char *at = strstr(text, from);
  ck_assert_msg(at != NULL, "%s not in the record", from);
  return g_strdup_printf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

/* The vector's record, parsed and drawn again, is the same bytes: the C draw and the
 * reference agree on every pick and on the canonical form. */
static void check_vector(const char *name)
{
  gsize len;
  char *text = read_vector(name, &len);
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  ck_assert_int_eq(lottery_verify(text, len, NULL, problems), 0);
  ck_assert_uint_eq(problems->len, 0);
  LotteryDrawInput *in = NULL;
  LotteryDrawResult *stated = NULL, *res = NULL;
  char *err = NULL;
  ck_assert_int_eq(lottery_record_parse(text, len, &in, &stated, &err), 0);
  ck_assert_int_eq(lottery_draw_run(in, &res), 0);
  char *again = lottery_record_json(in, res);
  ck_assert_str_eq(again, text);
  g_free(again);
  lottery_draw_result_free(&res);
  lottery_draw_result_free(&stated);
  lottery_draw_input_free(&in);
  g_ptr_array_unref(problems);
  g_free(text);
}

START_TEST(reproduces_the_published_vectors)
{
  check_vector("lottery_vector.json");
  check_vector("lottery_vector_tickets.json");

  /* The winners, written out: the vector is published with them. */
  gsize len;
  char *text = read_vector("lottery_vector.json", &len);
  LotteryDrawInput *in = NULL;
  LotteryDrawResult *res = NULL, *stated = NULL;
  char *err = NULL;
  ck_assert_int_eq(lottery_record_parse(text, len, &in, &stated, &err), 0);
  ck_assert_int_eq(lottery_draw_run(in, &res), 0);
  static const char *winners[] = { "755c6d5b3311c94b", "ce3f96cb9af962c7", "bfbedd22bdd1f8d0",
                                   "ddac797e398d1e76", "d1d87b29742025e8", "f261ed9a38f88042",
                                   "9811fb1b3afa5a09", "ef4cf60d5f478e1a", "1daba06fb110d549",
                                   "b78dc66a23b8efe8" };
  ck_assert_uint_eq(res->n_picks, G_N_ELEMENTS(winners));
  ck_assert_int_eq(res->prizes, 8);
  for (size_t i = 0; i < res->n_picks; i++)
    ck_assert_str_eq(in->entries[res->picks[i].entry].code, winners[i]);
  ck_assert_int_eq(res->picks[0].tier, 0);
  ck_assert_int_eq(res->picks[7].tier, 2);
  ck_assert_int_eq(res->picks[8].tier, -1);
  ck_assert_int_eq(res->picks[0].remaining, 43);
  ck_assert_int_eq(res->picks[0].offset, 11);
  ck_assert_str_eq(res->key, "8c900180bc0442269db66ced60ebe28d26d7fe67dff6cb4763a422bd26e9f8f3/"
                             "05 11 17 23 29 31 + 08/drand round 4242/");
  lottery_draw_result_free(&res);
  lottery_draw_result_free(&stated);
  lottery_draw_input_free(&in);
  g_free(text);
}
END_TEST

static LotteryDrawInput *input_of(const gint64 *tickets, size_t n, gint64 prizes, bool one_prize,
                                  gint64 reserve_percent, const char *value)
{
  LotteryDrawInput *in = g_new0(LotteryDrawInput, 1);
  in->one_prize_per_member = one_prize;
  in->reserve_percent = reserve_percent;
  in->n_tiers = 1;
  in->tiers = g_new0(LotteryTier, 1);
  in->tiers[0].name = g_strdup("奖");
  in->tiers[0].value = g_strdup("");
  in->tiers[0].quantity = prizes;
  in->n_entries = n;
  in->entries = g_new0(LotteryEntry, n);
  for (size_t i = 0; i < n; i++) {
    g_snprintf(in->entries[i].code, sizeof in->entries[i].code, "%016zx", i + 1);
    in->entries[i].tickets = tickets[i];
  }
  in->n_values = 1;
  in->public_values = g_new0(char *, 2);
  in->public_values[0] = g_strdup(value);
  return in;
}

/* Over 20,000 draws with seeded public values, each member wins the first prize in
 * proportion to their tickets: chi-square with 4 degrees of freedom under 18.47 (p = 0.001).
 * The seeds are fixed, so the figure is the same on every run. */
START_TEST(chances_are_proportional_to_tickets)
{
  static const gint64 tickets[] = { 1, 2, 3, 4, 10 };
  gint64 wins[5] = { 0 };
  const int draws = 20000;
  for (int d = 0; d < draws; d++) {
    char seed[32];
    g_snprintf(seed, sizeof seed, "seed %d", d);
    LotteryDrawInput *in = input_of(tickets, 5, 1, true, 0, seed);
    LotteryDrawResult *res = NULL;
    ck_assert_int_eq(lottery_draw_run(in, &res), 0);
    ck_assert_uint_eq(res->n_picks, 1);
    wins[res->picks[0].entry]++;
    lottery_draw_result_free(&res);
    lottery_draw_input_free(&in);
  }
  double chi2 = 0;
  for (int i = 0; i < 5; i++) {
    double expected = draws * (double)tickets[i] / 20.0;
    chi2 += (wins[i] - expected) * (wins[i] - expected) / expected;
  }
  ck_assert_msg(chi2 < 18.47, "chi-square %.2f (wins %ld %ld %ld %ld %ld)", chi2, (long)wins[0],
                (long)wins[1], (long)wins[2], (long)wins[3], (long)wins[4]);
}
END_TEST

/* A member wins at most once; tiers fill in order; reserves come after; a draw with fewer
 * entrants than prizes stops when nobody is left. Without one prize per member a ticket,
 * not a member, leaves with each pick. */
START_TEST(a_member_wins_at_most_once)
{
  static const gint64 tickets[] = { 50, 1, 1 };
  LotteryDrawInput *in = input_of(tickets, 3, 5, true, 10, "x");
  LotteryDrawResult *res = NULL;
  ck_assert_int_eq(lottery_draw_run(in, &res), 0);
  ck_assert_uint_eq(res->n_picks, 3);
  ck_assert(res->picks[0].entry != res->picks[1].entry && res->picks[1].entry != res->picks[2].entry &&
            res->picks[0].entry != res->picks[2].entry);
  gint64 sum = res->picks[0].remaining;
  ck_assert_int_eq(sum, 52);
  ck_assert_int_eq(res->picks[1].remaining, 52 - tickets[res->picks[0].entry]);
  lottery_draw_result_free(&res);
  in->one_prize_per_member = false;
  ck_assert_int_eq(lottery_draw_run(in, &res), 0);
  ck_assert_uint_eq(res->n_picks, 6); /* 5 prizes + ceil(5 * 10 %) = 1 reserve */
  ck_assert_int_eq(res->prizes, 5);
  ck_assert_int_eq(res->picks[5].tier, -1);
  for (size_t i = 0; i < res->n_picks; i++)
    ck_assert_int_eq(res->picks[i].remaining, 52 - (gint64)i);
  lottery_draw_result_free(&res);
  lottery_draw_input_free(&in);

  ck_assert_int_eq(lottery_reserve_count(1014, 10), 102);
  ck_assert_int_eq(lottery_reserve_count(10, 10), 1);
  ck_assert_int_eq(lottery_reserve_count(7, 0), 0);
}
END_TEST

START_TEST(tampering_is_reported)
{
  gsize len;
  char *text = read_vector("lottery_vector.json", &len);
  GPtrArray *p = g_ptr_array_new_with_free_func(g_free);
  LotteryDrawInput *in = NULL;
  LotteryDrawResult *st = NULL;
  char *err = NULL;
  ck_assert_int_eq(lottery_record_parse(text, len, &in, &st, &err), 0);
  char commitment[LOTTERY_SHA256_HEX + 1];
  memcpy(commitment, st->entries_sha256, sizeof commitment);
  char *code0 = g_strdup(in->entries[0].code);
  lottery_draw_result_free(&st);
  lottery_draw_input_free(&in);

  /* The right commitment: all agree. */
  ck_assert_int_eq(lottery_verify(text, len, commitment, p), 0);

  /* One more ticket for the first entry: the list no longer hashes to the stated value. */
  char *from = g_strdup_printf("[\"%s\",", code0);
  char *entry_at = strstr(text, from);
  ck_assert(entry_at);
  char *tampered = g_strdup(text);
  char *digit = tampered + (entry_at - text) + strlen(from);
  *digit = (char)(*digit == '9' ? '8' : *digit + 1);
  ck_assert_int_eq(lottery_verify(tampered, strlen(tampered), NULL, p), -EBADMSG);
  ck_assert(strstr(g_ptr_array_index(p, 0), "stated entries_sha256"));
  g_ptr_array_set_size(p, 0);

  /* The same list with its hash made to match: the published commitment still catches it. */
  in = NULL;
  ck_assert_int_eq(lottery_record_parse(tampered, strlen(tampered), &in, &st, &err), 0);
  char sha[LOTTERY_SHA256_HEX + 1];
  lottery_entries_sha256(in->entries, in->n_entries, sha);
  char *resealed = replace_once(tampered, commitment, sha);
  ck_assert_int_eq(lottery_verify(resealed, strlen(resealed), commitment, p), -EBADMSG);
  ck_assert(strstr(g_ptr_array_index(p, 0), "commitment published at the freeze"));
  g_ptr_array_set_size(p, 0);
  lottery_draw_result_free(&st);
  lottery_draw_input_free(&in);

  /* Another public value: the key and the picks differ. */
  char *value = replace_once(text, "drand round 4242", "drand round 4243");
  ck_assert_int_eq(lottery_verify(value, strlen(value), commitment, p), -EBADMSG);
  ck_assert(strstr(g_ptr_array_index(p, 0), "the key from the public values"));
  ck_assert_uint_ge(p->len, 2);
  g_ptr_array_set_size(p, 0);

  /* A winner swapped for another entrant. */
  char *pick = replace_once(text, "\"code\":\"755c6d5b3311c94b\"", "\"code\":\"b78dc66a23b8efe8\"");
  ck_assert_int_eq(lottery_verify(pick, strlen(pick), NULL, p), -EBADMSG);
  ck_assert_uint_eq(p->len, 1);
  ck_assert(strstr(g_ptr_array_index(p, 0), "pick 1: recomputed winner 755c6d5b3311c94b"));
  g_ptr_array_set_size(p, 0);

  /* Not a record at all. */
  ck_assert_int_eq(lottery_verify("{\"format\":\"x\"}", 14, NULL, p), -EINVAL);
  ck_assert_int_eq(lottery_verify("[1,", 3, NULL, p), -EINVAL);

  g_free(pick);
  g_free(value);
  g_free(resealed);
  g_free(tampered);
  g_free(from);
  g_free(code0);
  g_ptr_array_unref(p);
  g_free(text);
}
END_TEST

START_TEST(entry_codes_values_and_keys)
{
  static const guint8 secret[32] = { 7 };
  char a[17], b[17], c[17];
  lottery_entry_code(secret, sizeof secret, 1, "m1", a);
  lottery_entry_code(secret, sizeof secret, 2, "m1", b);
  lottery_entry_code(secret, sizeof secret, 1, "m1", c);
  ck_assert_uint_eq(strlen(a), 16);
  ck_assert_str_eq(a, c);
  ck_assert_str_ne(a, b);

  LotteryEntry e[3] = { { "00000000000000bb", 1 }, { "00000000000000aa", 2 }, { "00000000000000bb", 3 } };
  ck_assert_int_eq(lottery_entries_sort(e, 3), -EINVAL); /* two entries, one code */
  ck_assert_int_eq(lottery_entries_sort(e, 2), 0);
  ck_assert_str_eq(e[0].code, "00000000000000aa");
  char *list = lottery_entries_text(e, 2);
  ck_assert_str_eq(list, "00000000000000aa 2\n00000000000000bb 1\n");
  g_free(list);
  LotteryEntry upper[1] = { { "00000000000000AA", 1 } };
  ck_assert_int_eq(lottery_entries_sort(upper, 1), -EINVAL);

  char *v = NULL;
  ck_assert_int_eq(lottery_value_normalise("  12 34\t", &v), 0);
  ck_assert_str_eq(v, "12 34");
  g_free(v);
  ck_assert_int_eq(lottery_value_normalise("   ", &v), -EINVAL);
  ck_assert_int_eq(lottery_value_normalise("1/2", &v), -EINVAL);
  ck_assert_int_eq(lottery_value_normalise("a\nb", &v), -EINVAL);
  ck_assert_int_eq(lottery_value_normalise("\xff", &v), -EINVAL);

  char *vals[] = { "b", " a " };
  char *key = NULL;
  ck_assert_int_eq(lottery_key("h", vals, 2, &key), 0);
  ck_assert_str_eq(key, "h/a/b/");
  g_free(key);
  ck_assert_int_eq(lottery_key("h", vals, 0, &key), -EINVAL);
}
END_TEST

static Suite *lottery_draw_suite(void)
{
  Suite *s = suite_create("lottery_draw");
  TCase *tc = tcase_create("lottery_draw");
  tcase_add_test(tc, reproduces_the_published_vectors);
  tcase_add_test(tc, chances_are_proportional_to_tickets);
  tcase_add_test(tc, a_member_wins_at_most_once);
  tcase_add_test(tc, tampering_is_reported);
  tcase_add_test(tc, entry_codes_values_and_keys);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(lottery_draw_suite)
