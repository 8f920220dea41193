/* lottery_draw: the verifiable draw as a pure function of (rules, entry list, public values),
 * its canonical JSON record, and the verifier that recomputes a record. No I/O, no clock.
 * The method, step by step, is in docs/lottery.md. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#define LOTTERY_CODE_HEX 16        /* an entry code: 64 bits of HMAC, lower-case hex */
#define LOTTERY_SHA256_HEX 64
#define LOTTERY_MAX_VALUES 32      /* public values per draw */
#define LOTTERY_MAX_VALUE_LEN 200  /* bytes per public value */
#define LOTTERY_MAX_TIERS 64
#define LOTTERY_MAX_PICKS 1000000  /* prizes and reserves per draw */
#define LOTTERY_MAX_ENTRIES 10000000
#define LOTTERY_MAX_TICKETS 1000000000 /* per entry: sums stay far inside 64 bits */
#define LOTTERY_RECORD_FORMAT "lectern-lottery-draw/1"

typedef struct {
  char code[LOTTERY_CODE_HEX + 1];
  gint64 tickets; /* > 0 */
} LotteryEntry;

typedef struct {
  char *name;
  gint64 quantity; /* > 0 */
  char *value;     /* free text, e.g. "50 元" */
} LotteryTier;

/* What a draw is a function of. ENTRIES must be in canonical order (lottery_entries_sort). */
typedef struct {
  JsonNode *about;          /* rules and ids, copied into the record as they are; may be NULL */
  bool one_prize_per_member;
  gint64 reserve_percent;   /* 0..100 */
  LotteryTier *tiers;
  size_t n_tiers;
  LotteryEntry *entries;
  size_t n_entries;
  char **public_values;     /* as entered; normalised by lottery_key */
  size_t n_values;
} LotteryDrawInput;

/* One pick: the n-th (from 1) hash of the key, the tickets left, the hash modulo them. */
typedef struct {
  gint64 n;
  gint64 tier;       /* index into tiers, or -1 for a reserve */
  char hash[LOTTERY_SHA256_HEX + 1];
  gint64 remaining;  /* tickets still in the draw before this pick */
  gint64 offset;     /* hash mod remaining: the winning ticket among them */
  size_t entry;      /* index into entries of the winner */
} LotteryPick;

typedef struct {
  char entries_sha256[LOTTERY_SHA256_HEX + 1];
  char *key;         /* the key string the pick hashes are made from */
  LotteryPick *picks;
  size_t n_picks;
  gint64 prizes;     /* picks that won a tier (the rest are reserves) */
} LotteryDrawResult;

/* The pseudonymous entry code of MEMBER_ID in lottery LOTTERY_ID: the first 16 hex digits of
 * HMAC-SHA256(SECRET, "lectern-lottery-entry:<lottery>:<member>"). OUT gets 17 bytes. */
void lottery_entry_code(const guint8 *secret, size_t secret_len, gint64 lottery_id,
                        const char *member_id, char out[LOTTERY_CODE_HEX + 1]);

/* Sorts ENTRIES by code (byte order), the canonical order. Returns 0, or -EINVAL when two
 * entries share a code, a code is not 16 lower-case hex digits or a count is not positive. */
int lottery_entries_sort(LotteryEntry *entries, size_t n);

/* The canonical entry list: one line "<code> <tickets>\n" per entry in the given order.
 * Caller frees. */
char *lottery_entries_text(const LotteryEntry *entries, size_t n);

/* Hex SHA-256 of the canonical entry list (the commitment published at the freeze). */
void lottery_entries_sha256(const LotteryEntry *entries, size_t n, char out[LOTTERY_SHA256_HEX + 1]);

/* Checks and normalises one public value (surrounding white space removed). Returns 0 with
 * *out (caller frees), or -EINVAL: empty, over LOTTERY_MAX_VALUE_LEN, not UTF-8, or holding
 * a control character or '/'. */
int lottery_value_normalise(const char *value, char **out);

/* The key string: "<entries sha256>/" then each normalised public value, sorted in byte
 * order, followed by "/". Returns 0 with *out (caller frees), or -EINVAL (no values, too
 * many, or a value lottery_value_normalise refuses). */
int lottery_key(const char *entries_sha256, char *const *values, size_t n, char **out);

/* Runs the draw on IN. Returns 0 with *out (lottery_draw_result_free), or -EINVAL when the
 * input breaks the rules above (unsorted entries, bad values, no tiers, a bad quantity). */
int lottery_draw_run(const LotteryDrawInput *in, LotteryDrawResult **out);

/* How many reserves a draw with PRIZES prizes draws at PERCENT: ceil(prizes * percent / 100). */
gint64 lottery_reserve_count(gint64 prizes, gint64 percent);

/* The canonical draw record of IN and its RESULT: compact JSON, members in a fixed order.
 * Caller frees. */
char *lottery_record_json(const LotteryDrawInput *in, const LotteryDrawResult *res);

/* Reads a draw record. Returns 0 with *in and *stated (what the record claims; free both
 * with lottery_draw_input_free / lottery_draw_result_free), or -EINVAL with *err. */
int lottery_record_parse(const char *json, gsize len, LotteryDrawInput **in,
                         LotteryDrawResult **stated, char **err);

/* Recomputes the record in JSON: the entry list's hash (and, when COMMITMENT is given, that
 * it equals the commitment published at the freeze), the key, and every pick. Returns 0
 * when all agree, -EBADMSG when something differs (each difference, one sentence, appended
 * to PROBLEMS, which owns them), or -EINVAL when JSON is not a draw record (*PROBLEMS gets
 * why). */
int lottery_verify(const char *json, gsize len, const char *commitment, GPtrArray *problems);

void lottery_draw_input_free(LotteryDrawInput **in);
void lottery_draw_result_free(LotteryDrawResult **res);
