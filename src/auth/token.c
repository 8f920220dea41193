/* token: member credentials — issued once, stored as HMAC-SHA256 under a server secret. */
#include "auth/token.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_PREFIX "lct1."
#define TOKEN_RANDOM_BYTES 32

int token_secret_load_or_create(const char *path, guint8 key[TOKEN_SECRET_LEN], char **err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    guint8 fresh[TOKEN_SECRET_LEN];
    int ret = util_random_bytes(fresh, sizeof fresh);
    if (ret < 0) {
      *err = g_strdup_printf("%s: cannot get random bytes: %s", path, g_strerror(-ret));
      return ret;
    }
    /* O_EXCL: two processes creating it at once must not end with two secrets. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ssize_t w = write(fd, fresh, sizeof fresh);
      int saved = errno;
      if (w != (ssize_t)sizeof fresh || fsync(fd) < 0) {
        close(fd);
        unlink(path);
        *err = g_strdup_printf("%s: cannot write server secret: %s", path,
                               g_strerror(w < 0 ? saved : EIO));
        return -EIO;
      }
      close(fd);
      memcpy(key, fresh, TOKEN_SECRET_LEN);
      return 0;
    }
    if (errno != EEXIST) {
      int e = errno;
      *err = g_strdup_printf("%s: cannot create server secret: %s", path, g_strerror(e));
      return -e;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    int e = errno;
    *err = g_strdup_printf("%s: cannot read server secret: %s", path, g_strerror(e));
    return -e;
  }
  guint8 buf[TOKEN_SECRET_LEN + 1];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n != TOKEN_SECRET_LEN) {
    *err = g_strdup_printf("%s: server secret must be exactly %d bytes; refusing to replace it",
                           path, TOKEN_SECRET_LEN);
    return -EINVAL;
  }
  memcpy(key, buf, TOKEN_SECRET_LEN);
  return 0;
}

char *token_new(const char *member_id)
{
  char *random = util_random_id(TOKEN_RANDOM_BYTES);
  char *token = g_strconcat(TOKEN_PREFIX, member_id, ".", random, NULL);
  g_free(random);
  return token;
}

static bool is_b64url(char c)
{
  return g_ascii_isalnum(c) || c == '-' || c == '_';
}

int token_parse(const char *token, char **member_id)
{
  if (!token || strlen(token) > TOKEN_MAX_LEN || strncmp(token, TOKEN_PREFIX, 5) != 0)
    return -EINVAL;
  const char *id = token + strlen(TOKEN_PREFIX);
  const char *dot = strchr(id, '.');
  if (!dot || dot == id || strlen(dot + 1) < 16)
    return -EINVAL;
  for (const char *p = id; *p; p++)
    if (p != dot && !is_b64url(*p))
      return -EINVAL;
  *member_id = g_strndup(id, (gsize)(dot - id));
  return 0;
}

void token_hmac(const guint8 key[TOKEN_SECRET_LEN], const char *label, const char *text,
                guint8 out[TOKEN_HMAC_LEN])
{
  GHmac *hmac = g_hmac_new(G_CHECKSUM_SHA256, key, TOKEN_SECRET_LEN);
  g_hmac_update(hmac, (const guchar *)label, (gssize)strlen(label));
  g_hmac_update(hmac, (const guchar *)text, (gssize)strlen(text));
  gsize len = TOKEN_HMAC_LEN;
  g_hmac_get_digest(hmac, out, &len);
  g_hmac_unref(hmac);
}

char *token_hash(const guint8 key[TOKEN_SECRET_LEN], const char *token)
{
  guint8 digest[TOKEN_HMAC_LEN];
  token_hmac(key, "", token, digest);
  return util_hex(digest, sizeof digest);
}

bool token_verify(const guint8 key[TOKEN_SECRET_LEN], const char *token, const char *stored_hash)
{
  if (!token || !stored_hash)
    return false;
  char *h = token_hash(key, token);
  bool ok = strlen(stored_hash) == strlen(h) && util_const_eq(h, stored_hash, strlen(h));
  g_free(h);
  return ok;
}
