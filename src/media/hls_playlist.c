/* hls_playlist: the HLS playlist model (media and master) and its renderer — pure, no I/O but hls_write_atomic().
 *
 * One model per rendition holds every segment since the start; the live
 * view lists only the last `window` of them, with MEDIA-SEQUENCE and
 * DISCONTINUITY-SEQUENCE counting what was trimmed, so the sequence never
 * goes backwards and the recording is never cut. */
#include "media/hls_playlist.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct HlsPlaylist {
  int target;
  guint window;
  GArray *segs; /* HlsSegment */
  bool ended;
  bool pending_disc;
  double part_target;  /* 0: no parts */
  GArray *pending;     /* HlsPart of the segment being written */
  char *hint;
};

/* Parts are listed for this many segments before the one being written: they cover more than
 * the three target durations from the end the specification asks for. */
#define PART_SEGMENTS 3

static void part_clear(gpointer p)
{
  g_free(((HlsPart *)p)->uri);
}

static GArray *parts_new(void)
{
  GArray *a = g_array_new(FALSE, TRUE, sizeof(HlsPart));
  g_array_set_clear_func(a, part_clear);
  return a;
}

static void seg_clear(gpointer p)
{
  g_free(((HlsSegment *)p)->uri);
  if (((HlsSegment *)p)->parts)
    g_array_unref(((HlsSegment *)p)->parts);
}

HlsPlaylist *hls_playlist_new(int target, guint window)
{
  HlsPlaylist *pl = g_new0(HlsPlaylist, 1);
  pl->target = target;
  pl->window = window ? window : 1;
  pl->segs = g_array_new(FALSE, TRUE, sizeof(HlsSegment));
  g_array_set_clear_func(pl->segs, seg_clear);
  pl->pending = parts_new();
  return pl;
}

void hls_playlist_set_parts(HlsPlaylist *pl, double part_target) { pl->part_target = part_target; }
double hls_playlist_part_target(const HlsPlaylist *pl) { return pl->part_target; }

void hls_playlist_add_part(HlsPlaylist *pl, const char *uri, double duration, bool independent)
{
  HlsPart p = {g_strdup(uri), duration, independent};
  g_array_append_val(pl->pending, p);
}

void hls_playlist_drop_pending_parts(HlsPlaylist *pl) { g_array_set_size(pl->pending, 0); }
guint hls_playlist_pending_parts(const HlsPlaylist *pl) { return pl->pending->len; }
const char *hls_playlist_pending_part_uri(const HlsPlaylist *pl, guint i)
{
  return g_array_index(pl->pending, HlsPart, i).uri;
}

void hls_playlist_set_hint(HlsPlaylist *pl, const char *uri)
{
  g_free(pl->hint);
  pl->hint = g_strdup(uri);
}

void hls_playlist_forget_parts(HlsPlaylist *pl, guint i)
{
  HlsSegment *s = i < pl->segs->len ? &g_array_index(pl->segs, HlsSegment, i) : NULL;
  if (s && s->parts)
    g_clear_pointer(&s->parts, g_array_unref);
}

bool hls_playlist_last_part(const HlsPlaylist *pl, guint64 *msn, guint *part)
{
  if (pl->pending->len) {
    *msn = hls_playlist_next_seq(pl);
    *part = pl->pending->len - 1;
    return true;
  }
  const HlsSegment *s = pl->segs->len ? &g_array_index(pl->segs, HlsSegment, pl->segs->len - 1) : NULL;
  if (!s || !s->parts || !s->parts->len)
    return false;
  *msn = s->seq;
  *part = s->parts->len - 1;
  return true;
}

void hls_playlist_free(HlsPlaylist **pl)
{
  if (!pl || !*pl)
    return;
  g_array_unref((*pl)->segs);
  g_array_unref((*pl)->pending);
  g_free((*pl)->hint);
  g_clear_pointer(pl, g_free);
}

