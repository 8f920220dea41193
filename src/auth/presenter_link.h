/* presenter_link: the secret that opens a live's presenter view — "lcp1.<video id>.<43
 * random chars>", given once to an editor, stored as its HMAC (token_hash) like members'
 * credentials; it names its live, so a link is checked against that live's stored hash only
 * and opens nothing else. Not a member credential: the API and /ws never take it as one. */
#pragma once

#include <glib.h>

/* A new link secret for VIDEO. Caller frees. */
char *presenter_link_new(const char *video);

/* The video KEY names. Returns 0 with *VIDEO (caller frees), or -EINVAL when KEY is not of
 * the issued shape (or longer than TOKEN_MAX_LEN). */
int presenter_link_parse(const char *key, char **video);
