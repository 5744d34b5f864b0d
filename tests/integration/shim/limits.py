# limits.py - programs that run into lwipd's limits (run under the shim
# by limits.sh).  Each prints one line per result; errors are printed by
# errno name.  Commands:
#   hold N STOPFILE        make up to N TCP sockets; print "made K then ERR"
#                          (or "made K") and "pid P"; keep them until STOPFILE exists
#   echo HOST PORT         one 100 kB round trip; print "echo ok"
#   flood N HOST PORT      N getsockname() calls at once on one socket;
#                          print "eagain K of N"; then a non-blocking
#                          connect to HOST PORT with no budget left must
#                          fail with EAGAIN (print "connect over the
#                          budget: EAGAIN")
#   listen PORT BACKLOG SECS  listen(BACKLOG) on PORT, print "listening",
#                          wait SECS, accept what is queued; print
#                          "accepted K"
#   slowread HOST PORT SECS  connect, read nothing for SECS, print
#                          "queued Q" (bytes waiting in our socket), then
#                          read to EOF and print "got T"
import errno, fcntl, os, select, socket, struct, sys, termios, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerlib import echo

def name(e):
    return errno.errorcode.get(e.errno, str(e.errno))

cmd, args = sys.argv[1], sys.argv[2:]

if cmd == "hold":
    held, err = [], ""
    for i in range(int(args[0])):
        try:
            held.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        except OSError as e:
            err = " then " + name(e)
            break
    print("made %d%s" % (len(held), err), flush=True)
    print("pid %d" % os.getpid(), flush=True)
    while not os.path.exists(args[1]):
        time.sleep(0.1)
elif cmd == "echo":
    s = socket.create_connection((args[0], int(args[1])), timeout=20)
    echo(s, os.urandom(100000))
    s.close()
    print("echo ok", flush=True)
elif cmd == "flood":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    n, k = int(args[0]), 0
    for i in range(n):
        try:
            s.getsockname()
        except OSError as e:
            assert e.errno == errno.EAGAIN, name(e)
            k += 1
    print("eagain %d of %d" % (k, n), flush=True)
    # a connect the shim does not wait for (CONNECT_NOWAIT), sent with the
    # budget spent, fails the socket: writable, then EAGAIN from SO_ERROR
    # (asked a second later, when there is budget again)
    for attempt in range(5):
        time.sleep(1.1)
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        while True:
            try:
                s.getsockname()
            except OSError:
                break
        e = c.connect_ex((args[1], int(args[2])))
        assert e == errno.EINPROGRESS, errno.errorcode.get(e, e)
        r, w, x = select.select([], [c], [], 20)
        assert w, "never writable"
        time.sleep(1.1)
        e = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        c.close()
        if e == errno.EAGAIN:
            print("connect over the budget: EAGAIN", flush=True)
            break
        assert e == 0, errno.errorcode.get(e, e)
elif cmd == "listen":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", int(args[0])))
    s.listen(int(args[1]))
    print("listening", flush=True)
    time.sleep(float(args[2]))
    s.setblocking(False)
    k = 0
    while True:
        try:
            c, a = s.accept()
        except BlockingIOError:
            break
        k += 1
    print("accepted %d" % k, flush=True)
elif cmd == "slowread":
    s = socket.create_connection((args[0], int(args[1])), timeout=30)
    time.sleep(float(args[2]))
    q = struct.unpack("i", fcntl.ioctl(s.fileno(), termios.FIONREAD, b"\0" * 4))[0]
    print("queued %d" % q, flush=True)
    t = 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        t += len(b)
    print("got %d" % t, flush=True)
else:
    sys.exit("limits.py: unknown command " + cmd)
