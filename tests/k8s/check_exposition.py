#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Strict check of a Prometheus text exposition (format 0.0.4).

    check_exposition.py FILE [NAME{LABELS}>=MIN ...]

Every line is empty, a comment, or `name{labels} value`; names match
[a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*, values are
numbers; each family has at most one HELP and one TYPE, its TYPE comes
before its samples, and its samples are contiguous; no series twice.
Extra arguments require a sample whose name and labels include the given
ones with a value >= MIN, e.g. 'xdpsec_sa_packets_total{spi="0x00002001"}>=1'.
Prints one line per problem; exit status 1 if any.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVAL = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    rf"^({NAME})(?:\{{((?:{LNAME}={LVAL})(?:,{LNAME}={LVAL})*,?)?\}})? "
    r"([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NaN|[-+]?Inf))"
    r"(?: -?[0-9]+)?$")
LABEL = re.compile(rf"({LNAME})=({LVAL})")
META = re.compile(rf"^# (HELP|TYPE) ({NAME})(?: (.*))?$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def family_of(name, typed):
    for suf in ("_bucket", "_sum", "_count"):
        if name.endswith(suf) and typed.get(name[: -len(suf)]) in (
                "histogram", "summary"):
            return name[: -len(suf)]
    return name


def parse(text):
    """(samples, errors): samples as (name, {labels}, value)."""
    errs, samples = [], []
    typed, helped, done, seen = {}, set(), set(), set()
    current = None
    if text and not text.endswith("\n"):
        errs.append("no newline at the end")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "" or (line.startswith("#") and not META.match(line)):
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                errs.append(f"{n}: malformed metadata: {line!r}")
            continue
        m = META.match(line)
        if m:
            kind, name, rest = m.groups()
            if kind == "TYPE":
                if name in typed or rest not in TYPES:
                    errs.append(f"{n}: bad or second TYPE for {name}")
                if name in done:
                    errs.append(f"{n}: TYPE for {name} after its samples")
                typed[name] = rest
            else:
                if name in helped:
                    errs.append(f"{n}: second HELP for {name}")
                helped.add(name)
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append(f"{n}: not a sample: {line!r}")
            continue
        name, lab, val = m.groups()
        fam = family_of(name, typed)
        if fam not in typed:
            errs.append(f"{n}: sample of {fam} before (or without) its TYPE")
        if fam != current:
            if fam in done:
                errs.append(f"{n}: samples of {fam} not contiguous")
            if current:
                done.add(current)
            current = fam
        labels = dict(LABEL.findall(lab or ""))
        if len(labels) != len(LABEL.findall(lab or "")):
            errs.append(f"{n}: a label twice")
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            errs.append(f"{n}: series twice: {line!r}")
        seen.add(key)
        samples.append((name, {k: v[1:-1] for k, v in labels.items()},
                        float(val)))
    return samples, errs


def want(samples, spec):
    m = re.match(rf"^({NAME})(?:\{{(.*)\}})?>=([0-9.]+)$", spec)
    if not m:
        return f"bad requirement {spec!r}"
    name, lab, low = m.group(1), m.group(2) or "", float(m.group(3))
    need = {k: v[1:-1] for k, v in LABEL.findall(lab)}
    for s_name, s_lab, s_val in samples:
        if s_name == name and all(s_lab.get(k) == v for k, v in need.items()):
            return None if s_val >= low else f"{spec}: value {s_val}"
    return f"{spec}: no such sample"


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    samples, errs = parse(text)
    if not samples:
        errs.append("no samples")
    for spec in sys.argv[2:]:
        e = want(samples, spec)
        if e:
            errs.append(e)
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
