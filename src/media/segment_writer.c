/* segment_writer: cuts a muxed MPEG-TS stream into segment files at force-key-unit events.
 *
 * Why not splitmuxsink: it gathers a whole GOP before it decides where a fragment ends,
 * so every segment is listed one keyframe interval late. Here the cut is decided
 * upstream (src/media/live.c asks mpegtsmux for a key unit at each planned boundary) and
 * mpegtsmux marks it in its output with a force-key-unit event, so a segment is complete
 * the moment the next one's key unit leaves the muxer. */
#include "media/segment_writer.h"
#include "core/log.h"

#include <errno.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SUB "live"
#define WRITE_BUFFER_BYTES (256u << 10)
#define TS_PACKET 188
#define PTS_WRAP (G_GUINT64_CONSTANT(1) << 33)
/* A frame this close before a part boundary starts the next part (timestamp jitter: RTMP's
 * millisecond timestamps put 30 fps frames 33 or 34 ms apart). */
#define PART_TOLERANCE_90K 900 /* 10 ms */

struct SegmentWriter {
  GstElement *sink;  /* not a reference: the writer lives on SINK's pad */
  char *dir;
  guint index;       /* number of the next file */
  FILE *f;
  char *tmp, *final;
  GstClockTime start;
  guint64 bytes;
  int write_errno;   /* first write error of the current file, 0 if none */
  /* Parts (LL-HLS): 0 = none. Everything below is per segment, reset by open_file. */
  guint64 part_90k;  /* the part step in 90 kHz ticks */
  guint16 pmt_pid;   /* from the PAT; 0 until seen */
  GByteArray *psi;   /* PAT/PMT packets held back: they go with the packet after them */
  FILE *pf;
  char *ptmp, *pfinal;
  guint part;        /* number of the open part within the segment */
  guint64 pbytes;
  int perr;          /* a part could not be written: no more parts for this segment */
  bool have_p0, part_video, pindep, part_open;
  guint64 p0;        /* PTS of the segment's first video frame */
  guint64 pstart;    /* PTS of the open part's first video frame */
  guint64 next_cut;  /* the next part boundary, 90 kHz after p0 */
};

static void writer_free(gpointer p)
{
  SegmentWriter *w = p;
  if (w->f) {
    /* Torn down mid-segment (pipeline stopped without end-of-stream): not a segment. */
    fclose(w->f);
    unlink(w->tmp);
  }
  if (w->pf) {
    fclose(w->pf);
    unlink(w->ptmp);
  }
  g_free(w->ptmp);
  g_free(w->pfinal);
  if (w->psi)
    g_byte_array_unref(w->psi);
  g_free(w->tmp);
  g_free(w->final);
  g_free(w->dir);
  g_free(w);
}

static void post(SegmentWriter *w, guint index, GstClockTime end, const char *error, int errnum)
{
  GstStructure *s = gst_structure_new(SEGMENT_WRITER_MESSAGE, "location", G_TYPE_STRING, w->final,
                                      "index", G_TYPE_UINT, index, "start", G_TYPE_UINT64,
                                      (guint64)w->start, "end", G_TYPE_UINT64, (guint64)end,
                                      "bytes", G_TYPE_UINT64, w->bytes, NULL);
  if (error)
    gst_structure_set(s, "error", G_TYPE_STRING, error, "errno", G_TYPE_INT, errnum, NULL);
  gst_element_post_message(w->sink, gst_message_new_element(GST_OBJECT(w->sink), s));
}

/* The open part is complete: renamed into place and announced. DURATION_NS is NONE for the
 * last part of a segment (its length is what the segment's leaves; the reader works it out). */
static void flush_psi(SegmentWriter *w);

