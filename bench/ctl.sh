# shellcheck shell=bash
# Sourced by scripts/bench.sh: control plane through one running xdpsecd:
# setkey -f of 100 000 SAs, then of 100 000 policies, full dumps, and the
# daemon's resident memory before and after the SAs.
NCTL=100000
make_pair
n1 ip addr add 10.77.0.1/24 dev v1
: >"$TMP/cp0.conf"
chmod 600 "$TMP/cp0.conf"
$PY - "$TMP" "$NCTL" <<'PYEOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
key = os.urandom(20).hex()
with open(d + "/cp-sa.conf", "w") as f:
    for i in range(n):
        f.write("add 10.%d.%d.%d 10.77.0.2 esp %d -m transport -E aes-gcm-16 0x%s ;\n"
                % (100 + (i >> 16), (i >> 8) & 255, i & 255, 0x10000 + i, key))
with open(d + "/cp-sp.conf", "w") as f:
    for i in range(n):
        # a mix of shapes: host pairs, prefixes, ports, both directions
        a = "10.%d.%d.%d" % (100 + (i >> 16), (i >> 8) & 255, i & 255)
        k = i % 4
        if k == 0:
            f.write("spdadd %s 10.77.0.2 any -P out ipsec esp/transport//require ;\n" % a)
        elif k == 1:
            f.write("spdadd 10.77.0.2 %s any -P in ipsec esp/transport//require ;\n" % a)
        elif k == 2:
            f.write("spdadd %s/24[%d] 10.77.0.2 udp -P out ipsec esp/transport//require ;\n"
                    % ("10.%d.%d.0" % (100 + (i >> 16), (i >> 8) & 255), 1 + i % 60000))
        else:
            f.write("spdadd 10.77.0.0/%d %s any -P in none ;\n" % (16 + i % 9, a))
PYEOF
chmod 600 "$TMP"/cp-*.conf
rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
tsec() { # tsec CMD...: seconds it took (output discarded)
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$TMP/ctl.err"
	local rc=$?
	t1=$(date +%s.%N)
	[ $rc = 0 ] || echo "bench: $* failed: $(head -1 "$TMP/ctl.err")" >&2
	calc "$t1 - $t0" 2
}
if start_host cp "$NS1" v1 "$TMP/cp0.conf"; then
	P=${DPIDS[cp]}
	export XDPSEC_PFKEY_SOCKET=$TMP/cp.sock
	r0=$(rss "$P")
	tsa=$(tsec "$B/setkey" -f "$TMP/cp-sa.conf")
	r1=$(rss "$P")
	tsp=$(tsec "$B/setkey" -f "$TMP/cp-sp.conf")
	nsa=$("$B/setkey" -D 2>/dev/null | grep -c '^10\.')
	nsp=$("$B/setkey" -DP 2>/dev/null | grep -c 'ipsec\|none')
	td=$(tsec "$B/setkey" -D)
	tdp=$(tsec "$B/setkey" -DP)
	unset XDPSEC_PFKEY_SOCKET
	tot=$(calc "$tsa + $tsp" 2)
	row ctl "setkey -f $NCTL SAs" "" "$tsa" s "" "" "" "$nsa SAs in setkey -D"
	row ctl "setkey -f $NCTL policies" "" "$tsp" s "" "" "" "$nsp policies in setkey -DP"
	row ctl "SAs + policies total" "" "$tot" s "" "< 10 s" "$(mark 10 "$tot")" ""
	row ctl "setkey -D (full SA dump)" "" "$td" s
	row ctl "setkey -DP (full policy dump)" "" "$tdp" s
	kib=$(calc "($r1 - $r0) / $NCTL" 2)
	row ctl "xdpsecd RSS per SA" "" "$kib" KiB "" "<= 4 KiB" \
		"$(mark 4 "$kib")" "RSS $r0 -> $r1 KiB"
else
	SKIPPED+=("control plane: xdpsecd did not start")
fi
stop_hosts
ip netns del "$NS1" 2>/dev/null
ip netns del "$NS2" 2>/dev/null
