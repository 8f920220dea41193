/* http_types: one HTTP request and its response, independent of libwebsockets. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* A way to answer a request later, after work off the main loop (the provider's HTTP calls
 * of single sign-on): a handler that sets its response's `later` keeps a copy of this and
 * calls http_later_answer once, on the main loop. If the connection has gone meanwhile the
 * answer is dropped. */
typedef struct HttpLater {
  void (*answer)(void *server, guint64 id, void *resp); /* resp: HttpResponse*, moved */
  void *server;
  guint64 id;
} HttpLater;

typedef struct {
  const char *method;        /* "GET", "POST", ... */
  const char *path;          /* decoded path, starts with '/' */
  GHashTable *query;         /* decoded name -> value; never NULL */
  const char *authorization; /* Authorization header or NULL */
  const char *if_none_match; /* If-None-Match header or NULL */
  const char *if_modified_since; /* If-Modified-Since header or NULL */
  const char *content_type;  /* Content-Type header or NULL */
  const char *cookie;        /* Cookie header or NULL */
  const char *csrf_token;    /* X-CSRF-Token header or NULL */
  /* tus resumable uploads (http_tus.h), read only under API_TUS_PATH, else NULL */
  const char *tus_resumable, *upload_length, *upload_offset, *upload_metadata;
  const char *peer;          /* the client's address, or NULL */
  const char *body;          /* request body (NUL-terminated), or NULL */
  size_t body_len;
  const HttpLater *later;    /* NULL where answers cannot wait (then no handler defers) */
} HttpRequest;

typedef struct {
  int status;
  char *content_type;        /* owned */
  GString *body;             /* owned; NULL for no body */
  GPtrArray *headers;        /* owned; alternating "name:", "value" strings */
  gint64 last_modified;      /* Unix time for Last-Modified on a read, 0 for none */
  gint64 fresh_until;        /* a read whose truth moves with the clock (viewer counts): the
                              * Unix second from which a kept copy may be wrong; 0 for none */
  bool later;                /* the handler answers later through the request's HttpLater */
} HttpResponse;

void http_response_init(HttpResponse *r);

/* Answers the request behind L with RESP (moved: RESP is left empty, init'ed again). */
void http_later_answer(const HttpLater *l, HttpResponse *resp);
void http_response_clear(HttpResponse *r);

/* Adds one header; NAME is lower case and ends with ':' ("cache-control:"). */
void http_response_header(HttpResponse *r, const char *name, const char *value);

/* Sets status, content type and body. */
void http_response_text(HttpResponse *r, int status, const char *content_type, const char *body);

/* The API's one error shape: {"error":{"code":CODE,"message":MESSAGE}}. */
void http_response_error(HttpResponse *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An HTTP date ("Sun, 22 Nov 2026 08:00:00 GMT") for Unix time T. Caller frees. */
char *http_date_format(gint64 t);

/* Unix time of an HTTP date in the preferred format (IMF-fixdate), or -1. */
gint64 http_date_parse(const char *s);
