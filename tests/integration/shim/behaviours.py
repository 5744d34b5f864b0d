# behaviours.py - socket behaviours checked from a program under the shim
# (run by shim_sockets.sh).  argv: IPv4 peer, IPv6 peer, TCP echo port,
# UDP echo port, a closed port.  Prints "ok: ..." per check; any failure
# raises and exits non-zero.
import errno, os, select, socket, struct, subprocess, sys, time

V4, V6, ECHO, UECHO, CLOSED = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def ok(msg):
    print("ok:", msg, flush=True)

def echo_conn(fam=socket.AF_INET, host=V4):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect((host, ECHO))
    return s

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerlib import echo as roundtrip

def nb_connect_error(fam, host, port, timeout=20):
    """connect() a non-blocking socket; the error it reports, at once or
    (EINPROGRESS) from SO_ERROR once it turns writable"""
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setblocking(False)
    e = s.connect_ex((host, port))
    if e == errno.EINPROGRESS:
        r, w, x = select.select([], [s], [], timeout)
        assert w, "never writable"
        e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    return s, e

# non-blocking connect to a closed port: EINPROGRESS, writable, ECONNREFUSED
for fam, host in ((socket.AF_INET, V4), (socket.AF_INET6, V6)):
    s, e = nb_connect_error(fam, host, CLOSED)
    assert e == errno.ECONNREFUSED, errno.errorcode.get(e, e)
    assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0, "SO_ERROR not cleared"
    s.close()
ok("non-blocking connect to a closed port: ECONNREFUSED via SO_ERROR (v4, v6)")

# no route (lwipd has no gateway here, so nothing is sent): ENETUNREACH at
# once, as Linux (lwIP alone would send SYNs nowhere for 18 s):
# non-blocking via SO_ERROR (the shim did not wait: CONNECT_NOWAIT),
# blocking from connect() itself
for fam, host in ((socket.AF_INET, "10.0.1.1"), (socket.AF_INET6, "fd99::1")):
    t0 = time.monotonic()
    s, e = nb_connect_error(fam, host, 80)
    assert e == errno.ENETUNREACH, errno.errorcode.get(e, e)
    s.close()
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.connect((host, 80))
        raise AssertionError("connected with no route")
    except OSError as ex:
        assert ex.errno == errno.ENETUNREACH, errno.errorcode.get(ex.errno, ex.errno)
    s.close()
    assert time.monotonic() - t0 < 2, "ENETUNREACH took %.1f s" % (time.monotonic() - t0)
ok("connect with no route: ENETUNREACH at once, non-blocking via SO_ERROR, blocking from connect() (v4, v6)")

# an address on the link that nobody answers: lwIP gives up after its SYN
# retries (about 18 s) and the program reads ETIMEDOUT, as from Linux
s, e = nb_connect_error(socket.AF_INET, "10.0.0.99", 80, timeout=60)
assert e == errno.ETIMEDOUT, errno.errorcode.get(e, e)
s.close()
ok("connect to a silent address on the link: ETIMEDOUT")

# shutdown() from another thread cancels a blocking connect: the connect
# fails at once (it must not report success) and lwipd does not spin on
# the hangup while the SYNs go unanswered
import threading
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
res = []
def blocking_connect():
    try:
        s.connect(("10.0.0.99", 80))
        res.append("connected")
    except OSError as ex:
        res.append(errno.errorcode.get(ex.errno, ex.errno))
t = threading.Thread(target=blocking_connect)
t.start()
time.sleep(0.5)
s.shutdown(socket.SHUT_RDWR)
t.join(5)
assert res and res[0] != "connected", "connect after shutdown(): %r" % res
s.close()
ok("shutdown() during a blocking connect: connect fails (%s)" % res[0])

# a socket made before fork() and connected by the child: the child may
# not take it for fresh (its parent could connect it too), so it asks the
# daemon; the parent's copy sees the same connection
def in_child(fn):
    """run fn() in a forked child; it must return without an exception"""
    pid = os.fork()
    if pid == 0:
        try:
            fn()
            os._exit(0)
        except BaseException as ex:
            print("child:", repr(ex), flush=True)
            os._exit(1)
    _, st = os.waitpid(pid, 0)
    assert os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "child failed"

def child_connects(s):
    s.settimeout(20)
    s.connect((V4, ECHO))
    roundtrip(s, b"child")

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
in_child(lambda: child_connects(s))
s.settimeout(20)
roundtrip(s, b"parent")
s.close()
ok("a socket made before fork() and connected by the child works in both")

