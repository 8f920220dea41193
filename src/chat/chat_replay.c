/* chat_replay: a finished live's chat and likes mapped onto its recording's timeline, cut into
 * windows of the player's time, and kept in memory for a while. */
#include "chat/chat_replay.h"
#include "db/db_chat_replay.h"

#include <errno.h>
#include <math.h>
#include <string.h>

struct ChatReplayMap {
  guint n;
  double *wall;   /* seconds since the epoch of each segment's first frame; never decreasing */
  double *media;  /* where each segment starts in the recording */
  double *dur;
  double duration;
  gint64 live_started_at;
  bool dated;
};

int chat_replay_map_new(const ChatReplaySegment *segs, guint n, gint64 live_started_at, ChatReplayMap **out)
{
  if (n == 0)
    return -EINVAL;
  for (guint i = 0; i < n; i++)
    if (!(segs[i].duration >= 0))
      return -EINVAL;
  ChatReplayMap *m = g_new0(ChatReplayMap, 1);
  m->n = n;
  m->wall = g_new(double, n);
  m->media = g_new(double, n);
  m->dur = g_new(double, n);
  m->live_started_at = live_started_at;
  double t = 0;
  for (guint i = 0; i < n; i++) {
    m->dated |= segs[i].wall_ms > 0;
    m->media[i] = t;
    m->dur[i] = segs[i].duration;
    t += segs[i].duration;
  }
  m->duration = t;
  for (guint i = 0; i < n; i++) {
    double prev_end = i ? m->wall[i - 1] + m->dur[i - 1] : (double)live_started_at;
    /* An undated segment follows the one before it; a clock stepping back must not make the
     * map go backwards (a message would then jump behind one posted earlier). */
    double w = segs[i].wall_ms > 0 ? (double)segs[i].wall_ms / 1000.0 : prev_end;
    m->wall[i] = i && w < m->wall[i - 1] ? m->wall[i - 1] : w;
  }
  *out = m;
  return 0;
}

void chat_replay_map_free(ChatReplayMap **pm)
{
  ChatReplayMap *m = *pm;
  if (!m)
    return;
  g_free(m->wall);
  g_free(m->media);
  g_free(m->dur);
  g_free(m);
  *pm = NULL;
}

double chat_replay_map_duration(const ChatReplayMap *m)
{
  return m->duration;
}

double chat_replay_media_time(const ChatReplayMap *m, double live_time)
{
  if (!m->dated)
    return CLAMP(live_time, 0.0, m->duration);
  double w = (double)m->live_started_at + live_time;
  if (w < m->wall[0])
    return 0;
  /* The last segment that started at or before w. */
  guint lo = 0, hi = m->n;
  while (hi - lo > 1) {
    guint mid = lo + (hi - lo) / 2;
    if (m->wall[mid] <= w)
      lo = mid;
    else
      hi = mid;
  }
  double into = w - m->wall[lo];
  /* Past its end: a reconnect's gap (shown as the presenter comes back) or the end. */
  return m->media[lo] + MIN(into, m->dur[lo]);
}

struct ChatReplay {
  GArray *messages;  /* ChatReplayMessage, by media time then id */
  GArray *questions; /* ChatReplayQuestion, by media time then id */
  GArray *likes;     /* ChatReplayLikes, by media time */
  gint64 likes_total;
};

typedef struct {
  ChatReplay *r;
  const ChatReplayMap *m;
} LoadCtx;

/* ROW placed on the recording's timeline. */
static ChatReplayMessage placed(const LoadCtx *c, const ChatReplayRow *row)
{
  return (ChatReplayMessage){
    .id = row->id,
    .media_time = round(chat_replay_media_time(c->m, row->live_time) * 10) / 10,
    .live_time = row->live_time,
    .member = g_strdup(row->member),
    .name = g_strdup(row->name),
    .moderator = row->role != ROLE_VIEWER,
    .text = g_strdup(row->text),
  };
}

