/* markdown: cmark does the parsing and the escaping; this file only chooses the safe options
 * and walks the tree once for the reading-time estimate. Rendering happens when an editor
 * saves, never per reader. */
#include "core/markdown.h"

#include <cmark.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_cjk(gunichar c)
{
  GUnicodeScript s = g_unichar_get_script(c);
  return s == G_UNICODE_SCRIPT_HAN || s == G_UNICODE_SCRIPT_HIRAGANA ||
         s == G_UNICODE_SCRIPT_KATAKANA || s == G_UNICODE_SCRIPT_HANGUL;
}

gint64 markdown_estimate_seconds(const char *text, unsigned images)
{
  gint64 cjk = 0, words = 0;
  bool in_word = false;
  for (const char *p = text; p && *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (is_cjk(c)) {
      cjk++;
      in_word = false;
    } else if (g_unichar_isalnum(c)) {
      if (!in_word)
        words++;
      in_word = true;
    } else if (c != '\'' && c != '-') {
      in_word = false;  /* don't, well-known: one word each */
    }
  }
  double s = (double)cjk * 60.0 / MARKDOWN_CJK_PER_MINUTE +
             (double)words * 60.0 / MARKDOWN_WORDS_PER_MINUTE + (double)images * MARKDOWN_IMAGE_SECONDS;
  return (gint64)ceil(s);
}

int markdown_render(const char *md, gsize len, char **html, gint64 *seconds)
{
  *html = NULL;
  *seconds = 0;
  if (!g_utf8_validate(md, (gssize)len, NULL))
    return -EINVAL;
  /* SAFE: raw HTML blocks and inlines become comments, unsafe URLs become "" (cmark's default
   * since 0.29, named here so a reader sees it; CMARK_OPT_UNSAFE must never be added: the
   * unit test fails with it). VALIDATE_UTF8 is belt and braces after the check above. */
  int opts = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
  cmark_node *doc = cmark_parse_document(md, len, opts);
  if (!doc)
    return -ENOMEM;
  GString *text = g_string_new(NULL);
  unsigned images = 0;
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER)
      continue;
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
    case CMARK_NODE_CODE_BLOCK:
      g_string_append(text, cmark_node_get_literal(n));
      g_string_append_c(text, ' ');
      break;
    case CMARK_NODE_IMAGE:
      images++;
      break;
    default:
      break;
    }
  }
  cmark_iter_free(it);
  char *out = cmark_render_html(doc, opts);
  cmark_node_free(doc);
  gint64 s = markdown_estimate_seconds(text->str, images);
  g_string_free(text, TRUE);
  if (!out)
    return -ENOMEM;
  if (s > 0)
    s = CLAMP(s, MARKDOWN_READ_MIN_SECONDS, MARKDOWN_READ_MAX_SECONDS);
  *html = g_strdup(out);
  free(out);
  *seconds = s;
  return 0;
}
