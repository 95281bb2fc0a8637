# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Wire truth for NAT traversal (RFC 3948, ESP in UDP), for 85-natt.sh.

  natt_scapy.py wire PCAP A B PREFIX...
      Header walk of a capture: a frame whose IP addresses (or those an
      ICMP error quotes) fall in one of PREFIX leaked an inner packet;
      every IPv4 packet between A and B must be UDP 4500 -> 4500 whose
      payload is not a non-ESP marker (ESP in UDP) with UDP checksum 0.
      Prints "frames= natt= csum0= csumset= clear= leak= side="; exit 1
      on a leak, a packet in clear between A and B or a checksum set.

  natt_scapy.py dump PCAP SPI:KEYHEX...
      One line per ESP-in-UDP packet: the UDP header stripped, scapy's
      SecurityAssociation (AES-GCM-16) decrypts the ESP:
      kind=esp|bad|unknown spi= seq= osrc= odst= sport= dport= nh=
      isrc= idst= iproto= idport= icsum=
      Tunnel mode (nh=4): isrc/idst/iproto of the inner IPv4 header.
      Transport mode (nh=6/17): iproto=nh, idport, and icsum=pre when the
      TCP/UDP checksum verifies with the pre-NAT source PRENAT (env
      NATT_PRENAT, default 172.16.0.2), post when it verifies with the
      packet's own source, bad otherwise.

  natt_scapy.py send IFACE DSTMAC SRC DST KIND ARGS...
      keepalive COUNT       COUNT UDP 4500 -> 4500 datagrams of one 0xff byte
      ike TEXT              UDP 4500 -> 4500: 4 zero bytes (the non-ESP
                            marker), then TEXT
      esp ENCAP SPI KEYHEX ISRC IDST PORT TEXT SEQ
                            an ESP tunnel packet (AES-GCM-16) carrying UDP
                            ISRC -> IDST:PORT with TEXT; ENCAP udp puts it
                            in UDP 4500 -> 4500, plain sends bare ESP
