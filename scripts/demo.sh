#!/usr/bin/env bash
# make demo: two hosts in network namespaces protect their traffic with
# xdpsec; shows what the wire carries and the counters.
#
#   host1 (xdpsecd)          wire (bridge: capture)          host2 (xdpsecd)
#   v1 10.77.0.1 ------ w1 -[ br0 ]- w2 ------ v2 10.77.0.2
#      fd77::1                                    fd77::2
#
# Installs its packages (scripts/install-deps.sh) and builds first.
# Everything it creates is removed when it ends.
set -e
cd "$(dirname "$0")/.."

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "installing packages and building"
scripts/install-deps.sh
make -j"$(nproc)" all build/tests/prog_pfkey_client >/dev/null

source tests/e2e/lib.sh
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e

make_wire
say "two hosts joined by a wire (network namespaces $NS1, $NSW, $NS2)"
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2
n1 ip addr add fd77::1/64 dev v1 nodad
n2 ip addr add fd77::2/64 dev v2 nodad

say "xdpsecd on each host"
: >"$TMP/empty.conf"
chmod 600 "$TMP/empty.conf"
start_host host1 "$NS1" v1 "$TMP/empty.conf"
start_host host2 "$NS2" v2 "$TMP/empty.conf"
echo "host1: $(tail -1 "$TMP/host1.log")"
echo "host2: $(tail -1 "$TMP/host2.log")"

say "SAs and policies, loaded with setkey over PF_KEY"
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K1=$(hexkey 20) K2=$(hexkey 20) K3=$(hexkey 36) K4=$(hexkey 36)
sas() {
	cat <<EOF
add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K1 ;
add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -r 32 -E aes-gcm-16 0x$K2 ;
add fd77::1 fd77::2 esp 0x1006 -m transport -r 32 -E aes-gcm-16 0x$K3 ;
add fd77::2 fd77::1 esp 0x2006 -m transport -r 32 -E aes-gcm-16 0x$K4 ;
EOF
}
pols() {
	cat <<EOF
spdadd $1 $2 any -P out ipsec esp/transport//require ;
spdadd $2 $1 any -P in ipsec esp/transport//require ;
spdadd $3 $4 any -P out ipsec esp/transport//require ;
spdadd $4 $3 any -P in ipsec esp/transport//require ;
EOF
}
{ sas; pols 10.77.0.1 10.77.0.2 fd77::1 fd77::2; } >"$TMP/host1.conf"
{ sas; pols 10.77.0.2 10.77.0.1 fd77::2 fd77::1; } >"$TMP/host2.conf"
chmod 600 "$TMP"/host*.conf
XDPSEC_PFKEY_SOCKET=$TMP/host1.sock "$B/setkey" -f "$TMP/host1.conf"
XDPSEC_PFKEY_SOCKET=$TMP/host2.sock "$B/setkey" -f "$TMP/host2.conf"
echo "host1\$ setkey -DP"
XDPSEC_PFKEY_SOCKET=$TMP/host1.sock "$B/setkey" -DP | sed 's/^/    /'

ip netns exec "$NSW" tcpdump --immediate-mode -U -i br0 -n -w "$TMP/wire.pcap" 'ip or ip6' \
	>/dev/null 2>&1 &
TDW=$!
sleep 1

say "ping, both address families"
n1 ping -c 3 -i 0.2 10.77.0.2 | sed 's/^/    /'
n1 ping -6 -c 3 -i 0.2 fd77::2 | tail -2 | sed 's/^/    /'

say "TCP: 20 MB from host1 to host2 (SHA-256 on both ends)"
n2 $PY "$E2E/traffic.py" tcp-server 10.77.0.2 7000 >"$TMP/srv" &
S=$!
sleep 0.5
start=$(date +%s.%N)
n1 $PY "$E2E/traffic.py" tcp-client 10.77.0.2 7000 20000000 >"$TMP/cli"
wait $S
end=$(date +%s.%N)
echo "    sent:     $(cat "$TMP/cli")"
echo "    received: $(cat "$TMP/srv")"
awk -v s="$start" -v e="$end" 'BEGIN { printf "    %.0f Mbit/s (one stream, both hosts on this machine)\n", 160 / (e - s) }'

say "UDP: 200 datagrams of 1472 bytes (IPv4), 200 of 64 bytes (IPv6)"
n2 $PY "$E2E/traffic.py" udp-count 10.77.0.2 7001 4 >"$TMP/u1" &
R1=$!
n2 $PY "$E2E/traffic.py" udp-count fd77::2 7002 4 >"$TMP/u2" &
R2=$!
sleep 0.5
n1 $PY "$E2E/traffic.py" udp-send 10.77.0.2 7001 1472 200
n1 $PY "$E2E/traffic.py" udp-send fd77::2 7002 64 200
wait $R1 $R2
echo "    received: $(cut -d' ' -f1 "$TMP/u1") of 200 (1472 B), $(cut -d' ' -f1 "$TMP/u2") of 200 (64 B)"

sleep 0.5
kill $TDW 2>/dev/null || true
wait $TDW 2>/dev/null || true

say "what the wire carried (tshark protocol hierarchy; 'data' = later IP fragments of ESP)"
tshark -r "$TMP/wire.pcap" -q -z io,phs 2>/dev/null | sed -n '/Protocol Hierarchy/,$p' | sed 's/^/    /'
echo "    a few packets as tshark's ESP dissector sees them:"
tshark -r "$TMP/wire.pcap" -Y esp 2>/dev/null | head -4 | sed 's/^/    /'
echo "    and scapy, decrypting every ESP packet with the keys:"
ip netns exec "$NSW" $PY "$E2E/esp_wire.py" check "$TMP/wire.pcap" 10.77.0.1 10.77.0.2 \
	0x1001:$K1 0x2001:$K2 | sed 's/^/    IPv4: /' || true
ip netns exec "$NSW" $PY "$E2E/esp_wire.py" check "$TMP/wire.pcap" fd77::1 fd77::2 \
	0x1006:$K3 0x2006:$K4 | sed 's/^/    IPv6: /' || true

say "counters (xdpsecctl stat)"
for h in host1 host2; do
	echo "  $h:"
	"$B/xdpsecctl" --pin-dir "$PINS-$h" stat | sed 's/^/  /'
done
echo
echo "  The same counters with BTF field names:"
echo "    bpftool map dump pinned $PINS-host1/stats"
bpftool map dump pinned "$PINS-host1/stats" 2>/dev/null | grep -E '"(tx_steer|rx_steer|drop_no_sa_out)"' | head -3 | sed 's/^/    /'

say "done: everything created is removed now"
