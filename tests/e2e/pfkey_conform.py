#!/usr/bin/env python3
"""PF_KEY v2 conformance over xdpsecd's real socket (SOCK_SEQPACKET).

Independent of the C codec: messages are built and read here with
struct, from the layouts of <linux/pfkeyv2.h>.  Three sockets: s1 sends
(and is registered for ESP), s2 only listens (broadcasts), s3 is
promiscuous.  Prints "ok - ..." /
"not ok - ..." lines (the e2e convention).

usage: pfkey_conform.py SOCKET
"""
import errno
import socket
import struct
import sys

# <linux/pfkeyv2.h>
GETSPI, UPDATE, ADD, DELETE, GET, ACQUIRE, REGISTER, EXPIRE, FLUSH, DUMP, \
    X_PROMISC = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
X_SPDUPDATE, X_SPDADD, X_SPDDELETE, X_SPDGET = 13, 14, 15, 16
X_SPDDUMP, X_SPDFLUSH, X_SPDSETIDX, X_SPDEXPIRE, X_SPDDELETE2 = \
    18, 19, 20, 21, 22
SATYPE_UNSPEC, SATYPE_AH, SATYPE_ESP = 0, 2, 3
EXT_SA, EXT_ADDRESS_SRC, EXT_ADDRESS_DST = 1, 5, 6
EXT_KEY_AUTH, EXT_KEY_ENCRYPT = 8, 9
EXT_SUPPORTED_ENCRYPT, EXT_SPIRANGE = 15, 16
EXT_LIFETIME_CURRENT, EXT_LIFETIME_HARD, X_EXT_SA2 = 2, 3, 19
X_EXT_POLICY = 18
# <linux/ipsec.h>
DIR_IN, DIR_OUT = 1, 2
POLICY_DISCARD, POLICY_IPSEC = 1, 2
LEVEL_REQUIRE = 2
X_EXT_NAT_T_TYPE, X_EXT_NAT_T_SPORT, X_EXT_NAT_T_DPORT, X_EXT_NAT_T_OA = \
    20, 21, 22, 23
EALG_AES_GCM_ICV16 = 20
AALG_SHA2_256HMAC = 5
STATE_LARVAL, STATE_MATURE = 0, 1
MODE_TRANSPORT, MODE_TUNNEL = 1, 2
# <linux/udp.h>
UDP_ENCAP_ESPINUDP_NON_IKE, UDP_ENCAP_ESPINUDP = 1, 2

fails = 0


def check(desc, cond):
    global fails
    print(("ok - " if cond else "not ok - ") + desc, flush=True)
    if not cond:
        fails += 1


