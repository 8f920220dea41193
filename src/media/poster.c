/* poster: a JPEG still from a media segment, made on the main loop. */
#include "media/poster.h"
#include "media/pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct Poster {
  GstElement *pipeline;
  guint watch;
  char *tmp, *out;
  PosterDone done;
  void *user;
};

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer user)
{
  (void)bus;
  Poster *p = user;
  GstMessageType t = GST_MESSAGE_TYPE(msg);
  if (t != GST_MESSAGE_EOS && t != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  p->watch = 0;
  g_autofree char *why = NULL;
  if (t == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gst_message_parse_error(msg, &e, NULL);
    why = g_strdup(e->message);
    g_error_free(e);
  }
  gst_element_set_state(p->pipeline, GST_STATE_NULL);
  struct stat st;
  if (!why && !(stat(p->tmp, &st) == 0 && st.st_size > 0))
    why = g_strdup("no picture came out");
  if (!why && rename(p->tmp, p->out) != 0)
    why = g_strdup_printf("cannot rename into place: %s", g_strerror(errno));
  if (why)
    unlink(p->tmp);
  p->done(why, p->user); /* may free P */
  return G_SOURCE_REMOVE;
}

Poster *poster_start(const char *segment, const char *out, int width, int src_w, int src_h,
                     PosterDone done, void *user, char **err)
{
  GstElement *pl = pipeline_load("common/poster", false, err);
  if (!pl)
    return NULL;
  Poster *p = g_new0(Poster, 1);
  p->pipeline = gst_object_ref_sink(pl);
  p->out = g_strdup(out);
  g_autofree char *dir = g_path_get_dirname(out);
  g_autofree char *base = g_path_get_basename(out);
  p->tmp = g_strdup_printf("%s/.%s.tmp", dir, base);
  p->done = done;
  p->user = user;
  GstElement *src = pipeline_get(pl, "src"), *sink = pipeline_get(pl, "sink"), *size = pipeline_get(pl, "size");
  g_object_set(src, "location", segment, NULL);
  g_object_set(sink, "location", p->tmp, NULL);
  int h = (src_h * width / MAX(src_w, 1)) & ~1;
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, width, "height", G_TYPE_INT,
                                      MAX(h, 2), "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set(size, "caps", caps, NULL);
  gst_caps_unref(caps);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(size);
  GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(pl));
  p->watch = gst_bus_add_watch(bus, on_bus, p);
  gst_object_unref(bus);
  gst_element_set_state(pl, GST_STATE_PLAYING);
  return p;
}

void poster_free(Poster **pp)
{
  Poster *p = *pp;
  if (!p)
    return;
  if (p->watch) {
    g_source_remove(p->watch);
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    unlink(p->tmp);
  }
  gst_object_unref(p->pipeline);
  g_free(p->tmp);
  g_free(p->out);
  g_free(p);
  *pp = NULL;
}
