/* probe: what a media file holds (libavformat/libavcodec), and whether lectern takes it. */
#include "media/probe.h"
#include "core/util.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define DECODE_MAX_PACKETS 120   /* packets fed to the decoder before "no frame" is final */
#define TRUNCATED_SLACK 0.9      /* video must reach this share of the declared duration */

static int fail(char **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int fail(char **err, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  *err = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  return code;
}

static const char *av_why(int averr, char *buf, size_t len)
{
  av_strerror(averr, buf, len);
  return buf;
}

/* Degrees clockwise that turn the picture upright, from the display matrix or the old
 * "rotate" tag; rounded to a quarter turn. */
static int stream_rotation(const AVStream *st)
{
  double cw = 0;
  size_t size = 0;
  const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (m && size >= 9 * sizeof(int32_t)) {
    double ccw = av_display_rotation_get((const int32_t *)m);
    if (!isnan(ccw))
      cw = -ccw;
  } else {
    const AVDictionaryEntry *tag = av_dict_get(st->metadata, "rotate", NULL, 0);
    if (tag)
      cw = g_ascii_strtod(tag->value, NULL);
  }
  int q = (int)lround(cw / 90.0) * 90 % 360;
  return q < 0 ? q + 360 : q;
}

/* -E2BIG with *ERR when INFO's duration is over LIMITS; checked as soon as the container
 * declares one, and again when it is only known from the packets. */
static int check_duration(const ProbeInfo *info, const ProbeLimits *lim, char **err)
{
  if (lim->max_seconds > 0 && info->duration > lim->max_seconds)
    return fail(err, -E2BIG, "the file lasts %.0f s, over the %.0f s limit", info->duration, lim->max_seconds);
  return 0;
}

void probe_display_size(const ProbeInfo *info, int *width, int *height)
{
  bool quarter = info->rotation == 90 || info->rotation == 270;
  *width = quarter ? info->height : info->width;
  *height = quarter ? info->width : info->height;
}

/* The container PATH's first bytes clearly belong to (an mp4 whose index is missing, say),
 * or NULL when they look like nothing in particular. */
static const char *recognised_format(const char *path)
{
  enum { HEAD = 64 * 1024 };
  guint8 *buf = g_malloc0(HEAD + AVPROBE_PADDING_SIZE);
  FILE *f = fopen(path, "rbe");
  size_t n = f ? fread(buf, 1, HEAD, f) : 0;
  if (f)
    fclose(f);
  AVProbeData pd = {.filename = path, .buf = buf, .buf_size = (int)n};
  int score = 0;
  const AVInputFormat *fmt = n ? av_probe_input_format3(&pd, 1, &score) : NULL;
  g_free(buf);
  return fmt && score >= AVPROBE_SCORE_MAX / 4 ? fmt->name : NULL;
}

/* The most pixels a decoder may make a picture of (0: no limit). A decoder refuses a bigger
 * picture when it reads its header, before it allocates the frame: a file of a few kilobytes
 * that says 16384x16384 would otherwise take 400 MB to decode. Decoders count their padding
 * (a row is allocated up to 63 pixels wider, macroblocks round up): room for 64 each way, so
 * a picture the limits allow is never refused here. */
#define DECODER_PADDING 64
static gint64 max_pixels(const ProbeLimits *lim)
{
  if (lim->max_width <= 0 || lim->max_height <= 0)
    return 0;
  return (gint64)(lim->max_width + DECODER_PADDING) * (lim->max_height + DECODER_PADDING);
}

/* -E2BIG with *ERR when the picture WxH (as coded; the limit is checked on both turns, the
 * rotation being unknown yet) cannot fit the limits. */
static int check_coded_size(int w, int h, const ProbeLimits *lim, char **err)
{
  int lo = MIN(lim->max_width, lim->max_height), hi = MAX(lim->max_width, lim->max_height);
  if (lo > 0 && (MIN(w, h) > lo || MAX(w, h) > hi))
    return fail(err, -E2BIG, "the picture is %dx%d, over the %dx%d limit", w, h, lim->max_width,
                lim->max_height);
  return 0;
}

/* Whether the first video frames decode. Returns 0, or -EINVAL (no decoder here) or
 * -EBADMSG with *err. Reads from the start of FMT. */
static int decode_first_frame(AVFormatContext *fmt, int vidx, const ProbeLimits *lim, char **err)
{
  const AVStream *st = fmt->streams[vidx];
  const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!dec)
    return fail(err, -EINVAL, "this server has no decoder for %s video",
                avcodec_get_name(st->codecpar->codec_id));
  AVCodecContext *ctx = avcodec_alloc_context3(dec);
  AVPacket *pkt = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  int ret = -EBADMSG;
  if (!ctx || !pkt || !frame || avcodec_parameters_to_context(ctx, st->codecpar) < 0) {
    ret = fail(err, -ENOMEM, "out of memory while probing");
    goto out;
  }
  ctx->thread_count = 1;
  if (max_pixels(lim) > 0)
    ctx->max_pixels = max_pixels(lim);
  if (avcodec_open2(ctx, dec, NULL) < 0) {
    ret = fail(err, -EBADMSG, "the %s video cannot be opened for decoding", dec->name);
    goto out;
  }
  int fed = 0;
  bool got = false, flushed = false;
  while (!got && fed < DECODE_MAX_PACKETS) {
    int r = av_read_frame(fmt, pkt);
    if (r < 0) {
      if (!flushed)
        avcodec_send_packet(ctx, NULL); /* drain what the decoder holds */
      flushed = true;
    } else if (pkt->stream_index == vidx) {
      fed++;
      avcodec_send_packet(ctx, pkt); /* errors here show as no frame below */
    }
    if (r >= 0)
      av_packet_unref(pkt);
    got = avcodec_receive_frame(ctx, frame) == 0;
    if (flushed && !got)
      break;
  }
  if (!got && ctx->width > 0 && check_coded_size(ctx->width, ctx->height, lim, err) < 0)
    ret = -E2BIG;
  else if (!got && max_pixels(lim) > 0)
    ret = fail(err, -EBADMSG, "no video frame could be decoded from the first %d packets: the file "
               "is corrupt, or its pictures are larger than the %dx%d limit", fed, lim->max_width,
               lim->max_height);
  else
    ret = got ? 0 : fail(err, -EBADMSG, "corrupt: no video frame could be decoded from the first %d packets", fed);
out:
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&ctx);
  return ret;
}

