/* lottery_draw: the verifiable draw as a pure function, its record and its verifier. */
#include "lottery/lottery_draw.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_CODE_PREFIX "lectern-lottery-entry:"

void lottery_entry_code(const guint8 *secret, size_t secret_len, gint64 lottery_id,
                        const char *member_id, char out[LOTTERY_CODE_HEX + 1])
{
  /* A prefix of its own keeps these HMACs apart from the token hashes under the same
   * secret, and the lottery id makes one member's codes unlinkable across lotteries. */
  char *msg = g_strdup_printf(ENTRY_CODE_PREFIX "%" G_GINT64_FORMAT ":%s", lottery_id, member_id);
  GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, secret, secret_len);
  g_hmac_update(h, (const guchar *)msg, (gssize)strlen(msg));
  const char *hex = g_hmac_get_string(h);
  memcpy(out, hex, LOTTERY_CODE_HEX);
  out[LOTTERY_CODE_HEX] = '\0';
  g_hmac_unref(h);
  g_free(msg);
}

static bool code_valid(const char *code)
{
  for (int i = 0; i < LOTTERY_CODE_HEX; i++)
    if (!g_ascii_isxdigit(code[i]) || g_ascii_isupper(code[i]))
      return false;
  return code[LOTTERY_CODE_HEX] == '\0';
}

static int entry_cmp(const void *a, const void *b)
{
  return strcmp(((const LotteryEntry *)a)->code, ((const LotteryEntry *)b)->code);
}

/* 0 when ENTRIES are valid and strictly ascending by code, -EINVAL otherwise. */
static int entries_check(const LotteryEntry *entries, size_t n)
{
  if (n > LOTTERY_MAX_ENTRIES)
    return -EINVAL;
  for (size_t i = 0; i < n; i++) {
    if (!code_valid(entries[i].code) || entries[i].tickets <= 0 || entries[i].tickets > LOTTERY_MAX_TICKETS)
      return -EINVAL;
    if (i > 0 && strcmp(entries[i - 1].code, entries[i].code) >= 0)
      return -EINVAL;
  }
  return 0;
}

int lottery_entries_sort(LotteryEntry *entries, size_t n)
{
  if (n > 1)
    qsort(entries, n, sizeof *entries, entry_cmp);
  return entries_check(entries, n);
}

char *lottery_entries_text(const LotteryEntry *entries, size_t n)
{
  GString *s = g_string_sized_new(n * 24 + 1);
  for (size_t i = 0; i < n; i++)
    g_string_append_printf(s, "%s %" G_GINT64_FORMAT "\n", entries[i].code, entries[i].tickets);
  return g_string_free(s, FALSE);
}

void lottery_entries_sha256(const LotteryEntry *entries, size_t n, char out[LOTTERY_SHA256_HEX + 1])
{
  char *text = lottery_entries_text(entries, n);
  char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
  memcpy(out, hex, LOTTERY_SHA256_HEX + 1);
  g_free(hex);
  g_free(text);
}

int lottery_value_normalise(const char *value, char **out)
{
  *out = NULL;
  if (!value || !g_utf8_validate(value, -1, NULL))
    return -EINVAL;
  char *v = g_strstrip(g_strdup(value));
  size_t len = strlen(v);
  bool ok = len > 0 && len <= LOTTERY_MAX_VALUE_LEN;
  for (size_t i = 0; ok && i < len; i++)
    if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f || v[i] == '/')
      ok = false;
  if (!ok) {
    g_free(v);
    return -EINVAL;
  }
  *out = v;
  return 0;
}

static int str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int lottery_key(const char *entries_sha256, char *const *values, size_t n, char **out)
{
  *out = NULL;
  if (n == 0 || n > LOTTERY_MAX_VALUES)
    return -EINVAL;
  char **norm = g_new0(char *, n + 1);
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    ret = lottery_value_normalise(values[i], &norm[i]);
  if (ret == 0) {
    qsort(norm, n, sizeof *norm, str_cmp);
    GString *k = g_string_new(entries_sha256);
    g_string_append_c(k, '/');
    for (size_t i = 0; i < n; i++) {
      g_string_append(k, norm[i]);
      g_string_append_c(k, '/');
    }
    *out = g_string_free(k, FALSE);
  }
  g_strfreev(norm);
  return ret;
}

