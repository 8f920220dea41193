/* submit_state: the transitions of a submission, one table. */
#include "club/submit_state.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

static const char *const states[] = {SUBMIT_RECEIVED, SUBMIT_PROCESSING, SUBMIT_IN_REVIEW,
  SUBMIT_ACCEPTED, SUBMIT_REJECTED, SUBMIT_CHANGES, SUBMIT_FAILED, NULL};

typedef struct {
  const char *from, *to;
  SubmitActor actor;
} Move;

/* Every move there is. A member's new file or new text after "changes requested" or a failed
 * file starts the path again; only editors decide, and only on what is in review. */
static const Move moves[] = {
  {SUBMIT_RECEIVED, SUBMIT_PROCESSING, SUBMIT_BY_SERVER},  /* the last byte of the file */
  {SUBMIT_RECEIVED, SUBMIT_IN_REVIEW, SUBMIT_BY_MEMBER},   /* a text: nothing to process */
  {SUBMIT_PROCESSING, SUBMIT_IN_REVIEW, SUBMIT_BY_SERVER},
  {SUBMIT_PROCESSING, SUBMIT_FAILED, SUBMIT_BY_SERVER},
  {SUBMIT_IN_REVIEW, SUBMIT_ACCEPTED, SUBMIT_BY_EDITOR},
  {SUBMIT_IN_REVIEW, SUBMIT_REJECTED, SUBMIT_BY_EDITOR},
  {SUBMIT_IN_REVIEW, SUBMIT_CHANGES, SUBMIT_BY_EDITOR},
  {SUBMIT_CHANGES, SUBMIT_IN_REVIEW, SUBMIT_BY_MEMBER},    /* changed text or fields sent again */
  {SUBMIT_CHANGES, SUBMIT_RECEIVED, SUBMIT_BY_MEMBER},     /* a new file is on its way */
  {SUBMIT_FAILED, SUBMIT_RECEIVED, SUBMIT_BY_MEMBER},
};

static bool in(const char *s, const char *const *list)
{
  for (; s && *list; list++)
    if (strcmp(s, *list) == 0)
      return true;
  return false;
}

bool submit_state_known(const char *s)
{
  return in(s, states);
}

bool submit_state_final(const char *s)
{
  return s && (strcmp(s, SUBMIT_ACCEPTED) == 0 || strcmp(s, SUBMIT_REJECTED) == 0);
}

int submit_state_check(const char *from, const char *to, SubmitActor actor)
{
  if (!submit_state_known(from) || !submit_state_known(to))
    return -EINVAL;
  if (submit_state_final(from))
    return -EALREADY;
  bool exists = false;
  for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
    if (strcmp(moves[i].from, from) != 0 || strcmp(moves[i].to, to) != 0)
      continue;
    if (moves[i].actor == actor)
      return 0;
    exists = true;
  }
  return exists ? -EPERM : -ENOTSUP;
}

const char *submit_state_for_action(const char *action)
{
  if (!action)
    return NULL;
  if (strcmp(action, "accept") == 0)
    return SUBMIT_ACCEPTED;
  if (strcmp(action, "reject") == 0)
    return SUBMIT_REJECTED;
  if (strcmp(action, "request_changes") == 0)
    return SUBMIT_CHANGES;
  return NULL;
}
