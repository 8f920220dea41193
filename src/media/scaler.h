/* scaler: "lecternscale", a GStreamer video scaler on FFmpeg's libswscale. */
#pragma once
#include <stdbool.h>

/* Registers the element "lecternscale" (I420 in, I420 out at any size, bicubic) with
 * GStreamer, once per process; later calls do nothing. Returns false if registration
 * failed. Pipeline files may use it like any element: pipeline_load() calls this.
 *
 * Why our own: GStreamer's videoscale costs about four times what swscale does for the
 * same downscale on this class of machine (docs/live.md, benchmark (b)), and the ladder
 * scales every frame once per encoded rendition. */
bool scaler_register(void);
