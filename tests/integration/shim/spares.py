# spares.py - the shim's spare TCP sockets (shim/ctl.c, "Spares"), checked
# from a program under the shim (run by shim_spares.sh).  argv: IPv4 echo
# host, port, lwipd's status file.  Prints "ok: ..." per check; any
# failure raises and exits non-zero.
import os, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerlib import echo

HOST, PORT, STATUS = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def ok(msg):
    print("ok:", msg, flush=True)

def held():
    """sockets lwipd holds now (its status file)"""
    for line in open(STATUS):
        if line.startswith("sockets "):
            return int(line.split()[1])
    raise AssertionError("no sockets line in " + STATUS)

def settle(want):
    """wait until lwipd holds @want sockets; return what it holds"""
    n = held()
    for _ in range(50):
        if n == want:
            break
        time.sleep(0.1)
        n = held()
    return n


def conn():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect((HOST, PORT))
    return s

base = held()
a, b = conn(), conn()
n = settle(base + 4)
assert n == base + 4, "after 2 sockets lwipd holds %d more, want 2 + 2 spares" % (n - base)
c = conn()
for s, d in ((a, b"a"), (b, b"b"), (c, b"c")):
    echo(s, d * 1000)
assert settle(base + 5) == base + 5, "a third socket takes a spare and asks for one more"
ok("from the 2nd TCP socket on, 2 spares are asked for ahead; the 3rd socket took one")

# the program overwrites and closes the spares' fd numbers: they are
# forgotten, not handed out, and the program's file stays its own
spare_fds = [f for f in range(900, 1024)
             if os.path.exists("/proc/self/fd/%d" % f) and
             os.readlink("/proc/self/fd/%d" % f).startswith("socket:")]
assert len(spare_fds) >= 3, "spares not at high fd numbers: %r" % spare_fds
r, w = os.pipe()
os.dup2(r, spare_fds[-1])
os.close(spare_fds[-2])
d = conn()
echo(d, b"d" * 1000)
assert os.readlink("/proc/self/fd/%d" % spare_fds[-1]).startswith("pipe:"), \
    "the program's pipe on a spare's old number was touched"
os.write(w, b"p")
assert os.read(spare_fds[-1], 1) == b"p"
ok("spares whose fd numbers the program took are forgotten; its pipe works")

# fork: a child that never uses the shim must not keep the parent's
# spares open: the parent takes one, closes it, and lwipd must see it go
# while the child still lives (a copy in the child kept it open, no FIN)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(wr)
    os.read(rd, 1)          # until the parent is done
    os._exit(0)
os.close(rd)
n0 = settle(held())
e = conn()
echo(e, b"e" * 1000)
e.close()
n = settle(n0)
os.close(wr)
os.waitpid(pid, 0)
assert n == n0, "a closed socket made from a spare stays in lwipd while a " \
    "forked child lives (%d sockets, want %d)" % (n, n0)
ok("a forked child holds no copies of the parent's spares")

# fork: the child has copies of the parent's spares but must not use them
# (the parent would hand out the same sockets): each side's new socket is
# its own connection
pid = os.fork()
if pid == 0:
    try:
        cs = [conn() for _ in range(3)]
        for i, s in enumerate(cs):
            echo(s, b"child%d" % i * 500)
        os._exit(0)
    except BaseException as ex:
        print("child:", repr(ex), flush=True)
        os._exit(1)
ps = [conn() for _ in range(3)]
for i, s in enumerate(ps):
    echo(s, b"parent%d" % i * 500)
_, st = os.waitpid(pid, 0)
assert os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "child failed"
for i, s in enumerate(ps):
    echo(s, b"again%d" % i * 500)
ok("after fork, parent and child make their own sockets")

for s in [a, b, c, d] + ps:
    s.close()
print("all spares ok", flush=True)
