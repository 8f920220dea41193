/* quiz_pick: which questions, in which order, right or wrong, in time or late. */
#include "club/quiz_pick.h"

#include <stdlib.h>

typedef struct {
  guint index;
  gint64 seen;
  guint32 draw;
} Ranked;

static int ranked_cmp(const void *a, const void *b)
{
  const Ranked *x = a, *y = b;
  if (x->seen != y->seen)
    return x->seen < y->seen ? -1 : 1;
  if (x->draw != y->draw)
    return x->draw < y->draw ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

guint quiz_pick_select(const QuizCandidate *c, guint n, guint want, GRand *rng, guint *out)
{
  if (n == 0 || want == 0)
    return 0;
  /* One random draw per candidate, then a sort by (seen, draw): a uniform choice among the
   * least seen, without a second pass. */
  Ranked *r = g_new(Ranked, n);
  for (guint i = 0; i < n; i++)
    r[i] = (Ranked){ .index = i, .seen = c[i].seen, .draw = g_rand_int(rng) };
  qsort(r, n, sizeof *r, ranked_cmp);
  guint k = MIN(n, want);
  for (guint i = 0; i < k; i++)
    out[i] = r[i].index;
  /* The picked ones are then shown in a random order (not least-seen first). */
  for (guint i = k; i > 1; i--) {
    guint j = (guint)g_rand_int_range(rng, 0, (gint32)i);
    guint t = out[i - 1];
    out[i - 1] = out[j];
    out[j] = t;
  }
  g_free(r);
  return k;
}

void quiz_pick_shuffle(guint n, GRand *rng, guint *perm)
{
  for (guint i = 0; i < n; i++)
    perm[i] = i;
  for (guint i = n; i > 1; i--) {  /* Fisher–Yates */
    guint j = (guint)g_rand_int_range(rng, 0, (gint32)i);
    guint t = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = t;
  }
}

bool quiz_pick_correct(const guint *answer, guint n_answer, const guint *choices, guint n_choices)
{
  guint64 want = 0, got = 0;
  for (guint i = 0; i < n_answer; i++)
    if (answer[i] < 64)
      want |= G_GUINT64_CONSTANT(1) << answer[i];
  for (guint i = 0; i < n_choices; i++) {
    if (choices[i] >= 64)
      return false;
    got |= G_GUINT64_CONSTANT(1) << choices[i];
  }
  return want != 0 && want == got;
}

bool quiz_pick_late(gint64 served_ms, gint64 answered_ms, gint64 seconds)
{
  return answered_ms - served_ms > seconds * 1000;
}

gint64 quiz_pick_points(gint64 correct, gint64 rate, gint64 allowed)
{
  gint64 p = correct * rate;
  if (allowed >= 0 && p > allowed)
    p = allowed;
  return p > 0 ? p : 0;
}
