/* read_service: reading sessions in memory (one per connection, one per member), credit by
 * the server's clock, stored at each report in its own small transaction — a member sends a
 * report every few seconds on one article, far fewer writes than watching, so no commit queue
 * is needed — and one ledger entry per member and article (key read:<member>:<article>). */
#include "watch/read_service.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_article.h"
#include "db/db_points.h"
#include "points/points.h"

#include <errno.h>
#include <string.h>

typedef struct {
  guint64 conn;
  char *member;        /* NULL: a guest */
  gint64 article;
  gint64 read_seconds;
  gint64 need;
  gint64 credited_ms;  /* this member's credit on the article, in ms (the stored seconds × 1000 + carry) */
  bool done;
  gint64 points;
  gint64 last_seq;
  gint64 last_us;      /* monotonic time of the last report (or the start) */
  bool visible;        /* what the last report said */
} Session;

struct ReadService {
  Db *db;
  ReadIo io;
  GHashTable *by_conn;    /* guint64* conn -> Session* (owns) */
  GHashTable *by_member;  /* member -> Session* */
  gint64 (*mono_us)(void *user);
  gint64 (*wall)(void *user);
  void *clock_user;
};

gint64 read_rule_need(gint64 read_seconds)
{
  return read_seconds > 0 ? (read_seconds + 1) / 2 : 0;
}

gint64 read_rule_credit_ms(bool visible, gint64 elapsed_ms, gint64 credited_ms, gint64 read_seconds)
{
  if (!visible || elapsed_ms <= 0 || elapsed_ms > READ_SILENCE_SECONDS * 1000)
    return 0;
  gint64 room = read_seconds * 1000 - credited_ms;
  return room <= 0 ? 0 : MIN(elapsed_ms, room);
}

gint64 read_rule_points(gint64 rate, gint64 read_seconds, gint64 item_cap)
{
  gint64 minutes = MAX(1, (read_seconds + 59) / 60);
  gint64 p = rate * minutes;
  return item_cap >= 0 ? MIN(p, item_cap) : p;
}

static gint64 default_mono(void *user)
{
  (void)user;
  return g_get_monotonic_time();
}

static gint64 default_wall(void *user)
{
  (void)user;
  return util_now();
}

static void session_free(gpointer p)
{
  Session *s = p;
  g_free(s->member);
  g_free(s);
}

ReadService *read_service_new(Db *db, const ReadIo *io)
{
  ReadService *r = g_new0(ReadService, 1);
  r->db = db;
  r->io = *io;
  r->by_conn = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, session_free);
  r->by_member = g_hash_table_new(g_str_hash, g_str_equal);
  r->mono_us = default_mono;
  r->wall = default_wall;
  return r;
}

void read_service_free(ReadService **r)
{
  if (!*r)
    return;
  g_hash_table_unref((*r)->by_member);
  g_hash_table_unref((*r)->by_conn);
  g_clear_pointer(r, g_free);
}

void read_service_set_clock(ReadService *r, gint64 (*mono_us)(void *user), gint64 (*wall)(void *user),
                            void *user)
{
  r->mono_us = mono_us ? mono_us : default_mono;
  r->wall = wall ? wall : default_wall;
  r->clock_user = user;
}

static void state_of(const Session *s, ReadState *st)
{
  *st = (ReadState){ .article = s->article, .earns = s->member != NULL, .read_seconds = s->read_seconds,
                     .need = s->need, .credited = s->credited_ms / 1000, .done = s->done,
                     .points = s->points };
}

/* Ends S (removing it from both tables), telling its connection REASON when TELL. */
static void session_end(ReadService *r, Session *s, const char *reason, bool tell)
{
  guint64 conn = s->conn;
  gint64 article = s->article;
  if (s->member && g_hash_table_lookup(r->by_member, s->member) == s)
    g_hash_table_remove(r->by_member, s->member);
  g_hash_table_remove(r->by_conn, &s->conn); /* frees s */
  if (tell)
    r->io.ended(r->io.user, conn, article, reason);
}

void read_service_start(ReadService *r, guint64 conn, const char *member, gint64 article, bool visible)
{
  Session *old = g_hash_table_lookup(r->by_conn, &conn);
  gint64 last_seq = old ? old->last_seq : 0;
  if (old)
    session_end(r, old, "switched", true);
  gint64 now = r->wall(r->clock_user);
  Article *a = NULL;
  int ret = db_article_get(r->db, article, now, &a);
  if (ret < 0 || !a->is_public || a->read_seconds <= 0) {
    article_free(&a);
    r->io.error(r->io.user, conn, "not_found", ret == -EIO ? "the article could not be read"
                                                           : "no such article to read", 0);
    return;
  }
  Session *s = g_new0(Session, 1);
  s->conn = conn;
  s->member = g_strdup(member);
  s->article = article;
  s->read_seconds = a->read_seconds;
  s->need = read_rule_need(a->read_seconds);
  s->last_seq = last_seq;
  s->last_us = r->mono_us(r->clock_user);
  s->visible = visible;
  article_free(&a);
  if (member) {
    ArticleRead rd;
    if (db_article_read_get(r->db, member, article, &rd) < 0) {
      session_free(s);
      r->io.error(r->io.user, conn, "not_saved", "the reading could not be read", 0);
      return;
    }
    if (rd.need > 0)
      s->need = rd.need; /* the rule a member started under stays, if the article is edited */
    s->credited_ms = MIN(rd.credited, s->read_seconds) * 1000;
    s->done = rd.completed;
    s->points = rd.points;
    Session *other = g_hash_table_lookup(r->by_member, member);
    if (other) {
      log_info("read", "a member started reading elsewhere; the other reading session is superseded");
      session_end(r, other, "superseded", true);
    }
  }
  guint64 *key = &s->conn;
  g_hash_table_insert(r->by_conn, key, s);
  if (s->member)
    g_hash_table_insert(r->by_member, s->member, s);
  ReadState st;
  state_of(s, &st);
  r->io.started(r->io.user, conn, &st);
}