gint64 lottery_reserve_count(gint64 prizes, gint64 percent)
{
  return (prizes * percent + 99) / 100;
}

/* ---- the picks ------------------------------------------------------------------------
 * A Fenwick tree over the entries' tickets finds the ticket at an offset and removes a
 * winner in O(log n), so a draw of 100,000 entries costs the same per pick as one of ten.
 * The result is defined by the cumulative walk in entry order (docs/lottery.md); the tree
 * is only a faster way to the same entry. */

typedef struct {
  gint64 *t; /* 1-based */
  size_t n;
  size_t top; /* highest power of two <= n */
} Fenwick;

static void fenwick_add(Fenwick *f, size_t i, gint64 delta)
{
  for (i++; i <= f->n; i += i & (~i + 1))
    f->t[i] += delta;
}

static void fenwick_init(Fenwick *f, const LotteryEntry *entries, size_t n)
{
  f->n = n;
  f->t = g_new0(gint64, n + 1);
  for (size_t i = 1; i <= n; i++) {
    f->t[i] += entries[i - 1].tickets;
    size_t parent = i + (i & (~i + 1));
    if (parent <= n)
      f->t[parent] += f->t[i];
  }
  f->top = 1;
  while (f->top * 2 <= n)
    f->top *= 2;
}

/* The entry holding ticket OFFSET (0-based) in entry order. */
static size_t fenwick_find(const Fenwick *f, gint64 offset)
{
  size_t pos = 0;
  for (size_t step = f->top; step > 0; step >>= 1)
    if (pos + step <= f->n && f->t[pos + step] <= offset) {
      pos += step;
      offset -= f->t[pos];
    }
  return pos;
}

/* The 256-bit big-endian number DIGEST modulo M (> 0), byte by byte: integers only. */
static gint64 digest_mod(const guint8 digest[32], gint64 m)
{
  unsigned __int128 r = 0;
  for (int i = 0; i < 32; i++)
    r = ((r << 8) | digest[i]) % (unsigned __int128)m;
  return (gint64)r;
}

int lottery_draw_run(const LotteryDrawInput *in, LotteryDrawResult **out)
{
  *out = NULL;
  if (in->n_tiers == 0 || in->n_tiers > LOTTERY_MAX_TIERS || in->reserve_percent < 0 ||
      in->reserve_percent > 100 || entries_check(in->entries, in->n_entries) < 0)
    return -EINVAL;
  gint64 prizes = 0;
  for (size_t i = 0; i < in->n_tiers; i++) {
    if (in->tiers[i].quantity <= 0 || in->tiers[i].quantity > LOTTERY_MAX_PICKS)
      return -EINVAL;
    prizes += in->tiers[i].quantity;
  }
  gint64 wanted = prizes + lottery_reserve_count(prizes, in->reserve_percent);
  if (wanted > LOTTERY_MAX_PICKS)
    return -EINVAL;

  LotteryDrawResult *res = g_new0(LotteryDrawResult, 1);
  lottery_entries_sha256(in->entries, in->n_entries, res->entries_sha256);
  int ret = lottery_key(res->entries_sha256, in->public_values, in->n_values, &res->key);
  if (ret < 0) {
    lottery_draw_result_free(&res);
    return ret;
  }

  gint64 remaining = 0;
  for (size_t i = 0; i < in->n_entries; i++)
    remaining += in->entries[i].tickets;
  gint64 *left = g_new(gint64, in->n_entries + 1); /* tickets each entry still has */
  for (size_t i = 0; i < in->n_entries; i++)
    left[i] = in->entries[i].tickets;
  Fenwick f;
  fenwick_init(&f, in->entries, in->n_entries);

  gint64 cap = remaining;
  if (in->one_prize_per_member && (gint64)in->n_entries < cap)
    cap = (gint64)in->n_entries;
  gint64 n_picks = wanted < cap ? wanted : cap;
  res->picks = g_new0(LotteryPick, n_picks > 0 ? n_picks : 1);

  size_t key_len = strlen(res->key);
  char *msg = g_malloc(key_len + 24);
  memcpy(msg, res->key, key_len);
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  size_t tier = 0;
  gint64 filled = 0; /* picks given to TIER so far */
  for (gint64 n = 1; n <= n_picks; n++) {
    LotteryPick *p = &res->picks[n - 1];
    int mlen = g_snprintf(msg + key_len, 24, "%" G_GINT64_FORMAT, n);
    guint8 digest[32];
    gsize dlen = sizeof digest;
    g_checksum_reset(sum);
    g_checksum_update(sum, (const guchar *)msg, (gssize)(key_len + (size_t)mlen));
    g_checksum_get_digest(sum, digest, &dlen);
    for (int i = 0; i < 32; i++)
      g_snprintf(p->hash + 2 * i, 3, "%02x", digest[i]);
    p->n = n;
    p->remaining = remaining;
    p->offset = digest_mod(digest, remaining);
    p->entry = fenwick_find(&f, p->offset);
    while (tier < in->n_tiers && filled == in->tiers[tier].quantity) {
      tier++;
      filled = 0;
    }
    if (tier < in->n_tiers) {
      p->tier = (gint64)tier;
      filled++;
      res->prizes++;
    } else {
      p->tier = -1;
    }
    /* One prize per member: the winner leaves with all their tickets; otherwise only the
     * winning ticket leaves. */
    gint64 gone = in->one_prize_per_member ? left[p->entry] : 1;
    left[p->entry] -= gone;
    fenwick_add(&f, p->entry, -gone);
    remaining -= gone;
    res->n_picks++;
  }
  g_checksum_free(sum);
  g_free(msg);
  g_free(f.t);
  g_free(left);
  *out = res;
  return 0;
}

