#!/usr/bin/env bash
# Per-socket policy: KAME's IP_IPSEC_POLICY / IPV6_IPSEC_POLICY and
# OpenBSD's level options, enforced for one socket's packets only.
#
#   ns xs1-$$ (xdpsecd h1)      ns xsw-$$ (the wire)       ns xs2-$$ (xdpsecd h2)
#   v1 10.75.0.1/24 ---- w1 -[ br0: tcpdump ]- w2 ---- v2 10.75.0.2/24
#      fd75::1/64                                           fd75::2/64
#   cgroup $CG/h1: h1's programs    cgroup $CG/h2: h2's programs
#
# SAs both ways, no SPD policy at all (global SPD: none): whatever is
# protected is so because a socket asked.  Each daemon attaches its
# cgroup programs to its own child cgroup (--cgroup), so nothing else on
# the machine sees them; the test programs run in those cgroups.
source "$(dirname "$0")/lib.sh"
CGROOT=/sys/fs/cgroup/unified
cg2() { [ "$(stat -fc %T "$1" 2>/dev/null)" = cgroup2fs ]; }
cg2 "$CGROOT" || CGROOT=/sys/fs/cgroup
if ! cg2 "$CGROOT"; then
	echo "skip - no cgroup v2 mount"
	exit 0
fi
CG=$CGROOT/xdpsec-e2e-$ID
TDW=
cleanup() {
	set +e
	[ -n "$TDW" ] && kill "$TDW" 2>/dev/null
	cleanup_common
	local d
	for d in "$CG/h1" "$CG/h2" "$CG"; do
		[ -d "$d" ] || continue
		# test programs left behind (an aborted run) go first
		echo 1 >"$d/cgroup.kill" 2>/dev/null
		for _ in 1 2 3 4 5; do rmdir "$d" 2>/dev/null && break; sleep 0.2; done
	done
}
trap cleanup EXIT
PEER=$B/tests/prog_sockpol_peer
OPTS=$B/tests/prog_sockpol_opts

mkdir -p "$CG/h1" "$CG/h2"
make_wire
n1 ip addr add 10.75.0.1/24 dev v1
n2 ip addr add 10.75.0.2/24 dev v2
n1 ip addr add fd75::1/64 dev v1 nodad
n2 ip addr add fd75::2/64 dev v2 nodad
# no ARP/ND wait for the first datagrams (MACHINE-FACTS)
n1 ip neigh replace 10.75.0.2 lladdr "$(mac_of "$NS2" v2)" dev v1 nud permanent
n2 ip neigh replace 10.75.0.1 lladdr "$(mac_of "$NS1" v1)" dev v2 nud permanent
n1 ip neigh replace fd75::2 lladdr "$(mac_of "$NS2" v2)" dev v1 nud permanent
n2 ip neigh replace fd75::1 lladdr "$(mac_of "$NS1" v1)" dev v2 nud permanent

hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K12=$(hexkey 20) K21=$(hexkey 20) K12v6=$(hexkey 20) K21v6=$(hexkey 20)
cat >"$TMP/sa.conf" <<EOF
add 10.75.0.1 10.75.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K12 ;
add 10.75.0.2 10.75.0.1 esp 0x2001 -m transport -r 32 -E aes-gcm-16 0x$K21 ;
add fd75::1 fd75::2 esp 0x1006 -m transport -r 32 -E aes-gcm-16 0x$K12v6 ;
add fd75::2 fd75::1 esp 0x2006 -m transport -r 32 -E aes-gcm-16 0x$K21v6 ;
EOF
chmod 600 "$TMP/sa.conf"

# start_cg NAME NS IFACE: xdpsecd with its programs on cgroup $CG/NAME
start_cg() {
	local name=$1 ns=$2 ifc=$3
	rm -f "$TMP/$name.sock"
	nsenter --net="/run/netns/$ns" "$B/xdpsecd" -i "$ifc" -f "$TMP/sa.conf" \
		--pfkey-socket "$TMP/$name.sock" --pin-dir "$PINS-$name" \
		--cgroup "$CG/$name" >>"$TMP/$name.log" 2>&1 &
	DPIDS[$name]=$!
	DNS[$name]=$ns
	wait_ready "$TMP/$name.sock" "${DPIDS[$name]}" "$TMP/$name.log"
}
# incg CGROUP NS CMD...: run CMD in cgroup CGROUP and namespace NS
incg() {
	local cg=$1 ns=$2
	shift 2
	sh -c 'cg=$1 ns=$2; shift 2; echo $$ >"$cg/cgroup.procs" &&
		exec nsenter --net="/run/netns/$ns" "$@"' sh "$cg" "$ns" "$@"
}
h1() { incg "$CG/h1" "$NS1" "$@"; }
h2() { incg "$CG/h2" "$NS2" "$@"; }
cg_progs() { bpftool cgroup show "$1" 2>/dev/null | grep -c 'xs_'; }

