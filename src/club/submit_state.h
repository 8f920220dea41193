/* submit_state: the life of a submission (网上申报) — which transitions exist, who may make
 * them, and nothing else (pure: no database, no I/O; docs/submissions.md draws the graph). */
#pragma once

#include <stdbool.h>

/* The states, as stored. */
#define SUBMIT_RECEIVED "received"                   /* made; its file not (wholly) here yet */
#define SUBMIT_PROCESSING "processing"               /* the file is checked / transcoded */
#define SUBMIT_IN_REVIEW "in_review"                 /* waiting for an editor */
#define SUBMIT_ACCEPTED "accepted"                   /* final */
#define SUBMIT_REJECTED "rejected"                   /* final, with the reason */
#define SUBMIT_CHANGES "changes_requested"           /* the member may change it and send again */
#define SUBMIT_FAILED "failed"                       /* the file was not what it said: send another */

typedef enum {
  SUBMIT_BY_SERVER,  /* the file arrived, was processed or failed */
  SUBMIT_BY_MEMBER,  /* the author */
  SUBMIT_BY_EDITOR,
} SubmitActor;

/* Is S one of the states above? */
bool submit_state_known(const char *s);

/* Is S final (accepted or rejected)? */
bool submit_state_final(const char *s);

/* Does the graph allow ACTOR to move a submission from FROM to TO? Returns 0, -EINVAL for a
 * state that does not exist, -EPERM when the move exists but not for ACTOR, -EALREADY when
 * FROM is final, -ENOTSUP for any other move (illegal). */
int submit_state_check(const char *from, const char *to, SubmitActor actor);

/* The state an editor's ACTION ("accept", "reject", "request_changes") leads to, or NULL. */
const char *submit_state_for_action(const char *action);
