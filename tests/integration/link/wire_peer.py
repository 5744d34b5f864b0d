#!/usr/bin/python3
"""wire_peer.py - a stream link peer written from the protocol, not from
lwipd's code: connects to a Unix socket speaking the QEMU stream framing
(32-bit big-endian length, then an Ethernet frame) and plays a host on
that wire.

  wire_peer.py SOCK ping IP4 IP6     ARP + ICMP echo to IP4, NS + ICMPv6
                                     echo to IP6; prints "REPLY4 IP" and
                                     "REPLY6 IP" for the replies (5 s)
  wire_peer.py SOCK bad LEN          send the length word LEN and print
                                     "closed" when lwipd drops us (5 s)
  wire_peer.py SOCK stall SECONDS    connect, read nothing for SECONDS
  wire_peer.py SOCK idle SECONDS     connect, read for SECONDS; print
                                     "closed" if lwipd closed on us
  wire_peer.py SOCK junk N           N frames to a multicast MAC nobody
                                     joined and N to another host's MAC
"""
import ipaddress
import select
import socket
import struct
import sys
import time

MAC = bytes.fromhex('020000000099')
IP4 = ipaddress.IPv4Address('10.9.0.99').packed
IP6 = None          # set from the target's /64: PREFIX::99


def csum(data):
    if len(data) % 2:
        data += b'\0'
    t = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def send(s, frame):
    s.sendall(struct.pack('!I', len(frame)) + frame)


def frames(s, secs):
    """yield frames received for @secs seconds, reassembling partial reads"""
    buf = b''
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            return
        if not d:
            return
        buf += d
        while len(buf) >= 4:
            n = struct.unpack('!I', buf[:4])[0]
            if len(buf) < 4 + n:
                break
            yield buf[4:4 + n]
            buf = buf[4 + n:]


def arp_request(target):
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + MAC + IP4 + b'\0' * 6 + target
    return b'\xff' * 6 + MAC + b'\x08\x06' + arp


def echo4(dmac, dst):
    icmp = struct.pack('!BBHHH', 8, 0, 0, 0x4c77, 1) + b'lwipd-link-test'
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0, IP4, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return dmac + MAC + b'\x08\x00' + ip + icmp


def ip6_frame(dmac, src, dst, icmp, hlim=255):
    ph = src + dst + struct.pack('!I3xB', len(icmp), 58)
    icmp = icmp[:2] + struct.pack('!H', csum(ph + icmp)) + icmp[4:]
    ip = struct.pack('!IHBB', 6 << 28, len(icmp), 58, hlim) + src + dst
    return dmac + MAC + b'\x86\xdd' + ip + icmp


def ns(target):
    sol = bytes.fromhex('ff0200000000000000000001ff') + target[13:]
    icmp = struct.pack('!BBHI', 135, 0, 0, 0) + target + b'\x01\x01' + MAC
    return ip6_frame(b'\x33\x33' + sol[12:], IP6, sol, icmp)


def na(dmac, dst, target):
    icmp = struct.pack('!BBHI', 136, 0, 0, 0x60000000) + target + b'\x02\x01' + MAC
    return ip6_frame(dmac, target, dst, icmp)


def echo6(dmac, dst):
    icmp = struct.pack('!BBHHH', 128, 0, 0, 0x4c77, 1) + b'lwipd-link-test'
    return ip6_frame(dmac, IP6, dst, icmp, 64)


def ping(s, t4, t6):
    """ask until answered: lwipd's address may still be tentative (DAD
    starts when a peer connects)"""
    global IP6
    t4 = ipaddress.IPv4Address(t4).packed
    t6 = ipaddress.IPv6Address(t6).packed
    IP6 = t6[:8] + bytes.fromhex('0000000000000099')
    mac4 = mac6 = None
    got4 = got6 = False
    end = time.time() + 10
    while time.time() < end and not (got4 and got6):
        if not got4:
            send(s, echo4(mac4, t4) if mac4 else arp_request(t4))
        if not got6:
            send(s, echo6(mac6, t6) if mac6 else ns(t6))
        for f in frames(s, 0.5):
            et = f[12:14]
            if et == b'\x08\x06' and f[20:22] == b'\x00\x02' and f[28:32] == t4:
                if not mac4:
                    print('ARP %s is at %s' % (ipaddress.IPv4Address(t4), f[22:28].hex(':')), flush=True)
                mac4 = f[22:28]
            elif et == b'\x08\x00' and f[23] == 1 and f[34] == 0 and f[26:30] == t4:
                if not got4:
                    print('REPLY4 %s' % ipaddress.IPv4Address(t4), flush=True)
                got4 = True
            elif et == b'\x86\xdd' and f[20] == 58:
                typ = f[54]
                if typ == 136 and f[62:78] == t6:
                    if not mac6:
                        print('NA %s from %s' % (ipaddress.IPv6Address(t6), f[6:12].hex(':')), flush=True)
                    mac6 = f[6:12]
                elif typ == 135 and f[62:78] == IP6:
                    send(s, na(f[6:12], f[22:38], IP6))
                elif typ == 129 and f[22:38] == t6:
                    if not got6:
                        print('REPLY6 %s' % ipaddress.IPv6Address(t6), flush=True)
                    got6 = True
    return 0 if got4 and got6 else 1


def bad(s, n):
    s.sendall(struct.pack('!I', n) + b'\0' * 64)
    for _ in frames(s, 5):
        pass
    # frames() returns early only when lwipd closed the connection
    try:
        closed = s.recv(1, socket.MSG_DONTWAIT) == b''
    except BlockingIOError:
        closed = False
    except ConnectionResetError:
        closed = True
    print('closed' if closed else 'still open', flush=True)
    return 0 if closed else 1


def junk(s, n):
    payload = b'\x86\xdd' + b'\0' * 60
    for _ in range(n):
        send(s, bytes.fromhex('3333ff123456') + MAC + payload)
        send(s, bytes.fromhex('020000000077') + MAC + payload)
    time.sleep(0.5)
    print('sent %d + %d' % (n, n), flush=True)
    return 0


def main():
    path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    if cmd == 'ping':
        return ping(s, args[0], args[1])
    if cmd == 'bad':
        return bad(s, int(args[0]))
    if cmd == 'idle':
        for _ in frames(s, float(args[0])):
            pass
        try:
            closed = s.recv(1, socket.MSG_DONTWAIT) == b''
        except BlockingIOError:
            closed = False
        except ConnectionResetError:
            closed = True
        print('closed' if closed else 'still open', flush=True)
        return 0
    if cmd == 'junk':
        return junk(s, int(args[0]))
    if cmd == 'stall':
        time.sleep(float(args[0]))
        return 0
    sys.exit('wire_peer: unknown command ' + cmd)


if __name__ == '__main__':
    sys.exit(main())
