#!/usr/bin/env python3
"""Pipelined-request sweep (issue 23, abuse): every method x path x body shape (no length,
length 0, a whole body, a short one, a body longer than sent, only an empty line), sent as
the first request of a packet or behind a GET, with a GET after it, each packet on a new
connection. After each packet the server must still answer /healthz on another connection
within 3 s. lws 4.1.6 spun for ever on some of these (docs/limits.md); this walks them all.

    pipeline_sweep.py PORT     prints "N packets, the server answered after each" or the
                               packet after which it stopped answering (exit 1)
"""
import itertools
import socket
import sys
import urllib.request

port = int(sys.argv[1])
methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
paths = ["/healthz", "/api/v1/events", "/api/v1/uploads", "/api/v1/tus/x", "/hls/x/index.m3u8",
         "/api/v1/session"]
bodies = [None, ("0", b""), ("1", b"x"), ("5", b"xxxxx"), ("50", b"xx"), ("2", b"\r\n")]
GET = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"


def request(method, path, body):
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n".encode()
    if body is not None:
        head += f"Content-Length: {body[0]}\r\n".encode()
    return head + b"\r\n" + (body[1] if body else b"")


def answers():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
            return r.status == 200
    except Exception:
        return False


n = 0
for method, path, body, first in itertools.product(methods, paths, bodies, [True, False]):
    r = request(method, path, body)
    packet = r + GET if first else GET + r + GET
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(packet)
    s.settimeout(0.05)
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()
    n += 1
    if not answers():
        print(f"the server stopped answering after packet {n}: {packet!r}")
        sys.exit(1)
print(f"{n} packets, the server answered after each")
