# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A bounded storm of malformed and hostile frames at one host.

  storm.py IFACE DSTMAC SRC4 DST4 SRC6 DST6 SPI4 SPI6 N

SPI4/SPI6: SPIs the host knows (their ESP goes to a worker and fails the
ICV check).

Sends N frames of each kind below (nothing else), then prints one line
"kind count" per kind, so the caller can match counters.
"""
import os
import sys

from scapy.all import sendp
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt
from scapy.layers.ipsec import AH, ESP
from scapy.layers.l2 import Ether
from scapy.packet import Raw


def kinds(mac, s4, d4, s6, d6, spi, spi6):
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
    }


def main():
    iface, mac, s4, d4, s6, d6, spi, spi6, n = sys.argv[1:10]
    spi, spi6, n = int(spi, 0), int(spi6, 0), int(n)
    for name, (build, counter) in kinds(mac, s4, d4, s6, d6, spi,
                                        spi6).items():
        sendp([Ether(build()) for _ in range(n)], iface=iface, verbose=False)
        print(name, counter, n)


if __name__ == "__main__":
    main()
