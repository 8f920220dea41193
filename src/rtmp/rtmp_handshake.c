/* rtmp_handshake: the C0/C1/C2 ↔ S0/S1/S2 exchange, plain and digest (Flash-era) variants.
 *
 *   client                                server
 *     | C0 (version 3) + C1 (1536 bytes)    |
 *     |------------------------------------>|   plain:  C1[4..8) == 0
 *     |                                     |   digest: C1 carries an HMAC-SHA256
 *     |      S0 + S1 (1536) + S2 (1536)     |           keyed with the Flash Player key
 *     |<------------------------------------|
 *     | C2 (1536)                           |   plain:  S2 echoes C1
 *     |------------------------------------>|   digest: S1 carries our digest (server
 *     |        chunk stream begins          |           key); S2 ends with a signature
 *
 * Digest layout (both sides): the 32-byte digest sits at an offset computed
 * from the four bytes at BASE (8 or 772): sum % 728 + BASE + 4. The digest is
 * the HMAC over the 1536 bytes minus those 32. OBS, librtmp and Flash send the
 * digest variant; ffmpeg's native client sends it as well. */
#include "rtmp/rtmp_handshake.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

#define DIGEST_LEN 32

static const uint8_t key_tail[32] = {
  0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
  0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
};
static const char fp_text[] = "Genuine Adobe Flash Player 001";         /* 30 bytes */
static const char fms_text[] = "Genuine Adobe Flash Media Server 001";  /* 36 bytes */

/* The full key: TEXT followed by key_tail. */
static size_t full_key(uint8_t *dst, const char *text)
{
  size_t n = strlen(text);
  memcpy(dst, text, n);
  memcpy(dst + n, key_tail, sizeof key_tail);
  return n + sizeof key_tail;
}

static void hmac(const uint8_t *key, size_t key_len, const uint8_t *a, size_t a_len,
                 const uint8_t *b, size_t b_len, uint8_t out[DIGEST_LEN])
{
  GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, key_len);
  if (a_len)
    g_hmac_update(h, a, a_len);
  if (b_len)
    g_hmac_update(h, b, b_len);
  gsize n = DIGEST_LEN;
  g_hmac_get_digest(h, out, &n);
  g_hmac_unref(h);
}

size_t rtmp_handshake_digest_offset(const uint8_t *block, size_t base)
{
  size_t sum = (size_t)block[base] + block[base + 1] + block[base + 2] + block[base + 3];
  return sum % 728 + base + 4;
}

/* The digest of BLOCK around offset OFF, keyed with KEY. */
static void block_digest(const uint8_t *block, size_t off, const uint8_t *key, size_t key_len,
                         uint8_t out[DIGEST_LEN])
{
  hmac(key, key_len, block, off, block + off + DIGEST_LEN,
       RTMP_HANDSHAKE_SIZE - off - DIGEST_LEN, out);
}

/* Finds a valid digest in BLOCK keyed with KEY; returns its offset or 0. */
static size_t find_digest(const uint8_t *block, const uint8_t *key, size_t key_len)
{
  static const size_t bases[] = {8, 772};
  for (size_t i = 0; i < G_N_ELEMENTS(bases); i++) {
    size_t off = rtmp_handshake_digest_offset(block, bases[i]);
    uint8_t d[DIGEST_LEN];
    block_digest(block, off, key, key_len, d);
    if (util_const_eq(d, block + off, DIGEST_LEN))
      return off;
  }
  return 0;
}

/* Fills a 1536-byte block: time, VERSION, random, then a digest when KEY. */
static void make_block(uint8_t *block, uint32_t version, const uint8_t *key, size_t key_len)
{
  uint32_t t = (uint32_t)(g_get_monotonic_time() / 1000);
  util_random_bytes(block + 8, RTMP_HANDSHAKE_SIZE - 8);
  block[0] = t >> 24; block[1] = t >> 16; block[2] = t >> 8; block[3] = t;
  block[4] = version >> 24; block[5] = version >> 16; block[6] = version >> 8; block[7] = version;
  if (key) {
    size_t off = rtmp_handshake_digest_offset(block, 8);
    block_digest(block, off, key, key_len, block + off);
  }
}

