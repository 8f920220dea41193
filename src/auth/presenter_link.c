/* presenter_link: the presenter view's secret for one live. */
#include "auth/presenter_link.h"
#include "auth/token.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

#define PREFIX "lcp1."
#define RANDOM_BYTES 32

char *presenter_link_new(const char *video)
{
  g_autofree char *random = util_random_id(RANDOM_BYTES);
  return g_strconcat(PREFIX, video, ".", random, NULL);
}

int presenter_link_parse(const char *key, char **video)
{
  if (!key || strlen(key) > TOKEN_MAX_LEN || strncmp(key, PREFIX, strlen(PREFIX)) != 0)
    return -EINVAL;
  const char *id = key + strlen(PREFIX);
  const char *dot = strchr(id, '.');
  /* The random part is 43 base64url characters; anything much shorter was not issued. */
  if (!dot || dot == id || dot - id > 32 || strlen(dot + 1) < 40)
    return -EINVAL;
  for (const char *p = id; *p; p++)
    if (p != dot && !g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return -EINVAL;
  *video = g_strndup(id, (gsize)(dot - id));
  return 0;
}
