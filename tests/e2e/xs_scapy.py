# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Helpers shared by the scapy wire checks (esp_wire.py, *_scapy.py).

Imported, not run.  The scripts are run as /usr/bin/python3 PATH/x.py,
which puts their directory first on sys.path, so `import xs_scapy` works
from any working directory.  scapy is imported where it is used: some
callers must start listening at once or read big captures without it.
"""
import struct
import subprocess


def pcap_frames(path):
    """Frames of a classic pcap file (what tcpdump -w writes)."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        end = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") \
            else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            caplen = struct.unpack(end + "IIII", rec)[2]
            yield f.read(caplen)


def gcm_sa(spi, key, hdr=None):
    """scapy's ESP SA for aes-gcm-16 (key: AES key then 4-byte salt);
    hdr: the outer header of tunnel mode, None for transport."""
    from scapy.layers.ipsec import ESP, SecurityAssociation

    return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM",
                               crypt_key=key, auth_algo="NULL",
                               tunnel_header=hdr)


def kv_line(fields):
    """Print a dict as one line of key=value."""
    print(" ".join(f"{k}={v}" for k, v in fields.items()))


def run_hex(args, data):
    """Run a prog_*_tool: data in hex on stdin, its hex stdout as bytes;
    RuntimeError with its stderr when it fails."""
    p = subprocess.run(args, input=data.hex(), capture_output=True,
                       text=True, check=False)
    if p.returncode:
        raise RuntimeError(p.stderr.strip())
    return bytes.fromhex(p.stdout.strip())


class Tap:
    """"ok - TEXT" / "not ok - TEXT" lines, counting the failures."""

    def __init__(self):
        self.failures = 0

    def report(self, ok, text):
        print(("ok - " if ok else "not ok - ") + text)
        if not ok:
            self.failures += 1
