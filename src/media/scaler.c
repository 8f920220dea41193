/* scaler: "lecternscale", a GStreamer video scaler on FFmpeg's libswscale. */
#include "media/scaler.h"

#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>
#include <libswscale/swscale.h>

#define SCALER_FORMATS "{ I420 }"
#define SCALER_CAPS GST_VIDEO_CAPS_MAKE(SCALER_FORMATS)

typedef struct {
  GstVideoFilter parent;
  struct SwsContext *sws; /* for the negotiated sizes; NULL when passing through */
} LecternScale;

typedef struct {
  GstVideoFilterClass parent_class;
} LecternScaleClass;

GType lectern_scale_get_type(void);
G_DEFINE_TYPE(LecternScale, lectern_scale, GST_TYPE_VIDEO_FILTER)

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(SCALER_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(SCALER_CAPS));

/* Either side may have any size and pixel aspect ratio; everything else passes through. */
static GstCaps *scale_transform_caps(GstBaseTransform *bt, GstPadDirection dir, GstCaps *caps,
                                     GstCaps *filter)
{
  (void)bt;
  (void)dir;
  GstCaps *out = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); i++) {
    GstStructure *s = gst_structure_copy(gst_caps_get_structure(caps, i));
    gst_structure_set(s, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height", GST_TYPE_INT_RANGE, 1,
                      G_MAXINT, NULL);
    if (gst_structure_has_field(s, "pixel-aspect-ratio"))
      gst_structure_set(s, "pixel-aspect-ratio", GST_TYPE_FRACTION_RANGE, 1, G_MAXINT, G_MAXINT, 1,
                        NULL);
    out = gst_caps_merge_structure_full(out, s, gst_caps_features_copy(gst_caps_get_features(caps, i)));
  }
  if (filter) {
    GstCaps *f = gst_caps_intersect_full(filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(out);
    out = f;
  }
  return out;
}

/* Unless downstream asks for a size, keep the input's. */
static GstCaps *scale_fixate_caps(GstBaseTransform *bt, GstPadDirection dir, GstCaps *caps,
                                  GstCaps *othercaps)
{
  (void)bt;
  (void)dir;
  othercaps = gst_caps_truncate(othercaps);
  othercaps = gst_caps_make_writable(othercaps);
  const GstStructure *in = gst_caps_get_structure(caps, 0);
  GstStructure *s = gst_caps_get_structure(othercaps, 0);
  int w = 0, h = 0;
  if (gst_structure_get_int(in, "width", &w))
    gst_structure_fixate_field_nearest_int(s, "width", w);
  if (gst_structure_get_int(in, "height", &h))
    gst_structure_fixate_field_nearest_int(s, "height", h);
  if (gst_structure_has_field(s, "pixel-aspect-ratio"))
    gst_structure_fixate_field_nearest_fraction(s, "pixel-aspect-ratio", 1, 1);
  return gst_caps_fixate(othercaps);
}

static gboolean scale_set_info(GstVideoFilter *vf, GstCaps *incaps, GstVideoInfo *in,
                               GstCaps *outcaps, GstVideoInfo *out)
{
  (void)incaps;
  (void)outcaps;
  LecternScale *self = (LecternScale *)vf;
  g_clear_pointer(&self->sws, sws_freeContext);
  if (GST_VIDEO_INFO_WIDTH(in) == GST_VIDEO_INFO_WIDTH(out) &&
      GST_VIDEO_INFO_HEIGHT(in) == GST_VIDEO_INFO_HEIGHT(out)) {
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(vf), TRUE);
    return TRUE;
  }
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(vf), FALSE);
  self->sws = sws_getContext(GST_VIDEO_INFO_WIDTH(in), GST_VIDEO_INFO_HEIGHT(in), AV_PIX_FMT_YUV420P,
                             GST_VIDEO_INFO_WIDTH(out), GST_VIDEO_INFO_HEIGHT(out),
                             AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
  if (!self->sws) {
    GST_ELEMENT_ERROR(vf, CORE, NEGOTIATION, ("libswscale cannot scale %dx%d to %dx%d",
                      GST_VIDEO_INFO_WIDTH(in), GST_VIDEO_INFO_HEIGHT(in),
                      GST_VIDEO_INFO_WIDTH(out), GST_VIDEO_INFO_HEIGHT(out)), (NULL));
    return FALSE;
  }
  return TRUE;
}

static GstFlowReturn scale_transform_frame(GstVideoFilter *vf, GstVideoFrame *in, GstVideoFrame *out)
{
  LecternScale *self = (LecternScale *)vf;
  const uint8_t *src[4] = {0};
  uint8_t *dst[4] = {0};
  int src_stride[4] = {0}, dst_stride[4] = {0};
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES(in) && i < 4; i++) {
    src[i] = GST_VIDEO_FRAME_PLANE_DATA(in, i);
    src_stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE(in, i);
  }
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES(out) && i < 4; i++) {
    dst[i] = GST_VIDEO_FRAME_PLANE_DATA(out, i);
    dst_stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE(out, i);
  }
  if (sws_scale(self->sws, src, src_stride, 0, GST_VIDEO_FRAME_HEIGHT(in), dst, dst_stride) <= 0) {
    GST_ELEMENT_ERROR(vf, STREAM, FAILED, ("libswscale failed on a frame"), (NULL));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static gboolean scale_stop(GstBaseTransform *bt)
{
  g_clear_pointer(&((LecternScale *)bt)->sws, sws_freeContext);
  return TRUE;
}

static void scale_finalize(GObject *obj)
{
  g_clear_pointer(&((LecternScale *)obj)->sws, sws_freeContext);
  G_OBJECT_CLASS(lectern_scale_parent_class)->finalize(obj);
}

static void lectern_scale_class_init(LecternScaleClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  GstElementClass *ec = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *bt = GST_BASE_TRANSFORM_CLASS(klass);
  GstVideoFilterClass *vf = GST_VIDEO_FILTER_CLASS(klass);
  oc->finalize = scale_finalize;
  gst_element_class_set_static_metadata(ec, "lectern video scaler", "Filter/Converter/Video/Scaler",
                                        "Resizes I420 video with libswscale (bicubic)", "lectern");
  gst_element_class_add_static_pad_template(ec, &sink_template);
  gst_element_class_add_static_pad_template(ec, &src_template);
  bt->transform_caps = scale_transform_caps;
  bt->fixate_caps = scale_fixate_caps;
  bt->stop = scale_stop;
  bt->passthrough_on_same_caps = TRUE;
  vf->set_info = scale_set_info;
  vf->transform_frame = scale_transform_frame;
}

static void lectern_scale_init(LecternScale *self)
{
  (void)self;
}

bool scaler_register(void)
{
  static gsize done = 0;
  static gboolean ok = FALSE;
  if (g_once_init_enter(&done)) {
    ok = gst_element_register(NULL, "lecternscale", GST_RANK_NONE, lectern_scale_get_type());
    g_once_init_leave(&done, 1);
  }
  return ok;
}
