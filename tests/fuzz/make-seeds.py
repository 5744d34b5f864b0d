#!/usr/bin/python3
"""make-seeds.py - write the hand-made seed corpora of the control, options,
proxy_http, proxy_config, dhcp6 and link_frame fuzzers into tests/fuzz/corpus/
(files named by their SHA-1).  The frames corpus comes from real traffic: capture.sh.

Control seeds follow common/proto.h (x86-64 layout, host byte order); a
socket id below 64 is relative to the first socket the input creates
(fuzz_control.c), so id 0 is the first CREATE's socket.
"""
import hashlib
import os
import socket
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
VERSION = 3
(CREATE, BIND, LISTEN, CONNECT, GETSOCKNAME, GETPEERNAME, SETSOCKOPT, GETSOCKOPT, IFINFO,
 CONNECT_NOWAIT) = range(1, 11)


def write(target, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), 'wb') as f:
        f.write(data)


def msg(op, body, seq=1):
    return struct.pack('<IHHiI', len(body), VERSION, op, 0, seq) + body


def addr(family, ip, port, scope=0):
    raw = socket.inet_pton(socket.AF_INET if family == 4 else socket.AF_INET6, ip)
    return struct.pack('<BBHI16s', family, 0, socket.htons(port), scope, raw)


def create(stream=True):
    return msg(CREATE, struct.pack('<ii', 1 if stream else 2, 0))


def addr_req(op, sid, a):
    return msg(op, struct.pack('<Q', sid) + a)


def connect_nowait(sid, a, filler=4608, sndbuf=212992):
    return msg(CONNECT_NOWAIT, struct.pack('<Q', sid) + a + struct.pack('<Ii', filler, sndbuf))


def listen(sid, backlog=8):
    return msg(LISTEN, struct.pack('<Qi4x', sid, backlog))


def sockopt(op, sid, level, name, val=b'', cap=0):
    n = len(val) if op == SETSOCKOPT else cap
    return msg(op, struct.pack('<QiiI', sid, level, name, n) + val.ljust(256, b'\0') + b'\0' * 4)


def byid(op, sid):
    return msg(op, struct.pack('<Q', sid))


def control():
    i32 = lambda v: struct.pack('<i', v)
    v4, v6 = b'\x00', b'\x01'          # first byte: endpoint 2 or 26
    write('control', v4 + create())
    write('control', v4 + create() + addr_req(BIND, 0, addr(4, '10.0.0.2', 8000)) +
          listen(0) + byid(GETSOCKNAME, 0) + create() +
          addr_req(CONNECT, 1, addr(4, '10.0.0.2', 8000)) + byid(GETPEERNAME, 1))
    write('control', v6 + create() + addr_req(BIND, 0, addr(6, '::', 0)) + listen(0, 1) +
          create() + addr_req(CONNECT, 1, addr(6, '::1', 0)))
    write('control', v4 + create() + addr_req(BIND, 0, addr(4, '10.0.0.2', 8001)) +
          listen(0) + create() + connect_nowait(1, addr(4, '10.0.0.2', 8001)) +
          create() + connect_nowait(2, addr(4, '10.0.0.9', 80), filler=1 << 30) +
          byid(GETPEERNAME, 1) + connect_nowait(1, addr(4, '10.0.0.2', 8001)))
    write('control', v6 + create() + connect_nowait(0, addr(6, 'fd00:1::10', 9)) +
          sockopt(GETSOCKOPT, 0, socket.SOL_SOCKET, socket.SO_ERROR, cap=4))
    write('control', v6 + create(False) + addr_req(BIND, 0, addr(6, 'fd00:1::10', 53)) +
          addr_req(CONNECT, 0, addr(6, 'fd00:1::1', 53)) + addr_req(CONNECT, 0, addr(0, '::', 0)) +
          byid(GETPEERNAME, 0))
    write('control', v4 + create(False) +
          sockopt(SETSOCKOPT, 0, socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                  socket.inet_aton('239.1.2.3') + socket.inet_aton('10.0.0.2')) +
          sockopt(SETSOCKOPT, 0, socket.SOL_SOCKET, socket.SO_BROADCAST, i32(1)) +
          sockopt(GETSOCKOPT, 0, socket.SOL_SOCKET, socket.SO_TYPE, cap=4))
    write('control', v6 + create() +
          sockopt(SETSOCKOPT, 0, socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, i32(1)) +
          sockopt(SETSOCKOPT, 0, socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('<ii', 1, 0)) +
          sockopt(SETSOCKOPT, 0, socket.IPPROTO_TCP, socket.TCP_NODELAY, i32(1)) +
          sockopt(SETSOCKOPT, 0, socket.SOL_SOCKET, socket.SO_KEEPALIVE, i32(1)) +
          sockopt(GETSOCKOPT, 0, socket.SOL_SOCKET, socket.SO_ERROR, cap=4) +
          sockopt(GETSOCKOPT, 0, socket.IPPROTO_TCP, socket.TCP_INFO, cap=232))
    write('control', v6 + create(False) +
          sockopt(SETSOCKOPT, 0, socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                  socket.inet_pton(socket.AF_INET6, 'ff02::1:3') + i32(2)) +
          sockopt(SETSOCKOPT, 0, socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, i32(1)))
    write('control', v4 + msg(CREATE, b'\0' * 8 + b'x'))     # wrong body size


