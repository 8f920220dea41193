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

struct SegmentWriter {
  GstElement *sink;  /* not a reference: the writer lives on SINK's pad */
  char *dir;
  guint index;       /* number of the next file */
  FILE *f;
  char *tmp, *final;
  GstClockTime start;
  guint64 bytes;
  int write_errno;   /* first write error of the current file, 0 if none */
};

static void writer_free(gpointer p)
{
  SegmentWriter *w = p;
  if (w->f) {
    /* Torn down mid-segment (pipeline stopped without end-of-stream): not a segment. */
    fclose(w->f);
    unlink(w->tmp);
  }
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
}

/* Ends the current segment at running time END (NONE: end-of-stream). */
static void close_file(SegmentWriter *w, GstClockTime end)
{
  if (!w->tmp)
    return; /* nothing written since the last cut */
  guint index = w->index - 1;
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
  if (map.size && fwrite(map.data, 1, map.size, w->f) != map.size)
    w->write_errno = errno ? errno : EIO;
  w->bytes += map.size;
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

SegmentWriter *segment_writer_attach(GstElement *sink, const char *dir, guint first_index)
{
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  if (!pad)
    return NULL;
  SegmentWriter *w = g_new0(SegmentWriter, 1);
  w->sink = sink;
  w->dir = g_strdup(dir);
  w->index = first_index;
  w->start = GST_CLOCK_TIME_NONE;
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
