/* hls_block: LL-HLS blocking playlist reload (RFC 8216bis §6.2.5.2) — a GET of a live media
 * playlist with _HLS_msn (and _HLS_part) is held until the playlist lists that segment or
 * part, then answered with it; bad parameters get 400 at once. */
#pragma once

#include "core/config.h"
#include "http/http_files.h"
#include "http/http_types.h"

#include <glib.h>
#include <stdbool.h>

/* What a playlist says about where its live edge is. */
typedef struct {
  int target;             /* EXT-X-TARGETDURATION, s */
  double part_target;     /* EXT-X-PART-INF PART-TARGET, s; 0 when none */
  bool can_block;         /* EXT-X-SERVER-CONTROL CAN-BLOCK-RELOAD=YES */
  bool ended;             /* EXT-X-ENDLIST */
  gint64 last_msn;        /* last whole segment (EXTINF); -1 when none */
  guint parts;            /* parts listed after it (the segment being written) */
} HlsBlockState;

/* Reads TEXT (a media playlist) into *ST. Returns 0, or -EBADMSG when it is not one. */
int hls_block_parse(const char *text, HlsBlockState *st);

typedef enum {
  HLS_BLOCK_READY,        /* the playlist has it (or cannot block: answer now) */
  HLS_BLOCK_WAIT,
  HLS_BLOCK_TOO_FAR,      /* beyond what may be waited for: 400 */
} HlsBlockVerdict;

/* Whether ST satisfies a request for segment MSN, part PART (-1: the whole segment). */
HlsBlockVerdict hls_block_decide(const HlsBlockState *st, guint64 msn, gint64 part);

/* Reads _HLS_msn / _HLS_part from QUERY. Returns 1 when the request asks to block (with *MSN,
 * *PART = -1 when absent), 0 when it does not, -EINVAL for bad values or _HLS_part alone. */
int hls_block_query(GHashTable *query, guint64 *msn, gint64 *part);

typedef struct HlsBlock HlsBlock;

/* FILES and CONFIG must outlive the result. */
HlsBlock *hls_block_new(const HttpFiles *files, const Config *config);
void hls_block_free(HlsBlock **b);

/* Requests held now. */
guint hls_block_held(const HlsBlock *b);

/* A GET of a playlist under /hls/ with QUERY. Returns false when it is not a blocking request (serve
 * it as usual). Otherwise R is answered now (the playlist; 400 bad or too far ahead; 404; 503
 * when hls_block_max are held already), or R->later is set and the answer comes through
 * LATER: when the playlist lists the part (polled every HLS_BLOCK_POLL_MS), or 503 after
 * three target durations. */
bool hls_block_handle(HlsBlock *b, const char *path, GHashTable *query, const HttpLater *later,
                      HttpResponse *r);

/* A GET of a part file under /hls/ that the rendition's live playlist names in its
 * EXT-X-PRELOAD-HINT and that is not written yet (RFC 8216bis §6.2.6: a hinted resource's
 * request is held until it is available). Returns false when it is not such a request (serve
 * it as any file). Otherwise R->later is set and the part comes through LATER once the writer
 * has put it in place (polled every HLS_BLOCK_POLL_MS), or 404 after three target durations;
 * 503 when hls_block_max are held already. */
bool hls_block_part(HlsBlock *b, const char *path, const HttpLater *later, HttpResponse *r);

#define HLS_BLOCK_POLL_MS 20
#define HLS_BLOCK_PART_MAX (16 << 20) /* a part is read whole into its answer */