def options():
    for line in ['-A fd00:9::5/64', '--del-address6 fd00:1::10', '-i tap2 --dhcp',
                 '-i tap1 --no-dhcp -a 192.168.1.5 -m 255.255.0.0 -g 192.168.1.1',
                 '--dns 2001:db8::53', '-i tap0 --down', 'verbose', '--mac=02:11:22:33:44:55',
                 '--del-gateway --promisc-multicast --no-slaac', '-i tap0 --del-address',
                 '--mount /tmp/x --pcap /tmp/p', '# comment only']:
        write('options', line.encode())


def proxy_http():
    req = [
        b'GET http://a.test/x?y HTTP/1.1\r\nHost: a.test\r\nUser-Agent: t\r\n\r\n',
        b'POST http://a.test/p HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello',
        b'PUT http://[fd00:1::1]:8080/u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n'
        b'Connection: keep-alive, X-Foo\r\nX-Foo: 1\r\n\r\n5;ext=1\r\nhello\r\n0\r\nT: v\r\n\r\n',
        b'CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nProxy-Connection: keep-alive\r\n\r\n',
        b'GET http://10.0.0.1/ HTTP/1.0\r\nVia: 1.1 other\r\nExpect: 100-continue\r\n\r\n',
    ]
    resp = [
        b'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc',
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
        b'HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\nuntil close',
        b'HTTP/1.1 100 Continue\r\n\r\n',
        b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
    ]
    for r in req:
        write('proxy_http', bytes([0x20]) + r)
    for r in resp:
        write('proxy_http', bytes([0x21]) + r)
        write('proxy_http', bytes([0x23]) + r)


def proxy_config():
    write('proxy_config', b'http_port 3128\nhttp_port [::1]:8080\n'
          b'acl lan src 10.0.0.0/8 fd00::/8\nacl ssl port 443 8443\nacl bad dstdomain .bad.test\n'
          b'http_access deny bad\nhttp_access allow lan\nhttp_access deny all\n'
          b'tcp_outgoing_address 10.0.0.2 lan\ntcp_outgoing_address fd00:1::2\n')
    write('proxy_config', b'dns_v4_first on\ndns_nameservers 10.0.0.1 [fd00:1::1]:53\n'
          b'dns_timeout 5 seconds\nhappy_eyeballs_connect_timeout 250 milliseconds\n'
          b'happy_eyeballs_connect_gap 10 ms\nhappy_eyeballs_connect_limit 2\n'
          b'connect_timeout 1 minute\nread_timeout 15 minutes\naccess_log stdout\n'
          b'visible_hostname proxy.test\nmax_connections 100\n# comment\n\n')
    write('proxy_config', b'acl a dst 192.0.2.1\nacl m method CONNECT\nacl p port 80-90\n'
          b'http_access allow !a m\nclient_idle_pconn_timeout 2 minutes\nserver_idle_pconn_timeout 1 minute\n'
          b'request_timeout 5 minutes\nforward_timeout 4 minutes\n')


