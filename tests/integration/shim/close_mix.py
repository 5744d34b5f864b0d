"""close_mix.py - TCP connections with random close orders, checked on both
sides (for shim_close_mix.sh).

  close_mix.py server HOST PORT          serve until killed; print "ok I",
                                         "ERROR ..." or (a reset before the
                                         header) "cut ..." per connection
  close_mix.py client HOST PORT N SEED   N connections, 4 at a time; exit 1
                                         and print "ERROR ..." on any error;
                                         last line: "... R client resets"
                                         (connections that may be cut)

Each connection starts with a 256-byte JSON header: its parameters, drawn
from SEED and its number.  Each side sends 0 B to 700 KB and ends in one
of five ways:
  half   send, shutdown(SHUT_WR), read to EOF, close
  slow   the same, reading 64 KiB at a time with 2 ms pauses
  full   send, read to EOF, close (never both sides: they would wait)
  abort  after the delay, a reset (SO_LINGER {1, 0})
  drop   send up to 100 KB and close without reading (a reset if data
         was unread)
Without abort and drop on either side, each side must receive exactly
what the other sent; with them, only that nothing hangs (60 s timeouts).
"""
import json
import random
import socket
import struct
import sys
import threading
import time

MODES = ["half", "slow", "full", "abort", "drop"]
SIZES = [0, 1, 5000, 200000, 700000]
DELAYS = [0, 0.01, 0.2]


def payload(tag, size):
    """size deterministic bytes for tag."""
    r = random.Random(tag)
    block = bytes(r.getrandbits(8) for _ in range(4096))
    return (block * (size // 4096 + 1))[:size]


def params(seed, i):
    """The parameters of connection i."""
    r = random.Random(seed * 100003 + i)
    p = {"i": i, "seed": seed}
    for side in ("c", "s"):
        p[side + "_send"] = r.choice(SIZES)
        p[side + "_mode"] = r.choice(MODES)
        p[side + "_delay"] = r.choice(DELAYS)
    if p["c_mode"] == "full" and p["s_mode"] == "full":
        p[r.choice(["c_mode", "s_mode"])] = "half"
    return p


def run(s, me, p):
    """Play side me ("c" or "s") of connection p on socket s; an error
    string, or None."""
    other = "s" if me == "c" else "c"
    tag = "%d.%d." % (p["seed"], p["i"])
    mine = payload(tag + me, p[me + "_send"])
    want = payload(tag + other, p[other + "_send"])
    mode = p[me + "_mode"]
    lenient = bool({"abort", "drop"} & {p["c_mode"], p["s_mode"]})
    got = bytearray()
    failed = []

    if mode in ("abort", "drop"):
        time.sleep(p[me + "_delay"])
        try:
            if mode == "abort":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                s.sendall(mine[:100000])
        except OSError:
            pass
        s.close()
        return None

    def reader():
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    return
                got.extend(d)
                if mode == "slow":
                    time.sleep(0.002)
        except OSError as e:
            if not lenient:
                failed.append("recv: %r" % e)

    t = threading.Thread(target=reader)
    t.start()
    time.sleep(p[me + "_delay"])
    try:
        s.sendall(mine)
        if mode != "full":
            s.shutdown(socket.SHUT_WR)
    except OSError as e:
        if not lenient:
            failed.append("send: %r" % e)
    t.join()
    s.close()
    if failed:
        return "conn %d %s: %s %s" % (p["i"], me, "; ".join(failed), p)
    if not lenient and bytes(got) != want:
        return "conn %d %s: got %d bytes, want %d %s" % (p["i"], me, len(got), len(want), p)
    return None


def read_header(c):
    """The 256-byte header, or None if the connection ended first (only a
    client that resets may do that: shim_close_mix.sh checks the count)."""
    hdr = b""
    try:
        while len(hdr) < 256:
            d = c.recv(256 - len(hdr))
            if not d:
                return None
            hdr += d
    except ConnectionResetError:
        return None
    return hdr


def serve_one(c):
    """The server's side of one connection."""
    try:
        c.settimeout(60)
        hdr = read_header(c)
        if hdr is None:
            print("cut before the header", flush=True)
            c.close()
            return
        p = json.loads(hdr.decode())
        e = run(c, "s", p)
        print("ERROR " + e if e else "ok %d" % p["i"], flush=True)
    except Exception as ex:         # noqa: BLE001 - reported, not raised
        print("ERROR server: %r" % ex, flush=True)


def client_one(host, port, seed, i, errors):
    """The client's side of connection i."""
    p = params(seed, i)
    try:
        s = socket.create_connection((host, port), timeout=60)
        s.sendall(json.dumps(p).encode().ljust(256))
        e = run(s, "c", p)
    except OSError as ex:
        e = None if {"abort", "drop"} & {p["c_mode"], p["s_mode"]} else \
            "conn %d c: %r %s" % (i, ex, p)
    if e:
        errors.append(e)


def main():
    role, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if role == "server":
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        lst = socket.socket(fam)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind((host, port))
        lst.listen(64)
        print("listening", flush=True)
        while True:
            threading.Thread(target=serve_one, args=(lst.accept()[0],), daemon=True).start()
    n, seed = int(sys.argv[4]), int(sys.argv[5])
    errors = []
    for k in range(0, n, 4):
        ts = [threading.Thread(target=client_one, args=(host, port, seed, i, errors))
              for i in range(k, min(n, k + 4))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    for e in errors:
        print("ERROR " + e)
    resets = sum(params(seed, i)["c_mode"] in ("abort", "drop") for i in range(n))
    print("%d connections (seed %d), %d errors, %d client resets" % (n, seed, len(errors), resets))
    sys.exit(1 if errors else 0)


main()
