/* pipeline: loads pipelines/<area>/<name>.pipeline (gst-launch syntax) into elements. */
#pragma once

#include <gst/gst.h>
#include <stdbool.h>

/* The directory pipeline files are read from: $LECTERN_PIPELINES_DIR, or
 * the pipelines/ folder of the source tree lectern was built from. */
const char *pipeline_dir(void);

/* The description in DIR/NAME.pipeline with comment lines (# ...) removed.
 * Returns NULL with *err. Caller frees. */
char *pipeline_read(const char *name, char **err);

/* Parses NAME: as a pipeline when AS_BIN is false, otherwise as a bin whose
 * unlinked pads are ghosted (a fragment the C code links). Fatal parse
 * errors only (GST_PARSE_FLAG_FATAL_ERRORS). Returns a floating-ref
 * element or NULL with *err. */
GstElement *pipeline_load(const char *name, bool as_bin, char **err);

/* Child NAME of BIN (recursing), with a reference, or NULL. */
GstElement *pipeline_get(GstElement *bin, const char *name);

/* The running time of BUF on PAD (from PAD's sticky segment), or its PTS when PAD has no
 * segment yet, or GST_CLOCK_TIME_NONE without a PTS. For probes deciding segment cuts. */
GstClockTime pipeline_running_time(GstPad *pad, GstBuffer *buf);