/* ---- the record ------------------------------------------------------------------------ */

/* NODE as compact JSON appended to S (json-glib's generator: escaping is its). */
static void append_node(GString *s, JsonNode *node)
{
  char *text = util_json_text(node, false);
  g_string_append(s, text);
  g_free(text);
}

static void append_string(GString *s, const char *v)
{
  JsonNode *n = json_node_new(JSON_NODE_VALUE);
  json_node_set_string(n, v ? v : "");
  append_node(s, n);
  json_node_unref(n);
}

char *lottery_record_json(const LotteryDrawInput *in, const LotteryDrawResult *res)
{
  /* Written piece by piece rather than through one JsonBuilder tree: a draw of 100,000
   * entries would otherwise build and walk a tree of half a million nodes. Codes and hashes
   * are hex and numbers are integers, so only the free texts need json-glib's escaping; the
   * result is byte for byte what json-glib's compact generator makes (the published vectors
   * test that). */
  GString *s = g_string_sized_new(64 + in->n_entries * 26 + res->n_picks * 150);
  g_string_append(s, "{\"format\":\"" LOTTERY_RECORD_FORMAT "\",\"about\":");
  if (in->about)
    append_node(s, in->about);
  else
    g_string_append(s, "null");
  g_string_append_printf(s, ",\"one_prize_per_member\":%s,\"reserve_percent\":%" G_GINT64_FORMAT ",\"tiers\":[",
                         in->one_prize_per_member ? "true" : "false", in->reserve_percent);
  for (size_t i = 0; i < in->n_tiers; i++) {
    g_string_append(s, i ? ",{\"name\":" : "{\"name\":");
    append_string(s, in->tiers[i].name);
    g_string_append_printf(s, ",\"quantity\":%" G_GINT64_FORMAT ",\"value\":", in->tiers[i].quantity);
    append_string(s, in->tiers[i].value);
    g_string_append_c(s, '}');
  }
  g_string_append(s, "],\"entries\":[");
  for (size_t i = 0; i < in->n_entries; i++)
    g_string_append_printf(s, "%s[\"%s\",%" G_GINT64_FORMAT "]", i ? "," : "", in->entries[i].code,
                           in->entries[i].tickets);
  g_string_append_printf(s, "],\"entries_sha256\":\"%s\",\"public_values\":[", res->entries_sha256);
  for (size_t i = 0; i < in->n_values; i++) {
    if (i)
      g_string_append_c(s, ',');
    append_string(s, in->public_values[i]);
  }
  g_string_append(s, "],\"key\":");
  append_string(s, res->key);
  g_string_append(s, ",\"picks\":[");
  for (size_t i = 0; i < res->n_picks; i++) {
    const LotteryPick *p = &res->picks[i];
    char tier[24];
    if (p->tier >= 0)
      g_snprintf(tier, sizeof tier, "%" G_GINT64_FORMAT, p->tier);
    else
      g_strlcpy(tier, "null", sizeof tier);
    g_string_append_printf(s, "%s{\"n\":%" G_GINT64_FORMAT ",\"tier\":%s,\"hash\":\"%s\",\"remaining\":%"
                           G_GINT64_FORMAT ",\"offset\":%" G_GINT64_FORMAT ",\"code\":\"%s\"}", i ? "," : "", p->n, tier,
                           p->hash, p->remaining, p->offset, p->entry < in->n_entries ? in->entries[p->entry].code : "");
  }
  g_string_append(s, "]}");
  return g_string_free(s, FALSE);
}

