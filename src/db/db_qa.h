/* db_qa: questions to the presenter (Q&A), their upvotes, the per-live Q&A setting and the
 * presenter links (migration 0018). Rules: docs/chat.md. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <stdbool.h>

typedef enum {
  QA_PENDING = 0,       /* pre-moderation: held until approved */
  QA_OPEN = 1,
  QA_ANSWERED_LIVE = 2, /* answered on air */
  QA_ANSWERED = 3,      /* answered in text */
  QA_DISMISSED = 4,
} QaState;

const char *qa_state_name(QaState s);
int qa_state_parse(const char *name, QaState *out); /* 0 or -EINVAL */

/* A question (stored, and the Q&A service's in memory). */
typedef struct {
  gint64 id;
  char *video;
  char *member;
  char *name;        /* the asker's display name */
  char *text;
  double live_time;  /* seconds since the live went on air */
  gint64 created_at; /* Unix seconds */
  QaState state;
  gint64 votes;
  bool pinned;
  char *answer;      /* answered in text: the answer, else NULL */
  bool approved;     /* a moderator or the presenter accepted it (points) */
} QaQuestion;

void qa_question_free(QaQuestion *q);
QaQuestion *qa_question_copy(const QaQuestion *q);

/* Whether VIDEO's questions are pre-moderated (false without a row). 0 or -EIO. */
int db_qa_settings_get(Db *db, const char *video, bool *premoderate);
/* Sets it, by MEMBER at NOW. 0 or -errno. */
int db_qa_settings_put(Db *db, const char *video, bool premoderate, const char *member, gint64 now);

/* Stores Q (its state as set) and sets Q->id. 0 or -errno. */
int db_qa_question_insert(Db *db, QaQuestion *q);
/* Question ID in *OUT (caller frees). 0, -ENOENT or -EIO. */
int db_qa_question_get(Db *db, gint64 id, QaQuestion **out);
/* Stores Q's state, pinned, answer and approved, decided by BY at NOW. 0 or -errno. */
int db_qa_question_update(Db *db, const QaQuestion *q, const char *by, gint64 now);
/* Unpins every question of VIDEO but KEEP; the ids unpinned are added to UNPINNED. 0 or -EIO. */
int db_qa_unpin_others(Db *db, const char *video, gint64 keep, GArray *unpinned);
/* VIDEO's questions, oldest first (GPtrArray of QaQuestion*, freeing them), dismissed ones only
 * with WITH_DISMISSED. 0 or -EIO. */
int db_qa_questions(Db *db, const char *video, bool with_dismissed, GPtrArray **out);
/* MEMBER's upvote of question QUESTION at NOW: *ADDED false when they had voted already.
 * Raises the question's count. Call inside a transaction. 0 or -errno. */
int db_qa_vote_add(Db *db, gint64 question, const char *member, gint64 now, bool *added);

/* VIDEO's presenter link is now the one hashing to HASH (made by BY at NOW); MEMBER (or
 * NULL) the presenter's own account, marked in the live's chat. 0 or -errno. */
int db_presenter_link_put(Db *db, const char *video, const char *hash, const char *member,
                          const char *by, gint64 now);
/* VIDEO's presenter link: its hash, the presenter's member id (NULL: none) and when it was
 * made (*HASH, *MEMBER caller frees; MEMBER may be NULL). 0, -ENOENT, -EIO. */
int db_presenter_link_get(Db *db, const char *video, char **hash, char **member, gint64 *created_at);
