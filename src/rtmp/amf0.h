/* amf0: Action Message Format 0 — the value encoding of RTMP commands and metadata. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on untrusted input; going past one is -E2BIG (its own error). */
#define AMF0_MAX_DEPTH 16         /* nesting of objects and arrays */
#define AMF0_MAX_ITEMS 1024       /* properties or elements in one object/array */
#define AMF0_MAX_LONG_STRING (1 << 20)

typedef enum {
  AMF0_NUMBER = 0x00,
  AMF0_BOOLEAN = 0x01,
  AMF0_STRING = 0x02,
  AMF0_OBJECT = 0x03,
  AMF0_NULL = 0x05,
  AMF0_UNDEFINED = 0x06,
  AMF0_ECMA_ARRAY = 0x08,
  AMF0_OBJECT_END = 0x09,
  AMF0_STRICT_ARRAY = 0x0a,
  AMF0_DATE = 0x0b,
  AMF0_LONG_STRING = 0x0c,
} Amf0Type;

typedef struct Amf0Value Amf0Value;

typedef struct {
  char *name;
  Amf0Value *value;
} Amf0Prop;

struct Amf0Value {
  Amf0Type type;          /* LONG_STRING decodes as STRING */
  double number;          /* NUMBER, DATE (ms since epoch) */
  bool boolean;
  char *string;           /* STRING: NUL-terminated copy (may contain NULs; see len) */
  size_t len;             /* STRING length in bytes */
  GPtrArray *items;       /* OBJECT, ECMA_ARRAY: Amf0Prop*; STRICT_ARRAY: Amf0Value* */
};

/* Decodes one value from BUF[0..LEN). Returns 0 with *out and *used set,
 * -EBADMSG for truncated or malformed input, -E2BIG past a limit above,
 * -ENOTSUP for a type lectern does not accept (reference, AMF3 switch, ...). */
int amf0_decode(const uint8_t *buf, size_t len, size_t *used, Amf0Value **out);

/* Decodes values until LEN is used up, into *out (Amf0Value*, owned).
 * Returns 0 or the first error of amf0_decode(). */
int amf0_decode_all(const uint8_t *buf, size_t len, GPtrArray **out);

void amf0_free(Amf0Value **v);

/* Property NAME of an OBJECT or ECMA_ARRAY, or NULL. */
const Amf0Value *amf0_get(const Amf0Value *obj, const char *name);
/* The string of V, or NULL when V is NULL or not a string. */
const char *amf0_string(const Amf0Value *v);
/* The number of V, or FALLBACK. */
double amf0_number(const Amf0Value *v, double fallback);

/* Encoders append to OUT. */
void amf0_put_number(GByteArray *out, double n);
void amf0_put_boolean(GByteArray *out, bool b);
void amf0_put_string(GByteArray *out, const char *s);  /* STRING, or LONG_STRING past 65535 */
void amf0_put_null(GByteArray *out);
void amf0_put_object_begin(GByteArray *out);
void amf0_put_ecma_array_begin(GByteArray *out, uint32_t count);
void amf0_put_prop_name(GByteArray *out, const char *name); /* then one amf0_put_* value */
void amf0_put_object_end(GByteArray *out);                  /* ends objects and ECMA arrays */
/* Encodes V (any decoded value) again. */
void amf0_put_value(GByteArray *out, const Amf0Value *v);
