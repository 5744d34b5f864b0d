# lost_fd.py - a CONNECT_NOWAIT whose fd never arrives (lwipd out of open
# files: the kernel drops the fd and sets MSG_CTRUNC), sent by speaking
# the control protocol directly (common/proto.h, docs/protocol.md), not
# under the shim.  The socket must fail with EMFILE (its end hangs up,
# SO_ERROR says so) and the control connection must go on serving.
# argv: socket directory, IPv4 address, port.  Prints "lost fd ok".
import errno, os, select, socket, struct, sys

SOCKDIR, HOST, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
HDR = struct.Struct("<IHHiI")           # proto_hdr: len, version, op, err, seq
VERSION = 3
OP_CREATE, OP_GETSOCKOPT, OP_CONNECT_NOWAIT = 1, 8, 10
seq = 0

def request(c, op, body):
    global seq
    seq += 1
    c.sendall(HDR.pack(len(body), VERSION, op, 0, seq) + body)

def reply(c, bodylen):
    """the reply's errno, body and passed fd (or None)"""
    want = HDR.size + bodylen
    data, fds, _, _ = socket.recv_fds(c, want, 1)
    assert data, "lwipd closed the control connection"
    while len(data) < HDR.size:
        more = c.recv(want - len(data))
        assert more, "lwipd closed the control connection"
        data += more
    n, ver, op, err, rseq = HDR.unpack_from(data)
    while len(data) < HDR.size + n:
        more = c.recv(HDR.size + n - len(data))
        assert more, "lwipd closed the control connection"
        data += more
    assert rseq == seq, "reply %d to request %d" % (rseq, seq)
    return err, data[HDR.size:], fds[0] if fds else None

def create(c):
    request(c, OP_CREATE, struct.pack("<ii", socket.SOCK_STREAM, 0))
    err, body, fd = reply(c, 72)
    assert err == 0 and fd is not None, "CREATE: %s" % errno.errorcode.get(err, err)
    return struct.unpack_from("<Q", body)[0], fd

def so_error(c, sid):
    # proto_sockopt: id, level, name, len, val[256], padded to 280
    request(c, OP_GETSOCKOPT, struct.pack("<QiiI256s4x", sid, socket.SOL_SOCKET,
                                          socket.SO_ERROR, 4, b""))
    err, body, _ = reply(c, 260)
    assert err == 0, "GETSOCKOPT: %s" % errno.errorcode.get(err, err)
    return struct.unpack_from("<Ii", body)[1]

c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.settimeout(10)
c.connect(os.path.join(SOCKDIR, "2"))
sid, fd = create(c)
# proto_connect: id, proto_addr (family 4, pad, port in network order,
# scope, 16 address bytes), filler, sndbuf; no fd attached
addr = struct.pack("<BBHI16s", 4, 0, socket.htons(PORT), 0, socket.inet_aton(HOST))
request(c, OP_CONNECT_NOWAIT, struct.pack("<Q", sid) + addr + struct.pack("<Ii", 0, 0))
p = select.poll()
p.register(fd, select.POLLIN)
ev = p.poll(10000)
assert ev and ev[0][1] & (select.POLLHUP | select.POLLIN), "the socket's end never hung up"
e = so_error(c, sid)
assert e == errno.EMFILE, "SO_ERROR %s, want EMFILE" % errno.errorcode.get(e, e)
sid2, fd2 = create(c)                   # the connection still serves
assert sid2 != sid
os.close(fd); os.close(fd2)
print("lost fd ok", flush=True)
