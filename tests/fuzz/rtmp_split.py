#!/usr/bin/env python3
"""rtmp_split.py CAPTURE DIR: turns a captured RTMP publish (client to server bytes) into fuzz
seeds: DIR/rtmp_handshake/<name> (C0+C1+C2), DIR/rtmp_chunk/ and DIR/rtmp_session/ (the chunk
stream after the handshake: the commands alone, and the start of the media), DIR/amf0/ (each
command and data message body) and DIR/flv/ (the tags as an FLV file)."""
import os, struct, sys

cap, out = open(sys.argv[1], "rb").read(), sys.argv[2]
name = os.path.splitext(os.path.basename(sys.argv[1]))[0]
HS = 1 + 1536 + 1536

def put(target, suffix, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name + suffix), "wb") as f:
        f.write(data)

put("rtmp_handshake", "", cap[:HS])
stream = cap[HS:]

# A chunk reader (RTMP 1.0 §5.3), enough for what publishers send.
msgs, off, chunk_size, last = [], 0, 128, {}
first_media_off = None
while off < len(stream):
    start = off
    b = stream[off]; off += 1
    fmt, csid = b >> 6, b & 0x3f
    if csid == 0:
        csid = 64 + stream[off]; off += 1
    elif csid == 1:
        csid = 64 + stream[off] + 256 * stream[off + 1]; off += 2
    st = last.setdefault(csid, {"ts": 0, "delta": 0, "len": 0, "type": 0, "sid": 0, "buf": b""})
    if fmt <= 2:
        ts = int.from_bytes(stream[off:off + 3], "big"); off += 3
    if fmt <= 1:
        st["len"] = int.from_bytes(stream[off:off + 3], "big"); st["type"] = stream[off + 3]; off += 4
    if fmt == 0:
        st["sid"] = struct.unpack("<I", stream[off:off + 4])[0]; off += 4
    if fmt <= 2 and ts == 0xffffff:
        ts = int.from_bytes(stream[off:off + 4], "big"); off += 4
    if not st["buf"]:  # a message's first chunk carries its time
        st["start"] = start
        if fmt == 0:
            st["ts"], st["delta"] = ts, 0
        else:
            if fmt <= 2:
                st["delta"] = ts
            st["ts"] = (st["ts"] + st["delta"]) & 0xffffffff
    n = min(chunk_size, st["len"] - len(st["buf"]))
    if off + n > len(stream):
        break
    st["buf"] += stream[off:off + n]; off += n
    if len(st["buf"]) == st["len"]:
        msgs.append((st["type"], st["buf"], st["ts"]))
        if st["type"] == 1:
            chunk_size = int.from_bytes(st["buf"][:4], "big") & 0x7fffffff
        if st["type"] in (8, 9) and first_media_off is None:
            first_media_off = st["start"]
        st["buf"] = b""

commands_end = first_media_off if first_media_off is not None else len(stream)
put("rtmp_chunk", "-commands", stream[:commands_end])
put("rtmp_session", "-commands", stream[:commands_end])
# The start of the media: sequence headers and the first frames, small enough to fuzz fast.
media = stream[:min(len(stream), commands_end + 6000)]
put("rtmp_session", "-media", media)
put("rtmp_chunk", "-media", media)

seen = set()
for typ, body, _ in msgs:
    if typ in (18, 20) and body not in seen:
        put("amf0", "-%02d" % len(seen), body)
        seen.add(body)

flv = bytearray(b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00")
size = 0
for typ, body, ts in msgs:
    if typ not in (8, 9, 18) or size > 12000:
        continue
    flv += bytes([typ]) + len(body).to_bytes(3, "big") + (ts & 0xffffff).to_bytes(3, "big")
    flv += bytes([ts >> 24]) + b"\x00\x00\x00" + body
    flv += (11 + len(body)).to_bytes(4, "big")
    size += len(body)
put("flv", "", bytes(flv))
print("%s: %d bytes, %d messages, commands end at %d" % (name, len(cap), len(msgs), commands_end))
