#!/usr/bin/env bash
# Foundation: xdpsecd, setkey over PF_KEY, the preload shim, bpftool, the
# classifier on real traffic, fail closed after kill -9, restart, detach.
#
#   ns xs1-$$  (xdpsecd -i v1)                 ns xs2-$$  (plain host)
#   +---------------------------+              +------------------------+
#   | v1  10.99.0.1/24  fd99::1 |--- veth -----| v2  10.99.0.2  fd99::2 |
#   |     10.99.1.1 (ESP SAs, require both ways)     10.99.1.2          |
#   |     10.99.2.1 (inbound icmp discard)           10.99.2.2          |
#   |     10.99.3.1 (outbound require, no SA)        10.99.3.2          |
#   |     fd99:1::1 (any require, ND must live)      fd99:1::2          |
#   | xsenc0 <-> xsenc0w (enc pair, hand-off)  |   |                    |
#   +---------------------------+              +------------------------+
#
# 10.99.0.x is never protected: it shows that bypass traffic flows.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT

make_pair
addr_pair 10.99.0.1/24 10.99.0.2/24
addr_pair 10.99.1.1/24 10.99.1.2/24
addr_pair 10.99.2.1/24 10.99.2.2/24
addr_pair 10.99.3.1/24 10.99.3.2/24
addr_pair fd99::1/64 fd99::2/64
addr_pair fd99:1::1/64 fd99:1::2/64

K1=0x$(printf '11%.0s' $(seq 20))
K2=0x$(printf '22%.0s' $(seq 20))
cat >"$TMP/xdpsec.conf" <<EOF
# SAs for 10.99.1.1 <-> 10.99.1.2
add 10.99.1.1 10.99.1.2 esp 0x1001 -m transport -r 64 -E aes-gcm-16 $K1 ;
add 10.99.1.2 10.99.1.1 esp 0x2001 -m transport -r 64 -E aes-gcm-16 $K2 ;
spdadd 10.99.1.1 10.99.1.2 any -P out ipsec esp/transport//require ;
spdadd 10.99.1.2 10.99.1.1 any -P in ipsec esp/transport//require ;
spdadd 10.99.2.2 10.99.2.1 icmp -P in discard ;
spdadd 10.99.3.1 10.99.3.2 any -P out ipsec esp/transport//require ;
spdadd fd99:1::1 fd99:1::2 any -P out ipsec esp/transport//require ;
spdadd fd99:1::2 fd99:1::1 any -P in ipsec esp/transport//require ;
EOF

chmod 644 "$TMP/xdpsec.conf"
if nsenter --net="/run/netns/$NS1" "$B/xdpsecd" -i v1 -f "$TMP/xdpsec.conf" \
	--pfkey-socket "$TMP/refused.sock" --pin-dir "$PINS" >"$TMP/refused.log" 2>&1; then
	notok "a world-readable key file is refused"
else
	check "a world-readable key file is refused" grep -q "chmod 600" "$TMP/refused.log"
fi
check "no PF_KEY socket after a failed start" test ! -e "$TMP/refused.sock"
chmod 600 "$TMP/xdpsec.conf"

check "xdpsecd starts and creates its PF_KEY socket" start_daemon "$TMP/xdpsec.conf"
check "the PF_KEY socket is root-only (0600)" \
	test "$(stat -c %a "$TMP/pfkey.sock")" = 600
check "XDP program attached to v1" sh -c "ip -n $NS1 link show v1 | grep -q xdp"
check "enc pair exists" ip -n "$NS1" link show xsenc0

# --- setkey over PF_KEY
setkey -D >"$TMP/D.txt" 2>&1 || true
check "setkey -D lists the SAs from -f" grep -q "spi=4097(0x00001001)" "$TMP/D.txt"
check "setkey -D shows the replay window" grep -q "replay=64" "$TMP/D.txt"
check "setkey -D shows no key material" sh -c "! grep -qi '1111 *1111\|11111111' $TMP/D.txt"
setkey -DP >"$TMP/DP.txt" 2>&1 || true
check "setkey -DP lists the policies" grep -q "esp/transport//require" "$TMP/DP.txt"
printf 'add 10.99.0.1 10.99.0.2 esp 0x3001 -m transport -E aes-gcm-16 %s ;\n' "$K1" |
	setkey -c >"$TMP/c.txt" 2>&1
