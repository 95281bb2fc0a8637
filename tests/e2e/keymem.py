# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Where do SA keys live in a running xdpsecd?

  keymem.py PID HEXKEY...   print "dd_maps=N dd_bytes=N in_dd=N outside=N"

dd_maps/dd_bytes: mappings marked VmFlags "dd" (MADV_DONTDUMP) in
/proc/PID/smaps; in_dd/outside: copies of the keys found by reading
/proc/PID/mem, inside and outside those mappings (outside lists where).
"""
import re
import sys


def maps(pid):
    cur = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
            if m:
                cur = {"lo": int(m[1], 16), "hi": int(m[2], 16), "perm": m[3],
                       "name": m[4], "flags": []}
                yield cur
            elif line.startswith("VmFlags:") and cur is not None:
                cur["flags"] = line.split()[1:]


def main():
    pid, keys = sys.argv[1], [bytes.fromhex(k) for k in sys.argv[2:]]
    regs = list(maps(pid))
    dd = [r for r in regs if "dd" in r["flags"]]
    in_dd = outside = 0
    where = []
    with open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for r in regs:
            if not r["perm"].startswith("r") or r["name"] in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
                continue
            try:
                mem.seek(r["lo"])
                data = mem.read(r["hi"] - r["lo"])
            except OSError:
                continue
            for k in keys:
                n = data.count(k)
                if not n:
                    continue
                if "dd" in r["flags"]:
                    in_dd += n
                else:
                    outside += n
                    where.append(r["name"] or hex(r["lo"]))
    print(f"dd_maps={len(dd)} dd_bytes={sum(r['hi'] - r['lo'] for r in dd)} "
          f"in_dd={in_dd} outside={outside} {' '.join(sorted(set(where)))}")


if __name__ == "__main__":
    main()
