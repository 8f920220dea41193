/* json_check: is this text one JSON value (RFC 8259, strictly) — or one object with a string
 * member "type"? The targets' answer check, which allocates nothing. The `ws` target checks every answer the
 * server sends; parsing each with json-glib made that check 28 % of the target's time (a tree
 * of allocations under ASan per answer), more than the decoder it is there to test. This walks
 * the text once instead: the grammar of RFC 8259 section 2–7, UTF-8 checked by g_utf8_validate,
 * nesting bounded (the answers are shallow; a deep one is a failure, not a stack overflow).
 * The member name is compared as written: the server writes "type" without escapes. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <string.h>

typedef struct {
  const char *p, *end;
  int depth;
} JsonCheck;

enum { JSON_CHECK_MAX_DEPTH = 64 };

static bool json_check_value(JsonCheck *j);

static void json_check_space(JsonCheck *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

static bool json_check_hex(char c)
{
  return g_ascii_isxdigit(c);
}

/* A string at j->p (the opening quote); start and len get its raw contents. */
static bool json_check_string(JsonCheck *j, const char **start, size_t *len)
{
  if (j->p >= j->end || *j->p != '"')
    return false;
  const char *s = ++j->p;
  while (j->p < j->end) {
    unsigned char c = (unsigned char)*j->p;
    if (c == '"') {
      if (start)
        *start = s, *len = (size_t)(j->p - s);
      j->p++;
      return true;
    }
    if (c < 0x20)
      return false;
    if (c == '\\') {
      if (++j->p >= j->end)
        return false;
      switch (*j->p) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        j->p++;
        break;
      case 'u':
        if (j->end - j->p < 5 || !json_check_hex(j->p[1]) || !json_check_hex(j->p[2]) ||
            !json_check_hex(j->p[3]) || !json_check_hex(j->p[4]))
          return false;
        j->p += 5;
        break;
      default:
        return false;
      }
      continue;
    }
    j->p++;
  }
  return false;
}

static bool json_check_digits(JsonCheck *j)
{
  const char *s = j->p;
  while (j->p < j->end && g_ascii_isdigit(*j->p))
    j->p++;
  return j->p > s;
}

static bool json_check_number(JsonCheck *j)
{
  if (j->p < j->end && *j->p == '-')
    j->p++;
  if (j->p < j->end && *j->p == '0')
    j->p++;
  else if (!json_check_digits(j))
    return false;
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (!json_check_digits(j))
      return false;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
      j->p++;
    if (!json_check_digits(j))
      return false;
  }
  return true;
}

static bool json_check_word(JsonCheck *j, const char *w)
{
  size_t n = strlen(w);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
    return false;
  j->p += n;
  return true;
}

/* An object's or array's members; for the outermost object, whether "type" is a string. */
static bool json_check_members(JsonCheck *j, bool object, bool *has_type)
{
  char close = object ? '}' : ']';
  if (++j->depth > JSON_CHECK_MAX_DEPTH)
    return false;
  j->p++; /* the opening bracket */
  json_check_space(j);
  if (j->p < j->end && *j->p == close) {
    j->p++;
    j->depth--;
    return true;
  }
  for (;;) {
    bool is_type = false;
    if (object) {
      const char *name;
      size_t len;
      if (!json_check_string(j, &name, &len))
        return false;
      is_type = len == 4 && memcmp(name, "type", 4) == 0;
      json_check_space(j);
      if (j->p >= j->end || *j->p != ':')
        return false;
      j->p++;
      json_check_space(j);
    }
    if (is_type && has_type) /* the last one counts, as in json-glib */
      *has_type = j->p < j->end && *j->p == '"';
    if (!json_check_value(j))
      return false;
    json_check_space(j);
    if (j->p >= j->end)
      return false;
    if (*j->p == close) {
      j->p++;
      j->depth--;
      return true;
    }
    if (*j->p != ',')
      return false;
    j->p++;
    json_check_space(j);
  }
}

static bool json_check_value(JsonCheck *j)
{
  if (j->p >= j->end)
    return false;
  switch (*j->p) {
  case '{':
    return json_check_members(j, true, NULL);
  case '[':
    return json_check_members(j, false, NULL);
  case '"':
    return json_check_string(j, NULL, NULL);
  case 't':
    return json_check_word(j, "true");
  case 'f':
    return json_check_word(j, "false");
  case 'n':
    return json_check_word(j, "null");
  default:
    return json_check_number(j);
  }
}

/* The whole text is one object, with a member "type" whose value is a string. */
static inline bool json_check_typed_object(const char *text, size_t len)
{
  if (!g_utf8_validate(text, (gssize)len, NULL))
    return false;
  JsonCheck j = { text, text + len, 0 };
  bool has_type = false;
  json_check_space(&j);
  if (j.p >= j.end || *j.p != '{' || !json_check_members(&j, true, &has_type))
    return false;
  json_check_space(&j);
  return j.p == j.end && has_type;
}

/* The whole text is one JSON value, as a browser's JSON.parse reads it. */
static inline bool json_check_text(const char *text, size_t len)
{
  if (!g_utf8_validate(text, (gssize)len, NULL))
    return false;
  JsonCheck j = { text, text + len, 0 };
  json_check_space(&j);
  if (!json_check_value(&j))
    return false;
  json_check_space(&j);
  return j.p == j.end;
}
