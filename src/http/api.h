/* api: the JSON API under /api/v1 — the route table, each route with the role it needs, and
 * dispatch. Only the HTTP server (and the tests) include this; handlers include
 * http/api_kit.h. */
#pragma once

#include "http/api_kit.h"

typedef void (*ApiHandler)(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

typedef struct {
  const char *method;
  const char *pattern; /* "/api/v1/videos/{id}" */
  ApiAccess access;
  ApiHandler handler;
  bool guest_cache; /* a guest's 200 answer is the catalog's, the same for every guest: it
                     * is kept in ApiContext.cache until the catalog changes (api_cache) */
} ApiRoute;

/* The route table, terminated by {NULL}. */
extern const ApiRoute api_routes[];

/* Answers REQ (whose path starts with /api/): 404 for an unknown path, 405
 * for a known path with another method, 401 without or with a bad
 * credential where one is needed, 403 with too low a role. */
void api_handle(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp);