static const char *obj_string(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(n);
}

static bool obj_int(JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
    return false;
  *out = json_node_get_int(n);
  return true;
}

static JsonArray *obj_array(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

#define FAIL(...)                                 \
  do {                                            \
    *err = g_strdup_printf(__VA_ARGS__);          \
    goto fail;                                    \
  } while (0)

int lottery_record_parse(const char *json, gsize len, LotteryDrawInput **in_out,
                         LotteryDrawResult **stated_out, char **err)
{
  *in_out = NULL;
  *stated_out = NULL;
  *err = NULL;
  LotteryDrawInput *in = g_new0(LotteryDrawInput, 1);
  LotteryDrawResult *st = g_new0(LotteryDrawResult, 1);
  JsonParser *parser = json_parser_new();
  GHashTable *by_code = NULL;
  GError *gerr = NULL;
  if (!json_parser_load_from_data(parser, json, (gssize)len, &gerr)) {
    *err = g_strdup_printf("not JSON: %s", gerr->message);
    g_error_free(gerr);
    goto fail;
  }
  JsonNode *root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root))
    FAIL("not a draw record: the top level is not an object");
  JsonObject *o = json_node_get_object(root);
  const char *format = obj_string(o, "format");
  if (!format || strcmp(format, LOTTERY_RECORD_FORMAT) != 0)
    FAIL("not a draw record: format is not \"%s\"", LOTTERY_RECORD_FORMAT);
  JsonNode *about = json_object_get_member(o, "about");
  in->about = about && !JSON_NODE_HOLDS_NULL(about) ? json_node_copy(about) : NULL;
  JsonNode *opp = json_object_get_member(o, "one_prize_per_member");
  if (!opp || !JSON_NODE_HOLDS_VALUE(opp) || json_node_get_value_type(opp) != G_TYPE_BOOLEAN)
    FAIL("one_prize_per_member is missing or not true/false");
  in->one_prize_per_member = json_node_get_boolean(opp);
  if (!obj_int(o, "reserve_percent", &in->reserve_percent))
    FAIL("reserve_percent is missing or not an integer");

  JsonArray *tiers = obj_array(o, "tiers");
  if (!tiers || json_array_get_length(tiers) == 0 || json_array_get_length(tiers) > LOTTERY_MAX_TIERS)
    FAIL("tiers is missing, empty or too long");
  in->n_tiers = json_array_get_length(tiers);
  in->tiers = g_new0(LotteryTier, in->n_tiers);
  for (size_t i = 0; i < in->n_tiers; i++) {
    JsonNode *t = json_array_get_element(tiers, (guint)i);
    if (!JSON_NODE_HOLDS_OBJECT(t))
      FAIL("tier %zu is not an object", i);
    JsonObject *to = json_node_get_object(t);
    const char *name = obj_string(to, "name"), *value = obj_string(to, "value");
    if (!name || !value || !obj_int(to, "quantity", &in->tiers[i].quantity))
      FAIL("tier %zu needs name, quantity and value", i);
    in->tiers[i].name = g_strdup(name);
    in->tiers[i].value = g_strdup(value);
  }

  JsonArray *entries = obj_array(o, "entries");
  if (!entries || json_array_get_length(entries) > LOTTERY_MAX_ENTRIES)
    FAIL("entries is missing or too long");
  in->n_entries = json_array_get_length(entries);
  in->entries = g_new0(LotteryEntry, in->n_entries + 1);
  for (size_t i = 0; i < in->n_entries; i++) {
    JsonNode *e = json_array_get_element(entries, (guint)i);
    JsonArray *ea = JSON_NODE_HOLDS_ARRAY(e) ? json_node_get_array(e) : NULL;
    if (!ea || json_array_get_length(ea) != 2)
      FAIL("entry %zu is not [code, tickets]", i);
    JsonNode *c = json_array_get_element(ea, 0), *t = json_array_get_element(ea, 1);
    if (!JSON_NODE_HOLDS_VALUE(c) || json_node_get_value_type(c) != G_TYPE_STRING ||
        strlen(json_node_get_string(c)) != LOTTERY_CODE_HEX || !JSON_NODE_HOLDS_VALUE(t) ||
        json_node_get_value_type(t) != G_TYPE_INT64)
      FAIL("entry %zu is not [code, tickets]", i);
    memcpy(in->entries[i].code, json_node_get_string(c), LOTTERY_CODE_HEX + 1);
    in->entries[i].tickets = json_node_get_int(t);
  }
  const char *sha = obj_string(o, "entries_sha256");
  if (!sha || strlen(sha) != LOTTERY_SHA256_HEX)
    FAIL("entries_sha256 is missing or not 64 hex digits");
  memcpy(st->entries_sha256, sha, LOTTERY_SHA256_HEX + 1);

  JsonArray *values = obj_array(o, "public_values");
  if (!values || json_array_get_length(values) == 0 || json_array_get_length(values) > LOTTERY_MAX_VALUES)
    FAIL("public_values is missing, empty or too long");
  in->n_values = json_array_get_length(values);
  in->public_values = g_new0(char *, in->n_values + 1);
  for (size_t i = 0; i < in->n_values; i++) {
    JsonNode *v = json_array_get_element(values, (guint)i);
    if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_STRING)
      FAIL("public value %zu is not a string", i);
    in->public_values[i] = g_strdup(json_node_get_string(v));
  }
  const char *key = obj_string(o, "key");
  if (!key)
    FAIL("key is missing");
  st->key = g_strdup(key);

  /* Code -> entry index, for the stated winners (a record's picks name entries by code). */
  by_code = g_hash_table_new(g_str_hash, g_str_equal);
  for (size_t i = 0; i < in->n_entries; i++)
    g_hash_table_insert(by_code, in->entries[i].code, GSIZE_TO_POINTER(i + 1));
  JsonArray *picks = obj_array(o, "picks");
  if (!picks || json_array_get_length(picks) > LOTTERY_MAX_PICKS)
    FAIL("picks is missing or too long");
  st->n_picks = json_array_get_length(picks);
  st->picks = g_new0(LotteryPick, st->n_picks + 1);
  for (size_t i = 0; i < st->n_picks; i++) {
    JsonNode *pn = json_array_get_element(picks, (guint)i);
    if (!JSON_NODE_HOLDS_OBJECT(pn))
      FAIL("pick %zu is not an object", i + 1);
    JsonObject *po = json_node_get_object(pn);
    LotteryPick *p = &st->picks[i];
    const char *hash = obj_string(po, "hash"), *code = obj_string(po, "code");
    JsonNode *tn = json_object_get_member(po, "tier");
    if (!obj_int(po, "n", &p->n) || !obj_int(po, "remaining", &p->remaining) ||
        !obj_int(po, "offset", &p->offset) || !hash || strlen(hash) != LOTTERY_SHA256_HEX ||
        !code || !tn)
      FAIL("pick %zu needs n, tier, hash, remaining, offset and code", i + 1);
    if (JSON_NODE_HOLDS_NULL(tn))
      p->tier = -1;
    else if (!obj_int(po, "tier", &p->tier))
      FAIL("pick %zu: tier is not an integer or null", i + 1);
    else
      st->prizes++;
    memcpy(p->hash, hash, LOTTERY_SHA256_HEX + 1);
    /* The stated winner, by code: an index past the entries when the code is not one. */
    gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(by_code, code));
    p->entry = at ? at - 1 : in->n_entries;
  }
  g_hash_table_unref(by_code);
  g_object_unref(parser);
  *in_out = in;
  *stated_out = st;
  return 0;

