/* og_page: the lesson page with OpenGraph meta filled in by the server. */
#include "http/og_page.h"
#include "db/db_video.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* Descriptions longer than this are cut (crawlers show about two lines). */
#define OG_DESCRIPTION_CHARS 200

static void meta(GString *out, const char *attr, const char *name, const char *value)
{
  g_autofree char *v = g_markup_escape_text(value, -1);
  g_string_append_printf(out, "<meta %s=\"%s\" content=\"%s\">\n  ", attr, name, v);
}

/* O's string member NAME, or "" (absent, null or not a string). */
static const char *str(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
             ? json_node_get_string(n) : "";
}

gboolean og_page_host_ok(const char *host)
{
  if (!host || !host[0] || strlen(host) > 255)
    return FALSE;
  for (const char *p = host; *p; p++)
    if (!g_ascii_isalnum(*p) && !strchr(".-:[]", *p))
      return FALSE;
  return TRUE;
}

int og_page_render(Db *db, const char *html, const char *id, const char *origin, char **out)
{
  *out = NULL;
  const char *mark = strstr(html, OG_PAGE_MARKER);
  if (!mark || !db_video_is_viewable(db, id))
    return -ENOENT;
  int rc = 0;
  JsonNode *node = db_video_json(db, id, &rc);
  if (!node)
    return rc == -ENOENT ? -ENOENT : -EIO;
  JsonObject *o = json_node_get_object(node);
  const char *title = str(o, "title"), *desc = str(o, "description"),
             *presenter = str(o, "presenter"), *poster = str(o, "poster_url");

  /* A lesson without a description is described by its presenter. */
  g_autofree char *text = NULL;
  if (desc[0] && g_utf8_validate(desc, -1, NULL) && g_utf8_strlen(desc, -1) > OG_DESCRIPTION_CHARS) {
    g_autofree char *cut = g_utf8_substring(desc, 0, OG_DESCRIPTION_CHARS);
    text = g_strconcat(cut, "…", NULL);
  } else {
    text = g_strdup(desc[0] ? desc : presenter);
  }
  g_autofree char *url = g_strdup_printf("%s/watch.html?v=%s", origin, id);

  GString *s = g_string_new(NULL);
  /* The page's <title> too: some apps show that rather than og:title. */
  const char *t0 = strstr(html, "<title>"), *t1 = t0 ? strstr(t0, "</title>") : NULL;
  if (t0 && t1 && t1 < mark) {
    g_autofree char *full = g_strconcat(title, " · 工会公益课堂", NULL);
    g_autofree char *esc = g_markup_escape_text(full, -1);
    g_string_append_len(s, html, t0 + strlen("<title>") - html);
    g_string_append(s, esc);
    g_string_append_len(s, t1, mark - t1);
  } else {
    g_string_append_len(s, html, mark - html);
  }
  meta(s, "property", "og:type", "video.other");
  meta(s, "property", "og:site_name", "工会公益课堂");
  meta(s, "property", "og:title", title);
  if (text[0]) {
    meta(s, "property", "og:description", text);
    meta(s, "name", "description", text);
  }
  meta(s, "property", "og:url", url);
  if (poster[0]) {
    g_autofree char *img = poster[0] == '/' ? g_strconcat(origin, poster, NULL) : g_strdup(poster);
    meta(s, "property", "og:image", img);
    meta(s, "name", "twitter:card", "summary_large_image");
  }
  g_string_truncate(s, s->len - 3); /* the last tag's "\n  " */
  g_string_append(s, mark + strlen(OG_PAGE_MARKER));
  json_node_unref(node);
  *out = g_string_free(s, FALSE);
  return 0;
}
