#!/usr/bin/env python3
"""Readers of a large file against a lectern on 127.0.0.1:PORT (tests/integration/test_delivery.sh).

  stall.py PORT PATH SECONDS

Two connections ask for PATH (a file much larger than the socket buffers): one reads nothing
after the headers, one reads 256 KiB every quarter second (1 MiB/s, a whole 256 KiB each
time through a 1 MiB receive buffer: the server sees progress when its send buffer, megabytes
on loopback, has drained by a third, so a slower reader would look stalled to a 3 s limit).
Watches them for SECONDS and prints JSON: when the stalled one was closed by the server (seconds after its request, or null),
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
import threading
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
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1048576)
slow.connect(("127.0.0.1", port))
start = time.monotonic()
stalled.sendall(request)
slow.sendall(request)
time.sleep(0.3)
baseline = open_connections()  # both readers among them
stalled_closed = None
# The slow reader reads on a thread of its own, on a schedule it catches up with when late, a
# whole 256 KiB each time: its pace must not hang on how fast /metrics answers, nor on its
# receive buffer (left to itself a slowly read socket keeps its first 64 KiB, recv returns
# that, and "1 MiB/s" was 0.4 — slower than the server's send buffer drains by a third in 3 s,
# which is what the server can see of a reader: it was closed as stalled).
slow_state = {"bytes": 0, "open": True}
stop = threading.Event()


def read_slowly():
    slow.settimeout(0.2)
    next_read = start
    while not stop.is_set():
        now = time.monotonic()
        if now < next_read:
            time.sleep(min(next_read - now, 0.05))
            continue
        next_read += 0.25
        want = 262144
        while want > 0 and not stop.is_set():
            try:
                d = slow.recv(want)
            except socket.timeout:
                continue
            except ConnectionError:
                slow_state["open"] = False
                return
            if not d:
                slow_state["open"] = False
                return
            slow_state["bytes"] += len(d)
            want -= len(d)


reader = threading.Thread(target=read_slowly, daemon=True)
reader.start()
while time.monotonic() < start + seconds:
    now = time.monotonic()
    if stalled_closed is None and open_connections() < baseline:
        stalled_closed = now - start
    time.sleep(0.05)
stop.set()
reader.join()
slow_bytes, slow_open = slow_state["bytes"], slow_state["open"]
print(json.dumps({
    "open_at_start": baseline,
    "open_at_end": open_connections(),
    "stalled_closed_s": round(stalled_closed, 2) if stalled_closed is not None else None,
    "slow_open": slow_open,
    "slow_bytes": slow_bytes,
}))