void hls_playlist_mark_discontinuity(HlsPlaylist *pl)
{
  if (pl->segs->len)
    pl->pending_disc = true;
}

int hls_playlist_add(HlsPlaylist *pl, const char *uri, double duration, gint64 pdt_ms,
                     guint64 bytes)
{
  if (pl->ended)
    return -EINVAL;
  HlsSegment s = {
    .seq = hls_playlist_next_seq(pl),
    .duration = duration,
    .uri = g_strdup(uri),
    .pdt_ms = pdt_ms,
    .discontinuity = pl->pending_disc,
    .bytes = bytes,
  };
  if (pl->pending->len) {
    /* The parts become the segment's; the last one (length unknown) gets what is left. */
    double sum = 0;
    for (guint i = 0; i < pl->pending->len; i++) {
      HlsPart *p = &g_array_index(pl->pending, HlsPart, i);
      if (p->duration < 0)
        p->duration = MAX(duration - sum, 0);
      sum += p->duration;
    }
    s.parts = pl->pending;
    pl->pending = parts_new();
  }
  pl->pending_disc = false;
  g_array_append_val(pl->segs, s);
  return lround(duration) > pl->target ? -ERANGE : 0;
}

void hls_playlist_end(HlsPlaylist *pl) { pl->ended = true; }
bool hls_playlist_ended(const HlsPlaylist *pl) { return pl->ended; }
guint hls_playlist_count(const HlsPlaylist *pl) { return pl->segs->len; }
int hls_playlist_target(const HlsPlaylist *pl) { return pl->target; }

const HlsSegment *hls_playlist_segment(const HlsPlaylist *pl, guint i)
{
  return i < pl->segs->len ? &g_array_index(pl->segs, HlsSegment, i) : NULL;
}

guint64 hls_playlist_next_seq(const HlsPlaylist *pl)
{
  return pl->segs->len ? g_array_index(pl->segs, HlsSegment, pl->segs->len - 1).seq + 1 : 0;
}

double hls_playlist_duration(const HlsPlaylist *pl)
{
  double d = 0;
  for (guint i = 0; i < pl->segs->len; i++)
    d += g_array_index(pl->segs, HlsSegment, i).duration;
  return d;
}

void hls_playlist_bitrates(const HlsPlaylist *pl, guint64 *peak, guint64 *average)
{
  double bytes = 0, secs = 0, top = 0;
  for (guint i = 0; i < pl->segs->len; i++) {
    const HlsSegment *s = &g_array_index(pl->segs, HlsSegment, i);
    if (s->duration <= 0)
      continue;
    bytes += s->bytes;
    secs += s->duration;
    /* Very short segments (a publisher's last second) would inflate the peak. */
    if (s->duration >= 0.5 * pl->target)
      top = MAX(top, s->bytes * 8.0 / s->duration);
  }
  *average = secs > 0 ? (guint64)(bytes * 8.0 / secs) : 0;
  *peak = top > 0 ? (guint64)top : *average;
}

static void append_pdt(GString *out, gint64 ms)
{
  GDateTime *dt = g_date_time_new_from_unix_utc(ms / 1000);
  g_autofree char *base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
  g_date_time_unref(dt);
  g_string_append_printf(out, "#EXT-X-PROGRAM-DATE-TIME:%s.%03dZ\n", base, (int)(ms % 1000));
}

static void append_parts(GString *out, const GArray *parts)
{
  for (guint i = 0; i < parts->len; i++) {
    const HlsPart *p = &g_array_index(parts, HlsPart, i);
    g_string_append_printf(out, "#EXT-X-PART:DURATION=%.3f,URI=\"%s\"%s\n", p->duration, p->uri,
                           p->independent ? ",INDEPENDENT=YES" : "");
  }
}

char *hls_playlist_render(const HlsPlaylist *pl, HlsView view)
{
  return hls_playlist_render_reports(pl, view, NULL, 0);
}

