/* pipeline: loads pipelines/<area>/<name>.pipeline (gst-launch syntax) into elements.
 *
 * Pipeline files are data: the C code finds elements by name and sets
 * their properties; no value from a user is ever pasted into the text. */
#include "media/pipeline.h"
#include "media/scaler.h"
#include "lectern-build.h"

#include <errno.h>
#include <string.h>

const char *pipeline_dir(void)
{
  const char *env = g_getenv("LECTERN_PIPELINES_DIR");
  return env && *env ? env : LECTERN_SOURCE_DIR "/pipelines";
}

char *pipeline_read(const char *name, char **err)
{
  g_autofree char *path = g_strdup_printf("%s/%s.pipeline", pipeline_dir(), name);
  g_autofree char *text = NULL;
  GError *e = NULL;
  if (!g_file_get_contents(path, &text, NULL, &e)) {
    *err = g_strdup_printf("pipeline %s: %s", name, e->message);
    g_error_free(e);
    return NULL;
  }
  GString *out = g_string_new(NULL);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    const char *l = lines[i];
    while (*l == ' ' || *l == '\t')
      l++;
    if (*l == '#' || *l == '\0')
      continue;
    g_string_append(out, lines[i]);
    g_string_append_c(out, ' ');
  }
  return g_string_free(out, FALSE);
}

GstElement *pipeline_load(const char *name, bool as_bin, char **err)
{
  g_autofree char *desc = pipeline_read(name, err);
  if (!desc)
    return NULL;
  scaler_register(); /* our own elements, usable in any pipeline file */
  GError *e = NULL;
  GstElement *el;
  if (as_bin)
    el = gst_parse_bin_from_description_full(desc, TRUE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &e);
  else
    el = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &e);
  if (!el || e) {
    *err = g_strdup_printf("pipeline %s: %s", name, e ? e->message : "no elements");
    g_clear_error(&e);
    if (el)
      gst_object_unref(el);
    return NULL;
  }
  return el;
}

GstElement *pipeline_get(GstElement *bin, const char *name)
{
  if (!GST_IS_BIN(bin))
    return g_strcmp0(GST_OBJECT_NAME(bin), name) == 0 ? gst_object_ref(bin) : NULL;
  return gst_bin_get_by_name(GST_BIN(bin), name);
}

GstClockTime pipeline_running_time(GstPad *pad, GstBuffer *buf)
{
  GstClockTime pts = GST_BUFFER_PTS(buf);
  if (pts == GST_CLOCK_TIME_NONE)
    return pts;
  GstEvent *sev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (!sev)
    return pts;
  const GstSegment *seg;
  gst_event_parse_segment(sev, &seg);
  GstClockTime rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, pts);
  gst_event_unref(sev);
  return rt;
}
