#!/usr/bin/python3
"""pcap2seeds.py CAPTURE DIR - split an lwipd --pcap capture into seeds for
the frames fuzzer (tests/fuzz/fuzz_frames.c), written to DIR as files named
by their SHA-1.

Each frame lwipd received becomes one seed; all of them in order make one
more.  A seed is a list of records: a flags byte (bit 0: interface fz0 or
fz1; bits 1-7: tenths of a second to let pass after it), a 16-bit
big-endian length, the frame.  Frames are made to fit the harness's
interfaces: lwipd's MAC (the source of the first frame, which lwipd always
sends) becomes fz0's, or fz1's for DHCPv4 replies (fz1 runs the DHCP
client), its EUI-64 interface id follows, and the test's fd00:N::/64
prefix becomes fd00:1::/64.  Checksums are not fixed: the fuzz build does
not check them.
"""
import hashlib
import os
import re
import struct
import sys

FZ0 = bytes.fromhex('020000000001')
FZ1 = bytes.fromhex('020000000002')
MAX_CONVERSATION = 64       # frames in the all-in-one seed


def frames(path):
    """Yield the frames of a classic little- or big-endian pcap file."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    end = '<' if magic == b'\xd4\xc3\xb2\xa1' else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        yield data[off:off + incl]
        off += incl


def eui64(mac):
    return bytes([mac[0] ^ 2]) + mac[1:3] + b'\xff\xfe' + mac[3:]


def is_dhcp4_reply(f):
    if len(f) < 14 + 20 + 8 or f[12:14] != b'\x08\x00' or f[23] != 17:
        return False
    udp = 14 + (f[14] & 15) * 4
    return f[udp:udp + 4] == b'\x00\x43\x00\x44'


def normalise(f, ours):
    iface = 1 if is_dhcp4_reply(f) else 0
    new = FZ1 if iface else FZ0
    f = f.replace(ours, new).replace(eui64(ours), eui64(new))
    f = re.sub(rb'\xfd\x00..\x00\x00\x00\x00', b'\xfd\x00\x00\x01\x00\x00\x00\x00',
               f, flags=re.S)
    return iface, f


def record(iface, f, tenths=0):
    return bytes([iface | tenths << 1]) + struct.pack('>H', len(f)) + f


def write(outdir, seed):
    name = os.path.join(outdir, hashlib.sha1(seed).hexdigest())
    with open(name, 'wb') as out:
        out.write(seed)


def main():
    path, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    all_frames = [f for f in frames(path) if len(f) >= 14]
    if not all_frames:
        return
    ours = all_frames[0][6:12]
    received = [normalise(f, ours) for f in all_frames if f[6:12] != ours]
    seen = set()
    for iface, f in received:
        seed = record(iface, f)
        if seed not in seen:
            seen.add(seed)
            write(outdir, seed)
    write(outdir, b''.join(record(i, f, 1) for i, f in received[:MAX_CONVERSATION]))
    print('%s: %d frames received, %d distinct seeds' % (path, len(received), len(seen)))


main()
