/* util: random bytes, short ids, encodings, constant-time compare, time. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Fills BUF with LEN bytes from the kernel CSPRNG. Returns 0 or -errno. */
int util_random_bytes(void *buf, size_t len);

/* A URL-safe random id of BYTES random bytes (base64url, no padding) whose first
 * character is a letter or digit. Aborts only if the kernel CSPRNG fails. Caller frees. */
char *util_random_id(size_t bytes);

/* base64url without padding. Caller frees. */
char *util_base64url(const guint8 *data, size_t len);

/* Lower-case hex. Caller frees. */
char *util_hex(const guint8 *data, size_t len);

/* Compares N bytes in time independent of where they differ. */
bool util_const_eq(const void *a, const void *b, size_t n);

/* Seconds since the Unix epoch (wall clock). */
gint64 util_now(void);

/* "2026-11-22T05:23:00Z" for a Unix time. Caller frees. */
char *util_iso8601(gint64 unix_seconds);

/* Removes PATH and everything under it (symlinks are removed, not followed). Returns 0 (also
 * when PATH does not exist) or -errno of the first failure. */
int util_rmtree(const char *path);

/* What json-glib's parser said in ERR (NULL: the input was empty), as a reason fit to send
 * back and to log: where (line, column) and what kind of fault — never the input itself. The
 * parser's own messages quote the text around the fault, cut at a byte count (invalid UTF-8
 * in our JSON answer: the /ws fuzz target found it) and the text may hold a token or a
 * member's words. Free with g_free. */
char *util_json_error(const GError *err);

/* Whether every string and member name under NODE is valid UTF-8. json-glib's reader checks
 * the text it is given, not what its escapes make: "\ud800" (a lone surrogate) and octal
 * escapes such as "\233" come out as bytes that are not UTF-8 (found by fuzz_quiz_bank), which
 * we would store and later send in JSON that is not JSON. */
bool util_json_utf8(JsonNode *node);

/* NODE as JSON text (PRETTY: indented), for every answer, message and stored document.
 * json_to_string with one mend: json-glib 1.6.6's generator escapes the control characters
 * below U+001F but writes U+001F itself raw, and RFC 8259 allows no raw control character in
 * a string: a browser's JSON.parse refuses the whole text (found by fuzz_ws, whose answer
 * check is strict). A raw 0x1f byte can only be inside a string in what the generator writes,
 * so each becomes "\u001f". Free with g_free. */
char *util_json_text(JsonNode *node, bool pretty);
