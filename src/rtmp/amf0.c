/* amf0: Action Message Format 0 — the value encoding of RTMP commands and metadata. */
#include "rtmp/amf0.h"

#include <errno.h>
#include <string.h>

typedef struct {
  const uint8_t *p;
  size_t left;
} Reader;

static bool take(Reader *r, size_t n, const uint8_t **out)
{
  if (r->left < n)
    return false;
  *out = r->p;
  r->p += n;
  r->left -= n;
  return true;
}

static bool read_u16(Reader *r, uint16_t *v)
{
  const uint8_t *b;
  if (!take(r, 2, &b))
    return false;
  *v = (uint16_t)(b[0] << 8 | b[1]);
  return true;
}

static bool read_u32(Reader *r, uint32_t *v)
{
  const uint8_t *b;
  if (!take(r, 4, &b))
    return false;
  *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  return true;
}

static bool read_double(Reader *r, double *v)
{
  const uint8_t *b;
  if (!take(r, 8, &b))
    return false;
  uint64_t bits = 0;
  for (int i = 0; i < 8; i++)
    bits = bits << 8 | b[i];
  memcpy(v, &bits, sizeof *v);
  return true;
}

static void prop_free(gpointer p)
{
  Amf0Prop *prop = p;
  g_free(prop->name);
  amf0_free(&prop->value);
  g_free(prop);
}

static void value_free_ptr(gpointer p)
{
  Amf0Value *v = p;
  amf0_free(&v);
}

static int decode_value(Reader *r, int depth, Amf0Value **out);

/* Name/value pairs up to the 00 00 09 end marker. */
static int decode_props(Reader *r, int depth, Amf0Value *v)
{
  v->items = g_ptr_array_new_with_free_func(prop_free);
  for (;;) {
    uint16_t nlen;
    const uint8_t *name;
    if (!read_u16(r, &nlen) || !take(r, nlen, &name))
      return -EBADMSG;
    if (nlen == 0) {
      const uint8_t *marker;
      if (!take(r, 1, &marker))
        return -EBADMSG;
      if (*marker == AMF0_OBJECT_END)
        return 0;
      /* An empty key with a value: step back and read it as a property. */
      r->p--;
      r->left++;
    }
    if (v->items->len >= AMF0_MAX_ITEMS)
      return -E2BIG;
    Amf0Prop *prop = g_new0(Amf0Prop, 1);
    prop->name = g_strndup((const char *)name, nlen);
    g_ptr_array_add(v->items, prop);
    int ret = decode_value(r, depth + 1, &prop->value);
    if (ret < 0)
      return ret;
  }
}

static int decode_value(Reader *r, int depth, Amf0Value **out)
{
  const uint8_t *marker;
  if (depth > AMF0_MAX_DEPTH)
    return -E2BIG;
  if (!take(r, 1, &marker))
    return -EBADMSG;

  Amf0Value *v = g_new0(Amf0Value, 1);
  v->type = (Amf0Type)*marker;
  int ret = 0;
  switch (*marker) {
  case AMF0_NUMBER:
    if (!read_double(r, &v->number))
      ret = -EBADMSG;
    break;
  case AMF0_BOOLEAN: {
    const uint8_t *b;
    if (!take(r, 1, &b))
      ret = -EBADMSG;
    else
      v->boolean = *b != 0;
    break;
  }
  case AMF0_STRING:
  case AMF0_LONG_STRING: {
    uint32_t slen = 0;
    uint16_t s16;
    const uint8_t *s;
    if (*marker == AMF0_STRING) {
      if (!read_u16(r, &s16)) {
        ret = -EBADMSG;
        break;
      }
      slen = s16;
    } else if (!read_u32(r, &slen)) {
      ret = -EBADMSG;
      break;
    } else if (slen > AMF0_MAX_LONG_STRING) {
      ret = -E2BIG;
      break;
    }
    if (!take(r, slen, &s)) {
      ret = -EBADMSG;
      break;
    }
    v->type = AMF0_STRING;
    v->string = g_strndup((const char *)s, slen);
    v->len = slen;
    break;
  }
  case AMF0_OBJECT:
    ret = decode_props(r, depth, v);
    break;
  case AMF0_ECMA_ARRAY: {
    uint32_t hint;
    /* The count is only a hint (encoders get it wrong); the end marker rules. */
    if (!read_u32(r, &hint))
      ret = -EBADMSG;
    else
      ret = decode_props(r, depth, v);
    break;
  }
  case AMF0_STRICT_ARRAY: {
    uint32_t count;
    if (!read_u32(r, &count)) {
      ret = -EBADMSG;
      break;
    }
    if (count > AMF0_MAX_ITEMS) {
      ret = -E2BIG;
      break;
    }
    v->items = g_ptr_array_new_with_free_func(value_free_ptr);
    for (uint32_t i = 0; i < count && ret == 0; i++) {
      Amf0Value *item = NULL;
      ret = decode_value(r, depth + 1, &item);
      if (item)
        g_ptr_array_add(v->items, item);
    }
    break;
  }
  case AMF0_DATE: {
    uint16_t tz;
    if (!read_double(r, &v->number) || !read_u16(r, &tz))
      ret = -EBADMSG;
    break;
  }
  case AMF0_NULL:
  case AMF0_UNDEFINED:
    break;
  case AMF0_OBJECT_END:
    ret = -EBADMSG; /* only valid inside an object */
    break;
  default:
    ret = -ENOTSUP; /* movieclip, reference, typed object, AMF3 switch, ... */
    break;
  }
  if (ret < 0) {
    amf0_free(&v);
    return ret;
  }
  *out = v;
  return 0;
}