/* S2 for a digest client: random, ending in HMAC(random, HMAC(client digest, FMS key)). */
static void make_s2_digest(uint8_t *s2, const uint8_t *client_digest)
{
  uint8_t fms[80], sig_key[DIGEST_LEN];
  size_t fms_len = full_key(fms, fms_text);
  hmac(fms, fms_len, client_digest, DIGEST_LEN, NULL, 0, sig_key);
  util_random_bytes(s2, RTMP_HANDSHAKE_SIZE);
  hmac(sig_key, DIGEST_LEN, s2, RTMP_HANDSHAKE_SIZE - DIGEST_LEN, NULL, 0,
       s2 + RTMP_HANDSHAKE_SIZE - DIGEST_LEN);
}

void rtmp_handshake_init(RtmpHandshake *hs)
{
  memset(hs, 0, sizeof *hs);
  hs->state = RTMP_HS_WAIT_C0C1;
}

int rtmp_handshake_server_feed(RtmpHandshake *hs, const uint8_t *buf, size_t len, size_t *used,
                               GByteArray *out)
{
  *used = 0;
  if (hs->state == RTMP_HS_WAIT_C0C1) {
    if (len >= 1 && buf[0] != RTMP_VERSION)
      return -EPROTO;
    if (len < 1 + RTMP_HANDSHAKE_SIZE)
      return -EAGAIN;
    const uint8_t *c1 = buf + 1;
    uint8_t s2[RTMP_HANDSHAKE_SIZE];
    uint8_t fp[80];
    size_t off = 0;
    full_key(fp, fp_text);
    /* A zero version field means a plain client; otherwise look for a digest
     * keyed with the first 30 bytes of the Flash Player key. */
    if (c1[4] || c1[5] || c1[6] || c1[7])
      off = find_digest(c1, fp, strlen(fp_text));
    if (off) {
      uint8_t fms[80];
      hs->digest = true;
      full_key(fms, fms_text);
      make_block(hs->s1, 0x0d0e0a0d, fms, strlen(fms_text));
      make_s2_digest(s2, c1 + off);
    } else {
      hs->digest = false;
      make_block(hs->s1, 0, NULL, 0);
      memcpy(s2, c1, RTMP_HANDSHAKE_SIZE);
    }
    uint8_t s0 = RTMP_VERSION;
    g_byte_array_append(out, &s0, 1);
    g_byte_array_append(out, hs->s1, RTMP_HANDSHAKE_SIZE);
    g_byte_array_append(out, s2, RTMP_HANDSHAKE_SIZE);
    hs->state = RTMP_HS_WAIT_C2;
    *used = 1 + RTMP_HANDSHAKE_SIZE;
    buf += *used;
    len -= *used;
  }
  if (hs->state == RTMP_HS_WAIT_C2) {
    if (len < RTMP_HANDSHAKE_SIZE)
      return -EAGAIN;
    *used += RTMP_HANDSHAKE_SIZE;
    hs->state = RTMP_HS_DONE;
  }
  return 0;
}

void rtmp_handshake_client_c0c1(GByteArray *out, bool digest)
{
  uint8_t c1[RTMP_HANDSHAKE_SIZE];
  uint8_t fp[80];
  full_key(fp, fp_text);
  if (digest)
    make_block(c1, 0x0a000c02, fp, strlen(fp_text));
  else
    make_block(c1, 0, NULL, 0);
  uint8_t c0 = RTMP_VERSION;
  g_byte_array_append(out, &c0, 1);
  g_byte_array_append(out, c1, sizeof c1);
}

int rtmp_handshake_client_check(const uint8_t *c1, const uint8_t *s0s1s2, bool digest)
{
  if (s0s1s2[0] != RTMP_VERSION)
    return -EPROTO;
  const uint8_t *s1 = s0s1s2 + 1, *s2 = s1 + RTMP_HANDSHAKE_SIZE;
  if (!digest)
    return memcmp(s2, c1, RTMP_HANDSHAKE_SIZE) == 0 ? 0 : -EBADMSG;
  uint8_t fms[80], fp[80];
  size_t fms_len = full_key(fms, fms_text);
  full_key(fp, fp_text);
  if (!find_digest(s1, fms, strlen(fms_text)))
    return -EBADMSG;
  size_t coff = find_digest(c1, fp, strlen(fp_text));
  if (!coff)
    return -EBADMSG;
  uint8_t sig_key[DIGEST_LEN], sig[DIGEST_LEN];
  hmac(fms, fms_len, c1 + coff, DIGEST_LEN, NULL, 0, sig_key);
  hmac(sig_key, DIGEST_LEN, s2, RTMP_HANDSHAKE_SIZE - DIGEST_LEN, NULL, 0, sig);
  return util_const_eq(sig, s2 + RTMP_HANDSHAKE_SIZE - DIGEST_LEN, DIGEST_LEN) ? 0 : -EBADMSG;
}
