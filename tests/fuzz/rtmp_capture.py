#!/usr/bin/env python3
"""rtmp_capture.py LISTEN_PORT SERVER_PORT OUT: a one-connection TCP proxy between an RTMP
publisher and lectern that writes what the publisher sent to OUT (for fuzz seeds; see
tests/fuzz/make-seeds). Exits when the publisher closes."""
import socket, sys, threading

listen_port, server_port, out_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(1)
open(out_path + ".ready", "w").close()
client, _ = ls.accept()
server = socket.create_connection(("127.0.0.1", server_port))
captured = bytearray()

def pump(src, dst, keep):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            if keep is not None:
                keep.extend(b)
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

t = threading.Thread(target=pump, args=(server, client, None), daemon=True)
t.start()
pump(client, server, captured)
t.join(2)
with open(out_path, "wb") as f:
    f.write(captured)