int amf0_decode(const uint8_t *buf, size_t len, size_t *used, Amf0Value **out)
{
  Reader r = { buf, len };
  int ret = decode_value(&r, 0, out);
  if (ret == 0)
    *used = len - r.left;
  return ret;
}

int amf0_decode_all(const uint8_t *buf, size_t len, GPtrArray **out)
{
  GPtrArray *arr = g_ptr_array_new_with_free_func(value_free_ptr);
  size_t off = 0;
  while (off < len) {
    Amf0Value *v = NULL;
    size_t used = 0;
    int ret = amf0_decode(buf + off, len - off, &used, &v);
    if (ret < 0) {
      g_ptr_array_unref(arr);
      return ret;
    }
    g_ptr_array_add(arr, v);
    off += used;
  }
  *out = arr;
  return 0;
}

void amf0_free(Amf0Value **pv)
{
  if (!pv || !*pv)
    return;
  Amf0Value *v = *pv;
  g_free(v->string);
  if (v->items)
    g_ptr_array_unref(v->items);
  g_free(v);
  *pv = NULL;
}

const Amf0Value *amf0_get(const Amf0Value *obj, const char *name)
{
  if (!obj || (obj->type != AMF0_OBJECT && obj->type != AMF0_ECMA_ARRAY) || !obj->items)
    return NULL;
  for (guint i = 0; i < obj->items->len; i++) {
    Amf0Prop *p = obj->items->pdata[i];
    if (strcmp(p->name, name) == 0)
      return p->value;
  }
  return NULL;
}

const char *amf0_string(const Amf0Value *v)
{
  return v && v->type == AMF0_STRING ? v->string : NULL;
}

double amf0_number(const Amf0Value *v, double fallback)
{
  return v && v->type == AMF0_NUMBER ? v->number : fallback;
}

/* ---- encoding ---------------------------------------------------------- */

static void put_u8(GByteArray *out, uint8_t b) { g_byte_array_append(out, &b, 1); }

static void put_u16(GByteArray *out, uint16_t v)
{
  uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
  g_byte_array_append(out, b, 2);
}

static void put_u32(GByteArray *out, uint32_t v)
{
  uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
  g_byte_array_append(out, b, 4);
}

void amf0_put_number(GByteArray *out, double n)
{
  uint64_t bits;
  memcpy(&bits, &n, sizeof bits);
  uint8_t b[9] = { AMF0_NUMBER };
  for (int i = 0; i < 8; i++)
    b[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
  g_byte_array_append(out, b, sizeof b);
}

void amf0_put_boolean(GByteArray *out, bool v)
{
  put_u8(out, AMF0_BOOLEAN);
  put_u8(out, v ? 1 : 0);
}

static void put_string_len(GByteArray *out, const char *s, size_t len)
{
  if (len > 0xffff) {
    put_u8(out, AMF0_LONG_STRING);
    put_u32(out, (uint32_t)len);
  } else {
    put_u8(out, AMF0_STRING);
    put_u16(out, (uint16_t)len);
  }
  g_byte_array_append(out, (const guint8 *)s, (guint)len);
}

void amf0_put_string(GByteArray *out, const char *s) { put_string_len(out, s, strlen(s)); }
void amf0_put_null(GByteArray *out) { put_u8(out, AMF0_NULL); }
void amf0_put_object_begin(GByteArray *out) { put_u8(out, AMF0_OBJECT); }

void amf0_put_ecma_array_begin(GByteArray *out, uint32_t count)
{
  put_u8(out, AMF0_ECMA_ARRAY);
  put_u32(out, count);
}

void amf0_put_prop_name(GByteArray *out, const char *name)
{
  size_t len = strlen(name);
  g_assert(len <= 0xffff);
  put_u16(out, (uint16_t)len);
  g_byte_array_append(out, (const guint8 *)name, (guint)len);
}

void amf0_put_object_end(GByteArray *out)
{
  put_u16(out, 0);
  put_u8(out, AMF0_OBJECT_END);
}

void amf0_put_value(GByteArray *out, const Amf0Value *v)
{
  switch (v->type) {
  case AMF0_NUMBER:
    amf0_put_number(out, v->number);
    break;
  case AMF0_BOOLEAN:
    amf0_put_boolean(out, v->boolean);
    break;
  case AMF0_STRING:
  case AMF0_LONG_STRING:
    put_string_len(out, v->string, v->len);
    break;
  case AMF0_OBJECT:
  case AMF0_ECMA_ARRAY:
    if (v->type == AMF0_OBJECT)
      amf0_put_object_begin(out);
    else
      amf0_put_ecma_array_begin(out, v->items->len);
    for (guint i = 0; i < v->items->len; i++) {
      Amf0Prop *p = v->items->pdata[i];
      amf0_put_prop_name(out, p->name);
      amf0_put_value(out, p->value);
    }
    amf0_put_object_end(out);
    break;
  case AMF0_STRICT_ARRAY:
    put_u8(out, AMF0_STRICT_ARRAY);
    put_u32(out, v->items->len);
    for (guint i = 0; i < v->items->len; i++)
      amf0_put_value(out, v->items->pdata[i]);
    break;
  case AMF0_DATE: {
    uint64_t bits;
    memcpy(&bits, &v->number, sizeof bits);
    put_u8(out, AMF0_DATE);
    for (int i = 0; i < 8; i++)
      put_u8(out, (uint8_t)(bits >> (56 - 8 * i)));
    put_u16(out, 0);
    break;
  }
  case AMF0_UNDEFINED:
    put_u8(out, AMF0_UNDEFINED);
    break;
  case AMF0_NULL:
  default:
    amf0_put_null(out);
    break;
  }
}
