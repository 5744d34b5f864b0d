# frag_inject.py - on the kernel side of the TAP (run with in_ns): accept
# one connection on 10.0.0.1:PORT, learn both sides' sequence numbers from
# the client's greeting (an AF_PACKET socket on the TAP), then send it one
# data segment as two IPv4 fragments, the last of them empty (MF=0, offset
# at the end of the data, no payload): legal, and lwIP's reassembly keeps
# that empty piece as a zero-length pbuf at the end of the segment.
# argv: TAP name, port, payload.  Prints "injected" once sent.
import socket, struct, sys, time

TAP, PORT, DATA = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
ETH_P_IP = 0x0800
sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
sniff.bind((TAP, ETH_P_IP))
sniff.settimeout(20)
lst = socket.socket()
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(("10.0.0.1", PORT))
lst.listen(1)
print("listening", flush=True)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

# the client's greeting says it all: its sequence number and length give
# the next byte it will send, its ACK the next one it expects from us (we
# sent no data).  Only frames from the TAP's far side are seen here.
srv_seq = cli_next = cli_port = None
end = time.time() + 20
while time.time() < end:
    frame = sniff.recv(65536)
    ip = frame[14:]
    if ip[9] != 6:
        continue
    hl = (ip[0] & 15) * 4
    tcp = ip[hl:]
    sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
    size = struct.unpack("!H", ip[2:4])[0] - hl - (tcp[12] >> 4) * 4
    if dport == PORT and size > 0:
        srv_seq, cli_next, cli_port = ack, seq + size, sport
        break
assert cli_next is not None, "no greeting seen"
conn, _ = lst.accept()
conn.recv(100)

tcph = struct.pack("!HHIIBBHHH", PORT, cli_port, srv_seq, cli_next, 5 << 4, 0x18, 65535, 0, 0)
src, dst = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcph) + len(DATA))
tcph = tcph[:16] + struct.pack("!H", csum(pseudo + tcph + DATA)) + tcph[18:]
body = tcph + DATA
assert len(body) % 8 == 0, "payload must make the first fragment a multiple of 8"

def iphdr(length, frag):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, 4242, frag, 64, 6, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw.sendto(iphdr(len(body), 0x2000) + body, ("10.0.0.2", 0))          # MF
raw.sendto(iphdr(0, len(body) // 8), ("10.0.0.2", 0))                  # last, empty
print("injected", flush=True)
time.sleep(30)