"""
import ipaddress
import os
import struct
import sys

from xs_scapy import gcm_sa, kv_line, pcap_frames

NATT_PORT = 4500


def ip4(b, off):
    """(src, dst, proto, is_fragment, l4 offset) of the IPv4 header at off."""
    if len(b) < off + 20 or b[off] >> 4 != 4:
        return None
    fo = struct.unpack_from("!H", b, off + 6)[0]
    return (str(ipaddress.ip_address(b[off + 12:off + 16])),
            str(ipaddress.ip_address(b[off + 16:off + 20])), b[off + 9],
            (fo & 0x3fff) != 0, off + (b[off] & 15) * 4)


def wire(pcap, a, b, prefixes):
    nets = [ipaddress.ip_network(x) for x in prefixes]
    n = {"frames": 0, "natt": 0, "csum0": 0, "csumset": 0, "clear": 0,
         "leak": 0, "side": 0}

    def inner(addr):
        return any(ipaddress.ip_address(addr) in net for net in nets)

    for f in pcap_frames(pcap):
        n["frames"] += 1
        if len(f) < 14 or struct.unpack_from("!H", f, 12)[0] != 0x0800:
            continue
        h = ip4(f, 14)
        if h is None:
            continue
        src, dst, proto, frag, l4 = h
        q = ip4(f, l4 + 8) if proto == 1 and not frag and len(f) > l4 and \
            f[l4] in (3, 4, 5, 11, 12) else None
        if inner(src) or inner(dst) or (q and (inner(q[0]) or inner(q[1]))):
            n["leak"] += 1
            continue
        if {src, dst} != {a, b}:
            n["side"] += 1
            continue
        if proto != 17 or frag or len(f) < l4 + 12:
            n["clear"] += 1
            continue
        sport, dport, _, csum = struct.unpack_from("!HHHH", f, l4)
        if sport != NATT_PORT or dport != NATT_PORT or \
                f[l4 + 8:l4 + 12] == b"\0\0\0\0" or f[l4 + 8:l4 + 9] == b"\xff":
            n["clear"] += 1
            continue
        n["natt"] += 1
        n["csum0" if csum == 0 else "csumset"] += 1
    kv_line(n)
    return 1 if n["leak"] or n["clear"] or n["csumset"] else 0


def l4_csum_ok(src, dst, proto, l4):
    """Does the TCP/UDP checksum of l4 verify with these addresses?"""
    from scapy.utils import checksum

    ph = ipaddress.ip_address(src).packed + \
        ipaddress.ip_address(dst).packed + struct.pack("!BBH", 0, proto,
                                                       len(l4))
    return checksum(ph + l4) == 0


def transport_fields(ip, prenat):
    data = bytes(ip.payload)
    f = {"isrc": "-", "idst": "-", "iproto": ip.proto, "idport": "-",
         "icsum": "-"}
    if ip.proto in (6, 17) and len(data) >= 8:
        f["idport"] = struct.unpack_from("!H", data, 2)[0]
        if l4_csum_ok(prenat, ip.dst, ip.proto, data):
            f["icsum"] = "pre"
        elif l4_csum_ok(ip.src, ip.dst, ip.proto, data):
            f["icsum"] = "post"
        else:
            f["icsum"] = "bad"
    return f


def dump_one(p, sas, prenat):
    from scapy.layers.inet import IP, UDP
    from scapy.layers.ipsec import ESP

    if not p.haslayer(UDP) or p[UDP].sport != NATT_PORT or \
            p[UDP].dport != NATT_PORT:
        return None
    payload = bytes(p[UDP].payload)
    if len(payload) < 8 or payload[:4] == b"\0\0\0\0":
        return None
    ip = p[IP]
    esp = ESP(payload)
    f = {"kind": "esp", "spi": hex(esp.spi), "seq": esp.seq, "osrc": ip.src,
         "odst": ip.dst, "sport": p[UDP].sport, "dport": p[UDP].dport}
    sa = sas.get(esp.spi)
    if sa is None:
        f["kind"] = "unknown"
        return f
    # RFC 3948 3.1.2: strip the UDP header, the IP protocol becomes ESP
    outer = IP(src=ip.src, dst=ip.dst, proto=50, ttl=ip.ttl) / esp
    outer = IP(bytes(outer))
    try:
        plain = sa.decrypt(outer)
    except Exception:  # noqa: BLE001 - scapy raises several kinds
        f["kind"] = "bad"
        return f
    f["nh"] = plain.proto
    if plain.proto == 4:
        i = IP(bytes(plain.payload))
        f.update(isrc=i.src, idst=i.dst, iproto=i.proto, idport="-",
                 icsum="-")
    else:
        f.update(transport_fields(plain, prenat))
    return f


def dump(pcap, specs):
    from scapy.all import rdpcap

    sas = {}
    for spec in specs:
        spi, key = spec.split(":")
        sas[int(spi, 0)] = gcm_sa(int(spi, 0), bytes.fromhex(key))
    prenat = os.environ.get("NATT_PRENAT", "172.16.0.2")
    for p in rdpcap(pcap):
        f = dump_one(p, sas, prenat)
        if f is not None:
            kv_line(f)
    return 0


def send(a):
    from scapy.all import sendp
    from scapy.layers.inet import IP, UDP
    from scapy.layers.ipsec import ESP
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw

    iface, mac, src, dst, kind = a[:5]
    outer = Ether(dst=mac) / IP(src=src, dst=dst, ttl=64)
    nudp = UDP(sport=NATT_PORT, dport=NATT_PORT)
    if kind == "keepalive":
        pkts = [outer / nudp / Raw(b"\xff")] * int(a[5])
    elif kind == "ike":
        pkts = [outer / nudp / Raw(b"\0\0\0\0" + a[5].encode())]
    elif kind == "esp":
        encap, spi, key, isrc, idst, port, text, seq = a[5:13]
        inner = IP(src=isrc, dst=idst, ttl=63) / \
            UDP(sport=40000, dport=int(port)) / Raw(text.encode())
        sa = gcm_sa(int(spi, 0), bytes.fromhex(key),
                    IP(src=src, dst=dst, ttl=64))
        esp = Raw(bytes(sa.encrypt(inner, seq_num=int(seq))[ESP]))
        if encap == "udp":
            pkts = [outer / nudp / esp]
        else:
            pkts = [Ether(dst=mac) / IP(src=src, dst=dst, ttl=64, proto=50) /
                    esp]
    else:
        print("unknown kind " + kind, file=sys.stderr)
        return 2
    sendp(pkts, iface=iface, verbose=False)
    return 0


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "wire":
        return wire(a[0], a[1], a[2], a[3:])
    if cmd == "dump":
        return dump(a[0], a[1:])
    if cmd == "send":
        return send(a)
    print("unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
