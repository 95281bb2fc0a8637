# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The independent ESP peer for the end-to-end tests (scapy).

  esp_wire.py check PCAP ADDR_A ADDR_B SPI:KEYHEX [SPI:KEYHEX ...]
      Every IP packet between ADDR_A and ADDR_B in the capture must be ESP
      (fragments included) except neighbour discovery (ICMPv6 133-137,
      which policy never covers); scapy's SecurityAssociation decrypts
      each whole ESP packet with the SA of its SPI.  Prints one line of
      counts and exits 1 if anything was in clear or failed to decrypt.

  esp_wire.py send IFACE DSTMAC SRC DST SPI KEYHEX KIND [SEQ] [PORT] [TEXT]
      Build one ESP packet with scapy carrying UDP to PORT with TEXT and
      send it on IFACE.  KIND: good, tampered, replay (sent twice), short
      (ESP cut to 6 bytes), frag (2900-byte payload sent as IP fragments).
"""
import sys

from scapy.all import rdpcap, sendp
from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, fragment6
from scapy.layers.ipsec import ESP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from xs_scapy import gcm_sa, kv_line


def sa_for(spi, key):
    return gcm_sa(spi, bytes.fromhex(key))


def is_pair(ip, a, b):
    return {ip.src, ip.dst} == {a, b}


def inner_kind(pkt):
    for layer, name in ((TCP, "tcp"), (UDP, "udp"), (ICMP, "icmp")):
        if pkt.haslayer(layer):
            return name
    if pkt.haslayer(IPv6) and pkt[IPv6].nh == 58:
        return "icmp"
    if pkt.haslayer(IPv6) and pkt[IPv6].nh in (6, 17):
        return "tcp" if pkt[IPv6].nh == 6 else "udp"
    return "other"


def check(pcap, a, b, sas):
    n = {"esp": 0, "decrypted": 0, "clear": 0, "tcp": 0, "udp": 0,
         "icmp": 0, "frag": 0, "nd": 0, "bad": 0}
    for p in rdpcap(pcap):
        ip = p[IP] if p.haslayer(IP) else p[IPv6] if p.haslayer(IPv6) else None
        if ip is None or not is_pair(ip, a, b):
            continue
        if p.haslayer(IP) and (ip.frag or ip.flags.MF):
            n["frag"] += 1
            if ip.proto != 50:
                n["clear"] += 1
            continue
        if p.haslayer(IPv6ExtHdrFragment):
            n["frag"] += 1
            if p[IPv6ExtHdrFragment].nh != 50:
                n["clear"] += 1
            continue
        if p.haslayer(IPv6) and ip.nh == 58 and \
                bytes(ip.payload)[:1] and 133 <= bytes(ip.payload)[0] <= 137:
            n["nd"] += 1
            continue
        if not p.haslayer(ESP):
            n["clear"] += 1
            continue
        n["esp"] += 1
        sa = sas.get(p[ESP].spi)
        if sa is None:
            n["bad"] += 1
            continue
        try:
            plain = sa.decrypt(ip.copy())
        except Exception:  # noqa: BLE001 - scapy raises several kinds
            n["bad"] += 1
            continue
        n["decrypted"] += 1
        k = inner_kind(plain)
        if k in n:
            n[k] += 1
    kv_line(n)
    return 1 if n["clear"] or n["bad"] else 0


def send(iface, mac, src, dst, spi, key, kind, seq, port, text):
    v6 = ":" in dst
    ip = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
    size = 2900 if kind == "frag" else 0
    payload = text.encode() + b"." * max(0, size - len(text))
    sa = sa_for(spi, key)
    sa.seq_num = seq
    esp = sa.encrypt(ip / UDP(sport=40000, dport=port) / Raw(payload))
    frames = [Ether(dst=mac) / esp]
    if kind == "tampered":
        raw = bytearray(bytes(esp))
        raw[-20] ^= 0x55
        frames = [Ether(dst=mac) / (IPv6(bytes(raw)) if v6 else IP(bytes(raw)))]
    elif kind == "replay":
        frames = frames * 2
    elif kind == "short":
        head = bytes(esp)[: (40 if v6 else 20) + 6]
        short = IPv6(head) if v6 else IP(head)
        if v6:
            short.plen = 6
        else:
            short.len = 26
            del short.chksum
        frames = [Ether(dst=mac) / short]
    elif kind == "frag":
        if v6:
            whole = IPv6(src=src, dst=dst) / IPv6ExtHdrFragment() / esp[ESP]
            pieces = fragment6(whole, 1280)
        else:
            pieces = fragment(esp, fragsize=1400)
        frames = [Ether(dst=mac) / f for f in pieces]
    sendp(frames, iface=iface, verbose=False)


def main():
    if sys.argv[1] == "check":
        sas = {}
        for spec in sys.argv[5:]:
            spi, key = spec.split(":")
            sas[int(spi, 0)] = sa_for(int(spi, 0), key)
        return check(sys.argv[2], sys.argv[3], sys.argv[4], sas)
    args = sys.argv[2:]
    iface, mac, src, dst, spi, key, kind = args[:7]
    seq = int(args[7]) if len(args) > 7 else 1
    port = int(args[8]) if len(args) > 8 else 5555
    text = args[9] if len(args) > 9 else "xdpsec"
    send(iface, mac, src, dst, int(spi, 0), key, kind, seq, port, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