# a second connect() of a connected blocking socket is EISCONN, and the
# stream is untouched, also when the first came through another fd or
# process: the shim may not take the socket for fresh from socket() (it
# would write its connect filler into the connected stream)
def connect_again(s, first):
    """first() connects (blocking) another fd of @s's socket, or @s in a
    child; then connect(@s) (blocking) must fail with EISCONN and an echo
    through @s must still work"""
    first()
    try:
        s.connect((V4, ECHO))
        raise AssertionError("the second connect succeeded")
    except OSError as ex:
        assert ex.errno == errno.EISCONN, errno.errorcode.get(ex.errno, ex.errno)
    s.settimeout(20)
    roundtrip(s, b"twice" * 200)

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
d = s.dup()
connect_again(s, lambda: d.connect((V4, ECHO)))
d.close(); s.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
connect_again(s, lambda: in_child(lambda: s.connect((V4, ECHO))))
s.close()
ok("connect() of a socket connected through a dup or by a forked child: EISCONN, stream intact")

# connect() again on a non-blocking socket (as APR and others do after
# EPOLLOUT), answered by the shim from the socket's state: EALREADY while
# connecting, EISCONN once connected; after a refused connect never EISCONN
for fam, host in ((socket.AF_INET, V4), (socket.AF_INET6, V6)):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setblocking(False)
    e = s.connect_ex((host, ECHO))
    assert e in (errno.EINPROGRESS, 0), errno.errorcode.get(e, e)
    e = s.connect_ex((host, ECHO))
    assert e in (errno.EALREADY, errno.EISCONN), errno.errorcode.get(e, e)
    r, w, x = select.select([], [s], [], 20)
    assert w, "never writable"
    e = s.connect_ex((host, ECHO))
    assert e == errno.EISCONN, errno.errorcode.get(e, e)
    s.setblocking(True)
    s.settimeout(20)
    roundtrip(s, b"again")
    s.close()
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setblocking(False)
    if s.connect_ex((host, CLOSED)) == errno.EINPROGRESS:
        select.select([], [s], [], 20)
        e = s.connect_ex((host, CLOSED))
        assert e not in (0, errno.EISCONN, errno.EALREADY), errno.errorcode.get(e, e)
    s.close()
ok("connect() again: EALREADY/EISCONN while connecting, EISCONN once connected, not after a refusal (v4, v6)")

# blocking connect, names, options
s = echo_conn()
assert s.getpeername() == (V4, ECHO), s.getpeername()
assert s.getsockname()[0] == "10.0.0.2" and s.getsockname()[1] != 0, s.getsockname()
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_INET
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL) == socket.IPPROTO_TCP
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) in (0, 1)
roundtrip(s, os.urandom(200000))
s.close()
s = echo_conn(socket.AF_INET6, "::ffff:" + V4)
assert s.getpeername()[:2] == ("::ffff:" + V4, ECHO), s.getpeername()
roundtrip(s, b"mapped")
s.close()
ok("blocking connect, names (v4, v4-mapped), SO_TYPE/DOMAIN/PROTOCOL, TCP_NODELAY reads back 1, 200 kB echoed")

# bind to port 0: an ephemeral port
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("::", 0))
assert s.getsockname()[1] != 0, s.getsockname()
try:
    s.bind(("::", 0))
    raise AssertionError("a second bind was accepted")
except OSError as e:
    assert e.errno == errno.EINVAL, errno.errorcode.get(e.errno, e.errno)
s.close()
ok("bind(port 0) gives an ephemeral port; binding again is EINVAL")

# half-close: SHUT_WR reaches the peer as FIN; its echo and EOF come back
s = echo_conn(socket.AF_INET6, V6)
data = os.urandom(50000)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
assert got == data, len(got)
s.close()
ok("half-close: all data echoed after SHUT_WR, then EOF")

# fork: the child keeps using the connection after the parent closed its copy
s = echo_conn()
pid = os.fork()
if pid == 0:
    try:
        import time; time.sleep(0.5)
        roundtrip(s, b"from the child")
        os._exit(0)
    except BaseException as e:
        print("child:", repr(e), flush=True)
        os._exit(1)
s.close()
_, st = os.waitpid(pid, 0)
assert os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, st
ok("fork: the child used the connection after the parent closed it")

# exec with the socket on fds 0 and 1
s = echo_conn()
s.setblocking(True)     # settimeout made the (shared) file non-blocking
child = ("import os, socket, sys\n"
         "p = socket.socket(fileno=os.dup(0)).getpeername()\n"
         "os.write(1, b'exec-ok\\n')\n"
         "line = b''\n"
         "while not line.endswith(b'\\n'):\n"
         "    line += os.read(0, 1)\n"
         "sys.stderr.write('%s %s %s' % (p[0], p[1], line.decode()))\n")
r = subprocess.run([sys.executable, "-c", child], stdin=s.fileno(), stdout=s.fileno(),
                   stderr=subprocess.PIPE, timeout=30)
assert r.returncode == 0 and r.stderr.decode() == "%s %d exec-ok\n" % (V4, ECHO), r.stderr
s.close()
ok("exec: the program on fds 0/1 recognised the socket and used it")

# SCM_RIGHTS: pass the connection to a fresh process, close ours
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
recv = ("import socket, sys\n"
        "u = socket.socket(fileno=int(sys.argv[1]))\n"
        "msg, fds, _, _ = socket.recv_fds(u, 10, 1)\n"
        "c = socket.socket(fileno=fds[0]); c.setblocking(True)\n"
        "c.sendall(b'passed'); got = c.recv(100)\n"
        "print(c.getpeername()[1], got.decode())\n")
