# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""ESP wire truth against an independent peer: scapy's SecurityAssociation.

usage: esp_scapy.py PATH/TO/prog_esp_tool

For AES-GCM-128 and -256 (aes-gcm-16, key with the 4-byte salt at the end),
IPv4 and IPv6, TCP, UDP and ICMP, payloads of several sizes:
  xdpsec encrypts -> scapy decrypts: the inner datagram equals the original
  scapy encrypts -> xdpsec decrypts: the result equals the original
Prints one "ok - ..." / "not ok - ..." line per check.
"""
import os
import subprocess
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoRequest, IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting)
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw

TOOL = sys.argv[1]
SIZES = (0, 1, 2, 3, 5, 64, 333, 1400)
failures = 0


def report(ok, text):
    global failures
    print(("ok - " if ok else "not ok - ") + text)
    if not ok:
        failures += 1


def tool(mode, spi, key, data, seq=None):
    args = [TOOL, mode, hex(spi), key.hex()]
    if seq is not None:
        args.append(str(seq))
    p = subprocess.run(args, input=data.hex(), capture_output=True,
                       text=True, check=False)
    if p.returncode:
        raise RuntimeError(p.stderr.strip())
    return bytes.fromhex(p.stdout.strip())


def inner(fam, proto, size, ext=None):
    body = Raw(bytes((i * 13 + size) & 0xff for i in range(size)))
    if fam == 4:
        ip = IP(src="192.0.2.1", dst="198.51.100.7", id=0x1234, flags="DF",
                ttl=61)
        l4 = {"tcp": TCP(sport=4321, dport=80, flags="PA", seq=7),
              "udp": UDP(sport=5353, dport=53),
              "icmp": ICMP(type=8, id=9, seq=1)}[proto]
    else:
        ip = IPv6(src="2001:db8::1", dst="2001:db8:1::7", hlim=61)
        if ext is not None:
            ip = ip / ext
        l4 = {"tcp": TCP(sport=4321, dport=80, flags="PA", seq=7),
              "udp": UDP(sport=5353, dport=53),
              "icmp": ICMPv6EchoRequest(id=9, seq=1)}[proto]
    return bytes(ip / l4 / body)


def parse(fam, data):
    return IP(data) if fam == 4 else IPv6(data)


def open_v6_ext(sa, enc):
    """SecurityAssociation.decrypt on IPv6 with extension headers dissects
    the payload with the class of the first extension header (scapy 2.5),
    so decrypt with scapy's cipher and put the datagram back together:
    the headers in front of ESP, next header and payload length fixed."""
    raw_enc = bytes(enc)
    esp = enc[ESP]
    plain = sa.crypt_algo.decrypt(sa, esp, sa.crypt_key,
                                  sa.crypt_algo.icv_size)
    hdr = bytearray(raw_enc[:len(raw_enc) - len(bytes(esp))])
    nh_off, off = 6, 40
    while off < len(hdr):
        nh_off, off = off, off + (hdr[off + 1] + 1) * 8
    hdr[nh_off] = plain.nh
    plen = len(hdr) - 40 + len(plain.data)
    hdr[4:6] = plen.to_bytes(2, "big")
    return bytes(hdr) + bytes(plain.data)


def xdpsec_to_scapy(sa, spi, key, fam, proto, ext=None):
    """xdpsec encrypts, scapy decrypts; error text or None."""
    for n, size in enumerate(SIZES):
        orig = inner(fam, proto, size, ext)
        seq = 100 + n
        enc = parse(fam, tool("enc", spi, key, orig, seq))
        if ESP not in enc or enc[ESP].spi != spi or enc[ESP].seq != seq:
            return "size %d: no ESP with spi/seq in %r" % (size, enc)
        if fam == 4 and enc.proto != 50:
            return "size %d: IPv4 protocol %d" % (size, enc.proto)
        dec = sa.decrypt(enc) if ext is None else open_v6_ext(sa, enc)
        if bytes(dec) != orig:
            return "size %d: scapy decrypted %s" % (size, bytes(dec).hex())
    return None


def scapy_to_xdpsec(sa, spi, key, fam, proto, ext=None):
    """scapy encrypts, xdpsec decrypts; error text or None."""
    for n, size in enumerate(SIZES):
        orig = inner(fam, proto, size, ext)
        enc = sa.encrypt(parse(fam, orig), seq_num=200 + n)
        dec = tool("dec", spi, key, bytes(enc))
        if dec != orig:
            return "size %d: xdpsec decrypted %s" % (size, dec.hex())
    return None


def check(text, fn, *args):
    try:
        err = fn(*args)
    except Exception as e:  # a tool failure is a failed check
        err = "%s: %s" % (type(e).__name__, e)
    report(err is None, text + ("" if err is None else " (%s)" % err))


def tamper(sa, spi, key):
    """A byte flipped in scapy's ciphertext: xdpsec reports drop-bad-icv."""
    enc = bytes(sa.encrypt(IP(inner(4, "udp", 40)), seq_num=300))
    bad = bytearray(enc)
    bad[40] ^= 1
    try:
        tool("dec", spi, key, bytes(bad))
    except RuntimeError as e:
        return None if "drop-bad-icv" in str(e) else str(e)
    return "accepted"


def main():
    for bits in (128, 256):
        key = os.urandom(bits // 8) + os.urandom(4)  # key | salt
        spi = 0x1000 + bits
        sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM",
                                 crypt_key=key, auth_algo="NULL")
        for fam in (4, 6):
            for proto in ("tcp", "udp", "icmp"):
                what = "AES-GCM-%d IPv%d %s" % (bits, fam, proto)
                check("xdpsec -> scapy " + what, xdpsec_to_scapy, sa, spi,
                      key, fam, proto)
                check("scapy -> xdpsec " + what, scapy_to_xdpsec, sa, spi,
                      key, fam, proto)
        exts = (("hop-by-hop", IPv6ExtHdrHopByHop()),
                ("routing", IPv6ExtHdrRouting(addresses=["2001:db8:1::7"],
                                              segleft=0)),
                ("dest-opts", IPv6ExtHdrDestOpt()))
        for name, ext in exts:
            what = "AES-GCM-%d IPv6 %s udp" % (bits, name)
            check("xdpsec -> scapy " + what, xdpsec_to_scapy, sa, spi, key,
                  6, "udp", ext)
            check("scapy -> xdpsec " + what, scapy_to_xdpsec, sa, spi, key,
                  6, "udp", ext)
        check("AES-GCM-%d scapy packet with a flipped byte: drop-bad-icv"
              % bits, tamper, sa, spi, key)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
