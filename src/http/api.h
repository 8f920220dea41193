/* api: the JSON API under /api/v1 — a table of routes, each with the role it needs. */
#pragma once

#include "auth/token.h"
#include <json-glib/json-glib.h>
#include "core/config.h"
#include "db/db.h"
#include "db/db_member.h"
#include "http/http_types.h"

#include <stdbool.h>

typedef struct {
  Db *db;
  const guint8 *secret; /* TOKEN_SECRET_LEN bytes */
  const Config *config;
} ApiContext;

typedef enum {
  API_PUBLIC,  /* anyone */
  API_MEMBER,  /* any signed-in member */
  API_EDITOR,  /* editor or admin */
  API_ADMIN,   /* admin */
} ApiAccess;

#define API_MAX_PARAMS 4

typedef struct {
  const HttpRequest *req;
  Member *member;                      /* NULL for guests */
  const char *params[API_MAX_PARAMS];  /* values of {…} segments, in order */
} ApiCall;

typedef void (*ApiHandler)(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

typedef struct {
  const char *method;
  const char *pattern; /* "/api/v1/videos/{id}" */
  ApiAccess access;
  ApiHandler handler;
} ApiRoute;

/* The route table, terminated by {NULL}. */
extern const ApiRoute api_routes[];

/* Answers REQ (whose path starts with /api/): 404 for an unknown path, 405
 * for a known path with another method, 401 without or with a bad
 * credential where one is needed, 403 with too low a role. */
void api_handle(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp);

/* Parses the request body as a JSON object. Returns the object's node
 * (caller unrefs) or NULL after answering 400/415 in RESP. */
JsonNode *api_parse_object(const HttpRequest *req, HttpResponse *resp);

/* Opens a transaction for a change; false after answering 503 (the database is busy). */
bool api_begin(ApiContext *ctx, HttpResponse *resp);

/* Sets RESP to 200 (or STATUS) with NODE serialised; consumes NODE. */
void api_reply_json(HttpResponse *resp, int status, JsonNode *node);

/* Streamed uploads (POST /api/v1/uploads): the HTTP server writes the body straight to a
 * temporary file, never whole in memory. Before it accepts the body it asks
 * api_upload_allowed(): 0 for an editor credential, otherwise -1 with 401/403 in RESP.
 * When the body is complete it calls api_upload_complete() with the temporary's path:
 * the query names the video (title, presenter, kind, filename); the file moves to
 * uploads/<video>/, a video in `processing` and a queued job are created, and RESP gets
 * 202 with the video and its job_id. The probe and transcode follow in the job. On any
 * failure RESP says why and TMP_PATH is removed. */
#define API_UPLOAD_PATH "/api/v1/uploads"
int api_upload_allowed(ApiContext *ctx, const char *authorization, HttpResponse *resp);
void api_upload_complete(ApiContext *ctx, const HttpRequest *req, const char *tmp_path, HttpResponse *resp);
