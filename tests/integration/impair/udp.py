#!/usr/bin/python3
"""udp.py - numbered, checksummed UDP datagrams for impair_udp.sh

  udp.py send HOST PORT COUNT        send COUNT datagrams, paced
  udp.py recv ADDR PORT COUNT SECS   receive until COUNT arrived, 2 s of
                                     silence or SECS in all; print a summary

Datagram i holds its number and length, a payload derived from i alone
and a SHA-256 over both, so the receiver can tell a lost, duplicated,
reordered or corrupted datagram from a good one.
"""
import hashlib
import socket
import struct
import sys
import time


def datagram(i):
    """the exact bytes of datagram @i (76 to 1275 bytes)"""
    seed = hashlib.sha256(b'lwipd-impair-%d' % i).digest()
    n = 8 + (i * 37) % 1200
    payload = (seed * (n // 32 + 1))[:n]
    head = struct.pack('!IH', i, len(payload)) + payload
    return head + hashlib.sha256(head).digest()


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def send(host, port, count):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    for i in range(count):
        s.sendto(datagram(i), (host, port))
        if i % 20 == 19:
            time.sleep(0.004)          # stay far below every queue's limit
    print('sent %d' % count, flush=True)


def recv(addr, port, count, secs):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    print('ready', flush=True)
    seen, got, dups, corrupt, late, last = set(), 0, 0, 0, 0, -1
    end = time.time() + secs
    s.settimeout(30)                   # the first datagram may take a while
    while len(seen) < count and time.time() < end:
        try:
            d, _ = s.recvfrom(65536)
        except socket.timeout:
            break
        s.settimeout(2)
        got += 1
        if len(d) < 38:
            corrupt += 1
            continue
        i = struct.unpack('!I', d[:4])[0]
        if i >= count or d != datagram(i):
            corrupt += 1
            continue
        if i in seen:
            dups += 1
            continue
        if i < last:
            late += 1
        last = max(last, i)
        seen.add(i)
    lost = count - len(seen)
    print('datagrams %d received %d unique %d lost %d duplicated %d late %d corrupt %d'
          % (count, got, len(seen), lost, dups, late, corrupt), flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'send':
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == 'recv':
        recv(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit('udp.py: send or recv')
