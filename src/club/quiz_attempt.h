/* quiz_attempt: a member's daily quiz — one attempt a day (the database's UNIQUE), N
 * questions picked on the server with their options shuffled, one question shown at a time
 * with a time limit on the server's clock, each answer locked once, points paid once when
 * the last answer locks (ledger key quiz:<member>:<day>). What a member is sent holds a
 * question's right options and explanation only after their answer to it is locked
 * (docs/quiz.md). Callers hold the transaction; times are passed in (tests move them). */
#pragma once

#include "db/db.h"
#include "db/db_points.h"

#include <glib.h>
#include <json-glib/json-glib.h>

/* Without a campaign (or one without a quiz row) the quiz is still there, earning nothing. */
#define QUIZ_DEFAULT_QUESTIONS 5
#define QUIZ_DEFAULT_SECONDS 30

/* The quiz day holding NOW_MS under campaign K (NULL: Asia/Shanghai), "YYYY-MM-DD". */
char *quiz_attempt_day(const Campaign *k, gint64 now_ms);

/* Starts MEMBER's attempt of today under K (NULL: none open) at NOW_MS, picking with RNG,
 * and shows its first question. Returns 0, -EEXIST (an attempt of today exists), -ENOENT (no
 * active question), or -errno. */
int quiz_attempt_start(Db *db, const Campaign *k, const char *member, gint64 now_ms, GRand *rng);

/* Shows the next question of today's attempt (starts its clock) unless one is shown and not
 * answered (then nothing changes). Returns 0, -ENOENT (no attempt today), -EALREADY (every
 * question answered), or -errno. */
int quiz_attempt_next(Db *db, const Campaign *k, const char *member, gint64 now_ms);

/* Locks MEMBER's answer to question POSITION of today's attempt: CHOICES are positions in
 * the options as shown. Late (past the limit on the server's clock) scores nothing. The last
 * answer finishes the attempt and pays. Returns 0, -ENOENT (no attempt, or no such
 * position), -ESRCH (that question is not shown yet), -EEXIST (already answered: a second
 * submission counts nothing), -EINVAL (a choice that is not an option), or -errno. */
int quiz_attempt_answer(Db *db, const Campaign *k, const char *member, gint64 position,
                        const gint64 *choices, guint n_choices, gint64 now_ms);

/* MEMBER's quiz today under K at NOW_MS, as sent to them: {date, questions, seconds, rate,
 * cap, next_day_at, next_day_in, attempt: null | {id, finished, total, correct, points,
 * items: [...]}}. An item not shown yet is only {position, state: "pending"}; a shown one
 * has its text and options in the shown order and remaining_ms; a locked one also has the
 * member's choices, the right answer, correct, late and the explanation. Attempts of earlier
 * days left unfinished are finished first (and pay for that day). NULL with *rc. */
JsonNode *quiz_attempt_today_json(Db *db, const Campaign *k, const char *member, gint64 now_ms, int *rc);
