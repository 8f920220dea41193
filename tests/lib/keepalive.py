#!/usr/bin/env python3
"""Keep-alive connections against a lectern on 127.0.0.1:PORT (tests/integration/test_http.sh).

  keepalive.py PORT PATH [IDLE_CONNS] [SECONDS] [quiet]

Opens IDLE_CONNS (300) connections that each ask for PATH once and then wait; one more that
asks again every second for SECONDS (8); and one that asks once and then upgrades to a
WebSocket on /ws (the same connection) and waits. Prints JSON: when each idle connection was
closed by the server (seconds after its answer: min, max, how many closed), how many answers
the busy one got and whether it is still open, and whether the WebSocket is still open.
"quiet": no busy connection and no WebSocket, so nothing else wakes the server meanwhile.
"""
import base64
import json
import os
import select
import socket
import sys
import time

port, path = int(sys.argv[1]), sys.argv[2]
n_idle = int(sys.argv[3]) if len(sys.argv) > 3 else 300
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 8.0
quiet = len(sys.argv) > 5 and sys.argv[5] == "quiet"
request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def answer(s):
    """Reads one whole response (headers and Content-Length bytes); returns its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d:
            raise ConnectionError("closed before an answer")
        data += d
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        d = s.recv(65536)
        if not d:
            raise ConnectionError("closed inside a body")
        body += d
    return int(head.split()[1])


idle, answered_at = [], {}
for _ in range(n_idle):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    if answer(s) != 200:
        sys.exit("an idle connection's request was not answered 200")
    answered_at[s] = time.monotonic()
    idle.append(s)

busy, busy_answers, ws, ws_upgraded = None, 0, None, False
if not quiet:
    busy = socket.create_connection(("127.0.0.1", port))
    busy.sendall(request)
    busy_answers = int(answer(busy) == 200)
    ws = socket.create_connection(("127.0.0.1", port))
    ws.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer(ws)
    key = base64.b64encode(os.urandom(16)).decode()
    ws.sendall(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    up = b""
    while b"\r\n\r\n" not in up:
        d = ws.recv(4096)
        if not d:
            break
        up += d
    ws_upgraded = up.startswith(b"HTTP/1.1 101")

closed_after = []
start = time.monotonic()
next_ask = start + 1
open_idle = set(idle)
while time.monotonic() < start + seconds:
    timeout = max(0.0, min(next_ask, start + seconds) - time.monotonic())
    ready, _, _ = select.select(list(open_idle), [], [], timeout)
    for s in ready:
        try:
            d = s.recv(4096)
        except ConnectionError:
            d = b""
        if not d:
            closed_after.append(time.monotonic() - answered_at[s])
            open_idle.discard(s)
            s.close()
    if busy and time.monotonic() >= next_ask:
        next_ask += 1
        try:
            busy.sendall(request)
            busy_answers += int(answer(busy) == 200)
        except (ConnectionError, OSError):
            pass


def still_open(s):
    ready, _, _ = select.select([s], [], [], 0)
    if not ready:
        return True
    try:
        return s.recv(4096, socket.MSG_PEEK) != b""
    except ConnectionError:
        return False


print(json.dumps({
    "idle": n_idle,
    "idle_closed": len(closed_after),
    "idle_closed_min_s": round(min(closed_after), 2) if closed_after else None,
    "idle_closed_max_s": round(max(closed_after), 2) if closed_after else None,
    "busy_answers": busy_answers,
    "busy_open": busy is not None and still_open(busy),
    "ws_upgraded": ws_upgraded,
    "ws_open": ws is not None and still_open(ws),
}))