char *hls_playlist_render_reports(const HlsPlaylist *pl, HlsView view, const HlsReport *reports, size_t n)
{
  bool ll = pl->part_target > 0 && view == HLS_VIEW_LIVE && !pl->ended;
  GString *out = g_string_new("#EXTM3U\n#EXT-X-VERSION:3\n");
  guint first = 0;
  if (view == HLS_VIEW_LIVE && !pl->ended && pl->segs->len > pl->window)
    first = pl->segs->len - pl->window;
  guint64 disc_seq = 0;
  for (guint i = 0; i < first; i++)
    if (g_array_index(pl->segs, HlsSegment, i).discontinuity)
      disc_seq++;
  guint64 media_seq = pl->segs->len > first ? g_array_index(pl->segs, HlsSegment, first).seq : 0;
  g_string_append_printf(out, "#EXT-X-TARGETDURATION:%d\n", pl->target);
  if (ll)
    g_string_append_printf(out, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=%.3f\n"
                           "#EXT-X-PART-INF:PART-TARGET=%.3f\n", 3 * pl->part_target, pl->part_target);
  g_string_append_printf(out, "#EXT-X-MEDIA-SEQUENCE:%" G_GUINT64_FORMAT "\n", media_seq);
  if (disc_seq)
    g_string_append_printf(out, "#EXT-X-DISCONTINUITY-SEQUENCE:%" G_GUINT64_FORMAT "\n", disc_seq);
  if (pl->ended)
    g_string_append(out, "#EXT-X-PLAYLIST-TYPE:VOD\n");
  else if (view == HLS_VIEW_EVENT)
    g_string_append(out, "#EXT-X-PLAYLIST-TYPE:EVENT\n");
  g_string_append(out, "#EXT-X-INDEPENDENT-SEGMENTS\n");
  for (guint i = first; i < pl->segs->len; i++) {
    const HlsSegment *s = &g_array_index(pl->segs, HlsSegment, i);
    if (s->discontinuity)
      g_string_append(out, "#EXT-X-DISCONTINUITY\n");
    if (s->pdt_ms > 0)
      append_pdt(out, s->pdt_ms);
    if (ll && s->parts && i + PART_SEGMENTS >= pl->segs->len)
      append_parts(out, s->parts);
    g_string_append_printf(out, "#EXTINF:%.3f,\n%s\n", s->duration, s->uri);
  }
  if (ll) {
    if (pl->pending->len && pl->pending_disc)
      g_string_append(out, "#EXT-X-DISCONTINUITY\n");
    append_parts(out, pl->pending);
    if (pl->hint)
      g_string_append_printf(out, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"%s\"\n", pl->hint);
    for (size_t i = 0; i < n; i++)
      g_string_append_printf(out, "#EXT-X-RENDITION-REPORT:URI=\"%s\",LAST-MSN=%" G_GUINT64_FORMAT
                             ",LAST-PART=%u\n", reports[i].uri, reports[i].last_msn, reports[i].last_part);
  }
  if (pl->ended)
    g_string_append(out, "#EXT-X-ENDLIST\n");
  return g_string_free(out, FALSE);
}

static gint64 parse_pdt(const char *v)
{
  GTimeZone *utc = g_time_zone_new_utc();
  GDateTime *dt = g_date_time_new_from_iso8601(v, utc);
  g_time_zone_unref(utc);
  if (!dt)
    return -1;
  gint64 ms = g_date_time_to_unix(dt) * 1000 + g_date_time_get_microsecond(dt) / 1000;
  g_date_time_unref(dt);
  return ms;
}

