/* api_fields: reading API requests — typed, bounded body fields and query parameters, each
 * refusal answered 400 with the field's name and what it must be. */
#pragma once

#include "http/api_kit.h"

#include <stdbool.h>

/* Is S one of the NULL-terminated LIST? */
bool api_in_list(const char *s, const char *const *list);

/* Is S valid UTF-8 text of MIN..MAX characters without control characters (MULTILINE
 * allows newlines and tabs), and not only spaces when MIN > 0? */
bool api_text_ok(const char *s, glong min, glong max, bool multiline);

/* Refuses (400 unknown_field) a member of O not in ALLOWED: a typo should not pass silently. */
bool api_only_known(JsonObject *o, const char *const *allowed, HttpResponse *resp);

/* Body fields: each returns 1 with *OUT when field NAME of O is present and valid, 0 when it
 * is absent, -1 after answering 400. Text of MIN..MAX characters (one line unless MULTILINE);
 * one of LIST; an ISO 8601 time with a zone or null (*OUT 0); a boolean; an integer in
 * MIN..MAX; "tags": distinct one-line strings, as JSON array text in *OUT (caller frees). */
int api_field_text(JsonObject *o, const char *name, glong min, glong max, bool multiline,
                   const char **out, HttpResponse *resp);
int api_field_enum(JsonObject *o, const char *name, const char *const *list, const char **out,
                   HttpResponse *resp);
int api_field_time(JsonObject *o, const char *name, gint64 *out, HttpResponse *resp);
int api_field_bool(JsonObject *o, const char *name, bool *out, HttpResponse *resp);
int api_field_int(JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *out,
                  HttpResponse *resp);
int api_field_tags(JsonObject *o, char **out, HttpResponse *resp);

/* Query parameter NAME as an integer in MIN..MAX (DEF when absent). False after 400. */
bool api_query_int(const ApiCall *call, const char *name, gint64 min, gint64 max, gint64 def,
                   gint64 *out, HttpResponse *resp);

/* ?page= (from 1) and ?per_page= (1..100, default 20). False after 400. */
bool api_query_page(const ApiCall *call, HttpResponse *resp, gint64 *page, gint64 *per_page);

/* Path segment I of CALL as a positive decimal id (digits only, no sign, within gint64) into
 * *OUT; false when it is not one. The caller answers 404: such a path names nothing. */
bool api_path_id(const ApiCall *call, int i, gint64 *out);

/* Is query parameter NAME "true" or "1"? */
bool api_query_flag(const ApiCall *call, const char *name);

/* Parses a position in a video written as seconds ("75", "75.5"), m:ss ("1:15", "75:00") or
 * h:mm:ss ("1:01:15"); the last part may have a fraction of up to 3 digits. After a colon,
 * minutes and seconds are two digits below 60: "9:99" is refused, never read as 639 s.
 * Returns 0 with *OUT in seconds, or -EINVAL (nothing else is accepted: no sign, no space). */
int api_parse_clock(const char *text, double *out);
