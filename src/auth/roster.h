/* roster: the union's member list imported from CSV — parsing with a reason for every line
 * refused, phone or ID numbers kept only as a keyed hash, and the import report. */
#pragma once

#include "auth/token.h"
#include "db/db_roster.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#define ROSTER_MAX_LINES 500000
#define ROSTER_LINE_MAX 4096      /* bytes in one record */

typedef struct {
  int line;                       /* 1-based line number in the file */
  RosterEntry entry;
} RosterRow;

typedef struct {
  int line;
  char *reason;
} RosterRefusal;

typedef struct {
  int added, updated, unchanged;
  GPtrArray *refused;             /* RosterRefusal*, in line order */
} RosterReport;

/* The keyed hash a phone or ID number is kept as: hex HMAC-SHA256 of "roster-contact:" and
 * VALUE with spaces, dashes and a leading '+' removed and letters upper-cased, under KEY.
 * Returns 0 with *OUT (caller frees), or -EINVAL when VALUE is not 5–32 digits (an ID
 * number may end in X). */
int roster_contact_hash(const guint8 key[TOKEN_SECRET_LEN], const char *value, char **out);

/* Parses a roster CSV (UTF-8, optional BOM, RFC 4180 quoting, CRLF or LF). The first line
 * names the columns: member_number and name are required, unit, phone and id_number
 * optional, in any order (unknown columns are refused, so a phone number is never taken
 * for something else). Good lines go to *ROWS (RosterRow*), the others to *REFUSED with a
 * reason (a duplicate member number keeps the first line). Returns 0, or -EINVAL with
 * *ERR (caller frees) when the file as a whole cannot be read (no or bad header, not
 * UTF-8, too many lines). */
int roster_parse(const char *text, size_t len, const guint8 key[TOKEN_SECRET_LEN],
                 GPtrArray **rows, GPtrArray **refused, char **err);

/* Parses TEXT and stores it in the roster in one transaction, audited as "roster.import" by
 * ACTOR_ID/ACTOR_NAME with the counts: new member numbers are added, changed ones updated,
 * the same ones left alone (importing the same file again changes nothing). Returns 0 with
 * *REPORT (roster_report_clear it), -EINVAL with *ERR for a file that cannot be read, or
 * another -errno from the database (nothing stored). */
int roster_import(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *text, size_t len,
                  const char *actor_id, const char *actor_name, RosterReport *report, char **err);

/* {added, updated, unchanged, refused: [{line, reason}]} */
JsonNode *roster_report_json(const RosterReport *r);

void roster_report_clear(RosterReport *r);
void roster_row_free(RosterRow *r);
void roster_refusal_free(RosterRefusal *r);