int hls_playlist_parse(const char *text, guint window, HlsPlaylist **out, char **err)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  HlsPlaylist *pl = NULL;
  int target = -1;
  bool disc = false, ended = false;
  double dur = -1;
  gint64 pdt = 0;
  guint64 seq0 = 0;
  int rc = 0;
  guint n = 0;
  for (guint i = 0; lines[i]; i++) {
    char *l = g_strstrip(lines[i]);
    n = i + 1;
    if (!*l)
      continue;
    if (i == 0 && strcmp(l, "#EXTM3U") != 0)
      goto bad;
    if (g_str_has_prefix(l, "#EXT-X-TARGETDURATION:")) {
      target = atoi(l + 22);
      if (target < 1)
        goto bad;
      /* A later TARGETDURATION starts the model again (as it always did); the one built so
       * far must not leak. */
      hls_playlist_free(&pl);
      pl = hls_playlist_new(target, window);
    } else if (g_str_has_prefix(l, "#EXT-X-MEDIA-SEQUENCE:")) {
      seq0 = g_ascii_strtoull(l + 22, NULL, 10);
    } else if (!strcmp(l, "#EXT-X-DISCONTINUITY")) {
      disc = true;
    } else if (g_str_has_prefix(l, "#EXT-X-PROGRAM-DATE-TIME:")) {
      pdt = parse_pdt(l + 25);
      if (pdt < 0)
        goto bad;
    } else if (g_str_has_prefix(l, "#EXTINF:")) {
      char *end = NULL;
      dur = g_ascii_strtod(l + 8, &end);
      if (end == l + 8 || dur < 0)
        goto bad;
    } else if (!strcmp(l, "#EXT-X-ENDLIST")) {
      ended = true;
    } else if (l[0] != '#') {
      if (!pl || dur < 0 || strstr(l, "..") || l[0] == '/')
        goto bad;
      if (disc)
        pl->pending_disc = true;
      HlsSegment s = {.seq = seq0 + pl->segs->len, .duration = dur, .uri = g_strdup(l),
                      .pdt_ms = pdt, .discontinuity = pl->pending_disc};
      pl->pending_disc = false;
      g_array_append_val(pl->segs, s);
      disc = false;
      dur = -1;
      pdt = 0;
    }
  }
  if (!pl) {
    n = 0;
    goto bad;
  }
  pl->ended = ended;
  *out = pl;
  return rc;
bad:
  hls_playlist_free(&pl);
  *err = g_strdup_printf("playlist line %u is not what lectern writes", n);
  return -EBADMSG;
}

char *hls_master_render(const HlsVariant *v, size_t n)
{
  GString *out = g_string_new("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
  for (size_t i = 0; i < n; i++) {
    g_string_append_printf(out, "#EXT-X-STREAM-INF:BANDWIDTH=%" G_GUINT64_FORMAT, v[i].bandwidth);
    if (v[i].average)
      g_string_append_printf(out, ",AVERAGE-BANDWIDTH=%" G_GUINT64_FORMAT, v[i].average);
    g_string_append_printf(out, ",CODECS=\"%s\",RESOLUTION=%dx%d", v[i].codecs, v[i].width,
                           v[i].height);
    if (v[i].frame_rate > 0) {
      char fr[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd(fr, sizeof fr, "%.3f", v[i].frame_rate);
      g_string_append_printf(out, ",FRAME-RATE=%s", fr);
    }
    g_string_append_printf(out, "\n%s\n", v[i].uri);
  }
  return g_string_free(out, FALSE);
}

int hls_write_atomic(const char *path, const char *text, char **err)
{
  g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    *err = g_strdup_printf("%s: %s", tmp, g_strerror(e));
    return -e;
  }
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      int e = errno;
      close(fd);
      unlink(tmp);
      *err = g_strdup_printf("%s: %s", tmp, g_strerror(e));
      return -e;
    }
    off += (size_t)w;
  }
  if (close(fd) < 0 || rename(tmp, path) < 0) {
    int e = errno;
    unlink(tmp);
    *err = g_strdup_printf("%s: %s", path, g_strerror(e));
    return -e;
  }
  return 0;
}