check "setkey -c adds an SA" sh -c "XDPSEC_PFKEY_SOCKET=$TMP/pfkey.sock $B/setkey -D | grep -q 'spi=12289'"
printf 'add 10.99.0.1 10.99.0.2 esp 0x3002 -E aes-gcm-16 0x1234 ;\n' >"$TMP/bad.conf"
if setkey -f "$TMP/bad.conf" >"$TMP/bad.txt" 2>&1; then
	notok "a wrong key length is refused with file:line"
else
	check "a wrong key length is refused with file:line" grep -q "bad.conf:1:" "$TMP/bad.txt"
fi

# --- the preload shim: unmodified socket(PF_KEY, SOCK_RAW, PF_KEY_V2)
check "PF_KEY client through LD_PRELOAD (REGISTER, DUMP)" \
	env XDPSEC_PFKEY_SOCKET="$TMP/pfkey.sock" LD_PRELOAD="$B/libxdpsec-pfkey.so" \
	"$B/tests/prog_pfkey_client" 3

# --- bpftool sees BTF-typed maps
bpftool map dump pinned "$PINS/stats" >"$TMP/stats.txt" 2>&1 || true
check "bpftool shows counters by name" grep -q '"drop_unknown_spi"' "$TMP/stats.txt"
bpftool map dump pinned "$PINS/sa_in" >"$TMP/sa_in.txt" 2>&1 || true
check "bpftool shows the SA index (3 SAs)" \
	test "$(grep -c '"spi"' "$TMP/sa_in.txt")" -eq 3
check "no key material in any map" sh -c "! bpftool map dump pinned $PINS/sa_out | grep -q '0x11, 0x11, 0x11, 0x11'"

# --- sysctl knobs
check "xdpsecctl sysctl -a lists the ipsec(4) knobs" \
	sh -c "$B/xdpsecctl --pin-dir $PINS sysctl -a | grep -q '^net.inet.ipsec.def_policy = 1$'"
ctl sysctl net.inet.ipsec.ecn=1 >/dev/null
check "xdpsecctl sysctl writes the config map" \
	sh -c "bpftool map dump pinned $PINS/config | grep -q '\"ip4_ecn\": 1'"
check "out-of-range sysctl value refused" sh -c "! $B/xdpsecctl --pin-dir $PINS sysctl net.inet.ipsec.dfbit=7 2>/dev/null"
ctl sysctl net.inet.ipsec.ecn=0 >/dev/null

# --- classifier on real traffic
check "bypass traffic flows (IPv4 ping)" n2 ping -c 2 -W 1 -i 0.2 -q 10.99.0.1
check "bypass traffic flows (IPv6 ping)" n2 ping -6 -c 2 -W 1 -i 0.2 -q fd99::1

d0=$(counter drop-policy-discard)
check "inbound discard policy drops ICMP" sh -c "! ip netns exec $NS2 ping -c 2 -W 1 -i 0.2 -q 10.99.2.1 >/dev/null"
check "discard is counted" test "$(counter drop-policy-discard)" -ge $((d0 + 2))

d0=$(counter drop-no-sa-out)
check "outbound require without an SA drops" sh -c "! ip netns exec $NS1 ping -c 2 -W 1 -i 0.2 -q 10.99.3.2 >/dev/null"
check "missing SA is counted" test "$(counter drop-no-sa-out)" -ge $((d0 + 2))

# protected flow with no worker: steered to the hand-off and dropped there
n2 tcpdump --immediate-mode -U -i v2 -n -w "$TMP/wire.pcap" 'host 10.99.1.1' >/dev/null 2>&1 &
TD=$!
sleep 1
s0=$(counter tx-steer)
n1 ping -c 3 -W 1 -i 0.2 -q 10.99.1.2 >/dev/null 2>&1 || true
check "protected outbound traffic is steered" test "$(counter tx-steer)" -ge $((s0 + 3))
check "a worker encrypts it (no peer answers: it has no xdpsec)" \
	test "$(counter tx-encrypt)" -ge 3

# inbound cleartext that policy requires protected
c0=$(counter drop-in-clear)
n2 ping -c 2 -W 1 -i 0.2 -q 10.99.1.1 >/dev/null 2>&1 || true
check "inbound cleartext against a require policy is dropped" \
	test "$(counter drop-in-clear)" -ge $((c0 + 2))

# ESP from the peer (scapy): unknown SPI dropped, known SPI steered
MAC1=$(mac_of "$NS1" v1)
u0=$(counter drop-unknown-spi)
r0=$(counter rx-steer)
n2 $PY - "$MAC1" <<'EOF' >/dev/null 2>&1
import sys
from scapy.all import Ether, IP, ESP, Raw, sendp
mac = sys.argv[1]
def esp(spi):
    return Ether(dst=mac)/IP(src="10.99.1.2", dst="10.99.1.1")/ESP(spi=spi, seq=1)/Raw(b"x" * 32)
