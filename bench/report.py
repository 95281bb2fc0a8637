#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""scripts/bench.sh's rows (TSV: section, name, size, value, unit, ratio,
target, status, note) as one table on stdout and as JSON.

usage: report.py ROWS OUT.json SECONDS WORKERS"""
import datetime
import json
import os
import sys

FIELDS = ("section", "name", "size", "value", "unit", "ratio", "target",
          "status", "note")
TITLES = {
    "crypto": "ceiling A: crypto, EVP seal loop, 1 core (fresh IV/packet)",
    "ring": "ceiling B: AF_XDP copy-mode echo, no crypto, 1 core",
    "kernel": "the setup's ceiling: kernel forwarding",
    "xdpsec": "xdpsec, %s worker(s): rate vs combined ceiling workers/(1/echo+1/crypto)",
    "dpdk": "DPDK ipsec-secgw encrypt, 1 lcore (net_af_xdp, transport ESP), and xdpsec/ipsec-secgw",
    "tcp": "TCP goodput (iperf3, one stream)",
    "rtt": "RTT at low load (ping -i 0.01), xdpsec (plain in note)",
    "cls": "classification cost (bpf_prog_test_run, 1e6 repeats)",
    "ctl": "control plane (setkey over PF_KEY to a running xdpsecd)",
    "skipped": "not measured",
}


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def fmt(v):
    f = num(v)
    if f is None:
        return v
    if f >= 1000:
        return "{:,.0f}".format(f)
    if f == int(f) and abs(f) < 1e5:
        return "%d" % f
    return "%.3g" % f if f < 10 else "%.1f" % f


def main():
    rows_path, out, secs, workers = sys.argv[1:5]
    rows = []
    with open(rows_path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            parts += [""] * (len(FIELDS) - len(parts))
            r = dict(zip(FIELDS, parts))
            for k in ("value", "ratio"):
                if num(r[k]) is not None:
                    r[k] = num(r[k])
            rows.append(r)
    doc = {
        "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "seconds": float(secs), "workers": int(workers),
        "size_note": "size = Ethernet frame bytes of the clear packet "
                     "(imix = 7x64, 4x576, 1x1400)",
        "rows": [r for r in rows if r["section"] != "skipped"],
        "not_measured": [r["name"] for r in rows
                         if r["section"] == "skipped"
                         or r["note"].startswith("not measured")],
    }
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    w = [max([len(r["name"]) for r in rows] + [10]), 5, 13, 8, 5, 16, 5]
    head = ("measurement", "size", "value", "unit", "ratio", "target", "")
    print("xdpsec bench: %s s per measurement, %s worker(s), %s"
          % (secs, workers, doc["size_note"]))
    sec = None
    for r in rows:
        if r["section"] != sec:
            sec = r["section"]
            title = TITLES.get(sec, sec)
            print("\n== " + (title % workers if "%s" in title else title))
            if sec != "skipped":
                print("  ".join(h.ljust(n) for h, n in zip(head, w)).rstrip())
        if sec == "skipped":
            print("  " + r["name"])
            continue
        cells = (r["name"], r["size"], fmt(str(r["value"])), r["unit"],
                 fmt(str(r["ratio"])), r["target"], r["status"])
        line = "  ".join(str(c).ljust(n) for c, n in zip(cells, w))
        if r["note"]:
            line += "  " + r["note"]
        print(line.rstrip())
    print("\nJSON: %s" % out)


if __name__ == "__main__":
    main()
