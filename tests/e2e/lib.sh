# shellcheck shell=bash
# Helpers for the end-to-end tests.  Each test sources this, draws its
# topology in its header, and reports one line per check:
#   "ok - text", "not ok - text" or "skip - text"  (counted by run-tests.sh)
set -e
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$ROOT/build
ID=$$
TMP=$(mktemp -d "/tmp/xdpsec-e2e-$ID.XXXX")
PINS=/sys/fs/bpf/xdpsec-e2e-$ID
NS1=xs1-$ID
NS2=xs2-$ID
DPID=
PY=/usr/bin/python3

n1() { ip netns exec "$NS1" "$@"; }
n2() { ip netns exec "$NS2" "$@"; }

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check "description" command...: one line, never aborts the script
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# Several daemons: start_host NAME NS IFACE CONF [XDPSECD-OPTION...] ->
# $TMP/NAME.sock, pins $PINS-NAME, pid in DPIDS[NAME]
declare -A DPIDS=() DNS=()

start_host() {
	local name=$1 ns=$2 ifc=$3 conf=$4
	shift 4 # the rest: more xdpsecd options (e.g. --crypto ipsec-mb)
	rm -f "$TMP/$name.sock"
	nsenter --net="/run/netns/$ns" "$B/xdpsecd" -i "$ifc" -f "$conf" \
		--pfkey-socket "$TMP/$name.sock" --pin-dir "$PINS-$name" "$@" \
		>>"$TMP/$name.log" 2>&1 &
	DPIDS[$name]=$!
	DNS[$name]=$ns
	wait_ready "$TMP/$name.sock" "${DPIDS[$name]}" "$TMP/$name.log"
}

# hcounter NAME COUNTER: a counter of host NAME
hcounter() {
	"$B/xdpsecctl" --pin-dir "$PINS-$2" stat -a | awk -v n="$1" '$2 == n { print $1 }'
}

# hcnt COUNTER NAME: as hcounter, -1 if it cannot be read
hcnt() {
	local v
	v=$(hcounter "$1" "$2" 2>/dev/null)
	echo "${v:--1}"
}

# gwctl NAME ARG...: xdpsecctl on host NAME's pins
gwctl() { local g=$1; shift; "$B/xdpsecctl" --pin-dir "$PINS-$g" "$@"; }

stop_hosts() {
	local name
	for name in "${!DPIDS[@]}"; do
		kill -9 "${DPIDS[$name]}" 2>/dev/null
		wait "${DPIDS[$name]}" 2>/dev/null
		[ -e "/run/netns/${DNS[$name]}" ] &&
			nsenter --net="/run/netns/${DNS[$name]}" "$B/xdpsecd" \
				--detach --pin-dir "$PINS-$name" >/dev/null 2>&1
		rm -rf "$PINS-$name"
	done
	DPIDS=()
}

cleanup_common() {
	set +e
	stop_hosts
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -d "$PINS" ] && [ -e "/run/netns/$NS1" ] &&
		nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --detach \
			--pin-dir "$PINS" >/dev/null 2>&1
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	[ -n "${NSW:-}" ] && ip netns del "$NSW" 2>/dev/null
	rm -rf "$PINS" "$TMP"
}

# NS1 -- v1 | w1 [br0 in NSW] w2 | v2 -- NS2: a wire we can capture on
make_wire() {
	NSW=xsw-$ID
	ip netns add "$NS1"
	ip netns add "$NS2"
	ip netns add "$NSW"
	ip link add v1 netns "$NS1" type veth peer name w1 netns "$NSW"
	ip link add v2 netns "$NS2" type veth peer name w2 netns "$NSW"
	ip -n "$NSW" link add br0 type bridge
	ip -n "$NSW" link set w1 master br0
	ip -n "$NSW" link set w2 master br0
	local l
	for l in w1 w2 br0 lo; do ip -n "$NSW" link set "$l" up; done
	n1 ip link set lo up
	n2 ip link set lo up
	n1 ip link set v1 up
	n2 ip link set v2 up
	nw() { ip netns exec "$NSW" "$@"; }
	# the hosts' stacks compute full checksums (see MACHINE-FACTS trap 1)
	n1 ethtool -K v1 tx off >/dev/null 2>&1 || true
	n2 ethtool -K v2 tx off >/dev/null 2>&1 || true
}

# two namespaces joined by a veth: v1 in NS1, v2 in NS2
make_pair() {
	ip netns add "$NS1"
	ip netns add "$NS2"
	ip link add v1 netns "$NS1" type veth peer name v2 netns "$NS2"
	n1 ip link set lo up
	n2 ip link set lo up
	n1 ip link set v1 up
	n2 ip link set v2 up
	# locally generated checksums must be complete on the wire
	n1 ethtool -K v1 tx off >/dev/null 2>&1 || true
	n2 ethtool -K v2 tx off >/dev/null 2>&1 || true
}

