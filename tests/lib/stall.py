#!/usr/bin/env python3
"""Readers of a large file against a lectern on 127.0.0.1:PORT (tests/integration/test_delivery.sh).

  stall.py PORT PATH SECONDS

Two connections ask for PATH (a file much larger than the socket buffers): one reads nothing
after the headers, one reads 256 KiB every quarter second (1 MiB/s: the server sees progress
when its send buffer, megabytes on loopback, has room again, so a slower reader would look
stalled to a 3 s limit). Watches them for SECONDS and prints
JSON: when the stalled one was closed by the server (seconds after its request, or null),
whether the slow reader saw its connection end and how much it got, and the server's count
of the two at the start and at the end (the slow one's close may hide behind data the
server had already sent: the count tells).

The stalled client cannot see the close (the server's FIN waits behind the data it does not
read, and reading would be progress): the server's own count of open connections
(lectern_connections_open in /metrics, asked on a new connection each time) says when one of
the two went, and the slow one is seen to be open. Nothing else may connect meanwhile.
"""
import json
import socket
import sys
import time

port, path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def small_buffer(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    return s


def open_connections():
    with socket.create_connection(("127.0.0.1", port)) as m:
        m.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = m.recv(65536)
            if not d:
                break
            data += d
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("lectern_connections_open "):
            return int(float(line.split()[1])) - 1  # not the one asking
    raise SystemExit("no lectern_connections_open in /metrics")


stalled = small_buffer(socket.socket())
stalled.connect(("127.0.0.1", port))
slow = socket.socket()
slow.connect(("127.0.0.1", port))
start = time.monotonic()
stalled.sendall(request)
slow.sendall(request)
time.sleep(0.3)
baseline = open_connections()  # both readers among them
stalled_closed = None
slow_bytes, slow_open = 0, True
next_read = start
while time.monotonic() < start + seconds:
    now = time.monotonic()
    if stalled_closed is None and open_connections() < baseline:
        stalled_closed = now - start
    if slow_open and now >= next_read:
        next_read += 0.25
        try:
            d = slow.recv(262144)
            if not d:
                slow_open = False
            slow_bytes += len(d)
        except ConnectionError:
            slow_open = False
    time.sleep(0.05)

print(json.dumps({
    "open_at_start": baseline,
    "open_at_end": open_connections(),
    "stalled_closed_s": round(stalled_closed, 2) if stalled_closed is not None else None,
    "slow_open": slow_open,
    "slow_bytes": slow_bytes,
}))