p = subprocess.Popen([sys.executable, "-c", recv, str(b.fileno())], pass_fds=[b.fileno()],
                     stdout=subprocess.PIPE)
b.close()
s = echo_conn()
socket.send_fds(a, [b"x"], [s.fileno()])
s.close()
out, _ = p.communicate(timeout=30)
assert p.returncode == 0 and out.decode().strip() == "%d passed" % ECHO, out
ok("SCM_RIGHTS: another process used the passed connection")

# UDP: unconnected (v4, v6, v4-mapped) and connected, addresses on every datagram
for fam, host, want in ((socket.AF_INET, V4, V4), (socket.AF_INET6, V6, V6),
                        (socket.AF_INET6, "::ffff:" + V4, "::ffff:" + V4)):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.settimeout(10)
    for i in range(3):
        msg = b"udp-%d-" % i + os.urandom(100 + i * 500)
        u.sendto(msg, (host, UECHO))
        got, frm = u.recvfrom(4096)
        assert got == msg and frm[0] == want and frm[1] == UECHO, (got[:10], frm)
    u.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(10)
u.connect((V4, UECHO))
assert u.getpeername() == (V4, UECHO)
u.send(b"connected")
assert u.recv(100) == b"connected"
os.write(u.fileno(), b"via-write")
assert select.select([u], [], [], 10)[0], "no reply to write()"
assert os.read(u.fileno(), 100) == b"via-write"
u.send(b"peeked")
assert u.recv(100, socket.MSG_PEEK) == b"peeked"
assert u.recv(3) == b"pee"          # the rest of a datagram is discarded
u.close()
ok("UDP: sendto/recvfrom v4, v6, v4-mapped with source addresses; connected send/recv, read/write, MSG_PEEK")

# IP_PKTINFO: the local address each datagram came to
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(10)
u.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_PKTINFO", 8), 1)
u.sendto(b"pkt", (V4, UECHO))
data, anc, flags, frm = u.recvmsg(100, 256)
assert data == b"pkt" and frm == (V4, UECHO), (data, frm)
pi = [d for (lvl, typ, d) in anc if lvl == socket.IPPROTO_IP and typ == getattr(socket, "IP_PKTINFO", 8)]
assert pi and socket.inet_ntoa(pi[0][8:12]) == "10.0.0.2", anc
u.close()
ok("IP_PKTINFO gives the local address 10.0.0.2")

# receive flags and names as Linux has them on TCP: MSG_ERRQUEUE reads
# no stream data (EAGAIN: nothing queued), recvmsg() gives no address;
# sendmsg() with MSG_FASTOPEN and an address connects first
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.sendmsg([b"fastopen"], [], socket.MSG_FASTOPEN, (V4, ECHO))   # blocking
s.settimeout(20)
got = b""
while len(got) < 8:
    got += s.recv(8 - len(got))
assert got == b"fastopen", got
s.sendall(b"queued")
time.sleep(0.2)
s.setblocking(False)
try:
    s.recv(100, socket.MSG_ERRQUEUE)
    raise AssertionError("MSG_ERRQUEUE read something")
except BlockingIOError:
    pass
s.settimeout(20)
data, anc, flags, addr = s.recvmsg(100)
assert data == b"queued" and addr is None, (data, addr)
s.close()
ok("TCP: sendmsg(MSG_FASTOPEN) connects; MSG_ERRQUEUE is EAGAIN and leaves the data; recvmsg gives no address")

# read() of nothing on UDP takes nothing (Linux: 0 at once, the datagram
# stays); readv() with a negative count is EINVAL
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(20)
u.sendto(b"stays", (V4, UECHO))
select.select([u], [], [], 20)
assert os.read(u.fileno(), 0) == b""
assert u.recv(100) == b"stays"
u.close()
ok("UDP: read() of 0 bytes leaves the datagram")

# a datagram larger than one IP packet can carry: EMSGSIZE at once, as
# Linux (65507 bytes of payload over IPv4, 65527 over IPv6)
for fam, host, most in ((socket.AF_INET, V4, 65507), (socket.AF_INET6, V6, 65527),
                        (socket.AF_INET6, "::ffff:" + V4, 65507)):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        u.sendto(b"x" * (most + 1), (host, UECHO))
        raise AssertionError("%d bytes to %s sent" % (most + 1, host))
    except OSError as ex:
        assert ex.errno == errno.EMSGSIZE, errno.errorcode.get(ex.errno, ex.errno)
    assert u.sendto(b"x" * most, (host, UECHO)) == most
    u.close()
ok("UDP: one byte over the largest payload is EMSGSIZE (IPv4, IPv6, v4-mapped)")

# AF_UNIX passes through untouched
a, b = socket.socketpair()
a.send(b"unix"); assert b.recv(10) == b"unix"
ok("AF_UNIX socketpair untouched")
print("all behaviours ok")
