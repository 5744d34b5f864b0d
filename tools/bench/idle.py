#!/usr/bin/env python3
"""idle.py - idle TCP connections for make bench's concurrency metric

  idle.py serve ADDR PORT        accept connections and hold them until
                                 the client closes (peer side)
  idle.py connect ADDR PORT N    open N connections, print "ready", wait
                                 for a line on stdin, close them all,
                                 print "closed" (the program)
"""
import asyncio
import resource
import socket
import sys


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def hold(reader, writer):
    try:
        while await reader.read(4096):
            pass
    except ConnectionError:
        pass
    writer.close()


async def serve(addr, port):
    srv = await asyncio.start_server(hold, addr, port, backlog=4096)
    async with srv:
        await srv.serve_forever()


def connect(addr, port, n):
    socks = []
    try:
        for i in range(n):
            socks.append(socket.create_connection((addr, port), timeout=10))
    except OSError as e:
        print('error after %d connections: %s' % (len(socks), e), flush=True)
        return 1
    print('ready %d' % len(socks), flush=True)
    sys.stdin.readline()
    for s in socks:
        s.close()
    print('closed', flush=True)
    return 0


def main():
    raise_nofile()
    if sys.argv[1] == 'serve':
        asyncio.run(serve(sys.argv[2], int(sys.argv[3])))
        return 0
    return connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))


if __name__ == '__main__':
    sys.exit(main())