/* avformat_find_stream_info, with the decoders it opens held to the limits' picture size. */
static int find_stream_info(AVFormatContext *fmt, const ProbeLimits *lim)
{
  unsigned n = fmt->nb_streams;
  AVDictionary **opts = n ? g_new0(AVDictionary *, n) : NULL;
  if (max_pixels(lim) > 0)
    for (unsigned i = 0; i < n; i++)
      av_dict_set_int(&opts[i], "max_pixels", max_pixels(lim), 0);
  int ret = avformat_find_stream_info(fmt, opts);
  for (unsigned i = 0; i < n; i++)
    av_dict_free(&opts[i]);
  g_free(opts);
  return ret;
}

int probe_file(const char *path, const ProbeLimits *lim, ProbeInfo *info, char **err)
{
  char why[128];
  memset(info, 0, sizeof *info);
  *err = NULL;
  struct stat sb;
  if (stat(path, &sb) != 0)
    return fail(err, -errno, "cannot read the file: %s", g_strerror(errno));
  if (!S_ISREG(sb.st_mode))
    return fail(err, -EINVAL, "not a regular file");
  info->bytes = sb.st_size;
  if (lim->max_bytes > 0 && sb.st_size > lim->max_bytes)
    return fail(err, -E2BIG, "the file is %" G_GINT64_FORMAT " bytes, over the %" G_GINT64_FORMAT
                " byte limit", (gint64)sb.st_size, lim->max_bytes);
  if (sb.st_size == 0)
    return fail(err, -EINVAL, "the file is empty");

  AVFormatContext *fmt = NULL;
  AVPacket *pkt = NULL;
  int ret = avformat_open_input(&fmt, path, NULL, NULL);
  if (ret < 0) {
    const char *looks = recognised_format(path);
    if (looks)
      return fail(err, -EBADMSG, "truncated or corrupt: a %s file that cannot be opened (%s)", looks,
                  av_why(ret, why, sizeof why));
    return fail(err, -EINVAL, "not a media file lectern can read (%s)", av_why(ret, why, sizeof why));
  }
  /* What the container says each picture is, before anything is decoded. */
  for (unsigned i = 0; i < fmt->nb_streams; i++) {
    const AVCodecParameters *p = fmt->streams[i]->codecpar;
    if (p->codec_type == AVMEDIA_TYPE_VIDEO && !(fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
        (ret = check_coded_size(p->width, p->height, lim, err)) < 0)
      goto out;
  }
  ret = find_stream_info(fmt, lim);
  if (ret < 0) {
    ret = fail(err, -EBADMSG, "corrupt: the streams cannot be read (%s)", av_why(ret, why, sizeof why));
    goto out;
  }
  g_strlcpy(info->container, fmt->iformat->name, sizeof info->container);
  info->bit_rate = fmt->bit_rate > 0 ? fmt->bit_rate : 0;

  int vidx = -1, aidx = -1;
  bool unsized = false; /* a video stream whose picture size no decoder could read */
  for (unsigned i = 0; i < fmt->nb_streams; i++) {
    const AVStream *st = fmt->streams[i];
    enum AVMediaType t = st->codecpar->codec_type;
    /* Cover art in audio files is a one-picture "video" stream: not a video. */
    bool picture = t == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
    if (picture && vidx < 0 && st->codecpar->width > 0)
      vidx = (int)i;
    else if (picture && st->codecpar->width <= 0)
      unsized = true;
    else if (t == AVMEDIA_TYPE_AUDIO && aidx < 0)
      aidx = (int)i;
  }
  if (aidx >= 0) {
    const AVCodecParameters *a = fmt->streams[aidx]->codecpar;
    info->has_audio = true;
    g_strlcpy(info->audio_codec, avcodec_get_name(a->codec_id), sizeof info->audio_codec);
    info->channels = a->ch_layout.nb_channels;
    info->sample_rate = a->sample_rate;
  }
  if (vidx < 0 && unsized && max_pixels(lim) > 0) {
    /* A decoder refusing a picture over max_pixels leaves its size unknown. */
    ret = fail(err, -E2BIG, "the video's pictures cannot be decoded: they are larger than the %dx%d "
               "limit, or the file is corrupt", lim->max_width, lim->max_height);
    goto out;
  }
  if (vidx < 0) {
    ret = fail(err, -ENODATA, "no video stream (%s)", info->has_audio ? "audio only" : "no audio or video either");
    goto out;
  }
  const AVStream *vst = fmt->streams[vidx];
  info->has_video = true;
  g_strlcpy(info->video_codec, avcodec_get_name(vst->codecpar->codec_id), sizeof info->video_codec);
  info->width = vst->codecpar->width;
  info->height = vst->codecpar->height;
  AVRational fr = av_guess_frame_rate(fmt, (AVStream *)vst, NULL);
  info->fps = fr.num > 0 && fr.den > 0 ? round(av_q2d(fr) * 1000) / 1000 : 0;
  info->rotation = stream_rotation(vst);
  if (fmt->duration > 0 && fmt->duration != AV_NOPTS_VALUE)
    info->duration = fmt->duration / (double)AV_TIME_BASE;
  else if (vst->duration > 0 && vst->duration != AV_NOPTS_VALUE)
    info->duration = vst->duration * av_q2d(vst->time_base);

  int dw, dh;
  probe_display_size(info, &dw, &dh);
  if ((lim->max_width > 0 && dw > lim->max_width) || (lim->max_height > 0 && dh > lim->max_height)) {
    ret = fail(err, -E2BIG, "the picture is %dx%d, over the %dx%d limit", dw, dh, lim->max_width,
               lim->max_height);
    goto out;
  }
  if ((ret = check_duration(info, lim, err)) < 0)
    goto out;

  /* Every packet to the end: a file cut short or damaged in the middle shows here. */
  pkt = av_packet_alloc();
  if (!pkt) {
    ret = fail(err, -ENOMEM, "out of memory while probing");
    goto out;
  }
  double video_end = 0;
  gint64 video_packets = 0;
  for (;;) {
    ret = av_read_frame(fmt, pkt);
    if (ret == AVERROR_EOF)
      break;
    if (ret < 0) {
      ret = fail(err, -EBADMSG, "corrupt: reading stops after %.1f s of video (%s)", video_end,
                 av_why(ret, why, sizeof why));
      goto out;
    }
    if (pkt->stream_index == vidx) {
      video_packets++;
      gint64 ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      if (ts != AV_NOPTS_VALUE) {
        double start = vst->start_time != AV_NOPTS_VALUE ? vst->start_time * av_q2d(vst->time_base) : 0;
        double end = (ts + MAX(pkt->duration, 0)) * av_q2d(vst->time_base) - start;
        video_end = MAX(video_end, end);
      }
    }
    av_packet_unref(pkt);
  }
  if (video_packets == 0) {
    ret = fail(err, -EBADMSG, "corrupt: the video stream has no data");
    goto out;
  }
  if (info->duration <= 0)
    info->duration = video_end;
  if (info->duration <= 0) {
    ret = fail(err, -ENODATA, "the video has no duration");
    goto out;
  }
  if (video_end > 0 && video_end < info->duration * TRUNCATED_SLACK - 0.5) {
    ret = fail(err, -EBADMSG, "truncated: the video ends at %.1f s of the %.1f s the file declares",
               video_end, info->duration);
    goto out;
  }
  if ((ret = check_duration(info, lim, err)) < 0)
    goto out;

  ret = av_seek_frame(fmt, -1, 0, AVSEEK_FLAG_BACKWARD);
  if (ret < 0) {
    /* Not seekable (some raw streams): reopen from the start. */
    avformat_close_input(&fmt);
    ret = avformat_open_input(&fmt, path, NULL, NULL);
    if (ret >= 0)
      ret = find_stream_info(fmt, lim);
    if (ret < 0) {
      ret = fail(err, -EBADMSG, "corrupt: cannot read the file again (%s)", av_why(ret, why, sizeof why));
      goto out;
    }
  }
  ret = decode_first_frame(fmt, vidx, lim, err);

out:
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  return ret;
}

char *probe_info_json(const ProbeInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "container");
  json_builder_add_string_value(b, info->container);
  json_builder_set_member_name(b, "bytes");
  json_builder_add_int_value(b, info->bytes);
  json_builder_set_member_name(b, "duration");
  json_builder_add_double_value(b, info->duration);
  json_builder_set_member_name(b, "bit_rate");
  json_builder_add_int_value(b, info->bit_rate);
  if (info->has_video) {
    json_builder_set_member_name(b, "video");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "codec");
    json_builder_add_string_value(b, info->video_codec);
    json_builder_set_member_name(b, "width");
    json_builder_add_int_value(b, info->width);
    json_builder_set_member_name(b, "height");
    json_builder_add_int_value(b, info->height);
    json_builder_set_member_name(b, "fps");
    json_builder_add_double_value(b, info->fps);
    json_builder_set_member_name(b, "rotation");
    json_builder_add_int_value(b, info->rotation);
    json_builder_end_object(b);
  }
  if (info->has_audio) {
    json_builder_set_member_name(b, "audio");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "codec");
    json_builder_add_string_value(b, info->audio_codec);
    json_builder_set_member_name(b, "channels");
    json_builder_add_int_value(b, info->channels);
    json_builder_set_member_name(b, "sample_rate");
    json_builder_add_int_value(b, info->sample_rate);
    json_builder_end_object(b);
  }
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  return util_json_text(root, false);
}
