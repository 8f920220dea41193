/* vote_signal: groups of ballots that look stuffed, for an editor to review. */
#include "club/vote_signal.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

typedef struct {
  char *key;            /* the address hash (shared addresses) or NULL */
  gint64 from, until, ballots, invalidated;
  GHashTable *members;  /* member id set */
  JsonArray *ballot_ids, *member_ids;
} Group;

static void group_start(Group *g, const char *key, gint64 at)
{
  memset(g, 0, sizeof *g);
  g->key = g_strdup(key);
  g->from = g->until = at;
  g->members = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g->ballot_ids = json_array_new();
  g->member_ids = json_array_new();
}

static void group_add(Group *g, gint64 at, const char *member, gint64 ballot, bool invalid)
{
  g->until = at;
  g->ballots++;
  g->invalidated += invalid;
  if (json_array_get_length(g->ballot_ids) < VOTE_SIGNAL_LIST_MAX)
    json_array_add_int_element(g->ballot_ids, ballot);
  if (!g_hash_table_contains(g->members, member)) {
    g_hash_table_add(g->members, g_strdup(member));
    if (json_array_get_length(g->member_ids) < VOTE_SIGNAL_LIST_MAX)
      json_array_add_string_element(g->member_ids, member);
  }
}

/* Ends G: added to OUT when FLAGGED, freed either way. */
static void group_end(Group *g, bool flagged, JsonArray *out)
{
  if (!g->members)
    return;
  if (flagged) {
    JsonObject *o = json_object_new();
    if (g->key)
      json_object_set_string_member(o, "address", g->key);
    g_autofree char *from = util_iso8601(g->from), *until = util_iso8601(g->until);
    json_object_set_string_member(o, "from", from);
    json_object_set_string_member(o, "until", until);
    json_object_set_int_member(o, "ballots", g->ballots);
    json_object_set_int_member(o, "members", g_hash_table_size(g->members));
    json_object_set_int_member(o, "invalidated", g->invalidated);
    json_object_set_array_member(o, "ballot_ids", g->ballot_ids);
    json_object_set_array_member(o, "member_ids", g->member_ids);
    json_array_add_object_element(out, o);
  } else {
    json_array_unref(g->ballot_ids);
    json_array_unref(g->member_ids);
  }
  g_hash_table_unref(g->members);
  g_free(g->key);
  memset(g, 0, sizeof *g);
}

/* Walks ST's rows (key or NULL, at, member, ballot id, invalidated) in key, time order into
 * groups; a group is flagged by MEMBERS distinct members or BALLOTS ballots (0: not used). */
static int walk(sqlite3_stmt *st, gint64 window, gint64 members, gint64 ballots, JsonArray *out)
{
  Group g = { 0 };
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *key = db_col_text(st, 0);
    gint64 at = sqlite3_column_int64(st, 1);
    bool same = g.members && g_strcmp0(g.key, key) == 0 && at - g.until <= window;
    if (!same) {
      group_end(&g, (members && g_hash_table_size(g.members) >= members) ||
                    (ballots && g.ballots >= ballots), out);
      group_start(&g, key, at);
    }
    group_add(&g, at, db_col_text(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4));
  }
  if (g.members)
    group_end(&g, (members && g_hash_table_size(g.members) >= members) ||
                  (ballots && g.ballots >= ballots), out);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int vote_signal_report(Db *db, gint64 id, const VoteSignalRules *rules, JsonNode **out)
{
  JsonArray *shared = json_array_new(), *bursts = json_array_new();
  sqlite3_stmt *a = db_prepare(db,
      "SELECT substr(a.address_hash, 1, 12), b.at, b.member_id, b.id, "
      "  EXISTS (SELECT 1 FROM vote_invalidation v WHERE v.ballot_id = b.id) "
      "FROM vote_address a JOIN vote_ballot b ON b.id = a.ballot_id "
      "WHERE b.contest_id = ?1 ORDER BY a.address_hash, b.at, b.id");
  sqlite3_stmt *n = db_prepare(db,
      "SELECT NULL, b.at, b.member_id, b.id, "
      "  EXISTS (SELECT 1 FROM vote_invalidation v WHERE v.ballot_id = b.id) "
      "FROM vote_ballot b JOIN member m ON m.id = b.member_id "
      "WHERE b.contest_id = ?1 AND b.at - m.created_at < ?2 ORDER BY b.at, b.id");
  int ret = a && n ? 0 : -EIO;
  if (ret == 0) {
    sqlite3_bind_int64(a, 1, id);
    sqlite3_bind_int64(n, 1, id);
    sqlite3_bind_int64(n, 2, rules->new_age);
    ret = walk(a, rules->window, rules->min_members, 0, shared);
  }
  if (ret == 0)
    ret = walk(n, rules->window, 0, rules->min_new, bursts);
  sqlite3_finalize(a);
  sqlite3_finalize(n);
  if (ret < 0) {
    json_array_unref(shared);
    json_array_unref(bursts);
    return ret;
  }
  JsonObject *o = json_object_new(), *r = json_object_new();
  json_object_set_int_member(r, "window", rules->window);
  json_object_set_int_member(r, "min_members", rules->min_members);
  json_object_set_int_member(r, "new_age", rules->new_age);
  json_object_set_int_member(r, "min_new", rules->min_new);
  json_object_set_object_member(o, "rules", r);
  json_object_set_array_member(o, "shared_addresses", shared);
  json_object_set_array_member(o, "new_member_bursts", bursts);
  *out = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(*out, o);
  return 0;
}
