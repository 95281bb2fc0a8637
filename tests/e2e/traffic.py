# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Traffic for the end-to-end tests; every mode is bounded in time.

  traffic.py tcp-server ADDR PORT            receive until EOF, print "BYTES SHA256"
  traffic.py tcp-client ADDR PORT BYTES      send BYTES of seeded data, print "BYTES SHA256"
  traffic.py udp-count ADDR PORT SECONDS     count datagrams for SECONDS, print "N BYTES"
  traffic.py udp-send ADDR PORT SIZE COUNT   send COUNT datagrams of SIZE bytes
  traffic.py udp-wait ADDR PORT TEXT SECONDS exit 0 once a datagram containing TEXT arrives
"""
import hashlib
import random
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_server(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(60)
    c, _ = s.accept()
    c.settimeout(30)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(n, h.hexdigest())


def tcp_client(addr, port, nbytes):
    rng = random.Random(4303)
    s = socket.create_connection((addr, port), timeout=30)
    h, sent = hashlib.sha256(), 0
    while sent < nbytes:
        chunk = rng.randbytes(min(65536, nbytes - sent))
        s.sendall(chunk)
        h.update(chunk)
        sent += len(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    print(sent, h.hexdigest())


def udp_sock(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    return s


def udp_count(addr, port, seconds):
    s = udp_sock(addr, port)
    end = time.monotonic() + seconds
    n = nbytes = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        n += 1
        nbytes += len(b)
    print(n, nbytes)


def udp_send(addr, port, size, count):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    data = bytes(i & 0xff for i in range(size))
    for _ in range(count):
        try:
            s.sendto(data, (addr, port))
        except OSError:
            pass  # EMSGSIZE while the path MTU is learnt
        time.sleep(0.002)


def udp_wait(addr, port, text, seconds):
    s = udp_sock(addr, port)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if text.encode() in b:
            return 0
    return 1


def main():
    m, a = sys.argv[1], sys.argv[2:]
    if m == "tcp-server":
        tcp_server(a[0], int(a[1]))
    elif m == "tcp-client":
        tcp_client(a[0], int(a[1]), int(a[2]))
    elif m == "udp-count":
        udp_count(a[0], int(a[1]), float(a[2]))
    elif m == "udp-send":
        udp_send(a[0], int(a[1]), int(a[2]), int(a[3]))
    elif m == "udp-wait":
        return udp_wait(a[0], int(a[1]), a[2], float(a[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