fail:
  if (by_code)
    g_hash_table_unref(by_code);
  g_object_unref(parser);
  lottery_draw_input_free(&in);
  lottery_draw_result_free(&st);
  return -EINVAL;
}

static const char *code_at(const LotteryDrawInput *in, size_t entry)
{
  return entry < in->n_entries ? in->entries[entry].code : "(none)";
}

int lottery_verify(const char *json, gsize len, const char *commitment, GPtrArray *problems)
{
  LotteryDrawInput *in = NULL;
  LotteryDrawResult *st = NULL, *re = NULL;
  char *err = NULL;
  if (lottery_record_parse(json, len, &in, &st, &err) < 0) {
    g_ptr_array_add(problems, err);
    return -EINVAL;
  }
  int ret = 0;
  char sha[LOTTERY_SHA256_HEX + 1];
  lottery_entries_sha256(in->entries, in->n_entries, sha);
  if (entries_check(in->entries, in->n_entries) < 0) {
    g_ptr_array_add(problems, g_strdup("the entry list is not canonical (codes must be 16 lower-case "
                                       "hex digits in ascending order, tickets positive)"));
    ret = -EBADMSG;
  }
  if (strcmp(sha, st->entries_sha256) != 0) {
    g_ptr_array_add(problems, g_strdup_printf("the entry list hashes to %s, not to the stated "
                                              "entries_sha256 %s", sha, st->entries_sha256));
    ret = -EBADMSG;
  }
  if (commitment && g_ascii_strcasecmp(commitment, sha) != 0) {
    g_ptr_array_add(problems, g_strdup_printf("the entry list hashes to %s, not to the commitment "
                                              "published at the freeze %s", sha, commitment));
    ret = -EBADMSG;
  }
  if (ret < 0)
    goto done;
  int rr = lottery_draw_run(in, &re);
  if (rr < 0) {
    g_ptr_array_add(problems, g_strdup("the rules or public values cannot be drawn (a bad tier, "
                                       "reserve percent or public value)"));
    ret = -EBADMSG;
    goto done;
  }
  if (strcmp(re->key, st->key) != 0) {
    g_ptr_array_add(problems, g_strdup_printf("the key from the public values is \"%s\", not the "
                                              "stated \"%s\"", re->key, st->key));
    ret = -EBADMSG;
  }
  if (re->n_picks != st->n_picks) {
    g_ptr_array_add(problems, g_strdup_printf("the rules give %zu picks, the record states %zu",
                                              re->n_picks, st->n_picks));
    ret = -EBADMSG;
  }
  size_t shown = 0;
  size_t n = MIN(re->n_picks, st->n_picks);
  for (size_t i = 0; i < n; i++) {
    const LotteryPick *a = &re->picks[i], *b = &st->picks[i];
    if (a->n == b->n && a->tier == b->tier && strcmp(a->hash, b->hash) == 0 &&
        a->remaining == b->remaining && a->offset == b->offset && a->entry == b->entry)
      continue;
    ret = -EBADMSG;
    if (shown++ < 10)
      g_ptr_array_add(problems, g_strdup_printf(
          "pick %zu: recomputed winner %s (tier %" G_GINT64_FORMAT ", offset %" G_GINT64_FORMAT
          " of %" G_GINT64_FORMAT "), the record states %s (tier %" G_GINT64_FORMAT ", offset %"
          G_GINT64_FORMAT " of %" G_GINT64_FORMAT ")", i + 1, code_at(in, a->entry), a->tier,
          a->offset, a->remaining, code_at(in, b->entry), b->tier, b->offset, b->remaining));
  }
  if (shown > 10)
    g_ptr_array_add(problems, g_strdup_printf("%zu more picks differ", shown - 10));
done:
  lottery_draw_input_free(&in);
  lottery_draw_result_free(&st);
  lottery_draw_result_free(&re);
  return ret;
}

void lottery_draw_input_free(LotteryDrawInput **inp)
{
  LotteryDrawInput *in = *inp;
  if (!in)
    return;
  if (in->about)
    json_node_unref(in->about);
  for (size_t i = 0; i < in->n_tiers; i++) {
    g_free(in->tiers[i].name);
    g_free(in->tiers[i].value);
  }
  g_free(in->tiers);
  g_free(in->entries);
  for (size_t i = 0; i < in->n_values; i++)
    g_free(in->public_values[i]);
  g_free(in->public_values);
  g_free(in);
  *inp = NULL;
}

void lottery_draw_result_free(LotteryDrawResult **resp)
{
  LotteryDrawResult *res = *resp;
  if (!res)
    return;
  g_free(res->key);
  g_free(res->picks);
  g_free(res);
  *resp = NULL;
}