def ext(etype, body):
    body += b"\0" * (-(len(body) + 4) % 8)
    return struct.pack("<HH", (len(body) + 4) // 8, etype) + body


def msg(mtype, satype, seq, *exts, version=2, pid=4242, err=0):
    body = b"".join(exts)
    return struct.pack("<BBBBHHII", version, mtype, err, satype,
                       (16 + len(body)) // 8, 0, seq, pid) + body


def addr(etype, ip):
    sa = struct.pack("<H", socket.AF_INET) + b"\0\0" + \
        socket.inet_aton(ip) + b"\0" * 8
    return ext(etype, struct.pack("<BBH", 255, 32, 0) + sa)


def addr6(etype, ip, plen=128, proto=255):
    sa = struct.pack("<HHI", socket.AF_INET6, 0, 0) + \
        socket.inet_pton(socket.AF_INET6, ip) + b"\0" * 4
    return ext(etype, struct.pack("<BBH", proto, plen, 0) + sa)


def sa_ext(spi, state=STATE_MATURE, enc=0, auth=0):
    return ext(EXT_SA, struct.pack(">I", spi) +
               struct.pack("<BBBBI", 0, state, auth, enc, 0))


def natt_type(t):
    """sadb_x_nat_t_type: type, 3 reserved bytes"""
    return ext(X_EXT_NAT_T_TYPE, struct.pack("<B3x", t))


def natt_port(etype, port):
    """sadb_x_nat_t_port: port in network order, 2 reserved bytes"""
    return ext(etype, struct.pack(">H2x", port))


def natt_of(exts):
    """(type, sport, dport, OA) from a reply; None where absent"""
    t = exts.get(X_EXT_NAT_T_TYPE)
    sp = exts.get(X_EXT_NAT_T_SPORT)
    dp = exts.get(X_EXT_NAT_T_DPORT)
    oa = exts.get(X_EXT_NAT_T_OA)
    return (t[4] if t else None,
            struct.unpack_from(">H", sp, 4)[0] if sp else None,
            struct.unpack_from(">H", dp, 4)[0] if dp else None,
            socket.inet_ntoa(oa[12:16]) if oa else None)


def sa2(mode=MODE_TRANSPORT, reqid=0):
    return ext(X_EXT_SA2, struct.pack("<BBHII", mode, 0, 0, 0, reqid))


def key(etype, k):
    return ext(etype, struct.pack("<HH", len(k) * 8, 0) + k)


def spirange(lo, hi):
    return ext(EXT_SPIRANGE, struct.pack("<III", lo, hi, 0))


def sel(etype, ip, plen, proto=255):
    """a selector address: prefix length and upper-layer protocol"""
    sa = struct.pack("<H", socket.AF_INET) + b"\0\0" + \
        socket.inet_aton(ip) + b"\0" * 8
    return ext(etype, struct.pack("<BBH", proto, plen, 0) + sa)


def policy(direction, ptype=POLICY_IPSEC, pid=0):
    """sadb_x_policy (+ one esp/transport/require request for IPSEC)"""
    body = struct.pack("<HBBII", ptype, direction, 0, pid, 0x80000000)
    if ptype == POLICY_IPSEC:
        body += struct.pack("<HHBBHII", 16, 50, MODE_TRANSPORT,
                            LEVEL_REQUIRE, 0, 0, 0)
    return ext(X_EXT_POLICY, body)


def lifetime(etype, addtime, usetime=0):
    return ext(etype, struct.pack("<IQQQ", 0, 0, addtime, usetime))


def policy_of(exts):
    """(type, dir, id) of the X_POLICY extension"""
    t, d, _, pid, _ = struct.unpack_from("<HBBII", exts[X_EXT_POLICY], 4)
    return t, d, pid


def lifetime_of(exts, etype):
    """(addtime, usetime) of a lifetime extension, None if absent"""
    lt = exts.get(etype)
    return struct.unpack_from("<QQ", lt, 16) if lt else None


def parse(buf):
    """(header dict, {exttype: body bytes incl. ext header})"""
    ver, mtype, err, satype, mlen, _, seq, pid = \
        struct.unpack_from("<BBBBHHII", buf)
    h = dict(version=ver, type=mtype, errno=err, satype=satype, len=mlen,
             seq=seq, pid=pid)
    exts, off = {}, 16
    while off + 4 <= len(buf):
        elen, etype = struct.unpack_from("<HH", buf, off)
        if elen == 0:
            break
        exts[etype] = buf[off:off + elen * 8]
        off += elen * 8
    return h, exts


def sa_of(exts):
    spi, = struct.unpack_from(">I", exts[EXT_SA], 4)
    _, state, _, enc, _ = struct.unpack_from("<BBBBI", exts[EXT_SA], 8)
    return spi, state, enc


class Sock:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)
        self.s.settimeout(2)

    def send(self, m):
        self.s.send(m)

    def recv(self, timeout=2):
        self.s.settimeout(timeout)
        try:
            b = self.s.recv(65536)
        except socket.timeout:
            return None
        h, e = parse(b)
        if h["len"] * 8 != len(b):
            raise AssertionError("length mismatch")
        return h, e

    def drain(self, timeout=0.3):
        out = []
        while True:
            r = self.recv(timeout)
            if r is None:
                return out
            out.append(r)

    def req(self, m):
        self.send(m)
        return self.recv()


def spd_cases(s1, s2, s3):
    """SPD messages; s1 is registered (ESP), s2 plain, s3 promiscuous"""
    src, dst = sel(EXT_ADDRESS_SRC, "10.97.0.0", 24), \
        sel(EXT_ADDRESS_DST, "10.97.1.1", 32)
    s2.drain()
    s3.drain()
    h, e = s1.req(msg(X_SPDADD, SATYPE_UNSPEC, 30, src, dst, policy(DIR_OUT)))
    ok = h["type"] == X_SPDADD and h["errno"] == 0 and X_EXT_POLICY in e
    pid = policy_of(e)[2] if ok else 0
    check("X_SPDADD: the reply carries the new policy id (%d)" % pid,
          ok and pid != 0 and h["satype"] == SATYPE_UNSPEC)
    got = s2.drain()
    check("X_SPDADD is broadcast", len(got) == 1 and
          got[0][0]["type"] == X_SPDADD)
    check("promiscuous socket sees the X_SPDADD request and reply",
          len(s3.drain()) == 2)
    h, _ = s1.req(msg(X_SPDADD, SATYPE_UNSPEC, 31, src, dst, policy(DIR_OUT)))
    check("X_SPDADD of an existing policy: EEXIST",
          h["errno"] == errno.EEXIST)
    h, e = s1.req(msg(X_SPDGET, SATYPE_UNSPEC, 32, policy(0, pid=pid)))
    check("X_SPDGET by id: the policy with LIFETIME_CURRENT",
          h["errno"] == 0 and policy_of(e) == (POLICY_IPSEC, DIR_OUT, pid) and
          lifetime_of(e, EXT_LIFETIME_CURRENT) is not None)
    check("X_SPDGET reply reaches the sender only", not s2.drain())
    h, e = s1.req(msg(X_SPDUPDATE, SATYPE_UNSPEC, 33, src, dst,
                      policy(DIR_OUT, POLICY_DISCARD)))
    check("X_SPDUPDATE replaces it in place (same id, now discard)",
          h["errno"] == 0 and policy_of(e) == (POLICY_DISCARD, DIR_OUT, pid))
    h, e = s1.req(msg(X_SPDSETIDX, SATYPE_UNSPEC, 34, src, dst,
                      policy(DIR_IN, POLICY_DISCARD)))
    pid_in = policy_of(e)[2] if h["errno"] == 0 else 0
    check("X_SPDSETIDX adds a policy", h["errno"] == 0 and pid_in != 0)
    s1.send(msg(X_SPDDUMP, SATYPE_UNSPEC, 35))
    got = s1.drain()
    check("X_SPDDUMP: two policies, seq counting down to 0",
          [x[0]["seq"] for x in got] == [1, 0])
    h, _ = s1.req(msg(X_SPDDELETE, SATYPE_UNSPEC, 36, src, dst,
                      policy(DIR_OUT, POLICY_DISCARD)))
    check("X_SPDDELETE by selector", h["errno"] == 0)
    h, _ = s1.req(msg(X_SPDDELETE, SATYPE_UNSPEC, 37, src, dst,
                      policy(DIR_OUT, POLICY_DISCARD)))
    check("X_SPDDELETE of a missing policy: ENOENT",
          h["errno"] == errno.ENOENT)
    h, _ = s1.req(msg(X_SPDDELETE2, SATYPE_UNSPEC, 38, policy(0, pid=pid_in)))
    check("X_SPDDELETE2 by id", h["errno"] == 0)
    h, _ = s1.req(msg(X_SPDGET, SATYPE_UNSPEC, 39, policy(0, pid=pid_in)))
    check("X_SPDGET of a deleted id: ENOENT", h["errno"] == errno.ENOENT)
    h, _ = s1.req(msg(X_SPDADD, SATYPE_UNSPEC, 40, src, dst))
    check("X_SPDADD without X_POLICY: EINVAL", h["errno"] == errno.EINVAL)
    spd_lifetime(s1, s2, s3, src, dst)


def spd_lifetime(s1, s2, s3, src, dst):
    """a policy with a 2 s hard lifetime goes, with X_SPDEXPIRE"""
    s2.drain()
    s3.drain()
    h, e = s1.req(msg(X_SPDADD, SATYPE_UNSPEC, 41, src, dst, policy(DIR_OUT),
                      lifetime(EXT_LIFETIME_HARD, 2)))
    pid = policy_of(e)[2] if h["errno"] == 0 else 0
    check("X_SPDADD with LIFETIME_HARD 2 s: echoed in the reply",
          h["errno"] == 0 and lifetime_of(e, EXT_LIFETIME_HARD) == (2, 0))
    h, e = s1.req(msg(X_SPDGET, SATYPE_UNSPEC, 42, policy(0, pid=pid)))
    check("X_SPDGET shows the hard lifetime",
          h["errno"] == 0 and lifetime_of(e, EXT_LIFETIME_HARD) == (2, 0))
    s2.drain(0.1)
    s3.drain(0.1)
    exp = s1.recv(5)
    check("X_SPDEXPIRE reaches the registered socket within 5 s",
          exp is not None and exp[0]["type"] == X_SPDEXPIRE)
    if exp is not None:
        h, e = exp
        check("X_SPDEXPIRE: satype 0, seq 0, the policy, its selector and "
              "lifetimes (current, hard)",
              h["satype"] == 0 and h["seq"] == 0 and h["errno"] == 0 and
              policy_of(e) == (POLICY_IPSEC, DIR_OUT, pid) and
              EXT_ADDRESS_SRC in e and EXT_ADDRESS_DST in e and
              lifetime_of(e, EXT_LIFETIME_HARD) == (2, 0) and
              lifetime_of(e, EXT_LIFETIME_CURRENT) is not None)
    got = s3.drain(1)
    check("the promiscuous socket gets the X_SPDEXPIRE too",
          any(x[0]["type"] == X_SPDEXPIRE for x in got))
    check("a plain socket does not", not s2.drain(0.5))
    h, _ = s1.req(msg(X_SPDGET, SATYPE_UNSPEC, 43, policy(0, pid=pid)))
    check("the expired policy is gone", h["errno"] == errno.ENOENT)


def main():
    path = sys.argv[1]
    s1, s2, s3 = Sock(path), Sock(path), Sock(path)
    h, _ = s3.req(msg(X_PROMISC, 1, 1))
    check("X_PROMISC accepted", h["type"] == X_PROMISC and h["errno"] == 0)

    h, e = s1.req(msg(REGISTER, SATYPE_ESP, 2))
    check("REGISTER esp: reply with SUPPORTED_ENCRYPT",
          h["type"] == REGISTER and h["errno"] == 0 and
          EXT_SUPPORTED_ENCRYPT in e)
    check("REGISTER reply reaches the sender only", not s2.drain())
    got = s3.drain()
    check("promiscuous socket sees the REGISTER request",
          any(x[0]["type"] == REGISTER and x[0]["pid"] == 4242 for x in got))

    src, dst = "10.98.0.1", "10.98.0.2"
    h, e = s1.req(msg(GETSPI, SATYPE_ESP, 3, addr(EXT_ADDRESS_SRC, src),
                      addr(EXT_ADDRESS_DST, dst), sa2(),
                      spirange(0x5000, 0x5fff)))
    ok = h["type"] == GETSPI and h["errno"] == 0 and EXT_SA in e
    spi, state, _ = sa_of(e) if ok else (0, -1, 0)
    check("GETSPI: larval SA with an SPI in the range (0x%x)" % spi,
          ok and state == STATE_LARVAL and 0x5000 <= spi <= 0x5fff and
          EXT_ADDRESS_SRC in e and EXT_ADDRESS_DST in e)
    check("GETSPI reply reaches the sender only", not s2.drain())
    s3.drain()

    k = bytes(range(20))
    upd = msg(UPDATE, SATYPE_ESP, 4, sa_ext(spi, enc=EALG_AES_GCM_ICV16),
              sa2(), addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
              key(EXT_KEY_ENCRYPT, k))
    h, e = s1.req(upd)
    check("UPDATE completes the larval SA",
          h["type"] == UPDATE and h["errno"] == 0)
    got = s2.drain()
    check("UPDATE is broadcast to another socket, without keys",
          len(got) == 1 and got[0][0]["type"] == UPDATE and
          EXT_KEY_ENCRYPT not in got[0][1])
    got = s3.drain()
    check("promiscuous socket sees the request (keys stripped) and reply",
          len(got) == 2 and all(EXT_KEY_ENCRYPT not in x[1] for x in got))
    h, e = s1.req(msg(GET, SATYPE_ESP, 5, sa_ext(spi),
                      addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst)))
    check("GET: the SA is mature, with LIFETIME_CURRENT",
          h["errno"] == 0 and sa_of(e)[1] == STATE_MATURE and
          sa_of(e)[2] == EALG_AES_GCM_ICV16 and EXT_LIFETIME_CURRENT in e)
    check("GET reply reaches the sender only", not s2.drain())

    add = msg(ADD, SATYPE_ESP, 6, sa_ext(0x6001, enc=EALG_AES_GCM_ICV16),
              sa2(), addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
              key(EXT_KEY_ENCRYPT, k))
    h, _ = s1.req(add)
    check("ADD", h["type"] == ADD and h["errno"] == 0)
    h, _ = s1.req(add)
    check("ADD of an existing SA: EEXIST", h["errno"] == errno.EEXIST)
    s1.send(msg(DUMP, SATYPE_ESP, 7))
    got = s1.drain()
    check("DUMP: two entries, seq counting down to 0",
          [x[0]["seq"] for x in got] == [1, 0] and
          all(x[0]["type"] == DUMP for x in got))
    s2.drain()
    h, _ = s1.req(msg(DELETE, SATYPE_ESP, 8, sa_ext(0x6001),
                      addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst)))
    check("DELETE", h["type"] == DELETE and h["errno"] == 0)
    check("DELETE is broadcast", len(s2.drain()) == 1)
    h, _ = s1.req(msg(DELETE, SATYPE_ESP, 9, sa_ext(0x6001),
                      addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst)))
    check("DELETE of a missing SA: ENOENT", h["errno"] == errno.ENOENT)

    # NAT traversal (RFC 3948): an ESP-in-UDP SA keeps its extensions
    natt = (natt_type(UDP_ENCAP_ESPINUDP), natt_port(X_EXT_NAT_T_SPORT, 4500),
            natt_port(X_EXT_NAT_T_DPORT, 61000),
            addr(X_EXT_NAT_T_OA, "192.168.7.7"))
    h, e = s1.req(msg(ADD, SATYPE_ESP, 20,
                      sa_ext(0x6101, enc=EALG_AES_GCM_ICV16),
                      sa2(MODE_TUNNEL), addr(EXT_ADDRESS_SRC, src),
                      addr(EXT_ADDRESS_DST, dst), key(EXT_KEY_ENCRYPT, k),
                      *natt))
    check("ADD with NAT-T extensions (ESP in UDP, ports 4500/61000, OA)",
          h["type"] == ADD and h["errno"] == 0 and
          natt_of(e) == (2, 4500, 61000, "192.168.7.7"))
    s2.drain()
    s3.drain()
    h, e = s1.req(msg(GET, SATYPE_ESP, 21, sa_ext(0x6101),
                      addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst)))
    check("GET of the NAT-T SA shows its type, ports and OA: %s" %
          (natt_of(e),),
          h["errno"] == 0 and natt_of(e) == (2, 4500, 61000, "192.168.7.7"))
    h, e = s1.req(msg(ADD, SATYPE_ESP, 22,
                      sa_ext(0x6102, enc=EALG_AES_GCM_ICV16), sa2(),
                      addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
                      key(EXT_KEY_ENCRYPT, k), natt_type(UDP_ENCAP_ESPINUDP)))
    check("ADD with NAT_T_TYPE alone: both ports 4500, no OA",
          h["errno"] == 0 and natt_of(e) == (2, 4500, 4500, None))
    ah = (sa2(), addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
          key(EXT_KEY_AUTH, bytes(range(32))))
    h, e = s1.req(msg(ADD, SATYPE_AH, 23,
                      sa_ext(0x6103, auth=AALG_SHA2_256HMAC), *ah))
    check("ADD of a plain AH SA (control for the refusal below)",
          h["errno"] == 0 and natt_of(e) == (None, None, None, None))
    for spi, sat in ((0x6101, SATYPE_ESP), (0x6102, SATYPE_ESP),
                     (0x6103, SATYPE_AH)):
        s1.req(msg(DELETE, sat, 24, sa_ext(spi), addr(EXT_ADDRESS_SRC, src),
                   addr(EXT_ADDRESS_DST, dst)))
    s2.drain()
    s3.drain()

    # malformed or refused requests: an errno reply, to the sender only
    bad = [
        ("ADD of an AH SA with NAT-T",
         msg(ADD, SATYPE_AH, 10, sa_ext(0x7003, auth=AALG_SHA2_256HMAC),
             *ah, natt_type(UDP_ENCAP_ESPINUDP)), errno.EINVAL),
        ("ADD with NAT-T type NON_IKE",
         msg(ADD, SATYPE_ESP, 10, sa_ext(0x7004, enc=EALG_AES_GCM_ICV16),
             addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
             key(EXT_KEY_ENCRYPT, k), natt_type(UDP_ENCAP_ESPINUDP_NON_IKE)),
         errno.EOPNOTSUPP),
        ("ADD with NAT-T source port 0",
         msg(ADD, SATYPE_ESP, 10, sa_ext(0x7005, enc=EALG_AES_GCM_ICV16),
             addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
             key(EXT_KEY_ENCRYPT, k), natt_type(UDP_ENCAP_ESPINUDP),
             natt_port(X_EXT_NAT_T_SPORT, 0)), errno.EINVAL),
        ("ADD with a NAT-T port but no type",
         msg(ADD, SATYPE_ESP, 10, sa_ext(0x7006, enc=EALG_AES_GCM_ICV16),
             addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
             key(EXT_KEY_ENCRYPT, k), natt_port(X_EXT_NAT_T_DPORT, 4500)),
         errno.EINVAL),
        ("version 1", msg(FLUSH, 0, 10, version=1), errno.EINVAL),
        ("length field too long",
         msg(FLUSH, 0, 10)[:4] + struct.pack("<H", 4) + msg(FLUSH, 0, 10)[6:],
         errno.EINVAL),
        ("type 0", msg(0, 0, 10), errno.EINVAL),
        ("type beyond SADB_MAX", msg(30, 0, 10), errno.EINVAL),
        ("extension of length 0",
         msg(FLUSH, 0, 10, struct.pack("<HHI", 0, EXT_SA, 0)), errno.EINVAL),
        ("duplicated extension",
         msg(GET, SATYPE_ESP, 10, sa_ext(1), sa_ext(1)), errno.EINVAL),
        ("unknown extension type 28",
         msg(FLUSH, 0, 10, ext(28, b"\0" * 4)), errno.EINVAL),
        ("ADD with an IPv4 source and an IPv6 destination",
         msg(ADD, SATYPE_ESP, 10, sa_ext(0x7007, enc=EALG_AES_GCM_ICV16),
             addr(EXT_ADDRESS_SRC, src), addr6(EXT_ADDRESS_DST, "2001:db8::2"),
             key(EXT_KEY_ENCRYPT, k)), errno.EINVAL),
        ("X_SPDADD with an IPv4 source and an IPv6 destination",
         msg(X_SPDADD, 0, 10, addr(EXT_ADDRESS_SRC, src),
             addr6(EXT_ADDRESS_DST, "2001:db8::2"), policy(DIR_OUT)),
         errno.EINVAL),
        ("X_SPDADD with direction 0",
         msg(X_SPDADD, 0, 10, addr(EXT_ADDRESS_SRC, src),
             addr(EXT_ADDRESS_DST, dst), policy(0)), errno.EINVAL),
        ("truncated X_POLICY request",
         msg(X_SPDADD, 0, 10, addr(EXT_ADDRESS_SRC, src),
             addr(EXT_ADDRESS_DST, dst),
             ext(X_EXT_POLICY, struct.pack("<HBBII", POLICY_IPSEC, DIR_OUT,
                                           0, 0, 0) +
                 struct.pack("<HHBBH", 16, 50, MODE_TRANSPORT, 2, 0))),
         errno.EINVAL),
        ("ADD without keys",
         msg(ADD, SATYPE_ESP, 10, sa_ext(0x7001, enc=EALG_AES_GCM_ICV16),
             addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst)),
         errno.EINVAL),
        ("GETSPI satype unspec",
         msg(GETSPI, SATYPE_UNSPEC, 10, addr(EXT_ADDRESS_SRC, src),
             addr(EXT_ADDRESS_DST, dst)), errno.EINVAL),
        ("GETSPI range below 0x100",
         msg(GETSPI, SATYPE_ESP, 10, addr(EXT_ADDRESS_SRC, src),
             addr(EXT_ADDRESS_DST, dst), spirange(1, 0xff)), errno.EINVAL),
        ("UPDATE of an unknown SPI",
         msg(UPDATE, SATYPE_ESP, 10, sa_ext(0x7002, enc=EALG_AES_GCM_ICV16),
             addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst),
             key(EXT_KEY_ENCRYPT, k)), errno.ENOENT),
        ("EXPIRE from a client", msg(EXPIRE, SATYPE_ESP, 10), errno.EOPNOTSUPP),
        ("ACQUIRE from a client without errno (no failure notice)",
         msg(ACQUIRE, SATYPE_ESP, 10), errno.EINVAL),
        ("ACQUIRE failure notice with extensions",
         msg(ACQUIRE, SATYPE_ESP, 10, addr(EXT_ADDRESS_SRC, src),
             err=errno.ETIMEDOUT), errno.EINVAL),
    ]
    s2.drain()
    for name, m, want in bad:
        s1.send(m)
        r = s1.recv()
        check("malformed/refused: %s -> errno %d" % (name, want),
              r is not None and r[0]["errno"] == want and r[0]["len"] == 2)
    check("error replies reach the sender only", not s2.drain())
    # RFC 2367 3.1.6: the key manager's failure notice for an ACQUIRE is
    # taken without a reply (af_key, KAME)
    s1.send(msg(ACQUIRE, SATYPE_ESP, 77, err=errno.ETIMEDOUT))
    h, _ = s1.req(msg(GET, SATYPE_ESP, 78, sa_ext(0x7fff),
                      addr(EXT_ADDRESS_SRC, src), addr(EXT_ADDRESS_DST, dst)))
    check("ACQUIRE failure notice (errno ETIMEDOUT): no reply, next request answered",
          h["type"] == GET and h["seq"] == 78 and h["errno"] == errno.ENOENT)
    s1.drain()

    spd_cases(s1, s2, s3)

    h, _ = s1.req(msg(FLUSH, SATYPE_UNSPEC, 11))
    check("FLUSH", h["type"] == FLUSH and h["errno"] == 0)
    check("FLUSH is broadcast", len(s2.drain()) == 1)
    h, _ = s1.req(msg(DUMP, SATYPE_UNSPEC, 12))
    check("DUMP of an empty SADB: ENOENT", h["errno"] == errno.ENOENT)
    h, _ = s1.req(msg(X_SPDFLUSH, SATYPE_UNSPEC, 13))
    check("X_SPDFLUSH", h["type"] == X_SPDFLUSH and h["errno"] == 0)
    h, _ = s1.req(msg(X_SPDDUMP, SATYPE_UNSPEC, 14))
    check("X_SPDDUMP of an empty SPD: ENOENT", h["errno"] == errno.ENOENT)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
