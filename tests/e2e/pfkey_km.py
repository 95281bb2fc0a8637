#!/usr/bin/env python3
"""A minimal PF_KEY key manager for the ACQUIRE test of 30-pfkey.sh.

REGISTER for ESP, wait for an SADB_ACQUIRE, check its content, count the
ACQUIREs that follow for a while (the datapath sends at most one per
second per policy), then GETSPI with a one-SPI range and UPDATE the larval
SA with the given key.  Prints "ok - ..." / "not ok - ..." lines.

usage: pfkey_km.py SOCKET SRC DST SPI HEXKEY [WAIT_SECONDS]
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pfkey_conform import (ACQUIRE, EALG_AES_GCM_ICV16, EXT_ADDRESS_DST,  # noqa
                           EXT_ADDRESS_SRC, EXT_KEY_ENCRYPT, EXT_SA,
                           GETSPI, REGISTER, SATYPE_ESP, STATE_LARVAL,
                           UPDATE, Sock, addr, check, key, msg, sa2, sa_ext,
                           sa_of, spirange)
import pfkey_conform

EXT_PROPOSAL, X_EXT_POLICY = 13, 18
COMB_LEN = 72


def ipv4_of(ext_body):
    return ".".join(str(b) for b in ext_body[8 + 4:8 + 8])


def main():
    path, src, dst, spi, hexkey = sys.argv[1:6]
    wait = float(sys.argv[6]) if len(sys.argv) > 6 else 20
    spi = int(spi, 0)
    s = Sock(path)
    h, _ = s.req(msg(REGISTER, SATYPE_ESP, 1))
    check("key manager registered for ESP", h["errno"] == 0)
    print("# registered", flush=True)
    end = time.time() + wait
    first = None
    while time.time() < end:
        r = s.recv(0.5)
        if r and r[0]["type"] == ACQUIRE:
            first = r
            break
    check("SADB_ACQUIRE received", first is not None)
    if first is None:
        return 1
    h, e = first
    check("ACQUIRE: satype ESP, pid 0, errno 0",
          h["satype"] == SATYPE_ESP and h["pid"] == 0 and h["errno"] == 0)
    check("ACQUIRE: SA endpoints %s -> %s" % (src, dst),
          EXT_ADDRESS_SRC in e and EXT_ADDRESS_DST in e and
          ipv4_of(e[EXT_ADDRESS_SRC]) == src and
          ipv4_of(e[EXT_ADDRESS_DST]) == dst)
    pol = e.get(X_EXT_POLICY)
    ok = pol is not None
    if ok:
        ptype, pdir, _, pid = struct.unpack_from("<HBBI", pol, 4)
        ok = ptype == 2 and pdir == 2 and pid != 0  # ipsec, outbound
    check("ACQUIRE: X_POLICY of the outbound ipsec policy", ok)
    prop = e.get(EXT_PROPOSAL)
    encs = []
    if prop is not None:
        for off in range(8, len(prop) - COMB_LEN + 1, COMB_LEN):
            encs.append(prop[off + 1])
    check("ACQUIRE: proposal lists aes-gcm-16 (%d combinations)" % len(encs),
          EALG_AES_GCM_ICV16 in encs)
    # more traffic meanwhile: at most one ACQUIRE per second
    n, t0 = 0, time.time()
    while time.time() - t0 < 2.5:
        r = s.recv(0.2)
        if r and r[0]["type"] == ACQUIRE:
            n += 1
    check("rate limit: %d more ACQUIREs in 2.5 s (at most 3)" % n, n <= 3)

    h, e = s.req(msg(GETSPI, SATYPE_ESP, 2, addr(EXT_ADDRESS_SRC, src),
                     addr(EXT_ADDRESS_DST, dst), sa2(),
                     spirange(spi, spi)))
    while h["type"] != GETSPI:  # skip ACQUIREs in between
        h, e = s.recv()
    got = sa_of(e) if h["errno"] == 0 and EXT_SA in e else (0, -1, 0)
    check("GETSPI gives the requested SPI 0x%x, larval" % spi,
          got[0] == spi and got[1] == STATE_LARVAL)
    k = bytes.fromhex(hexkey)
    s.send(msg(UPDATE, SATYPE_ESP, 3, sa_ext(spi, enc=EALG_AES_GCM_ICV16),
               sa2(), addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
               key(EXT_KEY_ENCRYPT, k)))
    while True:
        r = s.recv()
        if r is None or r[0]["type"] == UPDATE:
            break
    check("UPDATE with the key completes the SA",
          r is not None and r[0]["errno"] == 0)
    return 1 if pfkey_conform.fails else 0


if __name__ == "__main__":
    sys.exit(main())
