/* segment_writer: cuts a muxed MPEG-TS stream into segment files at force-key-unit events. */
#pragma once
#include <gst/gst.h>
#include <stdbool.h>

/* Name of the element message posted for every finished segment. Fields:
 *   "location" (string)  the final path (DIR/seg%06u.ts), already renamed into place
 *   "index"    (uint)    its number (FIRST_INDEX, then +1 per segment)
 *   "start"    (uint64)  running time of its first key unit, or GST_CLOCK_TIME_NONE for
 *                        the first segment (it starts with the stream)
 *   "end"      (uint64)  running time of the next segment's key unit, or
 *                        GST_CLOCK_TIME_NONE when end-of-stream closed it
 *   "bytes"    (uint64)  its size
 *   "error"    (string)  set when it could not be written; then nothing is at location
 *   "errno"    (int)     with "error": the write's errno (ENOSPC: the disk is full) */
#define SEGMENT_WRITER_MESSAGE "lectern-segment"

/* With parts (LL-HLS), the message posted for every finished part, before the segment's:
 *   "location" (string)  DIR/seg%06u-p%u.ts, renamed into place
 *   "segment"  (uint)    the number of the segment it belongs to
 *   "part"     (uint)    its number within the segment, from 0
 *   "duration" (uint64)  ns; GST_CLOCK_TIME_NONE for a segment's last part (the rest of it)
 *   "independent" (boolean) it begins with PAT/PMT and a keyframe
 *   "bytes"    (uint64)
 *   "error"    (string)  set when it could not be written (no more parts of that segment come) */
#define SEGMENT_WRITER_PART_MESSAGE "lectern-part"
#define SEGMENT_WRITER_PART_NAME "seg%06u-p%u.ts"

typedef struct {
  const char *location;
  const char *error;
  guint segment, part;
  GstClockTime duration;
  bool independent;
  guint64 bytes;
} PartDone;

/* Reads S into *OUT. Returns FALSE when S is not a part message. */
gboolean segment_writer_read_part(const GstStructure *s, PartDone *out);

/* A SEGMENT_WRITER_MESSAGE read back; the strings belong to the message's structure. */
typedef struct {
  const char *location;
  const char *error;          /* NULL unless it could not be written */
  int errnum;                 /* with error: the errno of the failed write, else 0 */
  guint index;
  GstClockTime start, end;    /* GST_CLOCK_TIME_NONE as described above */
  guint64 bytes;
} SegmentDone;

/* Reads S into *OUT. Returns FALSE when S is not a segment writer's message. */
gboolean segment_writer_read(const GstStructure *s, SegmentDone *out);

typedef struct SegmentWriter SegmentWriter;

/* Writes the stream arriving at SINK's "sink" pad (a fakesink after mpegtsmux) into
 * DIR/seg%06u.ts files: a file begins at the start and at every downstream
 * force-key-unit event (mpegtsmux sends one, with fresh PAT/PMT, right before the key
 * unit it was asked to cut at), and ends at the next one or at end-of-stream. Each file
 * is written as a hidden temporary and renamed when complete, so a reader never sees a
 * partial segment; then SEGMENT_WRITER_MESSAGE is posted on SINK's bus. Runs in SINK's
 * streaming thread. The writer lives as long as SINK's pad (freed with the probe).
 * PART_NS > 0 also writes each segment as parts (LL-HLS) into files of their own: a part
 * begins at the segment's start and at the first video frame at or past every PART_NS
 * after the segment's first frame (every rendition cuts its segments at the same frames, so
 * their parts are aligned too); SEGMENT_WRITER_PART_MESSAGE is posted for each. */
SegmentWriter *segment_writer_attach(GstElement *sink, const char *dir, guint first_index,
                                     GstClockTime part_ns);

/* The event that asks the muxer to begin a new segment at the key unit with running time RT
 * (PTS its timestamp): a downstream force-key-unit event with all headers, marked as ours.
 * Push it on the pad into the muxer right before that key unit. */
GstEvent *segment_writer_cut_event(GstClockTime pts, GstClockTime rt);

/* Whether EV is a force-key-unit event that segment_writer_cut_event() did not make (an
 * encoder announcing a keyframe, say). Drop those before the muxer: the muxer keeps one
 * request at a time, and a foreign one could hold the slot with a time never reached. */
gboolean segment_writer_is_foreign_key_unit(GstEvent *ev);
