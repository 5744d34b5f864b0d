#!/usr/bin/python3
"""apps.py - the programs the link tests run under lwip-run

  apps.py udp-echo PORT              echo datagrams (IPv4 and IPv6) forever
  apps.py udp-ping ADDR PORT         one datagram, wait for its echo (up to
                                     5 tries of 2 s); prints "echo from ADDR"
  apps.py udp-send ADDR PORT N SIZE  send N datagrams of SIZE bytes, no wait
  apps.py tcp-serve PORT FILE N      send FILE to each of N connections
  apps.py tcp-fetch ADDR PORT OUT    connect, write all received to OUT
"""
import socket
import sys


def udp_echo(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(('::', port))
    print('listening', flush=True)
    while True:
        d, a = s.recvfrom(65536)
        s.sendto(d, a)


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def udp_ping(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(2)
    for i in range(5):
        msg = b'ping %d' % i
        s.sendto(msg, (addr, port))
        try:
            d, a = s.recvfrom(100)
        except socket.timeout:
            continue
        if d == msg:
            print('echo from %s' % a[0], flush=True)
            return 0
    print('no echo from %s' % addr, flush=True)
    return 1


def udp_send(addr, port, n, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    if family(addr) == socket.AF_INET:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    for _ in range(n):
        s.sendto(b'x' * size, (addr, port))
    print('sent %d' % n, flush=True)
    return 0


def tcp_serve(port, path, n):
    data = open(path, 'rb').read()
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('::', port))
    s.listen(4)
    print('listening', flush=True)
    for _ in range(n):
        c, a = s.accept()
        c.sendall(data)
        c.close()
        print('served %d bytes to %s' % (len(data), a[0]), flush=True)
    return 0


def tcp_fetch(addr, port, out):
    c = socket.create_connection((addr, port), timeout=30)
    n = 0
    with open(out, 'wb') as f:
        while True:
            d = c.recv(65536)
            if not d:
                break
            f.write(d)
            n += len(d)
    print('fetched %d bytes from %s' % (n, addr), flush=True)
    return 0


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == 'udp-echo':
        return udp_echo(int(a[0]))
    if cmd == 'udp-ping':
        return udp_ping(a[0], int(a[1]))
    if cmd == 'udp-send':
        return udp_send(a[0], int(a[1]), int(a[2]), int(a[3]))
    if cmd == 'tcp-serve':
        return tcp_serve(int(a[0]), a[1], int(a[2]))
    if cmd == 'tcp-fetch':
        return tcp_fetch(a[0], int(a[1]), a[2])
    sys.exit('apps.py: unknown command ' + cmd)


if __name__ == '__main__':
    sys.exit(main())
