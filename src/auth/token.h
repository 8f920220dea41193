/* token: member credentials — issued once, stored as HMAC-SHA256 under a server secret. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define TOKEN_SECRET_LEN 32
#define TOKEN_MAX_LEN 256

/* Reads the server secret at PATH, creating it (0600, random) when missing.
 * Returns 0, or -errno with *err set. A file of the wrong size is refused
 * (-EINVAL) rather than replaced, so existing credentials stay valid. */
int token_secret_load_or_create(const char *path, guint8 key[TOKEN_SECRET_LEN], char **err);

/* A new credential for MEMBER_ID: "lct1.<member id>.<43 random chars>".
 * Caller frees. */
char *token_new(const char *member_id);

/* Extracts the member id from TOKEN. Returns 0 with *member_id (caller frees),
 * or -EINVAL when TOKEN is not of the issued shape or over TOKEN_MAX_LEN. */
int token_parse(const char *token, char **member_id);

#define TOKEN_HMAC_LEN 32

/* HMAC-SHA256 of LABEL followed by TEXT under KEY into OUT. Every value derived from the
 * server secret goes through here, each with a label of its own ("" for token hashes) so
 * that no two uses can yield the same MAC. */
void token_hmac(const guint8 key[TOKEN_SECRET_LEN], const char *label, const char *text,
                guint8 out[TOKEN_HMAC_LEN]);

/* Hex HMAC-SHA256 of TOKEN under KEY; what the database stores. Caller frees. */
char *token_hash(const guint8 key[TOKEN_SECRET_LEN], const char *token);

/* True when TOKEN hashes to STORED_HASH; compared in constant time. */
bool token_verify(const guint8 key[TOKEN_SECRET_LEN], const char *token, const char *stored_hash);