def frames():
    """Frames the captures lack: extension headers, fragments, TCP options,
    every ND option; to fz0 (02:00:00:00:00:01, 10.0.0.2, fd00:1::10)."""
    me, peer = bytes.fromhex('020000000001'), bytes.fromhex('020000000099')
    ip4 = socket.inet_aton
    ip6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
    rec = lambda f, k=0, t=0: bytes([k | t << 1]) + struct.pack('>H', len(f)) + f
    eth = lambda t, p, dst=me: dst + peer + struct.pack('>H', t) + p

    def v4(proto, payload, frag=0, ident=1):
        return eth(0x0800, struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag,
                                       64, proto, 0, ip4('10.0.0.1'), ip4('10.0.0.2')) + payload)

    def v6(nh, payload, src='fd00:1::1', dst='fd00:1::10', hlim=64, dmac=me):
        return eth(0x86dd, struct.pack('>IHBB16s16s', 6 << 28, len(payload), nh, hlim,
                                        ip6(src), ip6(dst)) + payload, dmac)

    tcp_opts = bytes([2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10]) + b'\0' * 8 + bytes([0, 0])
    syn = lambda sport: struct.pack('>HHIIBBHHH', sport, 8000, 1000, 0, (20 + len(tcp_opts)) // 4 << 4,
                                    0x02, 65535, 0, 0) + tcp_opts
    echo = struct.pack('>BBHHH', 128, 0, 0, 1, 1) + b'ping' * 4
    hbh = bytes([58, 0, 5, 2, 0, 0, 1, 0])                    # router alert, PadN
    frag6 = lambda nh, off, more, ident: struct.pack('>BBHI', nh, 0, off << 3 | more, ident)
    seeds = [
        rec(eth(0x0806, struct.pack('>HHBBH6s4s6s4s', 1, 0x800, 6, 4, 1, peer, ip4('10.0.0.1'),
                                    b'\0' * 6, ip4('10.0.0.2')))),
        rec(v4(6, syn(40000))),
        rec(v6(6, syn(40001))),
        rec(v4(1, struct.pack('>BBHHH', 8, 0, 0, 1, 1) + b'x' * 16, frag=0x2000)) +
        rec(v4(1, b'y' * 16, frag=3)),
        rec(v6(0, hbh + echo)),
        rec(v6(44, frag6(58, 0, 1, 7) + echo[:8])) + rec(v6(44, frag6(58, 1, 0, 7) + echo[8:])),
        rec(v6(60, bytes([43, 0, 1, 4, 0, 0, 0, 0]) + bytes([58, 2, 0, 1, 0, 0, 0, 0]) +
               ip6('fd00:1::10') + echo[:0]) + b''),
        rec(v6(17, struct.pack('>HHHH', 5000, 7, 12, 0) + b'echo')),
    ]
    ra = struct.pack('>BBHBBHII', 134, 0, 0, 64, 0xc0, 1800, 0, 0)
    ra += struct.pack('>BB6s', 1, 1, peer)                                        # SLLAO
    ra += struct.pack('>BBI', 5, 1, 0)[:2] + struct.pack('>HI', 0, 1400)          # MTU
    ra += struct.pack('>BBBBII4x16s', 3, 4, 64, 0xc0, 86400, 14400, ip6('fd00:7::'))
    ra += struct.pack('>BBHI16s', 25, 3, 0, 600, ip6('fd00:1::1'))                # RDNSS
    ra += struct.pack('>BBBBI8s', 24, 2, 48, 0x08, 600, ip6('fd00:8::')[:8])     # route info
    seeds.append(rec(v6(58, ra, src='fe80::99', dst='ff02::1', hlim=255,
                        dmac=bytes.fromhex('333300000001'))))
    ns = struct.pack('>BBHI16s', 135, 0, 0, 0, ip6('fd00:1::10')) + struct.pack('>BB6s', 1, 1, peer)
    seeds.append(rec(v6(58, ns, src='fe80::99', dst='ff02::1:ff00:10', hlim=255,
                        dmac=bytes.fromhex('3333ff000010'))))
    mldq = struct.pack('>BBHHH16s', 130, 0, 0, 1000, 0, b'\0' * 16)
    seeds.append(rec(v6(0, bytes([58, 0, 5, 2, 0, 0, 1, 0]) + mldq, src='fe80::99', dst='ff02::1',
                        hlim=1, dmac=bytes.fromhex('333300000001'))))
    redirect = struct.pack('>BBHI16s16s', 137, 0, 0, 0, ip6('fd00:1::1'), ip6('fd00:9::1'))
    seeds.append(rec(v6(58, redirect, src='fe80::99', hlim=255)))
    dhcp6 = bytes([7, 0, 0, 0]) + struct.pack('>HH', 23, 16) + ip6('fd00:1::53') + \
        struct.pack('>HH', 24, 6) + b'\x04test\x00' + struct.pack('>HH', 2, 10) + b'\0\3\0\1' + peer
    seeds.append(rec(v6(17, struct.pack('>HHHH', 547, 546, 8 + len(dhcp6), 0) + dhcp6,
                        src='fe80::99', dst='fe80::ff:fe00:1')))
    for f in seeds:
        write('frames', f)


