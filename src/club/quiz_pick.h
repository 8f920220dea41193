/* quiz_pick: the pure rules of the daily quiz — which questions a member gets, the order of
 * their options, whether an answer is right and in time (docs/quiz.md). No database. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* A question that may be served: its current version, and how often this member was served
 * it before (the least seen are picked first, at random among equals). */
typedef struct {
  gint64 question_id;
  gint64 version_id;
  gint64 seen;
} QuizCandidate;

/* Picks up to WANT of the N candidates C (fewer when there are fewer) in a random order,
 * the least seen first, drawing from RNG. Writes their indexes into C to OUT (room for
 * WANT) and returns how many. */
guint quiz_pick_select(const QuizCandidate *c, guint n, guint want, GRand *rng, guint *out);

/* A random order of N options into PERM (shown position -> option index). */
void quiz_pick_shuffle(guint n, GRand *rng, guint *perm);

/* Is CHOICES (option indexes, any order; repeats count once) exactly the set ANSWER? */
bool quiz_pick_correct(const guint *answer, guint n_answer, const guint *choices, guint n_choices);

/* Was an answer at ANSWERED_MS to a question served at SERVED_MS with SECONDS to answer
 * late? Both are the server's clock; the limit itself is still in time. */
bool quiz_pick_late(gint64 served_ms, gint64 answered_ms, gint64 seconds);

/* Points for CORRECT answers at RATE each, within ALLOWED (what the caps leave; < 0: no
 * limit). */
gint64 quiz_pick_points(gint64 correct, gint64 rate, gint64 allowed);
