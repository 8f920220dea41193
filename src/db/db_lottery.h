/* db_lottery: the points lottery's tables (migration 0013) — lotteries, draws, tiers,
 * redemption codes, purchases, entries, picks and prizes. The rules that tie them together
 * are in src/lottery/lottery_service.c. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

typedef struct {
  gint64 id;
  gint64 campaign_id;       /* 0: none */
  char *title;
  char *rules;
  gint64 opens_at, closes_at;
  gint64 points_per_ticket;
  gint64 min_balance;
  gint64 max_tickets;       /* per member and draw */
  bool one_prize_per_member;
  gint64 reserve_percent;
  gint64 claim_days;
} Lottery;

typedef struct {
  gint64 id;
  gint64 lottery_id;
  gint64 freeze_at;
  char *state;              /* "open", "frozen", "drawn" */
  gint64 frozen_at;         /* 0 until frozen */
  char *entries_sha256;     /* NULL until frozen */
  gint64 entries, tickets;
  char *record;             /* NULL until drawn */
  gint64 drawn_at, claim_deadline;
} LotteryDrawRow;

/* Lottery ID. Returns 0 with *out, -ENOENT, or -EIO. */
int db_lottery_get(Db *db, gint64 id, Lottery **out);
/* Inserts L (l->id 0; the new id is set) or updates lottery l->id at NOW. Returns 0, -ENOENT,
 * -EINVAL (a CHECK failed, or no such campaign), or -EIO. */
int db_lottery_save(Db *db, Lottery *l, gint64 now);
void lottery_free(Lottery **l);

/* Adds a draw of LOTTERY freezing at FREEZE_AT; *id gets it. Returns 0, -EINVAL or -EIO. */
int db_lottery_draw_add(Db *db, gint64 lottery, gint64 freeze_at, gint64 *id);
/* Draw ID. Returns 0 with *out, -ENOENT, or -EIO. */
int db_lottery_draw_get(Db *db, gint64 id, LotteryDrawRow **out);
/* The open draw of LOTTERY that freezes first after NOW. 0 with *out, -ENOENT, or -EIO. */
int db_lottery_draw_open(Db *db, gint64 lottery, gint64 now, LotteryDrawRow **out);
/* Sets an open draw's freeze time. Returns 0, -ENOENT (none open with that id) or -EIO. */
int db_lottery_draw_set_freeze(Db *db, gint64 id, gint64 freeze_at);
/* Open draws whose freeze time has passed at NOW, in *ids. Returns 0 or -EIO. */
int db_lottery_draws_due(Db *db, gint64 now, GArray **ids);
/* Records the freeze of open draw ID. Returns 0, -ENOENT (not open) or -EIO. */
int db_lottery_draw_set_frozen(Db *db, gint64 id, const char *entry_list, const char *sha,
                               gint64 entries, gint64 tickets, gint64 at);
/* Records the draw of frozen draw ID. Returns 0, -ENOENT (not frozen) or -EIO. */
int db_lottery_draw_set_drawn(Db *db, gint64 id, const char *values_json, const char *record,
                              gint64 at, gint64 claim_deadline);
void lottery_draw_row_free(LotteryDrawRow **d);

/* Adds (ID 0; *id gets it) or updates tier ID of DRAW. Returns 0, -EEXIST (position taken),
 * -EINVAL, -ENOENT or -EIO. */
int db_lottery_tier_save(Db *db, gint64 draw, gint64 id, gint64 position, const char *name,
                         gint64 quantity, const char *value, gint64 *out_id);
/* The draw tier ID belongs to, in *draw. Returns 0, -ENOENT or -EIO. */
int db_lottery_tier_draw(Db *db, gint64 id, gint64 *draw);
/* The entry list DRAW's freeze wrote (*OUT: caller frees; "" for a freeze without entries).
 * Returns 0, -ENOENT (no such draw, or not frozen) or the database's error: a failed read is
 * never an empty list. */
int db_lottery_draw_entry_list(Db *db, gint64 draw, char **out);
/* DRAW's tiers in position order: *ids, and names/values/quantities in parallel arrays
 * (caller frees with g_array_unref / g_ptr_array_unref). Returns 0 or -EIO. */
int db_lottery_tiers(Db *db, gint64 draw, GArray **ids, GArray **quantities, GPtrArray **names,
                     GPtrArray **values);

