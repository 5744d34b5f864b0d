#!/usr/bin/python3
"""Test origin server for lwip-proxy's integration tests.

HTTP/1.1 with persistent connections, on every --listen ADDR:PORT given
(IPv6 in brackets).  Each request is logged to --log as
"<client-ip> <client-port> <local-ip> <method> <path>".  Paths:
  /hello          "hello\\n"
  /echo           JSON: method, path, headers, body, client and local addr
  /chunked        a chunked response ("chunk1chunk2chunk3")
  /big?n=N        N bytes of 'x' (Content-Length)
  /close          HTTP/1.0-style body delimited by closing the connection
  /bad            an invalid response
  /slow?ms=N      "slow\\n" after N ms
"""
import argparse
import json
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

LOG_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "origin/1"

    def log_message(self, fmt, *args):
        pass

    def note(self):
        c = self.client_address
        loc = self.connection.getsockname()
        with LOG_LOCK, open(self.server.logpath, "a") as f:
            f.write("%s %s %s %s %s\n" % (c[0], c[1], loc[0], self.command,
                                          self.path))

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        self.note()
        u = urlparse(self.path)
        q = parse_qs(u.query)
        body = self.read_body()
        if u.path == "/hello":
            return self.send(200, b"hello\n")
        if u.path == "/echo":
            loc = self.connection.getsockname()
            d = {"method": self.command, "path": self.path,
                 "headers": [[k, v] for k, v in self.headers.items()],
                 "body": body.decode("latin-1"),
                 "client": self.client_address[0], "local": loc[0]}
            return self.send(200, json.dumps(d).encode(), "application/json")
        if u.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"chunk1", b"chunk2", b"chunk3"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if u.path == "/big":
            return self.send(200, b"x" * int(q.get("n", ["1000"])[0]))
        if u.path == "/close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"closed body\n")
            self.close_connection = True
            return
        if u.path == "/bad":
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
            self.close_connection = True
            return
        if u.path == "/slow":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000.0)
            return self.send(200, b"slow\n")
        return self.send(404, b"not found\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = handle_any
    do_PATCH = handle_any


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr, family, logpath):
        self.address_family = family
        self.logpath = logpath
        super().__init__(addr, Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def parse_listen(s):
    if s.startswith("["):
        host, port = s[1:].split("]:")
        return (host, int(port)), socket.AF_INET6
    host, port = s.rsplit(":", 1)
    return (host, int(port)), socket.AF_INET


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", action="append", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    servers = [Server(*parse_listen(l), a.log) for l in a.listen]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("origin ready", flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    sys.exit(main())
