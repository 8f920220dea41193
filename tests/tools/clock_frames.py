#!/usr/bin/env python3
"""Frames with the wall clock burned in, for the glass-to-glass benchmark (issue 22 (a)).

Writes raw 1280x720 yuv420p frames to stdout, paced by the wall clock (frame n at t0 + n/fps,
so the pacing never drifts), for ffmpeg's `-f rawvideo -pix_fmt yuv420p -s 1280x720
-framerate FPS -i -`. Each frame carries the low 32 bits of the epoch time in ms read the
moment the frame is made: bit 31 first, as 16 blocks of 80x80 px per row (white = 1, Y 235;
black = 0, Y 16), two rows per copy and two copies (rows 0-1 and 2-3), so a reader takes a
value only when both copies agree. 80 px blocks are 40 px in the 360p rendition and 20 px in
a 320-wide canvas: their centres survive x264 and any of the downscales. The rest of the
frame is flat grey, so the bitrate stays low and the blocks are all the encoder works on.

Usage: clock_frames.py [--fps 30] [--seconds S]     (frames until S seconds, or forever)
       clock_frames.py --still MS                    (one frame stamped MS, for the reader's
                                                       self-check; no pacing)
"""
import argparse
import os
import sys
import time

W, H = 1280, 720
BLOCK = 80
PER_ROW = W // BLOCK          # 16 bits per row of blocks
TOP = 160                     # first row of blocks; 4 rows: y 160..480
Y_BLACK, Y_WHITE, Y_GREY = 16, 235, 126


def row_lines(value16):
    """One luma line (W bytes) for a row of blocks showing VALUE16, most significant bit left."""
    black, white = bytes([Y_BLACK]) * BLOCK, bytes([Y_WHITE]) * BLOCK
    return b"".join(white if value16 >> (PER_ROW - 1 - i) & 1 else black for i in range(PER_ROW))


def make_frame_buffer():
    frame = bytearray([Y_GREY]) * (W * H)
    frame += bytearray([128]) * (W * H // 2)  # U and V: no colour
    return frame


def stamp(frame, ms):
    """Burns the low 32 bits of MS into FRAME (in place): rows (hi, lo, hi, lo)."""
    v = ms & 0xFFFFFFFF
    halves = (v >> 16, v & 0xFFFF)
    for r in range(4):
        line = row_lines(halves[r % 2])
        y0 = TOP + r * BLOCK
        for y in range(y0, y0 + BLOCK):
            frame[y * W:(y + 1) * W] = line


def write_all(out, frame):
    view = memoryview(frame)
    while view:
        n = os.write(out, view)
        view = view[n:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--still", type=int, default=None, metavar="MS")
    a = ap.parse_args()
    out = sys.stdout.fileno()
    frame = make_frame_buffer()
    if a.still is not None:
        stamp(frame, a.still)
        write_all(out, frame)
        return 0
    t0 = time.monotonic()
    n = 0
    try:
        while not a.seconds or n < a.seconds * a.fps:
            # Frame n is due at t0 + n / fps (monotonic clock: a wall-clock step does not
            # change the pacing); a late frame is sent at once, never skipped, since ffmpeg
            # timestamps frames by their count. The stamp is the wall clock when it is made.
            delay = t0 + n / a.fps - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            stamp(frame, time.time_ns() // 1_000_000)
            write_all(out, frame)
            n += 1
    except BrokenPipeError:
        pass  # ffmpeg went away: the benchmark is over
    return 0


if __name__ == "__main__":
    sys.exit(main())