addr_pair() { # addr_pair ADDR1/PLEN ADDR2/PLEN
	n1 ip addr add "$1" dev v1 nodad 2>/dev/null || n1 ip addr add "$1" dev v1
	n2 ip addr add "$2" dev v2 nodad 2>/dev/null || n2 ip addr add "$2" dev v2
}

# start_daemon CONF [extra args]: xdpsecd in NS1's network namespace but
# the host's mount namespace, so its pins are visible to bpftool here
start_daemon() {
	local conf=$1
	shift
	rm -f "$TMP/pfkey.sock"
	nsenter --net="/run/netns/$NS1" "$B/xdpsecd" -i v1 -f "$conf" \
		--pfkey-socket "$TMP/pfkey.sock" --pin-dir "$PINS" "$@" \
		>>"$TMP/xdpsecd.log" 2>&1 &
	DPID=$!
	wait_ready "$TMP/pfkey.sock" "$DPID" "$TMP/xdpsecd.log"
}

# wait_ready SOCKET PID LOG: the socket appears once xdpsecd is ready
wait_ready() {
	local i
	for i in $(seq 100); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	cat "$3" >&2
	return 1
}

setkey() { XDPSEC_PFKEY_SOCKET=$TMP/pfkey.sock "$B/setkey" "$@"; }
ctl() { "$B/xdpsecctl" --pin-dir "$PINS" "$@"; }

# counter NAME: current value of a datapath counter (xdpsecctl stat names)
counter() {
	ctl stat -a | awk -v n="$1" '$2 == n { print $1 }'
}

# mac of an interface in a namespace
mac_of() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }

# netns_up NS...: new namespaces, each with its loopback up
netns_up() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
}

# addrs NS IFACE ADDR...: addresses, IPv6 ones without duplicate detection
addrs() {
	local ns=$1 ifc=$2 a
	shift 2
	for a in "$@"; do ip -n "$ns" addr add "$a" dev "$ifc" nodad 2>/dev/null ||
		ip -n "$ns" addr add "$a" dev "$ifc"; done
}

# gw_chain NS1..NS5: the security gateway tests' row of namespaces,
#   NS1 eth0 -- lan0 NS2 wan0 -- ra NS3 rb -- wan0 NS4 lan0 -- eth0 NS5
# links up, IPv4 and IPv6 forwarding on in NS2, NS3 and NS4
gw_chain() {
	local ns
	netns_up "$@"
	veth_link "$1" eth0 "$2" lan0
	veth_link "$2" wan0 "$3" ra
	veth_link "$3" rb "$4" wan0
	veth_link "$4" lan0 "$5" eth0
	for ns in "$2" "$3" "$4"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
	done
}

# stop_captures: end the tcpdumps in TDPIDS (after half a second for the
# last packets)
stop_captures() {
	local p
	sleep 0.5
	for p in "${TDPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${TDPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	TDPIDS=()
}

# chain_cleanup NS...: an EXIT trap's work: the captures in TDPIDS (and
# TCPD), the daemons, the namespaces, $TMP (kept with XS_KEEP=1)
chain_cleanup() {
	set +e
	local p
	for p in "${TDPIDS[@]}" ${TCPD:-}; do kill "$p" 2>/dev/null; done
	stop_hosts
	for p in "$@"; do ip netns del "$p" 2>/dev/null; done
	[ -n "${XS_KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}

# veth_link NS1 IF1 NS2 IF2: a veth from IF1 in NS1 to IF2 in NS2, both
# ends up, with transmit checksum offload off so that locally generated
# checksums are complete on the wire (MACHINE-FACTS trap 1)
veth_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
	ip netns exec "$3" ethtool -K "$4" tx off >/dev/null 2>&1 || true
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# wire_capture FILE [FILTER]: tcpdump on make_wire's bridge into $TMP/FILE
# (default filter: IPv4 and IPv6); its pid in TDW
wire_capture() {
	ip netns exec "$NSW" tcpdump --immediate-mode -U -i br0 -n \
		-w "$TMP/$1" "${2:-ip or ip6}" >/dev/null 2>&1 &
	TDW=$!
}

# tcp_copy SRV_NS CLI_NS ADDR PORT BYTES TAG: BYTES of seeded data from
# CLI_NS to a server on ADDR:PORT in SRV_NS (traffic.py); true when both
# ends report the same count and digest ($TMP/TAG.srv, $TMP/TAG.cli)
tcp_copy() {
	local srv
	ip netns exec "$1" $PY "$ROOT/tests/e2e/traffic.py" tcp-server "$3" "$4" \
		>"$TMP/$6.srv" 2>&1 &
	srv=$!
	sleep 0.3
	ip netns exec "$2" $PY "$ROOT/tests/e2e/traffic.py" tcp-client "$3" "$4" \
		"$5" >"$TMP/$6.cli" 2>&1 || true
	wait $srv || true
	test -s "$TMP/$6.cli" && cmp -s "$TMP/$6.cli" "$TMP/$6.srv"
}
