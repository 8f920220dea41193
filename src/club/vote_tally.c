/* vote_tally: counts and ranks from the ballot log; the canonical text and its SHA-256. */
#include "club/vote_tally.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void count_free(gpointer p)
{
  VoteCount *c = p;
  g_free(c->kind);
  g_free(c->id);
  g_free(c);
}

static VoteTally *tally_new(gint64 id)
{
  VoteTally *t = g_new0(VoteTally, 1);
  t->contest_id = id;
  t->items = g_ptr_array_new_with_free_func(count_free);
  return t;
}

static gint by_rank(gconstpointer a, gconstpointer b)
{
  const VoteCount *x = *(VoteCount *const *)a, *y = *(VoteCount *const *)b;
  if (x->votes != y->votes)
    return x->votes > y->votes ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

int vote_tally_count(Db *db, gint64 id, gint64 before, VoteTally **out)
{
  /* One pass over the contest's ballots per item: valid and invalidated counted apart. */
  sqlite3_stmt *st = db_prepare(db,
      "SELECT i.item_kind, i.item_id, i.position, "
      "  count(b.id) FILTER (WHERE v.ballot_id IS NULL), "
      "  count(b.id) FILTER (WHERE v.ballot_id IS NOT NULL) "
      "FROM vote_item i "
      "LEFT JOIN vote_ballot b ON b.contest_id = i.contest_id AND b.item_kind = i.item_kind "
      "  AND b.item_id = i.item_id AND (?2 = 0 OR b.at < ?2) "
      "LEFT JOIN vote_invalidation v ON v.ballot_id = b.id "
      "WHERE i.contest_id = ?1 GROUP BY i.item_kind, i.item_id ORDER BY i.position");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, before);
  VoteTally *t = tally_new(id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    VoteCount *c = g_new0(VoteCount, 1);
    c->kind = g_strdup(db_col_text(st, 0));
    c->id = g_strdup(db_col_text(st, 1));
    c->position = sqlite3_column_int64(st, 2);
    c->votes = sqlite3_column_int64(st, 3);
    c->invalidated = sqlite3_column_int64(st, 4);
    t->valid += c->votes;
    t->invalidated += c->invalidated;
    g_ptr_array_add(t->items, c);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    vote_tally_free(&t);
    return db_errno(rc);
  }
  t->ballots = t->valid + t->invalidated;
  g_ptr_array_sort(t->items, by_rank);
  for (guint i = 0; i < t->items->len; i++) {
    VoteCount *c = t->items->pdata[i], *prev = i ? t->items->pdata[i - 1] : NULL;
    c->rank = prev && prev->votes == c->votes ? prev->rank : (gint64)i + 1;
  }
  *out = t;
  return 0;
}

char *vote_tally_canonical(const VoteTally *t)
{
  GString *s = g_string_new("lectern-vote-result 1\n");
  g_string_append_printf(s, "contest %" G_GINT64_FORMAT "\n", t->contest_id);
  g_string_append_printf(s, "ballots %" G_GINT64_FORMAT "\n", t->ballots);
  g_string_append_printf(s, "valid %" G_GINT64_FORMAT "\n", t->valid);
  g_string_append_printf(s, "invalidated %" G_GINT64_FORMAT "\n", t->invalidated);
  for (guint i = 0; i < t->items->len; i++) {
    const VoteCount *c = t->items->pdata[i];
    g_string_append_printf(s, "item %s:%s votes %" G_GINT64_FORMAT " invalidated %" G_GINT64_FORMAT
                           " rank %" G_GINT64_FORMAT "\n", c->kind, c->id, c->votes, c->invalidated, c->rank);
  }
  return g_string_free(s, FALSE);
}

/* Reads "NAME <n>" from LINE. */
static bool read_field(const char *line, const char *name, gint64 *out)
{
  size_t n = strlen(name);
  return strncmp(line, name, n) == 0 && line[n] == ' ' &&
         g_ascii_string_to_signed(line + n + 1, 10, 0, G_MAXINT64, out, NULL);
}

