#!/usr/bin/env bash
# Hostile and broken traffic: a bounded storm of malformed frames at a
# running xdpsec host while legitimate ESP traffic flows.
#
#   ns xs1-$$ (xdpsecd: target)   ns xsw-$$ (storm.py)   ns xs2-$$ (xdpsecd)
#   v1 10.77.0.1 ------ w1 -[ br0 ]- w2 ------ v2 10.77.0.2
#
# Afterwards: daemon and programs alive, every storm frame counted under
# the reason its kind should give, the ping sent during the storm answered,
# the daemon's memory flat.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e
N=${STORM_N:-300}

make_wire
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2
n1 ip addr add fd77::1/64 dev v1 nodad
n2 ip addr add fd77::2/64 dev v2 nodad
K1=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
K2=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
KS=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n') # the storm's own SA
conf() {
	cat <<EOF
add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K1 ;
add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -r 32 -E aes-gcm-16 0x$K2 ;
add fd77::2 fd77::1 esp 0x2006 -m transport -r 32 -E aes-gcm-16 0x$K2 ;
spdadd $1 $2 any -P out ipsec esp/transport//require ;
spdadd $2 $1 any -P in ipsec esp/transport//require ;
EOF
}
# The storm's SA on h1 only: on h2 it would be the newest 10.77.0.2 ->
# 10.77.0.1 SA, which h2's own traffic goes out on; its pings would then
# use up sequence numbers 1, 2, ... of h1's window and the storm's packets
# with those numbers would be replays (the cause of the "bad padding
# counted as replays" seen once; the datapath was right).
conf 10.77.0.1 10.77.0.2 >"$TMP/h1.conf"
echo "add 10.77.0.2 10.77.0.1 esp 0x2009 -m transport -R 4096" \
	"-E aes-gcm-16 0x$KS ;" >>"$TMP/h1.conf"
conf 10.77.0.2 10.77.0.1 >"$TMP/h2.conf"
chmod 600 "$TMP"/h*.conf
check "h1 ready" start_host h1 "$NS1" v1 "$TMP/h1.conf"
check "h2 ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"
check "ESP ping before the storm" n2 ping -c 2 -W 2 -i 0.2 -q 10.77.0.1

ctl_h1() { "$B/xdpsecctl" --pin-dir "$PINS-h1" "$@"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/${DPIDS[h1]}/status"; }
declare -A before after want
while read -r v name _; do before[$name]=$v; done < <(ctl_h1 stat -a)
rss0=$(rss)

n2 ping -c 300 -i 0.02 -W 1 -q 10.77.0.1 >"$TMP/ping.txt" 2>&1 &
PING=$!
ip netns exec "$NSW" $PY "$E2E/storm.py" br0 "$(mac_of "$NS1" v1)" \
	10.77.0.2 10.77.0.1 fd77::2 fd77::1 0x2001 0x2006 "$N" 0x2009 "$KS" \
	>"$TMP/storm.txt" 2>"$TMP/storm.err" || cat "$TMP/storm.err"
wait $PING || true
sleep 0.5

check "the storm was sent ($(wc -l <"$TMP/storm.txt") kinds x $N frames)" \
	test "$(wc -l <"$TMP/storm.txt")" -ge 10
check "xdpsecd survived the storm" kill -0 "${DPIDS[h1]}"
check "xdpsecd still answers PF_KEY" sh -c \
	"XDPSEC_PFKEY_SOCKET=$TMP/h1.sock $B/setkey -D | grep -q 'spi=4097'"
check "the XDP program is still attached" sh -c "ip -n $NS1 link show v1 | grep -q xdp"
check "legitimate ESP during the storm answered ($(grep -o '[0-9]* received' "$TMP/ping.txt"))" \
	test "$(grep -o '[0-9]* received' "$TMP/ping.txt" | cut -d' ' -f1)" -ge 290

# every kind counted under its reason: what each counter must have seen
while read -r kind counter n; do
	want[$counter]=$((${want[$counter]:-0} + n))
done <"$TMP/storm.txt"
while read -r v name _; do after[$name]=$v; done < <(ctl_h1 stat -a)
for c in "${!want[@]}"; do
	d=$((${after[$c]:-0} - ${before[$c]:-0}))
	check "$c counted every storm frame of its kinds ($d >= ${want[$c]})" \
		test "$d" -ge "${want[$c]}"
done
# only the storm's own SA drops for these two: every frame exactly once
# (a frame handled twice would show up here as an extra replay)
for c in drop-bad-pad drop-replay; do
	d=$((${after[$c]:-0} - ${before[$c]:-0}))
	check "$c exactly once per storm frame ($d == ${want[$c]})" \
		test "$d" -eq "${want[$c]}"
done
rss1=$(rss)
check "daemon memory flat (RSS ${rss0} kB -> ${rss1} kB)" \
	test "$rss1" -le $((rss0 + 8192))
