/* og_page: the lesson page (web/watch.html) with OpenGraph meta for crawlers that run no
 * script (chat apps, social sites): the server fills them in when it sends the page. */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Where watch.html holds the meta; replaced by them (or by nothing). */
#define OG_PAGE_MARKER "<!--og-->"

/* Fills HTML's marker with the OpenGraph meta of video ID (title, description, poster,
 * type, URL; every value escaped for an attribute). ORIGIN ("http://host:port") makes
 * the URLs absolute, as OpenGraph wants. Returns 0 with *OUT (caller frees), -ENOENT when
 * viewers may not see the video (a draft or no such video: nothing is disclosed) or HTML has
 * no marker, -EIO when the database fails. */
int og_page_render(Db *db, const char *html, const char *id, const char *origin, char **out);

/* Whether HOST (a Host header) is a plain host[:port], safe to build URLs from. */
gboolean og_page_host_ok(const char *host);