static void close_part(SegmentWriter *w, GstClockTime duration_ns)
{
  if (!w->part_open)
    return;
  w->part_open = false;
  if (w->pf && fclose(w->pf) != 0 && !w->perr)
    w->perr = errno ? errno : EIO;
  w->pf = NULL;
  if (!w->perr && rename(w->ptmp, w->pfinal) != 0)
    w->perr = errno ? errno : EIO;
  GstStructure *s = gst_structure_new(SEGMENT_WRITER_PART_MESSAGE, "location", G_TYPE_STRING, w->pfinal,
                                      "segment", G_TYPE_UINT, w->index - 1, "part", G_TYPE_UINT, w->part,
                                      "duration", G_TYPE_UINT64, (guint64)duration_ns,
                                      "independent", G_TYPE_BOOLEAN, (gboolean)w->pindep,
                                      "bytes", G_TYPE_UINT64, w->pbytes, NULL);
  if (w->perr) {
    unlink(w->ptmp);
    gst_structure_set(s, "error", G_TYPE_STRING, g_strerror(w->perr), NULL);
  }
  gst_element_post_message(w->sink, gst_message_new_element(GST_OBJECT(w->sink), s));
  w->part++;
}

static void open_part(SegmentWriter *w)
{
  if (w->perr)
    return;
  g_free(w->ptmp);
  g_free(w->pfinal);
  w->ptmp = g_strdup_printf("%s/.seg%06u-p%u.ts.tmp", w->dir, w->index - 1, w->part);
  w->pfinal = g_strdup_printf("%s/" SEGMENT_WRITER_PART_NAME, w->dir, w->index - 1, w->part);
  w->pbytes = 0;
  w->part_video = false;
  w->pindep = false;
  w->part_open = true;
  w->pf = fopen(w->ptmp, "wbe");
  if (!w->pf)
    w->perr = errno ? errno : EIO;
}

static void open_file(SegmentWriter *w)
{
  g_free(w->tmp);
  g_free(w->final);
  w->tmp = g_strdup_printf("%s/.seg%06u.ts.tmp", w->dir, w->index);
  w->final = g_strdup_printf("%s/seg%06u.ts", w->dir, w->index);
  w->bytes = 0;
  w->write_errno = 0;
  w->f = fopen(w->tmp, "wbe");
  if (!w->f)
    w->write_errno = errno ? errno : EIO;
  else
    setvbuf(w->f, NULL, _IOFBF, WRITE_BUFFER_BYTES);
  w->index++;
  if (w->part_90k) {
    w->part = 0;
    w->perr = 0;
    w->have_p0 = false;
    open_part(w);
  }
}

/* Ends the current segment at running time END (NONE: end-of-stream). */
static void close_file(SegmentWriter *w, GstClockTime end)
{
  if (!w->tmp)
    return; /* nothing written since the last cut */
  guint index = w->index - 1;
  if (w->part_90k) {
    flush_psi(w);
    close_part(w, GST_CLOCK_TIME_NONE);
  }
  if (w->f && fclose(w->f) != 0 && !w->write_errno)
    w->write_errno = errno ? errno : EIO;
  w->f = NULL;
  if (!w->write_errno && rename(w->tmp, w->final) != 0)
    w->write_errno = errno ? errno : EIO;
  if (w->write_errno) {
    unlink(w->tmp);
    g_autofree char *why = g_strdup_printf("cannot write %s: %s", w->final, g_strerror(w->write_errno));
    post(w, index, end, why, w->write_errno);
  } else {
    post(w, index, end, NULL, 0);
  }
  g_clear_pointer(&w->tmp, g_free);
}

/* Bytes into the segment and, with parts, into the open part. */
static void put(SegmentWriter *w, const guint8 *data, size_t n)
{
  if (!n)
    return;
  if (!w->write_errno && fwrite(data, 1, n, w->f) != n)
    w->write_errno = errno ? errno : EIO;
  w->bytes += n;
  if (w->pf && !w->perr) {
    if (fwrite(data, 1, n, w->pf) != n)
      w->perr = errno ? errno : EIO;
    w->pbytes += n;
  }
}