int vote_tally_parse(const char *text, VoteTally **out)
{
  if (!text || !g_str_has_suffix(text, "\n"))
    return -EINVAL;
  char **lines = g_strsplit(text, "\n", -1);
  guint n = g_strv_length(lines);  /* the last is the empty tail after the final "\n" */
  VoteTally *t = tally_new(0);
  int ret = n >= 6 && strcmp(lines[0], "lectern-vote-result 1") == 0 &&
            read_field(lines[1], "contest", &t->contest_id) &&
            read_field(lines[2], "ballots", &t->ballots) && read_field(lines[3], "valid", &t->valid) &&
            read_field(lines[4], "invalidated", &t->invalidated) ? 0 : -EINVAL;
  for (guint i = 5; ret == 0 && i + 1 < n; i++) {
    char kind[16], id[129];
    long long votes, inval, rank;
    int used = -1;
    if (sscanf(lines[i], "item %15[a-z]:%128[A-Za-z0-9_-] votes %lld invalidated %lld rank %lld%n",
               kind, id, &votes, &inval, &rank, &used) != 5 || used != (int)strlen(lines[i])) {
      ret = -EINVAL;
      break;
    }
    VoteCount *c = g_new0(VoteCount, 1);
    c->kind = g_strdup(kind);
    c->id = g_strdup(id);
    c->position = i - 5;
    c->votes = votes;
    c->invalidated = inval;
    c->rank = rank;
    g_ptr_array_add(t->items, c);
  }
  g_strfreev(lines);
  if (ret < 0) {
    vote_tally_free(&t);
    return ret;
  }
  *out = t;
  return 0;
}

char *vote_tally_sha256(const char *text)
{
  return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

JsonNode *vote_tally_json(const VoteTally *t)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "ballots", t->ballots);
  json_object_set_int_member(o, "valid", t->valid);
  json_object_set_int_member(o, "invalidated", t->invalidated);
  JsonArray *a = json_array_new();
  for (guint i = 0; i < t->items->len; i++) {
    const VoteCount *c = t->items->pdata[i];
    JsonObject *x = json_object_new();
    json_object_set_string_member(x, "kind", c->kind);
    json_object_set_string_member(x, "id", c->id);
    json_object_set_int_member(x, "votes", c->votes);
    json_object_set_int_member(x, "invalidated", c->invalidated);
    json_object_set_int_member(x, "rank", c->rank);
    json_array_add_object_element(a, x);
  }
  json_object_set_array_member(o, "items", a);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

bool vote_tally_public_as_of(const VoteContest *c, gint64 now, gint64 *as_of)
{
  if (strcmp(c->state, "open") != 0 || strcmp(c->tally, "final") == 0)
    return false;
  gint64 end = MIN(now, c->closes_at);
  if (strcmp(c->tally, "live") == 0) {
    *as_of = end;
    return true;
  }
  /* Delayed: the last whole interval since the opening — everyone sees the same snapshot,
   * and it moves only at the boundaries. */
  *as_of = end <= c->opens_at ? c->opens_at
                              : c->opens_at + (end - c->opens_at) / c->tally_interval * c->tally_interval;
  return true;
}

int vote_tally_recount(Db *db, const VoteContest *c, char **canonical, char **sha256, bool *match)
{
  VoteTally *t = NULL;
  int ret = vote_tally_count(db, c->id, 0, &t);
  if (ret < 0)
    return ret;
  *canonical = vote_tally_canonical(t);
  *sha256 = vote_tally_sha256(*canonical);
  vote_tally_free(&t);
  /* Both the text and its hash: a stored text edited behind the server's back, with a hash
   * recomputed to suit it, still differs from the log's count. */
  *match = c->result && c->result_sha256 && strcmp(c->result, *canonical) == 0 &&
           strcmp(c->result_sha256, *sha256) == 0;
  return 0;
}

void vote_tally_free(VoteTally **t)
{
  if (!t || !*t)
    return;
  g_ptr_array_unref((*t)->items);
  g_free(*t);
  *t = NULL;
}
