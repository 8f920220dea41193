/* lottery_service: the points lottery's rules over the database (no sockets). */
#include "lottery/lottery_service.h"
#include "core/util.h"
#include "core/log.h"
#include "db/db_audit.h"
#include "db/db_member.h"
#include "db/db_points.h"
#include "lottery/lottery_draw.h"

#include <errno.h>
#include <string.h>

static const LotteryActor system_actor = { "system", "lectern" };

static bool key_valid(const char *key)
{
  size_t n = strlen(key);
  if (n == 0 || n > 64)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!g_ascii_isalnum(key[i]) && key[i] != '-' && key[i] != '_')
      return false;
  return true;
}

static int audit(Db *db, const LotteryActor *actor, const char *action, gint64 target,
                 JsonBuilder *detail)
{
  if (!actor)
    actor = &system_actor;
  JsonNode *d = NULL;
  if (detail) {
    json_builder_end_object(detail);
    d = json_builder_get_root(detail);
  }
  char *id = g_strdup_printf("%" G_GINT64_FORMAT, target);
  int ret = db_audit_add(db, actor->id, actor->name, action, "lottery", id, d);
  g_free(id);
  if (d)
    json_node_unref(d);
  return ret;
}

static JsonBuilder *detail_new(void)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  return b;
}

static void detail_int(JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

int lottery_purchase(Db *db, const guint8 *secret, gsize secret_len, gint64 lottery_id,
                     const char *member_id, gint64 tickets, const char *client_key, gint64 now,
                     LotteryPurchase *out)
{
  memset(out, 0, sizeof *out);
  if (client_key && !key_valid(client_key))
    return -EINVAL;
  char *fresh = client_key ? NULL : g_uuid_string_random();
  /* The ledger's idempotency key names the purchase: lottery, member and the client's key. */
  char *key = g_strdup_printf("lottery:%" G_GINT64_FORMAT ":%s:%s", lottery_id, member_id,
                              client_key ? client_key : fresh);
  Lottery *l = NULL;
  LotteryDrawRow *d = NULL;
  Member *m = NULL;
  int ret = db_begin(db); /* BEGIN IMMEDIATE: purchases are serialised, the balance read is current */
  if (ret < 0)
    goto out;

  gint64 draw = 0, got_tickets = 0, points = 0;
  if ((ret = db_lottery_purchase_find(db, key, member_id, &draw, &got_tickets, &points)) == 0) {
    out->replay = true;
    out->draw = draw;
    out->tickets = got_tickets;
    out->points = points;
    lottery_entry_code(secret, secret_len, lottery_id, member_id, out->code);
    if ((ret = db_lottery_entry_tickets(db, draw, member_id, &out->draw_tickets)) == 0)
      ret = db_points_balance(db, member_id, &out->balance);
    goto done;
  }
  if (ret != -ENOENT)
    goto done;
  if (tickets <= 0 || tickets > 1000000) {
    ret = -EINVAL;
    goto done;
  }
  if ((ret = db_lottery_get(db, lottery_id, &l)) < 0)
    goto done;
  if (now < l->opens_at || now >= l->closes_at) {
    ret = -ETIME;
    goto done;
  }
  if ((ret = db_lottery_draw_open(db, lottery_id, now, &d)) < 0) {
    ret = ret == -ENOENT ? -ETIME : ret;
    goto done;
  }
  if ((ret = db_member_get(db, member_id, &m, NULL)) < 0) {
    ret = ret == -ENOENT ? -EPERM : ret;
    goto done;
  }
  if (!m->real_name_verified || m->disqualified || m->disabled) {
    ret = -EPERM;
    goto done;
  }
  if (l->one_prize_per_member) {
    int has = db_lottery_member_has_prize(db, lottery_id, member_id);
    if (has != 0) {
      ret = has > 0 ? -EALREADY : has;
      goto done;
    }
  }
  gint64 held = 0, balance = 0;
  if ((ret = db_lottery_entry_tickets(db, d->id, member_id, &held)) < 0)
    goto done;
  if (held + tickets > l->max_tickets) {
    ret = -EDQUOT;
    goto done;
  }
  if ((ret = db_points_balance(db, member_id, &balance)) < 0)
    goto done;
  gint64 cost = tickets * l->points_per_ticket;
  if (balance < l->min_balance || balance < cost) {
    ret = -ERANGE;
    goto done;
  }
  lottery_entry_code(secret, secret_len, lottery_id, member_id, out->code);
  char *note = g_strdup_printf("draw %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " tickets", d->id, tickets);
  LedgerEntry e = { .member_id = member_id, .amount = -cost, .reason = "lottery", .key = key,
                    .note = note, .at = now };
  ret = db_ledger_add(db, &e);
  g_free(note);
  if (ret == -EEXIST) /* the key is new (looked up above): the floor trigger refused it */
    ret = -ERANGE;
  if (ret == 0)
    ret = db_lottery_purchase_add(db, d->id, member_id, out->code, tickets, cost, key, now);
  if (ret == 0) {
    out->draw = d->id;
    out->tickets = tickets;
    out->points = cost;
    out->draw_tickets = held + tickets;
    out->balance = balance - cost;
  }
done:
  if (ret == 0)
    ret = db_commit(db);
  else
    db_rollback(db);
out:
  member_free(&m);
  lottery_draw_row_free(&d);
  lottery_free(&l);
  g_free(key);
  g_free(fresh);
  return ret;
}

static int freeze_locked(Db *db, LotteryDrawRow *d, gint64 now, bool force, const LotteryActor *actor)
{
  if (strcmp(d->state, "open") != 0)
    return -EALREADY;
  int ret = 0;
  if (d->freeze_at > now) {
    if (!force)
      return -EAGAIN;
    if ((ret = db_lottery_draw_set_freeze(db, d->id, now)) < 0)
      return ret;
  }
  Lottery *l = NULL;
  if ((ret = db_lottery_get(db, d->lottery_id, &l)) < 0)
    return ret;
  GPtrArray *codes = NULL, *members = NULL;
  GArray *tickets = NULL;
  ret = db_lottery_entries_live(db, d->id, l->id, l->one_prize_per_member, &codes, &members, &tickets);
  LotteryEntry *entries = g_new0(LotteryEntry, codes->len + 1);
  gint64 total = 0;
  for (guint i = 0; ret == 0 && i < codes->len; i++) {
    g_strlcpy(entries[i].code, g_ptr_array_index(codes, i), sizeof entries[i].code);
    entries[i].tickets = g_array_index(tickets, gint64, i);
    total += entries[i].tickets;
  }
  if (ret == 0)
    ret = lottery_entries_sort(entries, codes->len) < 0 ? -EIO : 0;
  if (ret == 0) {
    char *text = lottery_entries_text(entries, codes->len);
    char sha[LOTTERY_SHA256_HEX + 1];
    lottery_entries_sha256(entries, codes->len, sha);
    ret = db_lottery_draw_set_frozen(db, d->id, text, sha, codes->len, total, now);
    g_free(text);
    if (ret == 0) {
      JsonBuilder *b = detail_new();
      json_builder_set_member_name(b, "entries_sha256");
      json_builder_add_string_value(b, sha);
      detail_int(b, "entries", codes->len);
      detail_int(b, "tickets", total);
      ret = audit(db, actor, "lottery.freeze", d->id, b);
      g_object_unref(b);
      log_info("lottery", "draw %" G_GINT64_FORMAT " frozen: %u entries, %" G_GINT64_FORMAT
               " tickets, sha256 %s", d->id, codes->len, total, sha);
    }
  }
  g_free(entries);
  g_ptr_array_unref(codes);
  g_ptr_array_unref(members);
  g_array_unref(tickets);
  lottery_free(&l);
  return ret;
}

int lottery_freeze(Db *db, gint64 draw, gint64 now, bool force, const LotteryActor *actor)
{
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  LotteryDrawRow *d = NULL;
  ret = db_lottery_draw_get(db, draw, &d);
  if (ret == 0)
    ret = freeze_locked(db, d, now, force, actor);
  lottery_draw_row_free(&d);
  if (ret == 0)
    return db_commit(db);
  db_rollback(db);
  return ret;
}

int lottery_freeze_due(Db *db, gint64 now, int *count)
{
  if (count)
    *count = 0;
  GArray *ids = NULL;
  int ret = db_lottery_draws_due(db, now, &ids);
  for (guint i = 0; ret == 0 && i < ids->len; i++) {
    int r = lottery_freeze(db, g_array_index(ids, gint64, i), now, false, NULL);
    if (r == 0 && count)
      (*count)++;
    else if (r != -EALREADY && r != 0) /* -EALREADY: another writer froze it first */
      ret = r;
  }
  g_array_unref(ids);
  return ret;
}

/* The committed entry list back from its text: "<code> <tickets>\n" lines. */
static int entries_parse(const char *text, LotteryEntry **out, size_t *n)
{
  char **lines = g_strsplit(text ? text : "", "\n", -1);
  size_t count = 0;
  LotteryEntry *e = g_new0(LotteryEntry, g_strv_length(lines) + 1);
  int ret = 0;
  for (char **l = lines; *l && ret == 0; l++) {
    if (**l == '\0')
      continue;
    char *space = strchr(*l, ' ');
    if (!space || space - *l != LOTTERY_CODE_HEX) {
      ret = -EIO;
      break;
    }
    memcpy(e[count].code, *l, LOTTERY_CODE_HEX);
    e[count].tickets = g_ascii_strtoll(space + 1, NULL, 10);
    count++;
  }
  g_strfreev(lines);
  if (ret < 0) {
    g_free(e);
    return ret;
  }
  *out = e;
  *n = count;
  return 0;
}

static JsonNode *about_json(const Lottery *l, const LotteryDrawRow *d, gint64 now)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  detail_int(b, "lottery", l->id);
  detail_int(b, "draw", d->id);
  json_builder_set_member_name(b, "title");
  json_builder_add_string_value(b, l->title);
  json_builder_set_member_name(b, "rules");
  json_builder_add_string_value(b, l->rules);
  detail_int(b, "points_per_ticket", l->points_per_ticket);
  detail_int(b, "min_balance", l->min_balance);
  detail_int(b, "max_tickets", l->max_tickets);
  detail_int(b, "frozen_at", d->frozen_at);
  detail_int(b, "drawn_at", now);
  json_builder_end_object(b);
  JsonNode *n = json_builder_get_root(b);
  g_object_unref(b);
  return n;
}

int lottery_draw(Db *db, gint64 draw, char *const *values, size_t n_values,
                 const LotteryActor *actor, gint64 now, char **record_out)
{
  if (record_out)
    *record_out = NULL;
  int ret = lottery_freeze_due(db, now, NULL);
  if (ret < 0)
    return ret;
  LotteryDrawRow *d = NULL;
  Lottery *l = NULL;
  GArray *tier_ids = NULL, *quantities = NULL;
  GPtrArray *names = NULL, *tvalues = NULL;
  LotteryDrawInput in = { 0 };
  LotteryDrawResult *res = NULL;
  char *record = NULL;
  if ((ret = db_begin(db)) < 0)
    return ret;
  if ((ret = db_lottery_draw_get(db, draw, &d)) < 0)
    goto done;
  if (strcmp(d->state, "open") == 0) {
    ret = -EAGAIN;
    goto done;
  }
  if (strcmp(d->state, "drawn") == 0) {
    ret = -EALREADY;
    goto done;
  }
  if ((ret = db_lottery_get(db, d->lottery_id, &l)) < 0)
    goto done;
  if ((ret = db_lottery_tiers(db, draw, &tier_ids, &quantities, &names, &tvalues)) < 0)
    goto done;
  if (tier_ids->len == 0) {
    ret = -EINVAL;
    goto done;
  }
  /* The draw reads the list as committed at the freeze, not the tables as they are now. */
  char *list = NULL;
  if ((ret = db_lottery_draw_entry_list(db, draw, &list)) < 0)
    goto done;
  ret = entries_parse(list, &in.entries, &in.n_entries);
  g_free(list);
  if (ret < 0)
    goto done;
  in.about = about_json(l, d, now);
  in.one_prize_per_member = l->one_prize_per_member;
  in.reserve_percent = l->reserve_percent;
  in.n_tiers = tier_ids->len;
  in.tiers = g_new0(LotteryTier, in.n_tiers);
  for (size_t i = 0; i < in.n_tiers; i++) {
    in.tiers[i].name = g_ptr_array_index(names, i);
    in.tiers[i].value = g_ptr_array_index(tvalues, i);
    in.tiers[i].quantity = g_array_index(quantities, gint64, i);
  }
  in.public_values = (char **)values;
  in.n_values = n_values;
  if ((ret = lottery_draw_run(&in, &res)) < 0)
    goto done;

  gint64 *slots = g_new0(gint64, in.n_tiers);
  for (size_t i = 0; ret == 0 && i < res->n_picks; i++) {
    const LotteryPick *p = &res->picks[i];
    const char *code = in.entries[p->entry].code;
    char *member = NULL;
    if ((ret = db_lottery_entry_member(db, draw, code, &member)) < 0)
      break;
    gint64 tier_id = p->tier >= 0 ? g_array_index(tier_ids, gint64, p->tier) : 0;
    ret = db_lottery_pick_add(db, draw, p->n, tier_id, member, code);
    if (ret == 0 && p->tier >= 0) {
      gint64 code_id = 0;
      ret = db_lottery_code_free_next(db, tier_id, &code_id);
      if (ret == 0)
        ret = db_lottery_prize_add(db, draw, tier_id, ++slots[p->tier], p->n, member, code_id, now, NULL);
    }
    g_free(member);
  }
  g_free(slots);
  if (ret < 0)
    goto done;
  record = lottery_record_json(&in, res);
  JsonBuilder *vb = json_builder_new();
  json_builder_begin_array(vb);
  for (size_t i = 0; i < n_values; i++)
    json_builder_add_string_value(vb, values[i]);
  json_builder_end_array(vb);
  JsonNode *vn = json_builder_get_root(vb);
  char *values_json = util_json_text(vn, false);
  json_node_unref(vn);
  g_object_unref(vb);
  ret = db_lottery_draw_set_drawn(db, draw, values_json, record, now,
                                  now + l->claim_days * LOTTERY_SECONDS_PER_DAY);
  g_free(values_json);
  if (ret == 0) {
    JsonBuilder *b = detail_new();
    json_builder_set_member_name(b, "public_values");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n_values; i++)
      json_builder_add_string_value(b, values[i]);
    json_builder_end_array(b);
    detail_int(b, "picks", (gint64)res->n_picks);
    detail_int(b, "prizes", res->prizes);
    ret = audit(db, actor, "lottery.draw", draw, b);
    g_object_unref(b);
  }
done:
  if (ret == 0)
    ret = db_commit(db);
  else
    db_rollback(db);
  if (ret == 0) {
    log_info("lottery", "draw %" G_GINT64_FORMAT " drawn: %zu picks, %" G_GINT64_FORMAT " prizes",
             draw, res->n_picks, res->prizes);
    if (record_out) {
      *record_out = record;
      record = NULL;
    }
  }
  g_free(record);
  lottery_draw_result_free(&res);
  if (in.about)
    json_node_unref(in.about);
  g_free(in.tiers);
  g_free(in.entries);
  if (tier_ids) {
    g_array_unref(tier_ids);
    g_array_unref(quantities);
    g_ptr_array_unref(names);
    g_ptr_array_unref(tvalues);
  }
  lottery_free(&l);
  lottery_draw_row_free(&d);
  return ret;
}

