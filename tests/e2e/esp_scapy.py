# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""ESP wire truth against an independent peer: scapy's SecurityAssociation.

usage: esp_scapy.py PATH/TO/prog_esp_tool

For AES-GCM-128 and -256 (aes-gcm-16, key with the 4-byte salt at the end),
IPv4 and IPv6, TCP, UDP and ICMP, payloads of several sizes:
  xdpsec encrypts -> scapy decrypts: the inner datagram equals the original
  scapy encrypts -> xdpsec decrypts: the result equals the original
and the same, IPv4/IPv6 TCP/UDP, for every other algorithm scapy 2.5 runs:
chacha20-poly1305, aes-cbc and aes-ctr with each HMAC (hmac-sha1, -sha256,
-sha384, -sha512, -md5), null with an HMAC.  AES-GMAC (RFC 4543) is not in
scapy and scapy's AES-GCM with an 8 or 12-byte ICV cannot verify (it uses
AESGCM, 16-byte tags only): for aes-gmac, aes-gcm-8 and aes-gcm-12,
python3-cryptography (AESGCM, and Cipher/GCM with min_tag_length for the
short tags) plays the peer.
Prints one "ok - ..." / "not ok - ..." line per check.
"""
import os
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoRequest, IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting)
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw

from xs_scapy import Tap, gcm_sa, run_hex

TOOL = sys.argv[1]
SIZES = (0, 1, 2, 3, 5, 64, 333, 1400)
TAP = Tap()
report = TAP.report


ALGS = None  # setkey names for the tool: ["-E", enc, "-A", auth, key]


def tool(mode, spi, key, data, seq=None):
    args = [TOOL] + (ALGS or []) + [mode, hex(spi), key.hex()]
    if seq is not None:
        args.append(str(seq))
    return run_hex(args, data)


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


# setkey enc, key bytes (salt included), scapy crypt_algo, icv size,
# setkey auth, key bytes, scapy auth_algo
SUITES = (
    ("chacha20-poly1305", 36, "CHACHA20-POLY1305", None, None, 0, "NULL"),
    ("aes-cbc", 16, "AES-CBC", None, "hmac-sha1", 20, "HMAC-SHA1-96"),
    ("aes-cbc", 32, "AES-CBC", None, "hmac-sha256", 32, "SHA2-256-128"),
    ("rijndael-cbc", 24, "AES-CBC", None, "hmac-sha384", 48,
     "SHA2-384-192"),
    ("aes-cbc", 16, "AES-CBC", None, "hmac-sha512", 64, "SHA2-512-256"),
    ("aes-cbc", 16, "AES-CBC", None, "hmac-md5", 16, "HMAC-MD5-96"),
    ("aes-ctr", 20, "AES-CTR", None, "hmac-sha1", 20, "HMAC-SHA1-96"),
    ("aes-ctr", 36, "AES-CTR", None, "hmac-sha256", 32, "SHA2-256-128"),
    ("null", 0, "NULL", None, "hmac-sha512", 64, "SHA2-512-256"),
    ("null", 0, "NULL", None, "hmac-sha1", 20, "HMAC-SHA1-96"),
)


def suite(enc, elen, calgo, icv, auth, alen, aalgo, spi):
    global ALGS
    key = os.urandom(elen)
    akey = os.urandom(alen) if auth else None
    ALGS = ["-E", enc] + (["-A", auth, akey.hex()] if auth else [])
    kw = {"crypt_icv_size": icv} if icv else {}
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo=calgo, crypt_key=key,
                             auth_algo=aalgo, auth_key=akey, **kw)
    name = enc + ("" if not auth else "+" + auth) + "/%d" % (elen * 8)
    for fam in (4, 6):
        for proto in ("tcp", "udp"):
            what = "%s IPv%d %s" % (name, fam, proto)
            check("xdpsec -> scapy " + what, xdpsec_to_scapy, sa, spi, key,
                  fam, proto)
            check("scapy -> xdpsec " + what, scapy_to_xdpsec, sa, spi, key,
                  fam, proto)
    check(name + " scapy packet with a flipped byte: drop-bad-icv", tamper,
          sa, spi, key)
    ALGS = None


def peer_seal(key, icv, gmac, spi, seq, iv, body):
    """python3-cryptography as the peer: RFC 4543 GMAC (GCM with no
    plaintext over SPI | seq | IV | body) or RFC 4106 GCM with the tag cut
    to icv bytes.  Returns what follows the IV on the wire."""
    hdr = struct.pack(">II", spi, seq)
    aes = AESGCM(key[:-4])
    if gmac:
        return body + aes.encrypt(key[-4:] + iv, b"", hdr + iv + body)
    sealed = aes.encrypt(key[-4:] + iv, body, hdr)
    return sealed[:-16] + sealed[-16:][:icv]


def peer_open(key, icv, gmac, esp):
    """The body of ESP packet esp, or None if its ICV does not verify."""
    iv, rest, tag = esp[8:16], esp[16:-icv], esp[-icv:]
    aad = esp[:8] + (iv + rest if gmac else b"")
    dec = Cipher(algorithms.AES(key[:-4]),
                 modes.GCM(key[-4:] + iv, tag, min_tag_length=icv)).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        pt = dec.update(b"" if gmac else rest) + dec.finalize()
    except InvalidTag:
        return None
    return rest if gmac else pt


def to_peer(key, icv, gmac, spi, fam, proto):
    """xdpsec -> python3-cryptography: the ICV verifies, the body is the
    datagram's payload and trailer."""
    for n, size in enumerate(SIZES):
        orig = inner(fam, proto, size)
        hl = 20 if fam == 4 else 40
        esp = tool("enc", spi, key, orig, 50 + n)[hl:]
        spi_, seq = struct.unpack(">II", esp[:8])
        if (spi_, seq) != (spi, 50 + n):
            return "size %d: ESP header %x/%d" % (size, spi_, seq)
        body = peer_open(key, icv, gmac, esp)
        if body is None or len(body) % 4:
            return "size %d: ICV does not verify" % size
        if gmac and body != esp[16:-icv]:
            return "size %d: GMAC payload not in clear" % size
        padlen, nh = body[-2], body[-1]
        if body[:-2 - padlen] != orig[hl:] or nh != orig[9 if fam == 4 else 6]:
            return "size %d: payload/next header differ" % size
    return None


