#!/usr/bin/python3
"""Raw TCP client for lwip-proxy's tests: send stdin (or parts, with
--pause MS between "--part" arguments) to HOST PORT and print everything
received until the peer closes or --timeout seconds pass."""
import argparse
import socket
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("host")
ap.add_argument("port", type=int)
ap.add_argument("--part", action="append")
ap.add_argument("--pause", type=int, default=0)
ap.add_argument("--timeout", type=float, default=10)
a = ap.parse_args()
s = socket.create_connection((a.host, a.port), timeout=a.timeout)
parts = [p.encode().decode("unicode_escape").encode("latin-1")
         for p in a.part] if a.part else [sys.stdin.buffer.read()]
try:
    for i, p in enumerate(parts):
        if i and a.pause:
            time.sleep(a.pause / 1000.0)
        s.sendall(p)
except OSError as e:
    sys.stderr.write("send: %s\n" % e)
end = time.monotonic() + a.timeout
out = b""
while time.monotonic() < end:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    except OSError as e:
        sys.stderr.write("recv: %s\n" % e)
        break
    if not d:
        break
    out += d
sys.stdout.buffer.write(out)