/* Inside a transaction: ends PRIZE as STATE and passes it to the next reserve. */
static int pass_on(Db *db, gint64 prize, const char *state, const char *reason,
                   const LotteryActor *actor, gint64 now, gint64 *next)
{
  *next = 0;
  LotteryPrizeRow *p = NULL;
  LotteryDrawRow *d = NULL;
  Lottery *l = NULL;
  char *member = NULL;
  int ret = db_lottery_prize_get(db, prize, &p);
  if (ret < 0)
    goto out;
  if (strcmp(p->state, "won") != 0 && strcmp(p->state, "claimed") != 0) {
    ret = -EALREADY;
    goto out;
  }
  if ((ret = db_lottery_prize_end(db, prize, state, reason, now)) < 0)
    goto out;
  if ((ret = db_lottery_draw_get(db, p->draw_id, &d)) < 0 ||
      (ret = db_lottery_get(db, d->lottery_id, &l)) < 0)
    goto out;
  gint64 n = 0;
  ret = db_lottery_next_reserve(db, d->id, l->id, l->one_prize_per_member, &n, &member);
  if (ret == 0)
    ret = db_lottery_prize_add(db, d->id, p->tier_id, p->slot, n, member, p->code_id, now, next);
  else if (ret == -ENOENT)
    ret = 0; /* no reserve left: the prize stays unawarded */
  if (ret == 0) {
    JsonBuilder *b = detail_new();
    detail_int(b, "prize", prize);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, state);
    json_builder_set_member_name(b, "reason");
    json_builder_add_string_value(b, reason);
    json_builder_set_member_name(b, "reserve_pick");
    if (*next)
      json_builder_add_int_value(b, n);
    else
      json_builder_add_null_value(b);
    ret = audit(db, actor, strcmp(state, "expired") == 0 ? "lottery.expire" : "lottery.disqualify",
                d->id, b);
    g_object_unref(b);
  }
