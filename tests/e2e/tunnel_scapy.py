# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Wire truth for tunnel mode (security gateways), for 80-tunnel.sh.

  tunnel_scapy.py wire PCAP GWA4 GWB4 GWA6 GWB6 GWAMAC RTMAC PREFIX...
      Fast header walk (no decryption; the capture may be cut at 256
      bytes): a frame whose IP addresses (or those quoted in an ICMP
      error) fall in one of PREFIX leaked an inner packet; every IP packet
      between the gateways' outer addresses (GWA4/GWB4, GWA6/GWB6) must be
      ESP or AH (fragments included); ESP/AH sent by GWA (outer source)
      must carry Ethernet source GWAMAC and destination RTMAC (the router,
      not the peer gateway; "- -" skips this).  a_max: the longest ESP/AH
      datagram GWA sent (IP length).  Prints one line of counts; exit 1 on a leak,
      a cleartext packet between the gateways or a wrong MAC.

  tunnel_scapy.py dump PCAP esp:SPI:KEYHEX|ah:SPI:KEYHEX ...
      One line per ESP/AH packet (scapy's SecurityAssociation opens it):
      kind=esp|ah|frag spi= seq= osrc= odst= dmac= ottl= otos= odf= ofl=
      nh= isrc= idst= ittl= itos= idf= iproto= ifrag= itype= sz=  (sz: ICMP echo
      data bytes, -1 for other packets); kind=frag for outer fragments,
      kind=bad when the ICV does not verify.

  tunnel_scapy.py send IFACE DSTMAC KIND SPI KEYHEX OSRC ODST OTOS
                       ISRC IDST ITOS PORT TEXT SEQ
      KIND esp: an ESP tunnel packet (AES-GCM-16) with outer TOS OTOS
      carrying UDP ISRC -> IDST:PORT with inner TOS ITOS and TEXT;
      KIND clear: the inner packet alone, in clear.

  tunnel_scapy.py recv-tos ADDR PORT TEXT SECONDS
      Wait for an IPv4 datagram containing TEXT; print "tos=0x.." and
      exit 0, or exit 1 after SECONDS.
"""
import ipaddress
import socket
import struct
import sys
import time

from xs_scapy import gcm_sa, kv_line, pcap_frames

# scapy is imported where it is used: recv-tos must be listening at once
# and wire reads big captures faster than scapy would

V6_EXT = (0, 43, 60)  # hop-by-hop, routing, destination options


def ip_of(raw):
    return str(ipaddress.ip_address(raw))


def parse_l3(b, off):
    """(family, src, dst, proto, frag, l4off) of the IP header at off."""
    ver = b[off] >> 4
    if ver == 4 and len(b) >= off + 20:
        ihl = (b[off] & 15) * 4
        fo = struct.unpack_from("!H", b, off + 6)[0]
        return (4, ip_of(b[off + 12:off + 16]), ip_of(b[off + 16:off + 20]),
                b[off + 9], (fo & 0x3fff) != 0, off + ihl)
    if ver == 6 and len(b) >= off + 40:
        nh, p, frag = b[off + 6], off + 40, False
        for _ in range(8):
            if nh == 44 and len(b) >= p + 8:
                frag, nh, p = True, b[p], p + 8
            elif nh in V6_EXT and len(b) >= p + 2:
                nh, p = b[p], p + (b[p + 1] + 1) * 8
            else:
                break
        return (6, ip_of(b[off + 8:off + 24]), ip_of(b[off + 24:off + 40]),
                nh, frag, p)
    return None


def ip_len(b, off):
    """Length of the IP datagram at off, from its header."""
    if b[off] >> 4 == 4:
        return struct.unpack_from("!H", b, off + 2)[0]
    return 40 + struct.unpack_from("!H", b, off + 4)[0]


def quoted(b, l3):
    """Addresses of the datagram an ICMP error quotes, if any."""
    fam, _, _, proto, frag, p = l3
    if frag or len(b) < p + 8:
        return None
    if (fam == 4 and proto == 1 and b[p] in (3, 4, 5, 11, 12)) or \
            (fam == 6 and proto == 58 and 1 <= b[p] <= 4):
        return parse_l3(b, p + 8) if len(b) > p + 8 else None
    return None


def wire(pcap, a4, b4, a6, b6, gwmac, rtmac, prefixes):
    nets = [ipaddress.ip_network(x) for x in prefixes]
    pairs = ({a4, b4}, {a6, b6})
    n = {"frames": 0, "esp": 0, "ah": 0, "frag": 0, "leak": 0, "clear": 0,
         "side": 0, "a_out": 0, "a_max": 0, "badmac": 0}

    def inner(addr):
        a = ipaddress.ip_address(addr)
        return any(a in net for net in nets)

    for b in pcap_frames(pcap):
        n["frames"] += 1
        if len(b) < 14:
            continue
        et, off = struct.unpack_from("!H", b, 12)[0], 14
        if et == 0x8100 and len(b) >= 18:
            et, off = struct.unpack_from("!H", b, 16)[0], 18
        if et not in (0x0800, 0x86DD):
            continue
        l3 = parse_l3(b, off)
        if l3 is None:
            continue
        q = quoted(b, l3)
        if inner(l3[1]) or inner(l3[2]) or \
                (q and (inner(q[1]) or inner(q[2]))):
            n["leak"] += 1
            continue
        if {l3[1], l3[2]} not in pairs:
            n["side"] += 1
            continue
        if l3[3] not in (50, 51):
            n["clear"] += 1
            continue
        n["frag" if l3[4] else "esp" if l3[3] == 50 else "ah"] += 1
        if l3[1] in (a4, a6):
            n["a_max"] = max(n["a_max"], ip_len(b, off))
        if l3[1] in (a4, a6) and gwmac != "-":
            n["a_out"] += 1
            if b[0:6].hex(":") != rtmac or b[6:12].hex(":") != gwmac:
                n["badmac"] += 1
    kv_line(n)
    return 1 if n["leak"] or n["clear"] or n["badmac"] else 0


def make_sa(kind, spi, key, hdr):
    from scapy.layers.ipsec import AH, SecurityAssociation

    if kind == "ah":
        return SecurityAssociation(AH, spi=spi, auth_algo="SHA2-256-128",
                                   auth_key=key, tunnel_header=hdr)
    return gcm_sa(spi, key, hdr)


def outer_fields(p, ip):
    from scapy.layers.l2 import Ether

    f = {"osrc": ip.src, "odst": ip.dst, "dmac": p[Ether].dst}
    if ip.version == 4:
        f.update(ottl=ip.ttl, otos=hex(ip.tos), odf=int(ip.flags.DF),
                 ofl="-")
    else:
        f.update(ottl=ip.hlim, otos=hex(ip.tc), odf="-", ofl=ip.fl)
    return f


def inner_fields(nh, data):
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6

    if nh == 4:
        i = IP(data)
        l4 = bytes(i.payload)
        f = {"isrc": i.src, "idst": i.dst, "ittl": i.ttl, "itos": hex(i.tos),
             "idf": int(i.flags.DF), "iproto": i.proto,
             "ifrag": int(bool(i.frag or i.flags.MF))}
        echo = i.proto == 1 and not i.frag and l4[:1] in (b"\x08", b"\x00")
        sz = i.len - i.ihl * 4 - 8
    elif nh == 41:
        i = IPv6(data)
        l4 = bytes(i.payload)
        f = {"isrc": i.src, "idst": i.dst, "ittl": i.hlim, "itos": hex(i.tc),
             "idf": "-", "iproto": i.nh, "ifrag": int(i.nh == 44)}
        echo = i.nh == 58 and l4[:1] in (b"\x80", b"\x81")
        sz = i.plen - 8
    else:
        return {"iproto": "?"}
    f["itype"] = l4[0] if l4 else "-"
    f["sz"] = sz if echo else -1
    return f


def dump_one(p, sas):
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.ipsec import AH, ESP

    ip = p[IP] if p.haslayer(IP) else p[IPv6] if p.haslayer(IPv6) else None
    if ip is None:
        return None
    f = outer_fields(p, ip)
    if ip.version == 4 and (ip.frag or ip.flags.MF):
        f.update(kind="frag", proto=ip.proto, mf=int(ip.flags.MF))
        return f
    kind = "esp" if p.haslayer(ESP) else "ah" if p.haslayer(AH) else None
    if kind is None:
        return None
    sec = p[ESP] if kind == "esp" else p[AH]
    f.update(kind=kind, spi=hex(sec.spi), seq=sec.seq)
    sa = sas.get((kind, sec.spi))
    if sa is None:
        f["kind"] = "unknown"
        return f
    try:
        if kind == "esp":
            plain = sa.crypt_algo.decrypt(sa, sec, sa.crypt_key,
                                          sa.crypt_algo.icv_size)
            nh, data = plain.nh, bytes(plain.data)
        else:
            nh = sec.nh
            data = bytes(sa.decrypt(ip.copy()))
    except Exception:  # noqa: BLE001 - scapy raises several kinds
        f["kind"] = "bad"
        return f
    f["nh"] = nh
    f.update(inner_fields(nh, data))
    return f


def dump(pcap, specs):
    from scapy.all import rdpcap
    from scapy.layers.inet import IP

    sas = {}
    for spec in specs:
        kind, spi, key = spec.split(":")
        sas[(kind, int(spi, 0))] = make_sa(kind, int(spi, 0),
                                           bytes.fromhex(key), IP())
    for p in rdpcap(pcap):
        f = dump_one(p, sas)
        if f is not None:
            kv_line(f)
    return 0


def send(a):
    from scapy.all import sendp
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw

    iface, mac, kind, spi, key, osrc, odst, otos = a[:8]
    isrc, idst, itos, port, text, seq = a[8:14]
    inner = IP(src=isrc, dst=idst, tos=int(itos, 0), ttl=63) / \
        UDP(sport=40000, dport=int(port)) / Raw(text.encode())
    if kind == "clear":
        sendp(Ether(dst=mac) / inner, iface=iface, verbose=False)
        return 0
    v6 = ":" in osrc
    hdr = IPv6(src=osrc, dst=odst, tc=int(otos, 0), hlim=64) if v6 else \
        IP(src=osrc, dst=odst, tos=int(otos, 0), ttl=64)
    sa = make_sa("esp", int(spi, 0), bytes.fromhex(key), hdr)
    pkt = sa.encrypt(inner, seq_num=int(seq))
    sendp(Ether(dst=mac) / pkt, iface=iface, verbose=False)
    return 0


def recv_tos(addr, port, text, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
    s.bind((addr, port))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(4))
        except socket.timeout:
            break
        if text.encode() not in data:
            continue
        for level, typ, val in anc:
            if level == socket.IPPROTO_IP and typ == socket.IP_TOS:
                print("tos=%#x" % val[0])
                return 0
        print("tos=?")
        return 0
    print("tos=none")
    return 1


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "wire":
        return wire(a[0], a[1], a[2], a[3], a[4], a[5].lower(), a[6].lower(),
                    a[7:])
    if cmd == "dump":
        return dump(a[0], a[1:])
    if cmd == "send":
        return send(a)
    if cmd == "recv-tos":
        return recv_tos(a[0], int(a[1]), a[2], float(a[3]))
    print("unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