check "h1 xdpsecd ready (--cgroup $CG/h1)" start_cg h1 "$NS1" v1
check "h2 xdpsecd ready (--cgroup $CG/h2)" start_cg h2 "$NS2" v2
check "h1's setsockopt, getsockopt and skb ingress programs on its cgroup" \
	test "$(cg_progs "$CG/h1")" -eq 3
check "nothing attached to the parent cgroup" test "$(cg_progs "$CG")" -eq 0

# ---------------------------------------------------------------- options
h1 "$OPTS" root 1 >"$TMP/opts.root" 2>&1 || true
sed 's/^/  /' "$TMP/opts.root"
check "socket options as root: every case passes" \
	sh -c "grep -q '^ok' $TMP/opts.root && ! grep -q '^not ok' $TMP/opts.root"
# nobody TAG ARGS...: sockpol_opts as nobody in h1's namespace, output
# shown and kept in $TMP/opts.TAG
nobody() {
	local t=$1
	shift
	h1 setpriv --reuid 65534 --regid 65534 --clear-groups "$OPTS" "$@" \
		>"$TMP/opts.$t" 2>&1 || true
	sed 's/^/  /' "$TMP/opts.$t"
}
nobody nobody unpriv 1
check "as nobody: BYPASS EACCES, other levels allowed, EINVAL" \
	sh -c "grep -q '^ok' $TMP/opts.nobody && ! grep -q '^not ok' $TMP/opts.nobody"
"$B/xdpsecctl" --pin-dir "$PINS-h1" sysctl net.inet.ipsec.esp_trans_deflev=2 >/dev/null
nobody nobody2 unpriv 3
check "esp_trans_deflev=2: nobody may not go below REQUIRE (EACCES)" \
	sh -c "grep -q 'EACCES (got Permission denied)' $TMP/opts.nobody2 && ! grep -q '^not ok' $TMP/opts.nobody2"
"$B/xdpsecctl" --pin-dir "$PINS-h1" sysctl net.inet.ipsec.esp_trans_deflev=1 >/dev/null
# h1's programs serve h1's namespace only: a socket of NS2 in h1's cgroup
incg "$CG/h1" "$NS2" "$OPTS" absent >"$TMP/opts.absent" 2>&1 || true
check "another namespace's sockets are left to the kernel (ENOPROTOOPT)" \
	sh -c "! grep -q '^not ok' $TMP/opts.absent && grep -q '^ok' $TMP/opts.absent"

# ---------------------------------------------------------------- egress
wire_capture wire.pcap
sleep 1
h2 "$PEER" udp-recv 10.75.0.2 7501 4 >"$TMP/r7501" &
R1=$!
h2 "$PEER" udp-recv 10.75.0.2 7502 4 >"$TMP/r7502" &
R2=$!
h2 "$PEER" udp-recv fd75::2 7503 4 >"$TMP/r7503" &
R3=$!
sleep 0.5
c0=$(hcounter tx-sock-policy h1)
h1 "$PEER" -p "out ipsec esp/transport//require" udp-send 10.75.0.2 7501 20 >/dev/null
h1 "$PEER" udp-send 10.75.0.2 7502 20 >/dev/null
h1 "$PEER" -p "out ipsec esp/transport//require" udp-send fd75::2 7503 20 >/dev/null
wait $R1 $R2 $R3 || true
sleep 0.5
kill $TDW 2>/dev/null || true
wait $TDW 2>/dev/null || true
wire() { ip netns exec "$NSW" tcpdump -r "$TMP/wire.pcap" -n "$@" 2>/dev/null | wc -l; }
check "socket with 'out ipsec esp/transport//require': its datagrams arrive ($(cat "$TMP/r7501"))" \
	grep -qx 'received 20' "$TMP/r7501"
check "... and none of them crossed the wire in clear" test "$(wire 'udp port 7501')" -eq 0
check "... ESP 0x1001 from h1 on the wire (>= 20)" \
	test "$(wire 'ip proto 50 and src 10.75.0.1 and ip[20:4] = 0x1001')" -ge 20
check "another socket of the same host sends in clear ($(cat "$TMP/r7502"))" \
	sh -c "grep -qx 'received 20' $TMP/r7502 && test $(wire 'udp port 7502') -eq 20"
check "IPv6 socket with IPV6_IPSEC_POLICY: ESP on the wire, delivered ($(cat "$TMP/r7503"))" \
	sh -c "grep -qx 'received 20' $TMP/r7503 && test $(wire 'udp port 7503') -eq 0 && test $(wire 'ip6 proto 50 and ip6[40:4] = 0x1006') -ge 20"
