"""peerlib.py - helpers for the Python peers and programs of the shim tests
(fault_reset_halfclose, shim_close_order, shim_self, shim_timewait,
behaviours.py, spares.py, limits.py); put this directory on PYTHONPATH, or on sys.path.
"""
import socket
import threading


def readall(s, size=65536):
    """Everything socket s receives until EOF, as bytes."""
    got = bytearray()
    while True:
        d = s.recv(size)
        if not d:
            return bytes(got)
        got += d


def echo(s, data):
    """Send data on socket s and check that an echo peer returns it."""
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        b = s.recv(65536)
        assert b, "EOF from echo"
        got += b
    assert got == data, (got[:40], data[:40])


def echo_back(c):
    """Send back everything connection c receives; close it at EOF (a
    handler for serve())."""
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.close()


def _accept_loop(listener, handler):
    """Run handler(conn) in a thread of its own for each connection."""
    while True:
        c = listener.accept()[0]
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def serve(port, handler, addrs):
    """Listen on TCP port at each address of addrs (IPv4 or IPv6 literals),
    calling handler(conn) for each connection; never returns."""
    for addr in addrs:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        lst = socket.socket(fam)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind((addr, port))
        lst.listen(8)
        threading.Thread(target=_accept_loop, args=(lst, handler), daemon=True).start()
    threading.Event().wait()
