# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""AH wire truth against an independent peer: scapy's SecurityAssociation.

usage: ah_scapy.py PATH/TO/prog_ah_tool

For HMAC-SHA1-96, HMAC-SHA2-256-128/-384-192/-512-256 and HMAC-MD5-96,
IPv4 (plain, with TOS/TTL/DF set, with immutable and mutable options) and
IPv6 (plain, with traffic class/flow label, with hop-by-hop and
destination options carrying a "may change" option, with a routing header
whose segments left is 0), TCP/UDP/ICMP:
  xdpsec adds AH -> scapy verifies the ICV and strips AH: equals the original
  scapy adds AH  -> xdpsec verifies and strips AH: equals the original
then: a flipped ICV bit, a wrong payload length field and a truncated AH
are refused.  Prints one "ok - ..." / "not ok - ..." line per check.
"""
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_RR, IPOption_Router_Alert
from scapy.layers.inet6 import (HBHOptUnknown, ICMPv6EchoRequest, IPv6,
                                IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrRouting, RouterAlert)
from scapy.layers.ipsec import AH, SecurityAssociation
from scapy.packet import Raw

from xs_scapy import Tap, run_hex

TOOL = sys.argv[1]
TAP = Tap()
report = TAP.report

ALGS = (  # setkey name, scapy name, key length
    ("hmac-sha1", "HMAC-SHA1-96", 20),
    ("hmac-sha2-256", "SHA2-256-128", 32),
    ("hmac-sha2-384", "SHA2-384-192", 48),
    ("hmac-sha2-512", "SHA2-512-256", 64),
    ("hmac-md5", "HMAC-MD5-96", 16),
)


def tool(mode, spi, alg, key, data, seq=None, opts=()):
    args = [TOOL] + list(opts) + [mode, hex(spi), alg, key.hex()]
    if seq is not None:
        args.append(str(seq))
    return run_hex(args, data)


def packets():
    pl = Raw(bytes(range(256)) * 2)
    v4 = dict(src="192.0.2.1", dst="192.0.2.2")
    v6 = dict(src="2001:db8::1", dst="2001:db8::2")
    mutable = HBHOptUnknown(otype=0x3e, optdata=b"\x11\x22\x33\x44")
    return (
        ("v4 icmp", IP(**v4) / ICMP() / pl),
        ("v4 udp tos ttl df", IP(tos=0xb8, ttl=17, flags="DF", **v4) /
         UDP(sport=1, dport=2) / pl),
        ("v4 tcp", IP(**v4) / TCP(sport=5, dport=6, flags="S")),
        ("v4 options ra+rr", IP(options=[IPOption_Router_Alert(),
                                         IPOption_RR(routers=["10.0.0.1"])],
                                **v4) / UDP() / pl),
        ("v6 icmp", IPv6(**v6) / ICMPv6EchoRequest(data=b"x" * 99)),
        ("v6 tc fl udp", IPv6(tc=0x2e, fl=0x12345, hlim=3, **v6) /
         UDP(sport=1, dport=2) / pl),
        ("v6 hbh", IPv6(**v6) /
         IPv6ExtHdrHopByHop(options=[RouterAlert(), mutable]) / UDP() / pl),
        ("v6 dst+rh0", IPv6(**v6) / IPv6ExtHdrDestOpt(options=[mutable]) /
         IPv6ExtHdrRouting(addresses=[], segleft=0) / TCP()),
    )


def cls(data):
    return IP if data[0] >> 4 == 4 else IPv6


def one(alg, sname, klen, name, pkt):
    key = bytes(range(1, klen + 1))
    spi = 0x1234
    sa = SecurityAssociation(AH, spi=spi, auth_algo=sname, auth_key=key)
    orig = bytes(pkt)
    tag = "%s %s" % (alg, name)
    try:
        wire = tool("enc", spi, alg, key, orig, seq=7)
        got = sa.decrypt(cls(wire)(wire))
        w = cls(wire)(wire)
        report(bytes(got) == orig and w[AH].seq == 7,
               "%s: xdpsec -> scapy" % tag)
    except Exception as e:  # pylint: disable=broad-except
        report(False, "%s: xdpsec -> scapy: %s" % (tag, e))
    try:
        wire = bytes(sa.encrypt(cls(orig)(orig), seq_num=9))
        back = tool("dec", spi, alg, key, wire)
        report(back == orig, "%s: scapy -> xdpsec" % tag)
    except Exception as e:  # pylint: disable=broad-except
        report(False, "%s: scapy -> xdpsec: %s" % (tag, e))
        return
    if name in TRANSIT:
        transit(tag, name, spi, alg, key, wire, orig)
    if name not in ("v4 icmp", "v6 hbh"):
        return
    hl = len(wire) - len(bytes(cls(wire)(wire)[AH]))  # AH offset
    bad = bytearray(wire)
    bad[hl + 12] ^= 1
    refused(tag + ": flipped ICV bit", spi, alg, key, bytes(bad), "bad-icv")
    bad = bytearray(wire)
    bad[hl + 1] += 1
    refused(tag + ": payload length + 1", spi, alg, key, bytes(bad),
            "malformed")


def refused(tag, spi, alg, key, data, reason):
    try:
        tool("dec", spi, alg, key, data)
        report(False, tag + ": accepted")
    except RuntimeError as e:
        report(reason in str(e), "%s: refused (%s)" % (tag, e))


TRANSIT = {  # name: (mutable byte offsets, an immutable one)
    "v4 options ra+rr": ((1, 8, 27), 22),  # TOS, TTL, RR address; RA value
    "v6 hbh": ((1, 3, 7, 48), 44),  # TC, flow label, hop limit, 0x3e data
}


def transit(tag, name, spi, alg, key, wire, orig):
    """Routers change the mutable fields: still verifies; an immutable
    field changed: refused."""
    mut, imm = TRANSIT[name]
    w = bytearray(wire)
    for off in mut:
        w[off] ^= 0x5a
    try:
        back = bytearray(tool("dec", spi, alg, key, bytes(w)))
        for off in mut:
            back[off] ^= 0x5a
        if orig[0] >> 4 == 4:  # the checksum follows TOS/TTL
            back[10:12] = orig[10:12]
        report(bytes(back) == orig, tag + ": mutable fields changed")
    except RuntimeError as e:
        report(False, "%s: mutable fields changed: %s" % (tag, e))
    w = bytearray(wire)
    w[imm] ^= 1
    refused(tag + ": immutable option changed", spi, alg, key, bytes(w),
            "bad-icv")


def knobs():
    """ah_cleartos=0 / ah_offsetmask: scapy zeroes TOS and the offset, so
    with the knobs changed the ICV must differ from scapy's, and the same
    tool settings on both ends must agree."""
    key = bytes(20)
    pkt = bytes(IP(src="192.0.2.1", dst="192.0.2.2", tos=0x10, flags="DF") /
                UDP() / Raw(b"k" * 10))
    sa = SecurityAssociation(AH, spi=0x999, auth_algo="HMAC-SHA1-96",
                             auth_key=key)
    for opts in (["-t"], ["-m", "0xffff"]):
        wire = tool("enc", 0x999, "hmac-sha1", key, pkt, opts=opts)
        try:
            sa.decrypt(IP(wire))
            report(False, "knob %s: scapy accepted" % opts)
        except Exception:  # pylint: disable=broad-except
            report(True, "knob %s: ICV differs from RFC 4302's" % opts)
        back = tool("dec", 0x999, "hmac-sha1", key, wire, opts=opts)
        report(back == pkt, "knob %s: same knob on both ends" % opts)


def main():
    for alg, sname, klen in ALGS:
        for name, pkt in packets():
            one(alg, sname, klen, name, pkt)
    knobs()
    # truncated: cut inside the AH header
    key = bytes(20)
    pkt = IP(src="192.0.2.1", dst="192.0.2.2") / ICMP()
    sa = SecurityAssociation(AH, spi=0x999, auth_algo="HMAC-SHA1-96",
                             auth_key=key)
    wire = bytearray(bytes(sa.encrypt(pkt)))[:20 + 16]
    wire[2:4] = len(wire).to_bytes(2, "big")
    refused("truncated AH", 0x999, "hmac-sha1", key, bytes(wire),
            "malformed")
    print("# %d failure(s)" % TAP.failures)
    return 1 if TAP.failures else 0


if __name__ == "__main__":
    sys.exit(main())