/* Stores S's credit and, when it has just reached NEED, pays the campaign's read rate once.
 * Returns 0 with *EARNED, or -errno (nothing stored). */
static int store(ReadService *r, Session *s, bool reached, gint64 *earned)
{
  *earned = 0;
  gint64 now = r->wall(r->clock_user);
  int ret = db_begin(r->db);
  if (ret < 0)
    return ret;
  Campaign *k = NULL;
  gint64 amount = 0;
  if (reached) {
    bool may = false;
    ret = db_campaign_active(r->db, now, &k);
    if (ret == -ENOENT)
      ret = 0;
    if (ret == 0 && k && k->act[ACT_READ].on)
      ret = points_may_earn(r->db, s->member, &may);
    if (ret == 0 && may) {
      g_autofree char *day = points_local_day(k, now);
      gint64 want = read_rule_points(k->act[ACT_READ].rate, s->read_seconds, k->act[ACT_READ].item_cap);
      gint64 allowed = 0;
      ret = points_allowed(r->db, k, ACT_READ, s->member, day, want, &allowed);
      amount = MIN(want, allowed);
      if (ret == 0 && amount > 0) {
        g_autofree char *key = g_strdup_printf("read:%s:%" G_GINT64_FORMAT, s->member, s->article);
        g_autofree char *note = g_strdup_printf("article %" G_GINT64_FORMAT, s->article);
        LedgerEntry e = { .member_id = s->member, .amount = amount, .reason = "read", .campaign_id = k->id,
                          .local_day = day, .key = key, .note = note, .at = now };
        ret = db_ledger_add(r->db, &e);
        if (ret == -EEXIST)
          ret = 0, amount = 0; /* paid before (the key is the member and the article) */
      }
    }
  }
  ArticleRead rd = { .credited = s->credited_ms / 1000, .need = s->need, .completed = s->done || reached,
                     .points = s->points + amount };
  if (ret == 0)
    ret = db_article_read_save(r->db, s->member, s->article, &rd, now);
  if (ret == 0)
    ret = db_commit(r->db);
  if (ret < 0) {
    db_rollback(r->db);
  } else {
    *earned = amount;
    s->points += amount;
    if (amount > 0 && r->io.points) {
      int rc = 0;
      JsonNode *summary = points_summary_json(r->db, k, s->member, now, &rc);
      if (summary)
        r->io.points(r->io.user, s->member, summary, amount);
    }
  }
  campaign_free(&k);
  return ret;
}

void read_service_report(ReadService *r, guint64 conn, gint64 article, gint64 seq, bool visible, bool stop)
{
  Session *s = g_hash_table_lookup(r->by_conn, &conn);
  if (!s || s->article != article) {
    r->io.error(r->io.user, conn, "no_session", "start reading this article first (read.start)", seq);
    return;
  }
  if (seq <= s->last_seq) {
    r->io.error(r->io.user, conn, "stale", "seq must be higher than the last report's", seq);
    return;
  }
  s->last_seq = seq;
  gint64 now_us = r->mono_us(r->clock_user);
  /* The interval has the state its first report announced; the client's clock is never read. */
  gint64 credit = read_rule_credit_ms(s->visible, (now_us - s->last_us) / 1000, s->credited_ms, s->read_seconds);
  s->last_us = now_us;
  s->visible = visible && !stop;
  gint64 before = s->credited_ms;
  s->credited_ms += credit;
  bool reached = s->member && !s->done && s->credited_ms >= s->need * 1000;
  gint64 earned = 0;
  /* Whole seconds are stored; a report that adds only a fraction waits for the next. */
  if (s->member && (reached || before / 1000 != s->credited_ms / 1000)) {
    if (store(r, s, reached, &earned) < 0) {
      s->credited_ms = before;
      r->io.error(r->io.user, conn, "not_saved", "the reading could not be stored; it will count again", seq);
      if (stop)
        session_end(r, s, "stopped", true);
      return;
    }
  }
  if (!s->member)
    s->credited_ms = 0; /* guests keep nothing */
  if (reached)
    s->done = true;
  ReadState st;
  state_of(s, &st);
  r->io.ack(r->io.user, conn, seq, &st, earned);
  if (stop)
    session_end(r, s, "stopped", true);
}

void read_service_conn_closed(ReadService *r, guint64 conn)
{
  Session *s = g_hash_table_lookup(r->by_conn, &conn);
  if (s)
    session_end(r, s, "disconnected", false);
}