/* Adds redemption code CODE to TIER. Returns 0, -EEXIST (already there), -EINVAL or -EIO. */
int db_lottery_code_add(Db *db, gint64 tier, const char *code, gint64 at);
/* The first code of TIER (import order) no prize holds yet, in *id; 0 when none. */
int db_lottery_code_free_next(Db *db, gint64 tier, gint64 *id);

/* The purchase with KEY: 0 with *draw, *tickets, *points, -ENOENT, or -EIO. MEMBER must match. */
int db_lottery_purchase_find(Db *db, const char *key, const char *member, gint64 *draw,
                             gint64 *tickets, gint64 *points);
/* Records a purchase and adds its tickets to MEMBER's entry (CODE) in DRAW. Returns 0,
 * -EEXIST (KEY used) or -EIO. */
int db_lottery_purchase_add(Db *db, gint64 draw, const char *member, const char *code,
                            gint64 tickets, gint64 points, const char *key, gint64 at);
/* MEMBER's tickets in DRAW (0 when none). Returns 0 or -EIO. */
int db_lottery_entry_tickets(Db *db, gint64 draw, const char *member, gint64 *tickets);
/* True (1) when MEMBER holds a prize of LOTTERY that is won or claimed; 0; or -EIO. */
int db_lottery_member_has_prize(Db *db, gint64 lottery, const char *member);

/* DRAW's entries that count at the freeze (members neither disqualified, disabled, nor
 * holding a prize of the lottery when ONE_PRIZE), any order: codes in *codes, members in
 * *members, tickets in *tickets. Returns 0 or -EIO. */
int db_lottery_entries_live(Db *db, gint64 draw, gint64 lottery, bool one_prize, GPtrArray **codes,
                            GPtrArray **members, GArray **tickets);
/* The member holding CODE in DRAW. Returns 0 with *member (caller frees), -ENOENT or -EIO. */
int db_lottery_entry_member(Db *db, gint64 draw, const char *code, char **member);

int db_lottery_pick_add(Db *db, gint64 draw, gint64 n, gint64 tier, const char *member,
                        const char *code);
int db_lottery_prize_add(Db *db, gint64 draw, gint64 tier, gint64 slot, gint64 pick_n,
                         const char *member, gint64 code_id, gint64 at, gint64 *id);

typedef struct {
  gint64 id, draw_id, tier_id, slot, pick_n, code_id;
  char *member_id;
  char *state;
} LotteryPrizeRow;
int db_lottery_prize_get(Db *db, gint64 id, LotteryPrizeRow **out);
void lottery_prize_row_free(LotteryPrizeRow **p);
/* Ends prize ID (won or claimed) with STATE "disqualified"/"expired" and REASON. 0, -ENOENT, -EIO. */
int db_lottery_prize_end(Db *db, gint64 id, const char *state, const char *reason, gint64 at);
/* Marks MEMBER's won prize ID claimed. Returns 0, -ENOENT (not theirs or not won) or -EIO. */
int db_lottery_prize_claim(Db *db, gint64 id, const char *member, gint64 at);
/* The won (unclaimed) prizes of drawn draws whose claim deadline is before NOW. */
int db_lottery_prizes_unclaimed(Db *db, gint64 now, GArray **ids);
/* The first reserve pick of DRAW after every pick used so far whose member is still
 * eligible (not disqualified or disabled; without a won or claimed prize of LOTTERY when
 * ONE_PRIZE, and never ended from a prize of this draw). 0 with *n and *member, -ENOENT. */
int db_lottery_next_reserve(Db *db, gint64 draw, gint64 lottery, bool one_prize, gint64 *n,
                            char **member);

/* ---- reads as JSON ---- */
/* Every lottery, newest window first: {id, title, opens_at, closes_at, campaign_id}. */
JsonNode *db_lottery_list_json(Db *db, int *rc);
/* Lottery L's public view: its rules and each draw with state, freeze, commitment, tiers
 * with quantity and stock (codes imported) and, once drawn, the winners masked. */
JsonNode *db_lottery_public_json(Db *db, const Lottery *l, int *rc);
/* MEMBER's view of lottery L: per draw their entry code and tickets, and their prizes with
 * redemption codes. */
JsonNode *db_lottery_mine_json(Db *db, const Lottery *l, const char *member, int *rc);
/* The editor's view of DRAW's prizes: every prize row with member id, name and code. */
JsonNode *db_lottery_prizes_json(Db *db, gint64 draw, int *rc);
JsonNode *lottery_json(const Lottery *l);
