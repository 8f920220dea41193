/* qa_points: the points for an approved question (issue 19, item 6) — paid once per question
 * (ledger key "question:<id>"), at the open campaign's `question` rate, cut to the activity's
 * daily cap, the campaign's total daily cap and the activity's item_cap (the most question
 * points a member earns on one live). Chat messages and likes never earn. Rules:
 * docs/chat.md, docs/points.md. */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Pays MEMBER for question QUESTION asked on VIDEO, approved at NOW, inside the caller's
 * transaction. *AMOUNT the points paid (0: no campaign pays questions, the member may not
 * earn, a cap is reached, or the question was paid before). Returns 0 or -errno. */
int qa_points_award(Db *db, gint64 question, const char *member, const char *video, gint64 now,
                    gint64 *amount);