static void add_message(void *user, const ChatReplayRow *row)
{
  LoadCtx *c = user;
  ChatReplayMessage msg = placed(c, row);
  g_array_append_val(c->r->messages, msg);
}

static void add_question(void *user, const ChatReplayQuestionRow *row)
{
  LoadCtx *c = user;
  ChatReplayQuestion q = { placed(c, &row->said), row->votes, row->answered_live, g_strdup(row->answer) };
  g_array_append_val(c->r->questions, q);
}

static void add_likes(void *user, gint64 bucket, gint64 count)
{
  LoadCtx *c = user;
  ChatReplayLikes l = { round(chat_replay_media_time(c->m, (double)bucket * 10) * 10) / 10, count };
  g_array_append_val(c->r->likes, l);
  c->r->likes_total += count;
}

static void message_clear(gpointer p)
{
  ChatReplayMessage *m = p;
  g_free(m->member);
  g_free(m->name);
  g_free(m->text);
}

static void question_clear(gpointer p)
{
  ChatReplayQuestion *q = p;
  message_clear(&q->said);
  g_free(q->answer);
}

static gint by_time(gconstpointer a, gconstpointer b)
{
  const ChatReplayMessage *x = a, *y = b;
  if (x->media_time != y->media_time)
    return x->media_time < y->media_time ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

int chat_replay_load(Db *db, const char *video, const ChatReplayMap *m, ChatReplay **out)
{
  ChatReplay *r = g_new0(ChatReplay, 1);
  r->messages = g_array_new(FALSE, FALSE, sizeof(ChatReplayMessage));
  g_array_set_clear_func(r->messages, message_clear);
  r->questions = g_array_new(FALSE, FALSE, sizeof(ChatReplayQuestion));
  g_array_set_clear_func(r->questions, question_clear);
  r->likes = g_array_new(FALSE, FALSE, sizeof(ChatReplayLikes));
  LoadCtx c = { r, m };
  if (db_chat_replay_messages(db, video, add_message, &c) < 0 || db_chat_replay_likes(db, video, add_likes, &c) < 0 ||
      db_chat_replay_questions(db, video, add_question, &c) < 0) {
    chat_replay_free(r);
    return -EIO;
  }
  /* Read by live time; the map never goes backwards, so this only orders ties by id. */
  g_array_sort(r->messages, by_time);
  *out = r;
  return 0;
}

void chat_replay_free(ChatReplay *r)
{
  if (!r)
    return;
  g_array_unref(r->messages);
  g_array_unref(r->questions);
  g_array_unref(r->likes);
  g_free(r);
}

guint chat_replay_count(const ChatReplay *r)
{
  return r->messages->len;
}

const ChatReplayMessage *chat_replay_message(const ChatReplay *r, guint i)
{
  return i < r->messages->len ? &g_array_index(r->messages, ChatReplayMessage, i) : NULL;
}

gint64 chat_replay_likes_total(const ChatReplay *r)
{
  return r->likes_total;
}

/* The first message at or after media time T. */
static guint lower_bound(const ChatReplay *r, double t)
{
  guint lo = 0, hi = r->messages->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index(r->messages, ChatReplayMessage, mid).media_time < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int chat_replay_window(const ChatReplay *r, double from, double to, gint64 after, guint limit,
                       guint *first, guint *n, bool *more)
{
  guint start = lower_bound(r, from);
  guint end = to > from ? lower_bound(r, to) : start;
  if (after > 0) {
    guint i = start;
    while (i < end && g_array_index(r->messages, ChatReplayMessage, i).id != after)
      i++;
    if (i == end)
      return -ENOENT;
    start = i + 1;
  }
  *first = start;
  *n = MIN(end - start, limit);
  *more = start + *n < end;
  return 0;
}

void chat_replay_likes_window(const ChatReplay *r, double from, double to, const ChatReplayLikes **first, guint *n)
{
  guint i = 0;
  while (i < r->likes->len && g_array_index(r->likes, ChatReplayLikes, i).media_time < from)
    i++;
  guint j = i;
  while (j < r->likes->len && g_array_index(r->likes, ChatReplayLikes, j).media_time < to)
    j++;
  *first = i < r->likes->len ? &g_array_index(r->likes, ChatReplayLikes, i) : NULL;
  *n = j - i;
}

void chat_replay_questions_window(const ChatReplay *r, double from, double to, const ChatReplayQuestion **first,
                                  guint *n)
{
  guint i = 0;
  while (i < r->questions->len && g_array_index(r->questions, ChatReplayQuestion, i).said.media_time < from)
    i++;
  guint j = i;
  while (j < r->questions->len && g_array_index(r->questions, ChatReplayQuestion, j).said.media_time < to)
    j++;
  *first = i < r->questions->len ? &g_array_index(r->questions, ChatReplayQuestion, i) : NULL;
  *n = j - i;
}

gint64 chat_replay_likes_before(const ChatReplay *r, double at)
{
  gint64 sum = 0;
  for (guint i = 0; i < r->likes->len && g_array_index(r->likes, ChatReplayLikes, i).media_time < at; i++)
    sum += g_array_index(r->likes, ChatReplayLikes, i).count;
  return sum;
}

/* ---- the cache ---- */

typedef struct {
  ChatReplay *replay;
  gint64 at;
} Entry;

struct ChatReplayCache {
  GHashTable *videos;  /* video id -> Entry */
  guint max;
  gint64 ttl;
  guint64 reads, loads, hits, items;
};

static void entry_free(gpointer p)
{
  Entry *e = p;
  chat_replay_free(e->replay);
  g_free(e);
}

ChatReplayCache *chat_replay_cache_new(guint max_videos, gint64 ttl)
{
  ChatReplayCache *c = g_new0(ChatReplayCache, 1);
  c->videos = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
  c->max = MAX(max_videos, 1);
  c->ttl = ttl;
  return c;
}

void chat_replay_cache_free(ChatReplayCache **pc)
{
  ChatReplayCache *c = *pc;
  if (!c)
    return;
  g_hash_table_unref(c->videos);
  g_free(c);
  *pc = NULL;
}

ChatReplay *chat_replay_cache_get(ChatReplayCache *c, const char *video, gint64 now)
{
  Entry *e = g_hash_table_lookup(c->videos, video);
  if (e && now - e->at >= c->ttl) {
    g_hash_table_remove(c->videos, video);
    e = NULL;
  }
  if (e)
    c->hits++;
  return e ? e->replay : NULL;
}

void chat_replay_cache_put(ChatReplayCache *c, const char *video, ChatReplay *r, gint64 now)
{
  c->loads++;
  g_hash_table_remove(c->videos, video);
  while (g_hash_table_size(c->videos) >= c->max) {
    GHashTableIter it;
    gpointer k, v;
    const char *oldest = NULL;
    gint64 at = G_MAXINT64;
    g_hash_table_iter_init(&it, c->videos);
    while (g_hash_table_iter_next(&it, &k, &v))
      if (((Entry *)v)->at < at) {
        at = ((Entry *)v)->at;
        oldest = k;
      }
    g_hash_table_remove(c->videos, oldest);
  }
  Entry *e = g_new(Entry, 1);
  *e = (Entry){ r, now };
  g_hash_table_insert(c->videos, g_strdup(video), e);
}

void chat_replay_cache_forget(ChatReplayCache *c, const char *video)
{
  if (!c)
    return;
  if (video)
    g_hash_table_remove(c->videos, video);
  else
    g_hash_table_remove_all(c->videos);
}

void chat_replay_cache_count_read(ChatReplayCache *c, guint items)
{
  c->reads++;
  c->items += items;
}

void chat_replay_cache_stats(const ChatReplayCache *c, ChatReplayStats *out)
{
  *out = (ChatReplayStats){ c->reads, c->loads, c->hits, c->items, g_hash_table_size(c->videos) };
}
