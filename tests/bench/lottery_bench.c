/* The lottery benchmark (tests/bench/bench_lottery.sh runs it; a benchmark, not a test): the
 * draw of MEMBERS entries holding TICKETS tickets for 14 + 500 + 500 prizes and 10 %
 * reserves — the pure function with its record and verification, then the whole thing on
 * SQLite (freeze, draw, picks, prizes, one transaction) — with time and peak memory; then
 * ticket purchases per second from THREADS connections at once, with the ledger checked
 * after. Prints figures, asserts only that the ledger held.
 * Usage: lottery_bench DIR [MEMBERS [TICKETS [THREADS [SECONDS]]]] */
#include "core/util.h"
#include "db/db.h"
#include "db/db_lottery.h"
#include "db/db_member.h"
#include "db/db_points.h"
#include "lottery/lottery_draw.h"
#include "lottery/lottery_service.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const guint8 secret[32] = { 9 };

static double now_s(void)
{
  return (double)g_get_monotonic_time() / 1e6;
}

static long rss_peak_kib(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* Tickets per member: deterministic, 1 to 19, then trimmed or topped up to TOTAL. */
static gint64 *ticket_counts(gint64 members, gint64 total)
{
  gint64 *t = g_new(gint64, members);
  guint32 x = 12345;
  gint64 sum = 0;
  for (gint64 i = 0; i < members; i++) {
    x = x * 1103515245u + 12345u;
    t[i] = 1 + (x >> 16) % 19;
    sum += t[i];
  }
  for (gint64 i = 0; sum != total; i = (i + 1) % members) {
    if (sum < total) {
      t[i]++;
      sum++;
    } else if (t[i] > 1) {
      t[i]--;
      sum--;
    }
  }
  return t;
}

static void bench_pure(gint64 members, gint64 total)
{
  gint64 *t = ticket_counts(members, total);
  long rss0 = rss_peak_kib();
  double t0 = now_s();
  LotteryDrawInput in = { .one_prize_per_member = true, .reserve_percent = 10 };
  LotteryTier tiers[3] = { { "手机券", 14, "" }, { "电影券", 500, "50 元" }, { "商场券", 500, "100 元" } };
  in.tiers = tiers;
  in.n_tiers = 3;
  in.n_entries = (size_t)members;
  in.entries = g_new(LotteryEntry, members);
  for (gint64 i = 0; i < members; i++) {
    char id[32];
    g_snprintf(id, sizeof id, "member-%" G_GINT64_FORMAT, i);
    lottery_entry_code(secret, sizeof secret, 1, id, in.entries[i].code);
    in.entries[i].tickets = t[i];
  }
  if (lottery_entries_sort(in.entries, in.n_entries) < 0) {
    fprintf(stderr, "entry codes collide\n");
    exit(2);
  }
  double t1 = now_s();
  char *values[] = { "03 11 17 22 25 31 + 09", "drand 5000000" };
  in.public_values = values;
  in.n_values = 2;
  LotteryDrawResult *res = NULL;
  if (lottery_draw_run(&in, &res) < 0)
    exit(2);
  double t2 = now_s();
  char *record = lottery_record_json(&in, res);
  double t3 = now_s();
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  int v = lottery_verify(record, strlen(record), res->entries_sha256, problems);
  double t4 = now_s();
  printf("draw (pure): %" G_GINT64_FORMAT " members, %" G_GINT64_FORMAT " tickets, %zu picks (%" G_GINT64_FORMAT
         " prizes + %zu reserves)\n", members, total, res->n_picks, res->prizes, res->n_picks - (size_t)res->prizes);
  printf("  entry codes + sort + hash: %.3f s; picks: %.3f s; record (%.1f MB): %.3f s; verify: %.3f s (%s)\n",
         t1 - t0, t2 - t1, strlen(record) / 1e6, t3 - t2, t4 - t3, v == 0 ? "ok" : "FAILED");
  printf("  peak RSS grew by %.1f MiB\n", (rss_peak_kib() - rss0) / 1024.0);
  g_ptr_array_unref(problems);
  g_free(record);
  lottery_draw_result_free(&res);
  g_free(in.entries);
  g_free(t);
}

static gint64 lottery_with_draw(Db *db, gint64 now, gint64 max_tickets, gint64 *draw)
{
  Lottery l = { .title = "bench", .rules = "", .opens_at = now - 60, .closes_at = now + 86400, .points_per_ticket = 1,
                .max_tickets = max_tickets, .one_prize_per_member = true, .reserve_percent = 10, .claim_days = 30 };
  if (db_lottery_save(db, &l, now) < 0 || db_lottery_draw_add(db, l.id, now + 3600, draw) < 0)
    exit(2);
  return l.id;
}

static void bench_db(const char *path, gint64 members, gint64 total)
{
  Db *db = NULL;
  char *err = NULL;
  if (db_open(path, 0, &db, &err) < 0) {
    fprintf(stderr, "%s\n", err);
    exit(2);
  }
  gint64 now = util_now(), draw = 0;
  gint64 lot = lottery_with_draw(db, now, 1000000, &draw);
  static const struct { const char *name; gint64 q; } tiers[] = { { "手机券", 14 }, { "电影券", 500 }, { "商场券", 500 } };
  for (int i = 0; i < 3; i++)
    db_lottery_tier_save(db, draw, 0, i + 1, tiers[i].name, tiers[i].q, "", NULL);
  gint64 *t = ticket_counts(members, total);
  double t0 = now_s();
  db_begin(db);
  sqlite3_stmt *st = db_prepare(db, "INSERT INTO lottery_entry (draw_id, member_id, code, tickets) VALUES (?1, ?2, ?3, ?4)");
  for (gint64 i = 0; i < members; i++) {
    char id[32], code[17];
    g_snprintf(id, sizeof id, "bm%" G_GINT64_FORMAT, i);
    db_member_insert(db, id, "会员", ROLE_VIEWER, true, id); /* a placeholder hash: nobody signs in */
    lottery_entry_code(secret, sizeof secret, lot, id, code);
    sqlite3_bind_int64(st, 1, draw);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, t[i]);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  db_commit(db);
  double t1 = now_s();
  long rss0 = rss_peak_kib();
  int rf = lottery_freeze(db, draw, now, true, NULL);
  double t2 = now_s();
  char *values[] = { "03 11 17 22 25 31 + 09", "drand 5000000" };
  int rd = lottery_draw(db, draw, values, 2, NULL, now, NULL);
  double t3 = now_s();
  printf("draw (SQLite): entries loaded in %.2f s; freeze (list + commitment): %.3f s%s; draw (picks, prizes, "
         "record, one transaction): %.3f s%s; peak RSS grew by %.1f MiB\n", t1 - t0, t2 - t1, rf ? " FAILED" : "",
         t3 - t2, rd ? " FAILED" : "", (rss_peak_kib() - rss0) / 1024.0);
  g_free(t);
  db_close(&db);
}

typedef struct {
  const char *path;
  gint64 lottery;
  int index, threads;
  double until;
  gint64 bought, refused;
} Buyer;

static gint64 buyers_total;

static void *buy_run(void *arg)
{
  Buyer *b = arg;
  Db *db = NULL;
  char *err = NULL;
  if (db_open(b->path, 0, &db, &err) < 0)
    return NULL;
  gint64 now = util_now();
  for (gint64 i = 0; now_s() < b->until; i++) {
    /* Members are shared by the threads: every purchase races another connection's. */
    char id[32];
    g_snprintf(id, sizeof id, "buyer%" G_GINT64_FORMAT, i % buyers_total);
    LotteryPurchase p;
    int r = lottery_purchase(db, secret, sizeof secret, b->lottery, id, 1, NULL, now, &p);
    if (r == 0)
      b->bought++;
    else
      b->refused++;
  }
  db_close(&db);
  return NULL;
}

static void bench_purchases(const char *path, int threads, double seconds)
{
  Db *db = NULL;
  char *err = NULL;
  if (db_open(path, 0, &db, &err) < 0)
    exit(2);
  gint64 now = util_now(), draw = 0;
  gint64 lot = lottery_with_draw(db, now, 1000000, &draw);
  buyers_total = 1000;
  db_begin(db);
  for (gint64 i = 0; i < buyers_total; i++) {
    char id[32], key[48];
    g_snprintf(id, sizeof id, "buyer%" G_GINT64_FORMAT, i);
    g_snprintf(key, sizeof key, "correction:bench-%" G_GINT64_FORMAT, i);
    db_member_insert(db, id, "买家", ROLE_VIEWER, true, id);
    LedgerEntry e = { .member_id = id, .amount = 20, .reason = "correction", .key = key, .at = now };
    db_ledger_add(db, &e);
  }
  db_commit(db);
  Buyer *b = g_new0(Buyer, threads);
  pthread_t *th = g_new(pthread_t, threads);
  double t0 = now_s();
  for (int i = 0; i < threads; i++) {
    b[i] = (Buyer){ .path = path, .lottery = lot, .index = i, .threads = threads, .until = t0 + seconds };
    pthread_create(&th[i], NULL, buy_run, &b[i]);
  }
  gint64 bought = 0, refused = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(th[i], NULL);
    bought += b[i].bought;
    refused += b[i].refused;
  }
  double dt = now_s() - t0;
  JsonNode *diff = NULL;
  gint64 count = -1, members = 0, days = 0, negative = -1;
  db_points_check(db, 10, &diff, &count, &members, &days);
  if (diff)
    json_node_unref(diff);
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM points_balance WHERE balance < 0");
  if (st && sqlite3_step(st) == SQLITE_ROW)
    negative = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  printf("purchases: %d connections, %.1f s: %" G_GINT64_FORMAT " bought (%.0f / s), %" G_GINT64_FORMAT
         " refused (balance spent: 20 points each for 1,000 members); negative balances: %" G_GINT64_FORMAT
         "; points check differences: %" G_GINT64_FORMAT "\n", threads, dt, bought, bought / dt, refused,
         negative, count);
  g_free(b);
  g_free(th);
  db_close(&db);
  if (negative != 0 || count != 0 || bought > 20 * buyers_total)
    exit(1);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: lottery_bench DIR [MEMBERS [TICKETS [THREADS [SECONDS]]]]\n");
    return 2;
  }
  gint64 members = argc > 2 ? atoll(argv[2]) : 100000;
  gint64 tickets = argc > 3 ? atoll(argv[3]) : 1000000;
  int threads = argc > 4 ? atoi(argv[4]) : 4;
  double seconds = argc > 5 ? atof(argv[5]) : 5;
  if (members < 1 || tickets < members || threads < 1 || seconds <= 0)
    return 2;
  char *draw_db = g_build_filename(argv[1], "draw.db", NULL);
  char *buy_db = g_build_filename(argv[1], "buy.db", NULL);
  bench_pure(members, tickets);
  bench_db(draw_db, members, tickets);
  bench_purchases(buy_db, threads, seconds);
  g_free(draw_db);
  g_free(buy_db);
  return 0;
}
