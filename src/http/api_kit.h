/* api_kit: what every API handler uses — the call's context, JSON answers, the request body
 * as an object, transactions with their audit entry, role checks, and the caching rules of
 * reads. It sits below the router (api.c): handlers include this, never api.h. */
#pragma once

#include "auth/oidc_client.h"
#include "auth/token.h"
#include "chat/chat_replay.h"
#include "chat/chat_service.h"
#include "chat/qa_service.h"
#include "core/config.h"
#include "db/db.h"
#include "db/db_catalog.h"
#include "db/db_member.h"
#include "http/api_cache.h"
#include "http/http_types.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

typedef struct {
  Db *db;
  const guint8 *secret; /* TOKEN_SECRET_LEN bytes */
  const Config *config;
  ApiCache *cache;      /* guests' public reads kept in memory; NULL: none kept */
  DbCatalog *catalog;   /* when they go stale; set with cache */
  OidcClient *oidc;     /* the union's provider ([oidc] issuer); NULL: no single sign-on */
  /* Ends MEMBER's open /ws connections (an erased member), with END_MEMBER_USER; NULL: none. */
  void (*end_member)(void *user, const char *member);
  void *end_member_user;
  ChatService *chat;    /* the live chat on /ws, told of moderators' changes; NULL: none */
  QaService *qa;        /* the live questions on /ws, told of decisions; NULL: none */
  ChatReplayCache *replay; /* recordings' chat replays in memory (api_chat_replay.c); NULL: none kept */
} ApiContext;

/* Who may call a route (its row in the route table says which). */
typedef enum {
  API_PUBLIC,  /* anyone */
  API_MEMBER,  /* any signed-in member */
  API_EDITOR,  /* editor or admin */
  API_ADMIN,   /* admin */
  API_SIGNIN,  /* anyone; the request's own credential and cookie are not looked at (the body
                * carries what signs in), so a stale session cannot get in the way */
} ApiAccess;

#define API_MAX_PARAMS 4

typedef struct {
  const HttpRequest *req;
  Member *member;                      /* NULL for guests */
  const char *session_id;              /* the browser session it came with, NULL for bearer */
  const char *params[API_MAX_PARAMS];  /* values of {…} segments, in order */
} ApiCall;

/* Parses the request body as a JSON object. Returns the object's node
 * (caller unrefs) or NULL after answering 400/415 in RESP. */
JsonNode *api_parse_object(const HttpRequest *req, HttpResponse *resp);

/* Opens a transaction for a change; false after answering 503 (the database is busy). */
bool api_begin(ApiContext *ctx, HttpResponse *resp);

/* Sets RESP to 200 (or STATUS) with NODE serialised; consumes NODE. <, > and & are
 * escaped as \u003c, \u003e, \u0026 (the value is the same JSON). */
void api_reply_json(HttpResponse *resp, int status, JsonNode *node);

/* O in a new node (takes O). */
JsonNode *api_object_node(JsonObject *o);

/* Is the caller an editor (or admin)? */
bool api_is_editor(const ApiCall *call);

/* Commits the transaction of an editor's change together with its audit entry (ACTION on
 * TYPE TARGET, DETAIL not consumed), or rolls it back and answers 500. Returns 0 when
 * committed. */
int api_commit_audited(ApiContext *ctx, const ApiCall *call, const char *action, const char *type,
                       const char *target, JsonNode *detail, HttpResponse *resp);

/* The member behind AUTHORIZATION (a "Bearer <token>" header, or NULL) for a route open to
 * ACCESS. Returns 0 with *MEMBER (NULL for a guest on a public route; caller frees), or
 * -EACCES after answering 401 (a credential sent but not valid — refused even on public
 * routes —, or none where one is needed) or -EPERM after answering 403 (too low a role). */
int api_authorize(ApiContext *ctx, const char *authorization, ApiAccess access, Member **member,
                  HttpResponse *resp);

/* As api_authorize, for the whole request REQ: a bearer credential (Authorization) when one
 * is sent, else the browser session in the cookie. A session that has ended is forgotten
 * (RESP clears the cookie): a guest on a public route, 401 "session_expired" elsewhere. A
 * change (not GET/HEAD/OPTIONS) made with the cookie needs the session's CSRF token in
 * X-CSRF-Token, else -EPERM after 403 "csrf". *SESSION_ID (optional) receives the session's
 * id when the cookie was used (caller frees). */
int api_authorize_request(ApiContext *ctx, const HttpRequest *req, ApiAccess access,
                          Member **member, char **session_id, HttpResponse *resp);

/* Is the session cookie to be marked Secure ([http] public_url is https)? */
bool api_cookie_secure(const ApiContext *ctx);

/* Adds the Set-Cookie headers that hand session ID to the browser (its cookie and the
 * readable companion that says one is held), or with ID NULL remove both. */
void api_session_cookies(const ApiContext *ctx, const char *id, HttpResponse *resp);

/* Does the If-None-Match list LIST name ETAG (weak comparison; "*" names any)? */
bool api_etag_listed(const char *list, const char *etag);

/* Caching headers for the answer RESP to REQ, once the handler has run. A 200 GET with a
 * body gets a strong ETag from the body, Last-Modified when the handler set
 * resp->last_modified, and becomes 304 (empty body) for a matching conditional request;
 * public answers to guests may sit in shared caches for api_max_age seconds, answers to a
 * signed-in member (SIGNED_IN) are private. Everything else (writes, errors) is no-store. */
void api_cache_headers(const ApiContext *ctx, const HttpRequest *req, bool signed_in,
                       HttpResponse *resp);

/* The two halves of api_cache_headers: the headers of the full answer (what the guest
 * cache keeps), then the answer to REQ's conditions (304 with an empty body when its
 * If-None-Match names RESP's ETag, or its If-Modified-Since is not older than a whole past
 * second of Last-Modified). */
void api_read_headers(const ApiContext *ctx, const HttpRequest *req, bool signed_in, HttpResponse *resp);
void api_conditional(const HttpRequest *req, HttpResponse *resp);

/* How long a list with live viewer counts may be served from memory: the counts are of
 * sessions heard from in the last 30 s anyway. */
#define API_VIEWERS_FRESH_SECONDS 2