out:
  g_free(member);
  lottery_free(&l);
  lottery_draw_row_free(&d);
  lottery_prize_row_free(&p);
  return ret;
}

int lottery_disqualify(Db *db, gint64 prize, const char *reason, const LotteryActor *actor,
                       gint64 now, gint64 *next)
{
  *next = 0;
  if (!reason || !*reason || strlen(reason) > 500)
    return -EINVAL;
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  ret = pass_on(db, prize, "disqualified", reason, actor, now, next);
  if (ret == 0)
    return db_commit(db);
  db_rollback(db);
  return ret;
}

int lottery_expire_unclaimed(Db *db, gint64 now, int *count)
{
  *count = 0;
  GArray *ids = NULL;
  int ret = db_lottery_prizes_unclaimed(db, now, &ids);
  for (guint i = 0; ret == 0 && i < ids->len; i++) {
    gint64 next = 0;
    if ((ret = db_begin(db)) < 0)
      break;
    ret = pass_on(db, g_array_index(ids, gint64, i), "expired", "unclaimed after the claim deadline",
                  NULL, now, &next);
    if (ret == 0 && (ret = db_commit(db)) == 0)
      (*count)++;
    else if (ret != 0)
      db_rollback(db);
    if (ret == -EALREADY) /* claimed or ended meanwhile */
      ret = 0;
  }
  g_array_unref(ids);
  return ret;
}

