/* quiz_bank: the quiz's question bank — questions read from CSV or JSON, stored as versions
 * (a changed question is a new version; attempts keep the one they served), listed for
 * editors with each question's correct rate, retired and restored (docs/quiz.md). */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#define QUIZ_MAX_OPTIONS 8
#define QUIZ_MAX_QUESTIONS 5000  /* in one import */

typedef struct {
  char *key;          /* what an import names the question by; default: a hash of its text */
  char *kind;         /* "single", "multiple", "truefalse" */
  char *category;
  char *text;
  char **options;     /* NULL-terminated */
  guint n_options;
  guint answer[QUIZ_MAX_OPTIONS];  /* option indexes, ascending */
  guint n_answer;
  char *explanation;
} QuizQuestion;

void quiz_question_free(QuizQuestion *q);

/* Parses DATA (LEN bytes) as a bank: FORMAT "csv", "json", or NULL (JSON when the first
 * character that is not a space is [ or {). CSV: a header naming the columns key, kind,
 * category, question, options (separated by |), answer (letters A, B, … separated by | or
 * ",", or true/false), explanation; only question, options (not for truefalse) and answer
 * are required. JSON: an array (or {"questions": [...]}) of objects with the same fields
 * (text or question; options an array; answer an array of 0-based indexes or letters, an
 * index, a letter, or a boolean for truefalse). Returns 0 with *OUT (QuizQuestion*, caller
 * unrefs), or -EINVAL with *ERROR saying which row or item and why (nothing is kept). */
int quiz_bank_parse(const char *data, gsize len, const char *format, GPtrArray **out, char **error);

/* One question from JSON object O (as in an import). Returns 0 with *OUT, or -EINVAL with
 * *ERROR. */
int quiz_question_from_json(JsonObject *o, QuizQuestion **out, char **error);

typedef struct {
  gint64 added, changed, unchanged;
} QuizImportStats;

/* Stores QUESTIONS inside the caller's transaction: a new key is a new question (version 1),
 * a known key with different content a new version of it (a retired one stays retired), the
 * same content nothing. Returns 0 with *STATS, or -errno (roll back). */
int quiz_bank_import(Db *db, GPtrArray *questions, gint64 now, QuizImportStats *stats);

/* Every question with its current version and, over every answer locked to any of its
 * versions, answered, correct and correct_rate (null before the first answer); most recently
 * changed first. NULL with *rc on failure. */
JsonNode *quiz_bank_list_json(Db *db, int *rc);

/* Retires question ID (RETIRED true: never served again) or restores it. Returns 0, -ENOENT,
 * or -EIO. */
int quiz_bank_set_retired(Db *db, gint64 id, bool retired, gint64 now);
