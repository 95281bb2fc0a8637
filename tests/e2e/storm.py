# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A bounded storm of malformed and hostile frames at one host.

  storm.py IFACE DSTMAC SRC4 DST4 SRC6 DST6 SPI4 SPI6 N SPIK KEYHEX

SPI4/SPI6: SPIs the host knows (their ESP goes to a worker and fails the
ICV check).  SPIK/KEYHEX: an aes-gcm-16 SA of the host only the storm
uses (no other host may hold it: a peer sending on it would use up the
sequence numbers below): well-authenticated packets with bad padding, N with distinct
sequence numbers (each one drop-bad-pad: the ICV verified, so the window
records it, then the trailer is refused) and N copies of one (the first
drop-bad-pad, the other N - 1 drop-replay: its number was used), then N
copies of one good packet (the first delivered, the rest replays).

Sends N frames of each kind below (nothing else), then prints one line
"kind counter count" per kind and counter, so the caller can match
counters; the SPIK kinds are the only source of drop-bad-pad and
drop-replay, so those two must match exactly.
"""
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from scapy.all import sendp
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt
from scapy.layers.ipsec import AH, ESP
from scapy.layers.l2 import Ether
from scapy.packet import Raw


def sealed(s4, d4, spi, key, seq, plain):
    """An IPv4 ESP packet (RFC 4106) around plain, padding and all."""
    iv = struct.pack("!Q", seq)
    aad = struct.pack("!II", spi, seq)
    ct = AESGCM(key[:-4]).encrypt(key[-4:] + iv, plain, aad)
    return IP(src=s4, dst=d4, proto=50) / Raw(aad + iv + ct)


def kinds(mac, s4, d4, s6, d6, spi, spi6, spik, key):
    eth = Ether(dst=mac)
    rnd = lambda n: Raw(os.urandom(n))  # noqa: E731
    chain = IPv6(src=s6, dst=d6)
    for _ in range(10):
        chain = chain / IPv6ExtHdrDestOpt()
    return {
        # kind: (frame builder, counter that must count it)
        "trunc-ipv4": (lambda: bytes(eth / IP(src=s4, dst=d4))[:14 + 10],
                       "drop-malformed"),
        "ipv4-len-past-end": (lambda: bytes(eth / IP(src=s4, dst=d4, len=900)
                                            / UDP() / rnd(10)),
                              "drop-malformed"),
        "trunc-ipv6": (lambda: bytes(eth / IPv6(src=s6, dst=d6))[:14 + 20],
                       "drop-malformed"),
        "ipv6-ext-chain": (lambda: bytes(eth / chain / UDP() / rnd(8)),
                           "drop-exthdr-chain"),
        "esp-spi-below-256": (lambda: bytes(eth / IP(src=s4, dst=d4)
                                            / ESP(spi=7, seq=1) / rnd(40)),
                              "drop-unknown-spi"),
        "esp-unknown-spi": (lambda: bytes(eth / IP(src=s4, dst=d4)
                                          / ESP(spi=0x66600000 + int.from_bytes(os.urandom(2), "big"), seq=1)
                                          / rnd(40)),
                            "drop-unknown-spi"),
        "ah-unknown-spi": (lambda: bytes(eth / IP(src=s4, dst=d4)
                                         / AH(spi=0x7770, seq=1, nh=17)
                                         / rnd(20)),
                           "drop-unknown-spi"),
        "esp-truncated": (lambda: bytes(eth / IP(src=s4, dst=d4, proto=50)
                                        / rnd(4)),
                          "drop-malformed"),
        "esp-wrong-icv": (lambda: bytes(eth / IP(src=s4, dst=d4)
                                        / ESP(spi=spi, seq=0x70000000 + int.from_bytes(os.urandom(3), "big"))
                                        / rnd(64)),
                          "drop-bad-icv"),
        "esp6-wrong-icv": (lambda: bytes(eth / IPv6(src=s6, dst=d6)
                                         / ESP(spi=spi6, seq=0x70000000 + int.from_bytes(os.urandom(3), "big"))
                                         / rnd(64)),
                           "drop-bad-icv"),
        "tiny-frame": (lambda: bytes(eth)[:12] + b"\x08\x00" + b"\x45",
                       "drop-malformed"),
        # first fragment of an ESP datagram that never completes: held by
        # the worker's bounded reassembly table, dropped when it times out
        "esp-first-fragment": (lambda: bytes(eth / IP(src=s4, dst=d4, proto=50,
                                                       flags="MF",
                                                       id=int.from_bytes(os.urandom(2), "big"))
                                             / rnd(200)),
                               "rx-steer-frag"),
        "huge-esp-unknown-spi": (lambda: bytes(eth / IP(src=s4, dst=d4)
                                               / ESP(spi=0x66000001, seq=1)
                                               / rnd(1500 - 28)),
                                 "drop-unknown-spi"),
    }


def main():
    iface, mac, s4, d4, s6, d6, spi, spi6, n, spik, key = sys.argv[1:12]
    spi, spi6, n, spik = int(spi, 0), int(spi6, 0), int(n), int(spik, 0)
    key = bytes.fromhex(key)
    for name, (build, counter) in kinds(mac, s4, d4, s6, d6, spi, spi6,
                                        spik, key).items():
        sendp([Ether(build()) for _ in range(n)], iface=iface, verbose=False)
        print(name, counter, n)
    bad_pads(mac, s4, d4, spik, key, n, iface)
    # one well-formed packet n times: the first is delivered, the rest
    # are replays
    once = Ether(dst=mac) / sealed(s4, d4, spik, key, 7,
                                   bytes(UDP(sport=9, dport=9) / (b"r" * 8))
                                   + b"\x01\x02\x02\x11")
    sendp([once] * n, iface=iface, verbose=False)
    print("esp-replay", "drop-replay", n - 1)


def bad_pad(mac, s4, d4, spik, key, seq):
    """Authentic ESP whose pad bytes are 1, 3 instead of 1, 2."""
    plain = bytes(UDP(sport=9, dport=9) / (b"p" * 8)) + b"\x01\x03\x02\x11"
    return Ether(dst=mac) / sealed(s4, d4, spik, key, seq, plain)


def bad_pads(mac, s4, d4, spik, key, n, iface):
    """N distinct bad-pad packets, then N copies of one."""
    sendp([bad_pad(mac, s4, d4, spik, key, 100 + i) for i in range(n)],
          iface=iface, verbose=False)
    print("esp-bad-pad", "drop-bad-pad", n)
    sendp([bad_pad(mac, s4, d4, spik, key, 100 + n)] * n, iface=iface,
          verbose=False)
    print("esp-bad-pad-repeat", "drop-bad-pad", 1)
    print("esp-bad-pad-repeat", "drop-replay", n - 1)


if __name__ == "__main__":
    main()
