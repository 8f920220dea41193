/* chat_filter: folding chat text and matching it against the sensitive-word list. */
#include "chat/chat_filter.h"

#include <errno.h>
#include <string.h>

struct ChatFilter {
  GPtrArray *words; /* folded words (char*) */
};

/* Characters that only separate or decorate: people put them between the characters of a
 * word to get it past a filter. */
static bool dropped(gunichar c)
{
  switch (g_unichar_type(c)) {
  case G_UNICODE_CONTROL:
  case G_UNICODE_FORMAT:
  case G_UNICODE_UNASSIGNED:
  case G_UNICODE_PRIVATE_USE:
  case G_UNICODE_SURROGATE:
  case G_UNICODE_SPACE_SEPARATOR:
  case G_UNICODE_LINE_SEPARATOR:
  case G_UNICODE_PARAGRAPH_SEPARATOR:
  case G_UNICODE_CONNECT_PUNCTUATION:
  case G_UNICODE_DASH_PUNCTUATION:
  case G_UNICODE_CLOSE_PUNCTUATION:
  case G_UNICODE_FINAL_PUNCTUATION:
  case G_UNICODE_INITIAL_PUNCTUATION:
  case G_UNICODE_OTHER_PUNCTUATION:
  case G_UNICODE_OPEN_PUNCTUATION:
  case G_UNICODE_CURRENCY_SYMBOL:
  case G_UNICODE_MODIFIER_SYMBOL:
  case G_UNICODE_MATH_SYMBOL:
  case G_UNICODE_OTHER_SYMBOL:
  case G_UNICODE_NON_SPACING_MARK:
  case G_UNICODE_ENCLOSING_MARK:
    return true;
  default:
    return g_unichar_isspace(c);
  }
}

int chat_filter_normalize(const char *text, char **out)
{
  *out = NULL;
  if (!text || !g_utf8_validate(text, -1, NULL))
    return -EINVAL;
  /* Fold at most CHAT_FILTER_MAX_BYTES (on a character boundary): text is bounded anyway. */
  const char *end = text + strlen(text);
  if (end - text > CHAT_FILTER_MAX_BYTES)
    end = g_utf8_find_prev_char(text, text + CHAT_FILTER_MAX_BYTES + 1);
  char *nfkc = g_utf8_normalize(text, end - text, G_NORMALIZE_NFKC);
  if (!nfkc)
    return -EINVAL;
  char *folded = g_utf8_casefold(nfkc, -1);
  g_free(nfkc);
  GString *s = g_string_sized_new(strlen(folded));
  for (const char *p = folded; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (!dropped(c))
      g_string_append_unichar(s, c);
  }
  g_free(folded);
  *out = g_string_free(s, FALSE);
  return 0;
}

ChatFilter *chat_filter_new(void)
{
  ChatFilter *f = g_new0(ChatFilter, 1);
  f->words = g_ptr_array_new_with_free_func(g_free);
  return f;
}

void chat_filter_free(ChatFilter **pf)
{
  ChatFilter *f = *pf;
  if (!f)
    return;
  g_ptr_array_unref(f->words);
  g_free(f);
  *pf = NULL;
}

int chat_filter_add(ChatFilter *f, const char *word)
{
  char *n = NULL;
  int ret = chat_filter_normalize(word, &n);
  if (ret < 0)
    return ret;
  if (!*n) {
    g_free(n);
    return -EINVAL;
  }
  g_ptr_array_add(f->words, n);
  return 0;
}

guint chat_filter_size(const ChatFilter *f)
{
  return f->words->len;
}

bool chat_filter_match(const ChatFilter *f, const char *normalized, const char **word)
{
  /* A plain scan: the list is editors' (hundreds of words), messages are short, and a few
   * tens of messages a second are posted. */
  for (guint i = 0; i < f->words->len; i++)
    if (strstr(normalized, f->words->pdata[i])) {
      if (word)
        *word = f->words->pdata[i];
      return true;
    }
  return false;
}