int lottery_codes_import(Db *db, gint64 tier, const char *csv, gsize len, gint64 now,
                         const LotteryActor *actor, gint64 *added, gint64 *skipped)
{
  *added = *skipped = 0;
  if (len > LOTTERY_MAX_CODES_CSV)
    return -EFBIG;
  if (!g_utf8_validate(csv, (gssize)len, NULL))
    return -EINVAL;
  gint64 draw = 0;
  LotteryDrawRow *d = NULL;
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  if ((ret = db_lottery_tier_draw(db, tier, &draw)) < 0 || (ret = db_lottery_draw_get(db, draw, &d)) < 0)
    goto done;
  if (strcmp(d->state, "drawn") == 0) {
    ret = -EALREADY;
    goto done;
  }
  char *text = g_strndup(csv, len);
  char **lines = g_strsplit_set(text, "\r\n", -1);
  bool first = true;
  for (char **line = lines; *line && ret == 0; line++) {
    char *field = *line;
    char *comma = strchr(field, ',');
    if (comma)
      *comma = '\0';
    g_strstrip(field);
    size_t fl = strlen(field);
    if (fl >= 2 && field[0] == '"' && field[fl - 1] == '"') {
      field[fl - 1] = '\0';
      field++;
      g_strstrip(field);
    }
    if (*field == '\0')
      continue;
    if (first && g_ascii_strcasecmp(field, "code") == 0) {
      first = false;
      continue;
    }
    first = false;
    int r = db_lottery_code_add(db, tier, field, now);
    if (r == 0)
      (*added)++;
    else if (r == -EEXIST)
      (*skipped)++;
    else
      ret = r;
  }
  g_strfreev(lines);
  g_free(text);
  if (ret == 0) {
    JsonBuilder *b = detail_new();
    detail_int(b, "tier", tier);
    detail_int(b, "added", *added);
    detail_int(b, "skipped", *skipped);
    ret = audit(db, actor, "lottery.codes", draw, b);
    g_object_unref(b);
  }
done:
  lottery_draw_row_free(&d);
  if (ret == 0)
    return db_commit(db);
  db_rollback(db);
  return ret;
}
