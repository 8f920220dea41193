/* qa_rules: the rules of a question's life, without storage — what a moderator's or the
 * presenter's action does to a question (approve, answer live, answer in text, pin, unpin,
 * dismiss) and the order questions are listed in. Rules: docs/chat.md. */
#pragma once

#include "db/db_qa.h"

#include <stdbool.h>

#define QA_ANSWER_MAX 1000 /* characters an answer in text may have */

typedef enum {
  QA_APPROVE,     /* pending → open */
  QA_ANSWER_LIVE, /* → answered_live, pinned (the one being answered: others unpinned) */
  QA_ANSWER,      /* → answered, with the answer's text */
  QA_PIN,
  QA_UNPIN,
  QA_DISMISS,     /* → dismissed, never shown again */
} QaAction;

const char *qa_action_name(QaAction a);
int qa_action_parse(const char *name, QaAction *out); /* 0 or -EINVAL */

/* Applies action A (ANSWER: the answer's text for QA_ANSWER, else ignored) to Q in place.
 * Returns 0; -EINVAL with *WHY (static) for an action its state does not allow (a dismissed
 * question takes none, approve needs a pending one, pin a shown one) or a missing or too long
 * answer. *NEWLY_APPROVED (optional) is set when the question became approved (its points). */
int qa_apply(QaQuestion *q, QaAction a, const char *answer, bool *newly_approved, const char **why);

/* Whether a viewer (not a moderator or the presenter) is shown Q. */
bool qa_visible(const QaQuestion *q);

/* The listing order (g_ptr_array_sort on QaQuestion*): pinned first, then questions still to
 * answer (pending, open) before answered ones, then most votes, then oldest. */
int qa_order(gconstpointer a, gconstpointer b);