check "h1 counted its socket-policy packets (tx-sock-policy)" \
	test "$(hcounter tx-sock-policy h1)" -ge $((c0 + 40))

# the level option does the same
h2 "$PEER" udp-recv 10.75.0.2 7504 3 >"$TMP/r7504" &
R1=$!
sleep 0.5
e0=$(hcounter tx-steer h1)
h1 "$PEER" -l esp_trans=require udp-send 10.75.0.2 7504 10 >/dev/null
wait $R1 || true
check "IP_ESP_TRANS_LEVEL=REQUIRE: datagrams protected (tx-steer +10) and delivered" \
	sh -c "grep -qx 'received 10' $TMP/r7504 && test $(hcounter tx-steer h1) -ge $((e0 + 10))"
h2 "$PEER" udp-recv 10.75.0.2 7505 3 >"$TMP/r7505" &
R1=$!
sleep 0.5
h1 "$PEER" -p "out discard" udp-send 10.75.0.2 7505 5 >/dev/null
wait $R1 || true
check "'out discard' socket: nothing arrives" grep -qx 'received 0' "$TMP/r7505"

# ---------------------------------------------------------------- ingress
# a UDP server that requires ESP: clear text is dropped, ESP delivered
d0=$(hcounter drop-sock-policy h2)
h2 "$PEER" -p "in ipsec esp/transport//require" udp-recv 10.75.0.2 7510 4 >"$TMP/r7510" &
R1=$!
sleep 0.5
h1 "$PEER" udp-send 10.75.0.2 7510 10 >/dev/null
h1 "$PEER" -p "out ipsec esp/transport//require" udp-send 10.75.0.2 7510 7 >/dev/null
wait $R1 || true
check "'in ipsec esp/transport//require' server: 7 ESP datagrams of 17 ($(cat "$TMP/r7510"))" \
	grep -qx 'received 7' "$TMP/r7510"
check "the 10 cleartext ones counted as drop-sock-policy on h2" \
	test "$(hcounter drop-sock-policy h2)" -eq $((d0 + 10))

# a TCP server with IP_ESP_TRANS_LEVEL=REQUIRE: a cleartext client is
# refused (its SYN never reaches the listener), an IPsec client talks
h2 "$PEER" -l esp_trans=require tcp-serve 10.75.0.2 7520 8 >"$TMP/t7520" &
S=$!
sleep 0.5
d0=$(hcounter drop-sock-policy h2)
check "cleartext TCP client refused by the server that requires ESP" \
	sh -c "! nsenter --net=/run/netns/$NS1 $PEER tcp-talk 10.75.0.2 7520 2 >$TMP/t.clear"
check "... its SYNs counted as drop-sock-policy on h2" \
	test "$(hcounter drop-sock-policy h2)" -gt "$d0"
h1 "$PEER" -p "out ipsec esp/transport//require" tcp-talk 10.75.0.2 7520 4 >"$TMP/t.esp" 2>&1 || true
check "TCP client with 'out ipsec esp/transport//require' talks to it ($(cat "$TMP/t.esp"))" \
	grep -qx talked "$TMP/t.esp"
wait $S || true
check "the server served exactly one connection ($(cat "$TMP/t7520"))" grep -qx 'served 1' "$TMP/t7520"

# both ends require ESP both ways: the SYN-ACK (sent by a request socket,
# not the listener) must be ESP too, or the client drops it
h2 "$PEER" -l esp_trans=require tcp-serve 10.75.0.2 7521 6 >"$TMP/t7521" &
S=$!
sleep 0.5
h1 "$PEER" -l esp_trans=require tcp-talk 10.75.0.2 7521 4 >"$TMP/t.both" 2>&1 || true
check "ESP required on both ends: SYN-ACK protected by the listener's policy ($(cat "$TMP/t.both"))" \
	grep -qx talked "$TMP/t.both"
wait $S || true

# IPv6 AH level: IPV6_AUTH_LEVEL=REQUIRE accepts ESP (authenticated)
h2 "$PEER" -l auth=require udp-recv fd75::2 7530 3 >"$TMP/r7530" &
R1=$!
sleep 0.5
h1 "$PEER" udp-send fd75::2 7530 5 >/dev/null
h1 "$PEER" -p "out ipsec esp/transport//require" udp-send fd75::2 7530 4 >/dev/null
wait $R1 || true
check "IPV6_AUTH_LEVEL=REQUIRE: 4 ESP datagrams of 9 delivered ($(cat "$TMP/r7530"))" \
	grep -qx 'received 4' "$TMP/r7530"

# ---------------------------------------------------------------- detach
stop_hosts || true
check "--detach removed the cgroup programs" \
	sh -c "test $(cg_progs "$CG/h1") -eq 0 && test $(cg_progs "$CG/h2") -eq 0"