def from_peer(key, icv, gmac, spi, fam, proto):
    """python3-cryptography seals, xdpsec opens; a flipped ICV byte is
    drop-bad-icv."""
    for n, size in enumerate(SIZES):
        orig = inner(fam, proto, size)
        ip = parse(fam, orig)
        hl = 20 if fam == 4 else 40
        nh = orig[9 if fam == 4 else 6]
        payload = orig[hl:]
        padlen = (-(len(payload) + 2)) % 4
        body = payload + bytes(range(1, padlen + 1)) + bytes([padlen, nh])
        iv, seq = os.urandom(8), 60 + n
        esp = struct.pack(">II", spi, seq) + iv
        esp += peer_seal(key, icv, gmac, spi, seq, iv, body)
        ip.remove_payload()
        if fam == 4:
            ip.proto, ip.len, ip.chksum = 50, None, None
        else:
            ip.nh, ip.plen = 50, None
        pkt = bytes(ip / Raw(esp))
        dec = tool("dec", spi, key, pkt)
        if dec != orig:
            return "size %d: xdpsec decrypted %s" % (size, dec.hex())
        bad = bytearray(pkt)
        bad[-1] ^= 1
        try:
            tool("dec", spi, key, bytes(bad))
            return "size %d: tampered ICV accepted" % size
        except RuntimeError as e:
            if "drop-bad-icv" not in str(e):
                return str(e)
    return None


# Not in scapy 2.5 (AES-GMAC), or broken there (AES-GCM with crypt_icv_size
# 8/12: scapy verifies with AESGCM, which takes 16-byte tags only): setkey
# name, key bytes, ICV bytes, GMAC?
PEER_SUITES = (
    ("aes-gmac", 20, 16, True),
    ("aes-gmac", 36, 16, True),
    ("aes-gcm-12", 20, 12, False),
    ("aes-gcm-12", 28, 12, False),
    ("aes-gcm-8", 36, 8, False),
)


def peer_suites():
    global ALGS
    for n, (enc, elen, icv, gmac) in enumerate(PEER_SUITES):
        key = os.urandom(elen)
        spi = 0x3000 + n
        ALGS = ["-E", enc]
        for fam in (4, 6):
            for proto in ("tcp", "udp"):
                what = "%s/%d IPv%d %s" % (enc, (elen - 4) * 8, fam, proto)
                check("xdpsec -> cryptography " + what, to_peer, key, icv,
                      gmac, spi, fam, proto)
                check("cryptography -> xdpsec " + what, from_peer, key,
                      icv, gmac, spi, fam, proto)
    ALGS = None


def main():
    for bits in (128, 256):
        key = os.urandom(bits // 8) + os.urandom(4)  # key | salt
        spi = 0x1000 + bits
        sa = gcm_sa(spi, key)
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
    for n, s in enumerate(SUITES):
        suite(*s, spi=0x2000 + n)
    peer_suites()
    return 1 if TAP.failures else 0


if __name__ == "__main__":
    sys.exit(main())