static void flush_psi(SegmentWriter *w)
{
  if (w->psi && w->psi->len) {
    put(w, w->psi->data, w->psi->len);
    g_byte_array_set_size(w->psi, 0);
  }
}

/* The PTS of a video PES starting in packet P (with its payload at OFF), or FALSE. */
static gboolean video_pes_pts(const guint8 *p, size_t off, guint64 *pts)
{
  if (off + 14 > TS_PACKET || p[off] || p[off + 1] || p[off + 2] != 1 || (p[off + 3] & 0xf0) != 0xe0 ||
      !(p[off + 7] & 0x80))
    return FALSE;
  const guint8 *t = p + off + 9;
  *pts = ((guint64)(t[0] >> 1 & 7) << 30) | ((guint64)t[1] << 22) | ((guint64)(t[2] >> 1) << 15) |
         ((guint64)t[3] << 7) | (t[4] >> 1);
  return TRUE;
}

/* One TS packet with parts on: PAT/PMT are held until the next packet so that a part cut
 * before a keyframe starts with them (a player joining there needs the PMT); a video PES at
 * or past the next boundary (p0 + k × step) closes the open part and opens the next. */
static void put_packet(SegmentWriter *w, const guint8 *p)
{
  guint16 pid = (guint16)((p[1] & 0x1f) << 8 | p[2]);
  bool pusi = p[1] & 0x40;
  size_t off = 4;
  bool rai = false;
  if (p[3] & 0x20) {
    if (p[4] > 0)
      rai = p[5] & 0x40;
    off = 5 + (size_t)p[4];
  }
  if (pid == 0 && pusi && off + 17 <= TS_PACKET && p[off] == 0 && p[off + 1] == 0) {
    /* PAT: pointer 0, table 0; the first program's PMT PID. */
    w->pmt_pid = (guint16)((p[off + 11] & 0x1f) << 8 | p[off + 12]);
  }
  if (pid == 0 || (w->pmt_pid && pid == w->pmt_pid)) {
    g_byte_array_append(w->psi, p, TS_PACKET);
    return;
  }
  guint64 pts;
  if (pusi && off < TS_PACKET && video_pes_pts(p, off, &pts)) {
    if (!w->have_p0) {
      w->have_p0 = true;
      w->p0 = pts;
      w->next_cut = w->part_90k;
    } else {
      guint64 rel = (pts + PTS_WRAP - w->p0) % PTS_WRAP;
      if (rel + PART_TOLERANCE_90K >= w->next_cut && rel < PTS_WRAP / 2) {
        guint64 dur = (pts + PTS_WRAP - w->pstart) % PTS_WRAP;
        close_part(w, gst_util_uint64_scale(dur, GST_SECOND, 90000));
        open_part(w);
        w->next_cut = ((rel + PART_TOLERANCE_90K) / w->part_90k + 1) * w->part_90k;
      }
    }
    if (!w->part_video) {
      w->part_video = true;
      w->pstart = pts;
      /* Independent: it begins with a keyframe, the PAT/PMT right before it. */
      w->pindep = rai && (w->part == 0 || (w->psi->len && w->pbytes == 0));
    }
  }
  flush_psi(w);
  put(w, p, TS_PACKET);
}

static void write_buffer(SegmentWriter *w, GstBuffer *buf)
{
  if (!w->tmp)
    open_file(w);
  if (w->write_errno)
    return; /* this segment is lost already; the next cut starts afresh */
  GstMapInfo map;
  if (!gst_buffer_map(buf, &map, GST_MAP_READ)) {
    w->write_errno = EIO;
    return;
  }
  if (w->part_90k && map.size % TS_PACKET == 0) {
    for (size_t o = 0; o < map.size; o += TS_PACKET)
      if (map.data[o] == 0x47)
        put_packet(w, map.data + o);
      else
        put(w, map.data + o, TS_PACKET);
  } else {
    flush_psi(w);
    put(w, map.data, map.size);
  }
  gst_buffer_unmap(buf, &map);
}

