#!/usr/bin/env bash
# make install / uninstall into a DESTDIR: binaries, preload library, BPF
# objects, man pages and a systemd unit, all where they belong; man pages
# render without warnings; uninstall leaves nothing.
source "$(dirname "$0")/lib.sh"
trap 'rm -rf "$TMP"' EXIT
D=$TMP/root
P=/usr/local

make -C "$ROOT" --no-print-directory -s install DESTDIR="$D" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log"; notok "make install"; exit 1; }
ok "make install DESTDIR=..."
for f in sbin/xdpsecd sbin/xdpsecctl sbin/setkey; do
	check "$f installed and executable" test -x "$D$P/$f"
done
check "preload library installed" test -f "$D$P/lib/xdpsec/libxdpsec-pfkey.so"
check "BPF objects installed for ip link / tc users" \
	test "$(ls "$D$P/lib/xdpsec/bpf/"*.bpf.o | wc -l)" -ge 4
check "systemd unit runs the installed xdpsecd" \
	grep -q "^ExecStart=$P/sbin/xdpsecd " "$D$P/lib/systemd/system/xdpsecd.service"
for m in "$D$P"/share/man/man*/*; do
	man -l --warnings=all "$m" >/dev/null 2>"$TMP/man.err" || true
	check "man page $(basename "$m") renders without warnings" test ! -s "$TMP/man.err"
done
make -C "$ROOT" --no-print-directory -s uninstall DESTDIR="$D"
check "make uninstall leaves no file" test "$(find "$D" -type f | wc -l)" -eq 0