sendp([esp(0x7777), esp(0x7777), esp(0x2001), esp(0x2001)], iface="v2", verbose=False)
EOF
sleep 0.3
check "ESP with an unknown SPI is dropped and counted" \
	test "$(counter drop-unknown-spi)" -ge $((u0 + 2))
check "ESP with a known SPI is steered to the workers" \
	test "$(counter rx-steer)" -ge $((r0 + 2))

# ND lives under an `any` require policy (built-in bypass)
n1 ip -6 neigh flush dev v1 >/dev/null 2>&1 || true
n1 ping -6 -c 1 -W 1 -q fd99:1::2 >/dev/null 2>&1 || true
check "IPv6 neighbour discovery works under an any/require policy" \
	sh -c "ip -n $NS1 -6 neigh show fd99:1::2 | grep -Eq 'REACHABLE|STALE|DELAY|PROBE'"

# --- kill -9: programs stay, protected traffic still never leaves in clear
kill -9 "$DPID"
wait "$DPID" 2>/dev/null || true
DPID=
check "after kill -9 the XDP program is still attached" sh -c "ip -n $NS1 link show v1 | grep -q xdp"
check "after kill -9 bypass traffic flows" n2 ping -c 2 -W 1 -i 0.2 -q 10.99.0.1
w0=$(counter drop-no-worker)
n1 ping -c 3 -W 1 -i 0.2 -q 10.99.1.2 >/dev/null 2>&1 || true
check "after kill -9 protected traffic is dropped (no worker)" \
	test "$(counter drop-no-worker)" -ge $((w0 + 3))
sleep 0.5
kill "$TD" 2>/dev/null || true
wait "$TD" 2>/dev/null || true
check "no cleartext of the protected flow ever reached the wire" \
	test "$(tcpdump -r "$TMP/wire.pcap" -n 'icmp and src 10.99.1.1' 2>/dev/null | wc -l)" -eq 0

# --- restart on the same pins
check "xdpsecd restarts on its pinned maps" start_daemon "$TMP/xdpsec.conf"
check "the restart reused the maps" grep -q "maps reused" "$TMP/xdpsecd.log"
check "one XDP program on v1 after restart" \
	test "$(ip -n "$NS1" -d link show v1 | grep -c 'prog/xdp')" -eq 1
check "setkey works after restart" sh -c "XDPSEC_PFKEY_SOCKET=$TMP/pfkey.sock $B/setkey -D | grep -q 'spi=4097'"

# --- SIGTERM: the daemon exits, the datapath stays (fail closed)
kill "$DPID"
wait "$DPID" 2>/dev/null || true
DPID=
check "after SIGTERM the XDP program is still attached" sh -c "ip -n $NS1 link show v1 | grep -q xdp"
w0=$(counter drop-no-worker)
n1 ping -c 2 -W 1 -i 0.2 -q 10.99.1.2 >/dev/null 2>&1 || true
check "after SIGTERM protected traffic is dropped (no worker)" \
	test "$(counter drop-no-worker)" -ge $((w0 + 2))

# --- detach removes everything
nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --detach --pin-dir "$PINS" >/dev/null 2>&1
check "detach removes the XDP program" sh -c "! ip -n $NS1 link show v1 | grep -q xdp"
check "detach removes the enc pair" sh -c "! ip -n $NS1 link show xsenc0 >/dev/null 2>&1"
check "detach removes the pins" test ! -e "$PINS"

# --- a datapath that cannot load: a clear error and exit 1, never a crash
mkdir -p "$PINS-bad"
bpftool map create "$PINS-bad/stats" type array key 4 value 4 entries 1 name stats
rc=0
nsenter --net="/run/netns/$NS1" "$B/xdpsecd" -i v1 --pin-dir "$PINS-bad" \
	--pfkey-socket "$TMP/bad.sock" >"$TMP/bad.log" 2>&1 || rc=$?
check "a conflicting pinned map: xdpsecd exits 1 with an error (rc $rc)" \
	sh -c "[ $rc -eq 1 ] && grep -q 'error: loading BPF objects' $TMP/bad.log"
nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --detach --pin-dir "$PINS-bad" >/dev/null 2>&1 || true
rm -rf "$PINS-bad"
