# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Traffic for the soak test (tests/e2e/70-soak.sh); bounded in time.

  soak.py udp-recv PORT SECONDS
      count sequence-numbered datagrams on every address until SECONDS
      pass; print one JSON line {"recv": {pair: unique}, "dup": N, "bad": N}
  soak.py udp-send PORT SECONDS RATE SRC,DST[,PAIR]...
      send RATE datagrams a second on each pair for SECONDS; print JSON
      {"sent": {pair: N}, "err": N}: a datagram counts as sent once
      sendto() accepted it
  soak.py tcp-send ADDR PORT SECONDS BYTES_PER_SECOND
      a bounded-rate TCP stream of seeded data; print "BYTES SHA256"

Datagram: b"XSSK" + pair (u16) + seq (u32) + 90 bytes derived from both.
"""
import hashlib
import json
import random
import socket
import struct
import sys
import time

MAGIC = b"XSSK"
PAD = 90


def payload(pair, seq):
    head = MAGIC + struct.pack("!HI", pair, seq)
    return head + bytes(((pair * 31 + seq + i) & 0xFF) for i in range(PAD))


def udp_recv(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", port))
    seen, dup, bad = {}, 0, 0
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            b = s.recv(2048)
        except socket.timeout:
            break
        if len(b) != 10 + PAD or not b.startswith(MAGIC):
            bad += 1
            continue
        pair, seq = struct.unpack("!HI", b[4:10])
        if b != payload(pair, seq):
            bad += 1
            continue
        got = seen.setdefault(pair, set())
        if seq in got:
            dup += 1
        got.add(seq)
    print(json.dumps({"recv": {str(p): len(v) for p, v in sorted(seen.items())},
                      "maxseq": {str(p): max(v) for p, v in sorted(seen.items())},
                      "dup": dup, "bad": bad}))


def udp_send(port, seconds, rate, pairs):
    socks = []
    for i, spec in enumerate(pairs):
        f = spec.split(",")
        pair = int(f[2]) if len(f) > 2 else i + 1
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((f[0], 0))
        socks.append((pair, s, (f[1], port)))
    sent = {p: 0 for p, _, _ in socks}
    err = 0
    start = time.monotonic()
    tick = 1.0 / rate
    k = 0
    while time.monotonic() - start < seconds:
        for pair, s, dst in socks:
            try:
                s.sendto(payload(pair, sent[pair]), dst)
                sent[pair] += 1
            except OSError:
                err += 1
        k += 1
        delay = start + k * tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(json.dumps({"sent": {str(p): n for p, n in sent.items()}, "err": err}))


def tcp_send(addr, port, seconds, bps):
    rng = random.Random(4303)
    s = socket.create_connection((addr, port), timeout=30)
    h, sent = hashlib.sha256(), 0
    chunk_len = max(1024, bps // 20)
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        chunk = rng.randbytes(chunk_len)
        s.sendall(chunk)
        h.update(chunk)
        sent += len(chunk)
        delay = start + sent / bps - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(60)
    s.recv(1)
    s.close()
    print(sent, h.hexdigest())


def main():
    m, a = sys.argv[1], sys.argv[2:]
    if m == "udp-recv":
        udp_recv(int(a[0]), float(a[1]))
    elif m == "udp-send":
        udp_send(int(a[0]), float(a[1]), float(a[2]), a[3:])
    elif m == "tcp-send":
        tcp_send(a[0], int(a[1]), float(a[2]), int(a[3]))
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
