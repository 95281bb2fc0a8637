# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Extended sequence numbers (RFC 4303 2.2.1, RFC 4302) against scapy's
SecurityAssociation(esn_en=True, esn=HIGH).

usage: esn_scapy.py PATH/TO/prog_esp_tool PATH/TO/prog_ah_tool

ESP aes-gcm-16 and chacha20-poly1305 (the high half in the AAD: SPI |
seq_hi | seq_lo), AH hmac-sha1 and hmac-sha2-256 (the high half appended
to the ICV input), IPv4 and IPv6:
  xdpsec sends sequence number HIGH:LOW -> scapy (esn=HIGH) verifies
  scapy sends HIGH:LOW -> xdpsec, whose window puts LOW in block HIGH,
  accepts; a window that puts it in another block refuses it (bad ICV)
and across the boundary (2^32: low half 0, high half 1).  scapy 2.5 leaves
the high half out of ESP's HMAC (its AuthAlgo.sign hashes the ESP bytes
only), so for ESP with an HMAC the ICV is checked here against Python's
hmac over SPI | seq | IV | ciphertext | seq_hi (null + hmac-sha1 on
OpenSSL; aes-cbc + hmac-sha2-256 / hmac-sha512 on ipsec-mb, esp_tool's
default backend).
Prints one "ok - ..." / "not ok - ..." line per check.
"""
import hashlib
import hmac
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import AH, ESP, SecurityAssociation
from scapy.packet import Raw

from xs_scapy import Tap, run_hex as run

ESP_TOOL, AH_TOOL = sys.argv[1], sys.argv[2]
TAP = Tap()
report = TAP.report
B32 = 1 << 32


def cls(data):
    return IP if data[0] >> 4 == 4 else IPv6


def pkts():
    pl = Raw(bytes(range(200)))
    return (("IPv4", IP(src="192.0.2.1", dst="192.0.2.2") / UDP() / pl),
            ("IPv6", IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP() / pl))


def check(tag, tool_args, make_sa, seq):
    """seq: the 64-bit sequence number to use."""
    hi, lo = seq >> 32, seq & 0xffffffff
    sa = make_sa(hi)
    for fam, pkt in pkts():
        orig = bytes(pkt)
        t = "%s %s seq %d:%d" % (tag, fam, hi, lo)
        try:
            wire = run(tool_args + ["enc"] + KEYARGS[tag] + [str(seq)], orig)
            got = sa.decrypt(cls(wire)(wire))
            report(bytes(got) == orig, t + ": xdpsec -> scapy")
        except Exception as e:  # pylint: disable=broad-except
            report(False, "%s: xdpsec -> scapy: %s" % (t, e))
        wire = bytes(sa.encrypt(cls(orig)(orig), seq_num=lo))
        top = seq - 1 if seq > 1 else 0
        try:
            back = run(tool_args + ["-T", str(top), "dec"] + KEYARGS[tag],
                       wire)
            report(back == orig, t + ": scapy -> xdpsec")
        except RuntimeError as e:
            report(False, "%s: scapy -> xdpsec: %s" % (t, e))
        # a window in the next block: the wrong high half, refused
        try:
            run(tool_args + ["-T", str(seq + B32 + 10000), "dec"] +
                KEYARGS[tag], wire)
            report(False, t + ": wrong block accepted")
        except RuntimeError as e:
            report("bad-icv" in str(e), "%s: wrong block refused (%s)" %
                   (t, e))


GCM_KEY = bytes(range(20))
CC_KEY = bytes(range(36))
SHA1_KEY = bytes(range(20))
SHA256_KEY = bytes(range(32))
SPI = 0x4321
KEYARGS = {
    "esp aes-gcm-16": [hex(SPI), GCM_KEY.hex()],
    "esp chacha20-poly1305": [hex(SPI), CC_KEY.hex()],
    "ah hmac-sha1": [hex(SPI), "hmac-sha1", SHA1_KEY.hex()],
    "ah hmac-sha2-256": [hex(SPI), "hmac-sha2-256", SHA256_KEY.hex()],
}


def esp_sa(calgo, key):
    return lambda hi: SecurityAssociation(
        ESP, spi=SPI, crypt_algo=calgo, crypt_key=key, auth_algo="NULL",
        esn_en=True, esn=hi)


def ah_sa(aalgo, key):
    return lambda hi: SecurityAssociation(
        AH, spi=SPI, auth_algo=aalgo, auth_key=key, esn_en=True, esn=hi)


def esp_hmac(enc, ekey, auth, akey, md, icv):
    """ENC + AUTH with ESN: ICV = HMAC(ESP bytes | seq_hi), truncated."""
    seq = (3 << 32) + 9
    orig = bytes(IP(src="192.0.2.1", dst="192.0.2.2") / UDP() / Raw(b"e" * 9))
    sa = ["-E", enc, "-A", auth, akey.hex()]
    wire = run([ESP_TOOL, "-n"] + sa + ["enc", hex(SPI), ekey.hex(), str(seq)],
               orig)
    esp = wire[20:]
    want = hmac.new(akey, esp[:-icv] + (3).to_bytes(4, "big"),
                    md).digest()[:icv]
    tag = "esp %s+%s ESN" % (enc, auth)
    report(esp[-icv:] == want and esp[4:8] == (9).to_bytes(4, "big"),
           tag + ": ICV covers seq_hi (RFC 4303 2.2.1)")
    back = run([ESP_TOOL, "-n", "-T", str(seq - 1)] + sa +
               ["dec", hex(SPI), ekey.hex()], wire)
    report(back == orig, tag + ": xdpsec -> xdpsec")


def main():
    cases = (
        ("esp aes-gcm-16", [ESP_TOOL, "-n", "-E", "aes-gcm-16"],
         esp_sa("AES-GCM", GCM_KEY)),
        ("esp chacha20-poly1305", [ESP_TOOL, "-n", "-E", "chacha20-poly1305"],
         esp_sa("CHACHA20-POLY1305", CC_KEY)),
        ("ah hmac-sha1", [AH_TOOL, "-n"], ah_sa("HMAC-SHA1-96", SHA1_KEY)),
        ("ah hmac-sha2-256", [AH_TOOL, "-n"],
         ah_sa("SHA2-256-128", SHA256_KEY)),
    )
    for tag, args, make in cases:
        for seq in ((5 << 32) + 7, B32, B32 - 1, 77):
            check(tag, args, make, seq)
    esp_hmac("null", b"", "hmac-sha1", SHA1_KEY, hashlib.sha1, 12)
    # esp_tool runs the default backend: AES-CBC + HMAC-SHA* on ipsec-mb
    esp_hmac("aes-cbc", bytes(range(1, 17)), "hmac-sha2-256", SHA256_KEY,
             hashlib.sha256, 16)
    esp_hmac("aes-cbc", bytes(range(2, 34)), "hmac-sha512",
             bytes(range(64)), hashlib.sha512, 32)
    print("# %d failure(s)" % TAP.failures)
    return 1 if TAP.failures else 0


if __name__ == "__main__":
    sys.exit(main())
