#!/usr/bin/env bash
# The ipsec(4) knobs take effect on the next packet, no restart.
#
#   ns xs1-$$ (xdpsecd h1)        ns xsw-$$        ns xs2-$$ (xdpsecd h2)
#   v1 10.77.0.1  fd77::1 ---- w1 -[ br0 ]- w2 ---- v2 10.77.0.2  fd77::2
#      10.77.5.1  fd77:5::1 (no policy)               10.77.5.2  fd77:5::2
#      10.77.6.1 (esp/transport//default, no SA)      10.77.6.2
#
# net.inet.esp.enable, net.inet[6].ipsec[6].def_policy and the *_deflev
# knobs that a `default` level resolves through, set with xdpsecctl.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT

make_wire
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2
n1 ip addr add 10.77.5.1/24 dev v1
n2 ip addr add 10.77.5.2/24 dev v2
n1 ip addr add 10.77.6.1/24 dev v1
n2 ip addr add 10.77.6.2/24 dev v2
n1 ip addr add fd77:5::1/64 dev v1 nodad
n2 ip addr add fd77:5::2/64 dev v2 nodad
K1=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
K2=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
conf() {
	cat <<EOF
add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -E aes-gcm-16 0x$K1 ;
add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -E aes-gcm-16 0x$K2 ;
spdadd $1 $2 any -P out ipsec esp/transport//require ;
spdadd $2 $1 any -P in ipsec esp/transport//require ;
EOF
}
conf 10.77.0.1 10.77.0.2 >"$TMP/h1.conf"
echo "spdadd 10.77.6.1 10.77.6.2 icmp -P out ipsec esp/transport//default ;" >>"$TMP/h1.conf"
conf 10.77.0.2 10.77.0.1 >"$TMP/h2.conf"
chmod 600 "$TMP"/h*.conf
check "h1 ready" start_host h1 "$NS1" v1 "$TMP/h1.conf"
check "h2 ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"
c1() { "$B/xdpsecctl" --pin-dir "$PINS-h1" "$@"; }
pingq() { "$@" -c 2 -W 1 -i 0.2 -q >/dev/null 2>&1; }

check "ESP ping with the defaults" pingq n2 ping 10.77.0.1

# net.inet.esp.enable
c1 sysctl net.inet.esp.enable=0 >/dev/null
d0=$(hcounter drop-esp-disabled h1)
check "esp.enable=0: ESP to h1 is dropped" sh -c "! ip netns exec $NS2 ping -c 2 -W 1 -i 0.2 -q 10.77.0.1 >/dev/null 2>&1"
check "esp.enable=0: counted as drop-esp-disabled" test "$(hcounter drop-esp-disabled h1)" -ge $((d0 + 2))
c1 sysctl net.inet.esp.enable=1 >/dev/null
check "esp.enable=1: ESP flows again at once" pingq n2 ping 10.77.0.1

# def_policy: what happens to traffic no policy matches
check "def_policy=1 (none): unmatched traffic passes" pingq n2 ping 10.77.5.1
c1 sysctl net.inet.ipsec.def_policy=0 >/dev/null
d0=$(hcounter drop-default-discard h1)
check "def_policy=0 (discard): unmatched IPv4 is dropped" sh -c "! ip netns exec $NS2 ping -c 2 -W 1 -i 0.2 -q 10.77.5.1 >/dev/null 2>&1"
check "def_policy=0: counted as drop-default-discard" test "$(hcounter drop-default-discard h1)" -ge $((d0 + 2))
check "def_policy=0 for IPv4 leaves IPv6 alone" pingq n2 ping -6 fd77:5::1
c1 sysctl net.inet6.ipsec6.def_policy=0 >/dev/null
check "inet6 def_policy=0: unmatched IPv6 is dropped" sh -c "! ip netns exec $NS2 ping -6 -c 2 -W 1 -i 0.2 -q fd77:5::1 >/dev/null 2>&1"
n1 ip -6 neigh flush dev v1 >/dev/null 2>&1 || true
n1 ping -6 -c 1 -W 1 -q fd77:5::2 >/dev/null 2>&1 || true
check "def_policy=0 still lets neighbour discovery through" sh -c \
	"ip -n $NS1 -6 neigh show fd77:5::2 | grep -Eq 'REACHABLE|STALE|DELAY|PROBE'"
check "policy-protected traffic unaffected by def_policy" pingq n2 ping 10.77.0.1
c1 sysctl net.inet.ipsec.def_policy=1 net.inet6.ipsec6.def_policy=1 >/dev/null
check "def_policy=1 again: unmatched traffic passes" pingq n2 ping 10.77.5.1

# a `default` level resolves through esp_trans_deflev on each packet
check "esp_trans_deflev=1 (use): no SA, the default-level flow goes in clear" \
	pingq n1 ping 10.77.6.2
c1 sysctl net.inet.ipsec.esp_trans_deflev=2 >/dev/null
d0=$(hcounter drop-no-sa-out h1)
check "esp_trans_deflev=2 (require): no SA, dropped" sh -c "! ip netns exec $NS1 ping -c 2 -W 1 -i 0.2 -q 10.77.6.2 >/dev/null 2>&1"
check "esp_trans_deflev=2: counted as drop-no-sa-out" test "$(hcounter drop-no-sa-out h1)" -ge $((d0 + 2))
c1 sysctl net.inet.ipsec.esp_trans_deflev=1 >/dev/null
check "esp_trans_deflev=1 again: passes" pingq n1 ping 10.77.6.2

