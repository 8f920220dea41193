/* http_tus: the header rules of the tus 1.0.0 resumable upload protocol (core + creation +
 * termination; https://tus.io/protocols/resumable-upload) — parsing and checking only, no I/O,
 * so they are unit-tested and fuzzed on their own. api_submissions.c applies them. */
#pragma once

#include <glib.h>
#include <stddef.h>

#define HTTP_TUS_VERSION "1.0.0"
#define HTTP_TUS_EXTENSIONS "creation,termination"
/* Upload-Metadata: at most this many pairs, each decoded value at most this many bytes. */
#define HTTP_TUS_METADATA_PAIRS 16
#define HTTP_TUS_METADATA_VALUE_MAX 1024

/* An Upload-Length or Upload-Offset value: decimal digits only (no sign, no space), at most
 * 18 of them. Returns 0 with *OUT, -EINVAL otherwise (NULL included). */
int http_tus_parse_uint(const char *s, guint64 *out);

/* Upload-Metadata: "key base64,key2 base64,key3" — keys printable ASCII without space or
 * comma, each once; values standard base64 (decoded, must be UTF-8 without NUL), or absent
 * (empty string). Returns 0 with *OUT (key -> value, caller unrefs), -EINVAL when malformed,
 * -E2BIG over the limits above. A NULL or empty header is an empty table. */
int http_tus_parse_metadata(const char *s, GHashTable **out);

/* Checks a PATCH against the upload's state: UPLOAD_OFFSET and CONTENT_TYPE are the request's
 * headers, CURRENT the bytes held, LENGTH the upload's size, BODY_LEN the body's.
 * Returns 0 when the body may be appended at CURRENT, or the HTTP status that refuses it:
 * 400 (no or a malformed Upload-Offset), 415 (not application/offset+octet-stream),
 * 409 (Upload-Offset is not CURRENT), 413 (the body would pass LENGTH). */
int http_tus_patch_status(const char *upload_offset, const char *content_type, guint64 current,
                          guint64 length, size_t body_len);
