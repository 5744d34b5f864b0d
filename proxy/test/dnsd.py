#!/usr/bin/python3
"""Scripted DNS server for lwip-proxy's integration tests (UDP).

Zone file lines:  NAME TYPE VALUE [DELAY_MS]
  TYPE A or AAAA: an address, answered after DELAY_MS (per name and type)
  TYPE NXDOMAIN / SERVFAIL / DROP (VALUE "-"): that answer for every query
    of NAME (DROP: never answer), after DELAY_MS
  TYPE NODATA (VALUE "-"): the name exists but has no A or AAAA
A name present with only one type answers the other with NOERROR, no data.
Unknown names get NXDOMAIN.  Every query is logged to stderr with the
time in ms since start.
"""
import argparse
import socket
import sys
import threading
import time

from dnslib import AAAA, A, DNSRecord, QTYPE, RCODE, RR

T0 = time.monotonic()


def load(path):
    zone = {}
    for line in open(path):
        w = line.split("#")[0].split()
        if not w:
            continue
        name, typ, val = w[0].lower().rstrip("."), w[1].upper(), w[2]
        delay = int(w[3]) if len(w) > 3 else 0
        e = zone.setdefault(name, {"rr": {}, "rcode": None, "delay": {}})
        if typ in ("A", "AAAA"):
            e["rr"].setdefault(typ, []).append(val)
            e["delay"][typ] = delay
        elif typ != "NODATA":
            e["rcode"] = typ
            e["delay"]["*"] = delay
    return zone


def answer(zone, req):
    q = req.q
    name = str(q.qname).lower().rstrip(".")
    typ = QTYPE[q.qtype]
    rep = req.reply()
    e = zone.get(name)
    if e is None:
        rep.header.rcode = RCODE.NXDOMAIN
        return rep, 0
    if e["rcode"] == "DROP":
        return None, 0
    if e["rcode"] == "NXDOMAIN":
        rep.header.rcode = RCODE.NXDOMAIN
        return rep, e["delay"].get("*", 0)
    if e["rcode"] == "SERVFAIL":
        rep.header.rcode = RCODE.SERVFAIL
        return rep, e["delay"].get("*", 0)
    for v in e["rr"].get(typ, []):
        rep.add_answer(RR(q.qname, q.qtype, rdata=A(v) if typ == "A"
                          else AAAA(v), ttl=5))
    return rep, e["delay"].get(typ, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1:5353")
    ap.add_argument("--zone", required=True)
    a = ap.parse_args()
    zone = load(a.zone)
    host, port = a.listen.rsplit(":", 1)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host.strip("[]"), int(port)))
    print("dns ready", flush=True)
    while True:
        data, peer = s.recvfrom(4096)
        try:
            req = DNSRecord.parse(data)
        except Exception:
            continue
        rep, delay = answer(zone, req)
        sys.stderr.write("%d ms: %s %s -> %s after %d ms\n" % (
            (time.monotonic() - T0) * 1000, req.q.qname,
            QTYPE[req.q.qtype], "drop" if rep is None else
            RCODE[rep.header.rcode], delay))
        sys.stderr.flush()
        if rep is None:
            continue
        pkt = rep.pack()
        if delay:
            threading.Timer(delay / 1000.0, s.sendto, (pkt, peer)).start()
        else:
            s.sendto(pkt, peer)


if __name__ == "__main__":
    sys.exit(main())