# the same knob written with bpftool (the raw struct xs_config value)
cfgbytes() { bpftool -j map lookup pinned "$PINS-h1/config" key 0 0 0 0 |
	$PY -c 'import json,sys; print(" ".join(str(int(b,16)) for b in json.load(sys.stdin)["value"]))'; }
OFF=$($PY - "$ROOT/include/xdpsec/sysctl.h" <<'PYEOF'
import re, sys
fields = re.findall(r"^\s*X\((\w+),", open(sys.argv[1]).read(), re.M)
print(fields.index("esp_enable") * 4)
PYEOF
)
set -- $(cfgbytes)
vals=("$@")
vals[$OFF]=0
bpftool map update pinned "$PINS-h1/config" key 0 0 0 0 value "${vals[@]}"
check "bpftool map update of esp_enable is what xdpsecctl reads" sh -c \
	"$B/xdpsecctl --pin-dir $PINS-h1 sysctl net.inet.esp.enable | grep -q '= 0'"
check "and the datapath drops ESP at once" sh -c "! ip netns exec $NS2 ping -c 2 -W 1 -i 0.2 -q 10.77.0.1 >/dev/null 2>&1"
c1 sysctl net.inet.esp.enable=1 >/dev/null

# --- the debug knobs: per-packet trace and the controller's debug log
c1 sysctl net.inet.ipsec.debug=1 >/dev/null
sleep 1.5 # the controller looks once a second
timeout 10 "$B/xdpsecctl" --pin-dir "$PINS-h1" trace -t 3 >"$TMP/trace.txt" 2>&1 &
TR=$!
sleep 0.5
pingq ip netns exec "$NS1" ping 10.77.0.2 || true
pingq ip netns exec "$NS1" ping 10.77.5.2 || true
wait $TR || true
check "debug=1: tc_egress traces the protected ping as tx-steer" \
	grep -Eq '^[0-9.]+ tc_egress [^ ]+ icmp 10\.77\.0\.1 > 10\.77\.0\.2 tx-steer$' "$TMP/trace.txt"
check "debug=1: xdp_ingress traces the ESP reply as rx-steer" \
	grep -Eq '^[0-9.]+ xdp_ingress [^ ]+ esp 10\.77\.0\.2 > 10\.77\.0\.1 rx-steer$' "$TMP/trace.txt"
check "debug=1: the unprotected ping is traced as passed (tx-pass)" \
	grep -Eq ' tc_egress [^ ]+ icmp 10\.77\.5\.1 > 10\.77\.5\.2 tx-pass$' "$TMP/trace.txt"
check "debug=1: no IPv6 traced (net.inet6.ipsec6.debug is 0)" sh -c "! grep -q ':' $TMP/trace.txt"
check "debug=1: the controller turned its debug log on" \
	grep -q "debug logging on (sysctl debug knob)" "$TMP/h1.log"
XDPSEC_PFKEY_SOCKET=$TMP/h1.sock "$B/setkey" -D >/dev/null 2>&1 || true
check "debug=1: PF_KEY requests are logged (type, seq; never keys)" \
	sh -c "grep -q 'pfkey: type 10 ' $TMP/h1.log && ! grep -qi '$K1' $TMP/h1.log"
c1 sysctl net.inet.ipsec.debug=0 >/dev/null
sleep 1.5
timeout 10 "$B/xdpsecctl" --pin-dir "$PINS-h1" trace -t 2 >"$TMP/trace0.txt" 2>&1 &
TR=$!
sleep 0.3
pingq ip netns exec "$NS1" ping 10.77.0.2 || true
wait $TR || true
check "debug=0: nothing traced" test ! -s "$TMP/trace0.txt"
check "debug=0: the controller's debug log is off again" \
	grep -q "debug logging off (sysctl debug knob)" "$TMP/h1.log"

# --- netfilter tells decrypted packets by xdpsec's mark (enc0's "in on enc0")
n1 nft add table inet xstest
n1 nft 'add chain inet xstest in { type filter hook input priority 0 ; }'
n1 nft add rule inet xstest in ip saddr 10.77.0.2 meta mark and 0xf8000000 == 0x58000000 counter
n1 nft add rule inet xstest in ip saddr 10.77.5.2 meta mark and 0xf8000000 == 0x58000000 counter
pingq ip netns exec "$NS1" ping 10.77.0.2 || true
pingq ip netns exec "$NS1" ping 10.77.5.2 || true
n1 nft list chain inet xstest in >"$TMP/nft.txt" 2>&1
check "nft: decrypted replies from 10.77.0.2 carry xdpsec's mark" \
	sh -c "grep '10.77.0.2' $TMP/nft.txt | grep -Eq 'packets [1-9]'"
check "nft: cleartext replies from 10.77.5.2 do not" \
	sh -c "grep '10.77.5.2' $TMP/nft.txt | grep -q 'packets 0 '"
