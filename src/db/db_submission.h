/* db_submission: calls for submissions, submissions, their resumable uploads and the log of
 * their state changes (schemas/sql/0019_submission.sql). Which changes are allowed is
 * src/club/submit_state.c's business; this file stores them. */
#pragma once

#include "db/db.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

typedef struct {
  gint64 id;            /* 0 until saved */
  char *title, *description;
  char *kinds;          /* JSON array text: "video", "text", "pdf" */
  gint64 opens_at, closes_at;
  bool real_name_only;
  char *fields;         /* JSON array text of {name, label, required, max} */
  gint64 max_bytes, max_seconds;
  char *created_by;
  gint64 created_at, updated_at;
} SubmitCall;

typedef struct {
  char *id;
  gint64 call_id;
  char *member_id, *kind, *title;
  char *fields;         /* JSON object text */
  char *body;           /* Markdown (text), or NULL */
  char *state, *reason;
  char *file_path;      /* relative to the data dir, or NULL */
  gint64 file_bytes;
  char *preview_url, *video_id, *result_kind, *result_id;
  gint64 created_at, updated_at;
} Submission;

typedef struct {
  char *id, *submission_id, *member_id, *session_id, *filename;
  gint64 length, offset, created_at, finished_at;
} SubmitUpload;

/* Inserts C (id 0: sets c->id) or updates it. Returns 0, -ENOENT, -EIO. */
int db_submission_call_save(Db *db, SubmitCall *c, gint64 now);
/* Call ID: 0 with *OUT (caller frees), -ENOENT, -EIO. */
int db_submission_call_get(Db *db, gint64 id, SubmitCall **out);
/* Calls, newest first; ALL false: only those open at NOW. An array, or NULL with *RC. */
JsonNode *db_submission_call_list_json(Db *db, bool all, gint64 now, int *rc);
/* C as JSON (kinds and fields as arrays, times ISO 8601). */
JsonNode *db_submission_call_json(const SubmitCall *c);
/* Does call C take KIND ("video", "text", "pdf")? */
bool db_submission_call_takes(const SubmitCall *c, const char *kind);
void submit_call_free(SubmitCall **c);

/* Inserts S (sets s->id, created_at) in state S->state with its first event by S->member_id.
 * 0 or -EIO. */
int db_submission_create(Db *db, Submission *s, gint64 now);
int db_submission_get(Db *db, const char *id, Submission **out);
void submission_free(Submission **s);

/* Moves submission ID from FROM to TO with REASON (NULL clears it), logged with BY (NULL: the
 * server). Returns 0, -ESTALE when it is no longer in FROM (someone else moved it), -EIO. */
int db_submission_move(Db *db, const char *id, const char *from, const char *to, const char *by,
                       const char *reason, gint64 now);

/* Setters of one submission's columns (each bumps updated_at). 0, -ENOENT or -EIO. */
int db_submission_set_text(Db *db, const char *id, const char *title, const char *fields,
                           const char *body, gint64 now);
int db_submission_set_file(Db *db, const char *id, const char *path, gint64 bytes,
                           const char *video_id, gint64 now);
int db_submission_set_preview(Db *db, const char *id, const char *preview_url, gint64 now);
int db_submission_set_result(Db *db, const char *id, const char *kind, const char *result_id,
                             gint64 now);

typedef struct {
  const char *member_id;  /* NULL: everyone's (the editors' queue) */
  gint64 call_id;         /* 0: any */
  const char *kind, *state;
  int limit;
} SubmitFilter;

/* Submissions matching F, newest first, each with the author's display name, the call's
 * title and (for a video) the video's state. An array, or NULL with *RC. */
JsonNode *db_submission_list_json(Db *db, const SubmitFilter *f, int *rc);
/* The state changes of submission ID, oldest first. An array, or NULL with *RC. */
JsonNode *db_submission_events_json(Db *db, const char *id, int *rc);

/* Video submissions still processing whose video has become ready (→ in_review, or failed when
 * longer than the call allows) or failed (→ failed with the video's reason). Returns how many
 * moved, or -EIO. */
int db_submission_sync_videos(Db *db, gint64 now);

int db_submission_upload_create(Db *db, SubmitUpload *u, gint64 now);
int db_submission_upload_get(Db *db, const char *id, SubmitUpload **out);
/* Moves upload ID's offset from FROM to TO (finished when TO is its length). 0, -ESTALE when
 * its offset is no longer FROM, -EIO. */
int db_submission_upload_advance(Db *db, const char *id, gint64 from, gint64 to, gint64 now);
int db_submission_upload_delete(Db *db, const char *id);
/* Unfinished uploads of MEMBER_ID in *N. 0 or -EIO. */
int db_submission_upload_open_count(Db *db, const char *member_id, gint64 *n);
/* Submission ID's unfinished upload, if any: 0 with *UPLOAD_ID (caller frees), -ENOENT. */
int db_submission_upload_open_for(Db *db, const char *submission_id, char **upload_id);
/* Unfinished uploads, as a NULL-terminated list of ids in *IDS (caller g_strfreev): MEMBER_ID's
 * (NULL: everyone's) whose last piece (or creation) was before IDLE_BEFORE (0: any). 0 or -EIO. */
int db_submission_upload_unfinished(Db *db, const char *member_id, gint64 idle_before, char ***ids);
void submit_upload_free(SubmitUpload **u);
