# load.py - many connections (run by load_conns.sh).  Commands:
#   server ADDR PORT CLOSEFILE  (kernel side) an epoll server: answers each
#       "hi" with "ok"; a request "short" gets "bye" and is closed at once;
#       when CLOSEFILE appears it closes every connection it holds (it
#       closes first, so lwIP never waits in TIME_WAIT).  Prints "held N"
#       when asked by a "count" file and "closed N" when it closed them.
#   hold ADDR PORT N            (under the shim) open N connections, say
#       "hi" and read "ok" on each, print "open N", then wait for every
#       connection's EOF, close them all and print "closed N"
#   short ADDR PORT N           (under the shim) N connections one after
#       another: connect, send "short", read "bye" and EOF, close; print
#       "short N in S s"
import os, resource, selectors, socket, sys, time

def more_fds():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
more_fds()

if cmd == "server":
    closefile = sys.argv[4]
    sel = selectors.DefaultSelector()
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((addr, port)); l.listen(4096); l.setblocking(False)
    sel.register(l, selectors.EVENT_READ)
    conns = set()
    closed = False
    while True:
        for key, ev in sel.select(0.2):
            s = key.fileobj
            if s is l:
                while True:
                    try:
                        c = l.accept()[0]
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ)
                    conns.add(c)
                continue
            try:
                d = s.recv(100)
            except OSError:
                d = b""
            if d == b"hi":
                s.send(b"ok")
                continue
            if d == b"short":
                s.send(b"bye")
            sel.unregister(s); conns.discard(s); s.close()
        if not closed and os.path.exists(closefile):
            n = len(conns)
            for c in conns:
                sel.unregister(c); c.close()
            conns.clear()
            closed = True
            print("closed", n, flush=True)
elif cmd == "hold":
    n = int(sys.argv[4])
    socks = []
    for i in range(n):
        s = socket.create_connection((addr, port), timeout=30)
        s.sendall(b"hi")
        assert s.recv(2) == b"ok"
        socks.append(s)
    print("open", n, flush=True)
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    left = n
    while left:
        for key, ev in sel.select(60):
            s = key.fileobj
            try:
                d = s.recv(10)
            except ConnectionResetError:
                d = b""
            assert d == b"", d
            sel.unregister(s); s.close(); left -= 1
    print("closed", n, flush=True)
elif cmd == "short":
    n = int(sys.argv[4])
    t0 = time.time()
    for i in range(n):
        s = socket.create_connection((addr, port), timeout=30)
        s.sendall(b"short")
        got = b""
        while True:
            d = s.recv(10)
            if not d:
                break
            got += d
        assert got == b"bye", got
        s.close()
    print("short %d in %.1f s" % (n, time.time() - t0), flush=True)
else:
    sys.exit("load.py: unknown command " + cmd)
