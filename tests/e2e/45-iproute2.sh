#!/usr/bin/env bash
# The programs attached the iproute2 way, then used by xdpsecd --attached.
#
#   ns xs1-$$: ip link set dev v1 xdpdrv obj xdp_ingress.bpf.o sec xdp
#              tc filter add dev v1 egress bpf da obj tc_egress.bpf.o sec tc
#              (maps pinned by name under $TC_BPF_MNT/tc/globals)
#              xdpsecd --attached -i v1 --pin-dir $TC_BPF_MNT/tc/globals
#   v1 10.77.0.1 ------ w1 -[ br0 ]- w2 ------ v2 10.77.0.2  ns xs2-$$ (xdpsecd)
#
# TC_BPF_MNT points iproute2 at a private bpffs, so nothing lands in the
# host's /sys/fs/bpf.
source "$(dirname "$0")/lib.sh"
MNT=$TMP/bpffs
cleanup() {
	set +e
	cleanup_common_keep_tmp
	umount "$MNT" 2>/dev/null
	rm -rf "$TMP"
}
cleanup_common_keep_tmp() {
	local t=$TMP
	TMP=/nonexistent
	cleanup_common
	TMP=$t
}
trap cleanup EXIT

make_wire
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2
mkdir -p "$MNT"
mount -t bpf bpf "$MNT"
in1() { TC_BPF_MNT=$MNT nsenter --net="/run/netns/$NS1" "$@"; }

check "ip link attaches the ingress program from its object" \
	in1 ip link set dev v1 xdpdrv obj "$B/bpf/xdp_ingress.bpf.o" sec xdp
in1 tc qdisc add dev v1 clsact
check "tc attaches the egress program from its object" \
	in1 tc filter add dev v1 egress bpf da obj "$B/bpf/tc_egress.bpf.o" sec tc
G=$MNT/tc/globals
check "iproute2 pinned the maps by name" test -e "$G/stats" -a -e "$G/spd_rules"

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
conf 10.77.0.2 10.77.0.1 >"$TMP/h2.conf"
chmod 600 "$TMP"/h*.conf

# a daemon that is told the wrong maps refuses the attached program
mkdir -p "$TMP/other"
nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --attached -i v1 \
	--pin-dir "$TMP/other/pins" --pfkey-socket "$TMP/bad.sock" \
	>"$TMP/bad.log" 2>&1 || true
check "--attached with other maps is refused" grep -q "not xdpsec's ingress program" "$TMP/bad.log"
umount "$TMP/other/pins" 2>/dev/null || true

nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --attached -i v1 -f "$TMP/h1.conf" \
	--pin-dir "$G" --pfkey-socket "$TMP/h1.sock" >"$TMP/h1.log" 2>&1 &
DPIDS[h1]=$!
DNS[h1]=$NS1
check "xdpsecd --attached ready" wait_ready "$TMP/h1.sock" "${DPIDS[h1]}" "$TMP/h1.log"
check "h2 ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"

check "one XDP program on v1, the one ip link attached" \
	test "$(ip -n "$NS1" -d link show v1 | grep -c 'prog/xdp')" -eq 1
check "sysctl knobs start at the ipsec(4) defaults" sh -c \
	"$B/xdpsecctl --pin-dir $G sysctl net.inet.ipsec.def_policy | grep -q '= 1'"
check "ESP ping through the iproute2-attached programs" \
	n1 ping -c 3 -W 2 -i 0.2 -q 10.77.0.2
check "the worker encrypted it" test "$("$B/xdpsecctl" --pin-dir "$G" stat -a |
	awk '$2 == "tx-encrypt" { print $1 }')" -ge 3
check "bpftool names the programs" sh -c \
	"bpftool prog show | grep -q 'name xdp_ingress' && bpftool prog show | grep -q 'name tc_egress'"
check "bpftool dumps the counters with BTF names" sh -c \
	"bpftool map dump pinned $G/stats | grep -q '\"tx_steer\"'"