def dhcp6():
    """Advertise and Reply messages with the options dnsmasq sends lwipd in
    core_dhcp6_stateful (written here, not captured), then truncated and
    malformed ones."""
    def opt(code, body):
        return struct.pack('>HH', code, len(body)) + body

    def ip6(a):
        return socket.inet_pton(socket.AF_INET6, a)

    def status(code, text=b''):
        return opt(13, struct.pack('>H', code) + text)

    def iaaddr(a, pref, valid, sub=b''):
        return opt(5, ip6(a) + struct.pack('>II', pref, valid) + sub)

    def ia_na(iaid, t1, t2, sub=b''):
        return opt(3, struct.pack('>III', iaid, t1, t2) + sub)

    def domains(*names):
        out = b''
        for n in names:
            for label in n.split('.'):
                out += bytes([len(label)]) + label.encode()
            out += b'\0'
        return opt(24, out)

    client = opt(1, bytes.fromhex('0003000102000000000a'))      # DUID-LL, fuzz MAC
    server = opt(2, bytes.fromhex('000100012c5d1e0a02000000ff01'))  # DUID-LLT
    iaid = 0x0a000000
    lease = ia_na(iaid, 1800, 2880, iaaddr('fd00:1::1:10', 3600, 7200, status(0, b'success')))
    dns = opt(23, ip6('fd00:1::1'))
    dom = domains('test.example', 'b.example')
    adv = bytes([2, 0x12, 0x34, 0x56]) + lease + client + server + opt(7, b'\xff') + dns + dom
    reply = bytes([7, 0x12, 0x34, 0x57]) + lease + client + server + dns + dom
    info = bytes([7, 0xab, 0xcd, 0xef]) + client + server + dns + dom + \
        opt(32, struct.pack('>I', 600)) + opt(82, struct.pack('>I', 3600)) + \
        opt(83, struct.pack('>I', 3600))
    noaddrs = bytes([7, 0, 0, 1]) + client + server + \
        ia_na(iaid, 0, 0, status(2, b'no addresses available')) + status(2, b'\x01bad\xff')
    renew = bytes([7, 0, 0, 2]) + client + server + \
        ia_na(iaid, 0, 0, iaaddr('fd00:1::1:10', 0, 0) + iaaddr('fd00:1::1:11', 100, 200) +
              iaaddr('fe80::1', 1, 1) + iaaddr('fd00:1::1:12', 5, 1) +
              iaaddr('fd00:1::1:13', 10, 20)) + ia_na(7, 10, 5)
    for m in [adv, reply, info, noaddrs, renew]:
        write('dhcp6', m)
    odd = [
        adv[:3], adv[:-3], reply[:40],                       # truncated
        bytes([12, 0, 0, 0]) + client,                       # a relay message
        bytes([2, 0, 0, 0]) + opt(1, b'\0\1'),               # DUID too short
        bytes([2, 0, 0, 0]) + client + client,               # identifier twice
        bytes([2, 0, 0, 0]) + opt(24, b'\xc0\x0c'),          # compressed name
        bytes([2, 0, 0, 0]) + opt(24, b'\x03a b\x00\x02ok\x00\x04test'),  # bad label, unterminated
        bytes([2, 0, 0, 0]) + opt(23, ip6('::1') * 6),       # more DNS servers than kept
        bytes([2, 0, 0, 0]) + b''.join(ia_na(i, 0, 0) for i in range(6)),  # more IA_NAs than kept
        bytes([2, 0, 0, 0]) + ia_na(1, 0, 0)[:-2],           # IA_NA shorter than 12
        bytes([2, 0, 0, 0]) + ia_na(1, 0, 0, opt(5, b'\0' * 23)),  # IAADDR short
        bytes([2, 0, 0, 0]) + domains('x' * 63 + '.' + 'y' * 63 + '.' + 'z' * 63 + '.' + 'w' * 63),
        bytes([7, 0, 0, 0]) + opt(32, b'\0\0\2'),            # 32-bit option of 3 bytes
    ]
    for m in odd:
        write('dhcp6', m)


def link_frame():
    """Header (max, slack, queue size, read sizes; fuzz_link_frame.c) and a
    stream of QEMU-framed Ethernet frames, good and bad."""
    def frame(n, seed=0):
        return struct.pack('>I', n) + bytes((seed + i) & 0xff for i in range(n))

    def seed(max_sel, slack, txq, reads, stream):
        return bytes([max_sel, slack, txq, len(reads)]) + bytes(reads) + stream

    good = frame(60) + frame(1514, 7) + frame(98, 3)
    for s in [
        seed(41, 0, 52, [0, 3, 200], good),                  # max 1518, queue 1509
        seed(41, 16, 20, [], frame(60) + frame(42, 1)),      # one byte a read, queue 581
        seed(41, 0, 255, [255], frame(60) + struct.pack('>I', 0) + frame(60)),   # length 0
        seed(41, 0, 255, [7, 1], frame(60) + b'\xff\xff\xff\xff'),              # too big
        seed(41, 0, 52, [100], good + frame(300)[:150]),     # ends in a partial frame
        seed(0, 0, 0, [0, 1, 2], frame(1) + frame(1, 9) + frame(2)),  # max 1, queue 1
        seed(255, 255, 255, [255, 254], frame(3000) + frame(1)),
    ]:
        write('link_frame', s)


control()
frames()
options()
proxy_http()
proxy_config()
dhcp6()
link_frame()