static gboolean write_list_item(GstBuffer **buf, guint idx, gpointer user)
{
  (void)idx;
  write_buffer(user, *buf);
  return TRUE;
}

static GstPadProbeReturn on_data(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  (void)pad;
  SegmentWriter *w = user;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    write_buffer(w, GST_PAD_PROBE_INFO_BUFFER(info));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    gst_buffer_list_foreach(GST_PAD_PROBE_INFO_BUFFER_LIST(info), write_list_item, w);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    GstClockTime rt = GST_CLOCK_TIME_NONE;
    if (gst_video_event_is_force_key_unit(ev) &&
        gst_video_event_parse_downstream_force_key_unit(ev, NULL, NULL, &rt, NULL, NULL)) {
      close_file(w, rt);
      w->start = rt;
    } else if (GST_EVENT_TYPE(ev) == GST_EVENT_EOS) {
      close_file(w, GST_CLOCK_TIME_NONE);
    }
  }
  return GST_PAD_PROBE_OK;
}

SegmentWriter *segment_writer_attach(GstElement *sink, const char *dir, guint first_index,
                                     GstClockTime part_ns)
{
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  if (!pad)
    return NULL;
  SegmentWriter *w = g_new0(SegmentWriter, 1);
  w->sink = sink;
  w->dir = g_strdup(dir);
  w->index = first_index;
  w->start = GST_CLOCK_TIME_NONE;
  w->part_90k = gst_util_uint64_scale(part_ns, 90000, GST_SECOND);
  if (w->part_90k)
    w->psi = g_byte_array_new();
  gst_pad_add_probe(pad,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    on_data, w, writer_free);
  gst_object_unref(pad);
  return w;
}

#define CUT_MARK "lectern-cut"

GstEvent *segment_writer_cut_event(GstClockTime pts, GstClockTime rt)
{
  GstEvent *ev = gst_video_event_new_downstream_force_key_unit(pts, pts, rt, TRUE, 0);
  gst_structure_set(gst_event_writable_structure(ev), CUT_MARK, G_TYPE_BOOLEAN, TRUE, NULL);
  return ev;
}

gboolean segment_writer_is_foreign_key_unit(GstEvent *ev)
{
  return gst_video_event_is_force_key_unit(ev) &&
         !gst_structure_has_field(gst_event_get_structure(ev), CUT_MARK);
}

gboolean segment_writer_read_part(const GstStructure *s, PartDone *out)
{
  *out = (PartDone){ .duration = GST_CLOCK_TIME_NONE };
  if (!s || !gst_structure_has_name(s, SEGMENT_WRITER_PART_MESSAGE))
    return FALSE;
  out->location = gst_structure_get_string(s, "location");
  out->error = gst_structure_get_string(s, "error");
  gboolean indep = FALSE;
  gst_structure_get_boolean(s, "independent", &indep);
  out->independent = indep;
  gst_structure_get_uint(s, "segment", &out->segment);
  gst_structure_get_uint(s, "part", &out->part);
  gst_structure_get_uint64(s, "duration", &out->duration);
  gst_structure_get_uint64(s, "bytes", &out->bytes);
  return out->location != NULL;
}

gboolean segment_writer_read(const GstStructure *s, SegmentDone *out)
{
  *out = (SegmentDone){ .start = GST_CLOCK_TIME_NONE, .end = GST_CLOCK_TIME_NONE };
  if (!s || !gst_structure_has_name(s, SEGMENT_WRITER_MESSAGE))
    return FALSE;
  out->location = gst_structure_get_string(s, "location");
  out->error = gst_structure_get_string(s, "error");
  if (out->error && !gst_structure_get_int(s, "errno", &out->errnum))
    out->errnum = EIO;
  gst_structure_get_uint(s, "index", &out->index);
  gst_structure_get_uint64(s, "start", &out->start);
  gst_structure_get_uint64(s, "end", &out->end);
  gst_structure_get_uint64(s, "bytes", &out->bytes);
  return out->location != NULL;
}
