/* encoder: x264 settings shared by live and imported renditions. */
#pragma once
#include "core/config.h"
#include "media/ladder.h"
#include <gst/gst.h>

/* x264 threads per encoder for LADDER: [live] x264_threads, or when 0 the cores shared among
 * the encoded rungs (at least 1): the encoders run side by side, and sliced threads inside
 * each would only add a wake-up per slice and frame. */
guint encoder_x264_threads(const Config *cfg, const Ladder *ladder);

/* Sets ENC (an x264enc) from CFG: preset, tune, THREADS, KBPS; key-int-max two segments of
 * SEGMENT_NS at FPS (keyframes themselves come from force-key-unit events at every cut). */
void encoder_set_x264(GstElement *enc, const Config *cfg, guint threads, int kbps,
                      GstClockTime segment_ns, double fps);

/* The codecs string of a rendition, from the first keyframe it puts out: when *HAVE is 0 and
 * BUF (H.264 byte-stream) is a keyframe with an SPS, writes "avc1.PPCCLL" to OUT and sets
 * *HAVE (atomically; called from a streaming thread, read on the main loop). */
void encoder_note_codecs(GstBuffer *buf, char *out, size_t len, gint *have);
