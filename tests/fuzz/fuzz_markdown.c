/* Fuzz target: an editor's Markdown (src/core/markdown.c, cmark in safe mode). Whatever the
 * bytes, the HTML holds only tags and attributes cmark writes itself (no raw HTML, no event
 * handler got through), every href and src is safe (no javascript:, vbscript:, file:, data: but
 * pictures), and the reading-time estimate is inside its bounds. */
#include "fuzz.h"
#include "core/markdown.h"

#include <errno.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  fuzz_quiet();
  return 0;
}

/* One tag as cmark writes it: a known name, then only name="value" attributes from the list
 * (values quoted, quotes inside escaped), then '>' or " />". Text can never open a tag: cmark
 * escapes '<' there, so every '<' in the output starts a tag. An event handler can appear only
 * inside a quoted value or in text, where it is inert. */
static bool tag_ok(const char *p)
{
  static const char *const tags[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
                                      "blockquote", "pre", "code", "em", "strong", "a", "img", "hr",
                                      "br", NULL };
  static const char *const attrs[] = { "href", "src", "alt", "title", "start", "class", NULL };
  if (!strncmp(p, "!-- raw HTML omitted -->", 24))
    return true;
  bool closing = *p == '/';
  if (closing)
    p++;
  size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
  bool known = false;
  for (int i = 0; tags[i] && !known; i++)
    known = strlen(tags[i]) == n && !strncmp(p, tags[i], n);
  if (!known)
    return false;
  p += n;
  for (;;) {
    if (*p == '>')
      return true;
    if (!strncmp(p, " />", 3))
      return !closing;
    if (*p != ' ' || closing)
      return false;
    p++;
    size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyz");
    bool allowed = false;
    for (int i = 0; attrs[i] && !allowed; i++)
      allowed = strlen(attrs[i]) == an && !strncmp(p, attrs[i], an);
    if (!allowed || strncmp(p + an, "=\"", 2))
      return false;
    const char *end = strchr(p + an + 2, '"');
    if (!end)
      return false;
    p = end + 1;
  }
}

static void check_url(const char *v)
{
  char *lower = g_ascii_strdown(v, 64);
  FUZZ_CHECK(!g_str_has_prefix(lower, "javascript:") && !g_str_has_prefix(lower, "vbscript:") &&
             !g_str_has_prefix(lower, "file:"));
  FUZZ_CHECK(!g_str_has_prefix(lower, "data:") || g_str_has_prefix(lower, "data:image/"));
  g_free(lower);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *html = NULL;
  gint64 seconds = -1;
  int rc = markdown_render((const char *)data, size, &html, &seconds);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK((rc == 0) == g_utf8_validate((const char *)data, (gssize)size, NULL));
  if (rc < 0) {
    FUZZ_CHECK(html == NULL);
    return 0;
  }
  FUZZ_CHECK(seconds == 0 || (seconds >= MARKDOWN_READ_MIN_SECONDS && seconds <= MARKDOWN_READ_MAX_SECONDS));
  for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<'))
    FUZZ_CHECK(tag_ok(p + 1));
  static const char *const attrs[] = { " href=\"", " src=\"" };
  for (int i = 0; i < 2; i++)
    for (const char *p = strstr(html, attrs[i]); p; p = strstr(p + 1, attrs[i]))
      check_url(p + strlen(attrs[i]));
  g_free(html);
  return 0;
}
