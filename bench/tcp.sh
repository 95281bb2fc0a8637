# shellcheck shell=bash
# Sourced by scripts/bench.sh: TCP goodput (iperf3) and RTT (ping) across
# the demo's wire (tests/e2e/lib.sh make_wire), first plain, then through
# two xdpsecd hosts with aes-gcm-16 (128-bit) SAs and `require` policies.

# tcp_rtt LABEL: iperf3 h1 -> h2 and ping both ways
tcp_rtt() {
	local label=$1 r n p50 p99 dir srv
	n2 timeout $((SECS + 15)) iperf3 -s -1 -B 10.77.0.2 >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	r=$(n1 timeout $((SECS + 10)) iperf3 -c 10.77.0.2 -t "$SECS" -J 2>/dev/null |
		$PY -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9)' 2>/dev/null)
	wait "$srv" 2>/dev/null
	TCP[$label]=$r
	n=$((SECS * 100))
	[ $n -gt 500 ] && n=500
	for dir in "h1->h2" "h2->h1"; do
		if [ "$dir" = "h1->h2" ]; then
			n1 ping -q -i 0.01 -c "$n" -W 1 10.77.0.2 >/dev/null 2>&1 # warm
			n1 ping -i 0.01 -c "$n" -W 1 10.77.0.2 >"$TMP/ping" 2>&1
		else
			n2 ping -i 0.01 -c "$n" -W 1 10.77.0.1 >"$TMP/ping" 2>&1
		fi
		read -r p50 p99 <<<"$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$TMP/ping" |
			sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%s %s", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)] }')"
		RTT[$label/$dir]="$p50 $p99"
	done
}

declare -A TCP=() RTT=()
make_wire
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2
tcp_rtt plain
K1=$(hexkey 20) K2=$(hexkey 20)
for h in 1 2; do
	{
		echo "add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K1 ;"
		echo "add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -r 32 -E aes-gcm-16 0x$K2 ;"
		if [ $h = 1 ]; then a=10.77.0.1 b=10.77.0.2; else a=10.77.0.2 b=10.77.0.1; fi
		echo "spdadd $a $b any -P out ipsec esp/transport//require ;"
		echo "spdadd $b $a any -P in ipsec esp/transport//require ;"
	} >"$TMP/tcp$h.conf"
	chmod 600 "$TMP/tcp$h.conf"
done
if start_host th1 "$NS1" v1 "$TMP/tcp1.conf" &&
	start_host th2 "$NS2" v2 "$TMP/tcp2.conf"; then
	tcp_rtt xdpsec
	row tcp "iperf3 1 stream, plain veth" 1500 "${TCP[plain]}" Gbit/s
	note=
	[ -n "${TCP[plain]}" ] && [ -n "${TCP[xdpsec]}" ] &&
		note="$(calc "${TCP[xdpsec]} * 100 / ${TCP[plain]}" 1) % of plain"
	row tcp "iperf3 1 stream, 2 xdpsec hosts aes-128-gcm" 1500 \
		"${TCP[xdpsec]}" Gbit/s "" "" "" "$note"
	for dir in "h1->h2" "h2->h1"; do
		read -r a50 a99 <<<"${RTT[plain/$dir]}"
		read -r b50 b99 <<<"${RTT[xdpsec/$dir]}"
		row rtt "ping $dir p50 plain / xdpsec" 84 "$b50" ms "" "" "" \
			"plain $a50 ms; added $(calc "${b50:-0} - ${a50:-0}" 3) ms"
		row rtt "ping $dir p99 plain / xdpsec" 84 "$b99" ms "" "" "" \
			"plain $a99 ms; added $(calc "${b99:-0} - ${a99:-0}" 3) ms"
	done
else
	SKIPPED+=("tcp/rtt through xdpsec: xdpsecd did not start")
fi
stop_hosts
ip netns del "$NS1" 2>/dev/null
ip netns del "$NS2" 2>/dev/null
ip netns del "$NSW" 2>/dev/null
