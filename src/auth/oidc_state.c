/* oidc_state: state, nonce and PKCE for sign-ins through the provider. */
#include "auth/oidc_state.h"
#include "core/util.h"
#include "db/db_oidc.h"

#include <errno.h>
#include <string.h>

/* base64url(HMAC-SHA256(LABEL STATE)) under KEY. */
static char *derive(const guint8 key[TOKEN_SECRET_LEN], const char *label, const char *state)
{
  guint8 digest[TOKEN_HMAC_LEN];
  token_hmac(key, label, state, digest);
  return util_base64url(digest, sizeof digest);
}

char *oidc_state_verifier(const guint8 key[TOKEN_SECRET_LEN], const char *state)
{
  return derive(key, "oidc-pkce:", state);
}

char *oidc_state_nonce(const guint8 key[TOKEN_SECRET_LEN], const char *state)
{
  return derive(key, "oidc-nonce:", state);
}

char *oidc_state_challenge(const char *verifier)
{
  GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize n = sizeof digest;
  g_checksum_update(c, (const guchar *)verifier, (gssize)strlen(verifier));
  g_checksum_get_digest(c, digest, &n);
  g_checksum_free(c);
  return util_base64url(digest, n);
}

static char *state_hash(const guint8 key[TOKEN_SECRET_LEN], const char *state)
{
  g_autofree char *labelled = g_strconcat("oidc-state:", state, NULL);
  return token_hash(key, labelled);
}

int oidc_state_begin(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *return_to,
                     gint64 now, gint64 ttl, char **state)
{
  char *s = util_random_id(OIDC_STATE_BYTES);
  g_autofree char *hash = state_hash(key, s);
  int ret = db_oidc_pending_add(db, hash, return_to, now, now + ttl);
  if (ret < 0) {
    g_free(s);
    return -EIO;
  }
  *state = s;
  return 0;
}

int oidc_state_take(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *state, gint64 now,
                    char **return_to)
{
  /* What we hand out is 43 base64url characters; anything else was never ours. */
  size_t len = state ? strlen(state) : 0;
  if (len < 40 || len > 64 || strspn(state, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789-_") != len)
    return -EACCES;
  g_autofree char *hash = state_hash(key, state);
  int ret = db_oidc_pending_take(db, hash, now, return_to);
  if (ret == -ENOENT)
    return -EACCES;
  return ret < 0 ? -EIO : 0;
}
