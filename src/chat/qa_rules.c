/* qa_rules: a question's state transitions and the listing order. */
#include "chat/qa_rules.h"

#include <errno.h>
#include <string.h>

static const char *action_names[] = { "approve", "answer_live", "answer", "pin", "unpin", "dismiss" };

const char *qa_action_name(QaAction a)
{
  return action_names[a];
}

int qa_action_parse(const char *name, QaAction *out)
{
  for (int i = 0; i < (int)G_N_ELEMENTS(action_names); i++)
    if (name && strcmp(name, action_names[i]) == 0) {
      *out = (QaAction)i;
      return 0;
    }
  return -EINVAL;
}

int qa_apply(QaQuestion *q, QaAction a, const char *answer, bool *newly_approved, const char **why)
{
  bool was = q->approved;
  if (newly_approved)
    *newly_approved = false;
  if (q->state == QA_DISMISSED) {
    *why = "the question was dismissed";
    return -EINVAL;
  }
  switch (a) {
  case QA_APPROVE:
    if (q->state != QA_PENDING) {
      *why = "only a question awaiting approval is approved";
      return -EINVAL;
    }
    q->state = QA_OPEN;
    q->approved = true;
    break;
  case QA_ANSWER_LIVE:
    q->state = QA_ANSWERED_LIVE;
    q->pinned = true;
    q->approved = true;
    break;
  case QA_ANSWER: {
    g_autofree char *t = answer ? g_strstrip(g_strdup(answer)) : NULL;
    if (!t || !*t || !g_utf8_validate(t, -1, NULL) || g_utf8_strlen(t, -1) > QA_ANSWER_MAX) {
      *why = "an answer needs 1 to 1000 characters of text";
      return -EINVAL;
    }
    g_free(q->answer);
    q->answer = g_steal_pointer(&t);
    q->state = QA_ANSWERED;
    q->pinned = false;
    q->approved = true;
    break;
  }
  case QA_PIN:
  case QA_UNPIN:
    if (q->state == QA_PENDING) {
      *why = "approve the question first";
      return -EINVAL;
    }
    q->pinned = a == QA_PIN;
    break;
  case QA_DISMISS:
    q->state = QA_DISMISSED;
    q->pinned = false;
    break;
  }
  if (newly_approved)
    *newly_approved = q->approved && !was;
  return 0;
}

bool qa_visible(const QaQuestion *q)
{
  return q->state != QA_PENDING && q->state != QA_DISMISSED;
}

static int to_answer(const QaQuestion *q)
{
  return q->state == QA_PENDING || q->state == QA_OPEN;
}

int qa_order(gconstpointer a, gconstpointer b)
{
  const QaQuestion *x = *(QaQuestion *const *)a, *y = *(QaQuestion *const *)b;
  if (x->pinned != y->pinned)
    return x->pinned ? -1 : 1;
  if (to_answer(x) != to_answer(y))
    return to_answer(x) ? -1 : 1;
  if (x->votes != y->votes)
    return x->votes > y->votes ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}
