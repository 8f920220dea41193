/* db_roster: the union's member list as imported (member number, name, unit, and a phone or
 * ID number only as a keyed hash). */
#pragma once

#include "db/db.h"

#include <glib.h>

typedef struct {
  char *member_number;
  char *name;
  char *unit;
  char *contact_hash; /* hex HMAC of the phone or ID number, "" for none */
} RosterEntry;

void roster_entry_clear(RosterEntry *e);

/* The roster row for MEMBER_NUMBER. Returns 0 with *OUT filled (roster_entry_clear it),
 * -ENOENT or -EIO. */
int db_roster_get(Db *db, const char *member_number, RosterEntry *out);

/* Inserts E, or replaces the row with its member number. Returns 0, -EINVAL (a CHECK failed)
 * or -EIO. */
int db_roster_put(Db *db, const RosterEntry *e, gint64 now);

/* How many rows the roster has. Returns 0 with *COUNT or -EIO. */
int db_roster_count(Db *db, gint64 *count);
