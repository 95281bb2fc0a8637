#!/usr/bin/env bash
# ESP and AH tunnel mode end to end: two security gateways, four inner/outer
# family combinations and an AH tunnel, through a router that knows no
# route to the inner networks.
#
#  hA: ns xta-$$      gwA: ns xga-$$           inet: ns xti-$$             gwB: ns xgb-$$            hB: ns xtb-$$
#  eth0 ------- lan0 [xdpsecd] wan0 ------- ra  router  rb ------- wan0 [xdpsecd] lan0 ------- eth0
#  10.1.0.2  10.1.0.1   192.0.2.1    192.0.2.254     198.51.100.254    198.51.100.1  10.2.0.1  10.2.0.2
#  fd01::2   fd01::1    2001:db8:a::1  2001:db8:a::fe   2001:db8:b::fe  2001:db8:b::1 fd02::1   fd02::2
#  10.11.0.2 10.11.0.1                                                               10.12.0.1 10.12.0.2
#  fd11::2   fd11::1              tcpdump on ra and rb, scapy on rb              fd12::1   fd12::2
#  10.21.0.2 10.21.0.1                                                               10.22.0.1 10.22.0.2
#  (inet routes only 192.0.2.0/24, 198.51.100.0/24, 2001:db8:a::/64, 2001:db8:b::/64)
#
#   v4-in-v4 10.1.0.0/24 <-> 10.2.0.0/24    ESP over 192.0.2.1 <-> 198.51.100.1
#   v6-in-v6 fd01::/64   <-> fd02::/64      ESP over 2001:db8:a::1 <-> 2001:db8:b::1
#   v4-in-v6 10.11.0.0/24 <-> 10.12.0.0/24  ESP over the IPv6 outer
#   v6-in-v4 fd11::/64   <-> fd12::/64      ESP over the IPv4 outer
#   AH       10.21.0.0/24 <-> 10.22.0.0/24  ah/tunnel hmac-sha256 over the IPv4 outer
#   nested   10.31.0.0/24 <-> 10.32.0.0/24  esp/tunnel then ah/transport over the
#                                           IPv4 outer (AH around the ESP tunnel)
#
# One ESP SA pair per outer family (SAs are found by proto, mode and tunnel
# endpoints); the IPv4 pair's gwB -> gwA SA is added without -m (mode any,
# the setkey default), which KAME lets serve a tunnel policy.  SPIs 0x3001
# and 0x3006 (gwA -> gwB, on gwB only) are scapy's.  Default 1500-byte MTU
# everywhere; xdpsecd only on the gateways' internet-side veths.  hB also
# has 10.2.0.3-5 and fd02::3, fd02::5 for the path MTU and next hop tests.
# XS_KEEP=1 keeps the captures and logs in $TMP.
source "$(dirname "$0")/lib.sh"
E2E=$ROOT/tests/e2e
HA=xta-$ID GA=xga-$ID RT=xti-$ID GB=xgb-$ID HB=xtb-$ID
TDPIDS=()

trap 'chain_cleanup "$HA" "$GA" "$RT" "$GB" "$HB"' EXIT

# every command in a namespace is bounded in time
ha() { timeout 30 ip netns exec "$HA" "$@"; }
ga() { timeout 30 ip netns exec "$GA" "$@"; }
rt() { timeout 30 ip netns exec "$RT" "$@"; }
hb() { timeout 30 ip netns exec "$HB" "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

# --- topology ---------------------------------------------------------------
gw_chain "$HA" "$GA" "$RT" "$GB" "$HB"
# host X of side S (1 = A, 2 = B): the inner networks of that side
inner_side() { # inner_side NS IFACE S X
	local s=$3 x=$4
	addrs "$1" "$2" 10.$s.0.$x/24 fd0$s::$x/64 10.1$s.0.$x/24 fd1$s::$x/64 10.2$s.0.$x/24 \
		10.3$s.0.$x/24
}
inner_side "$HA" eth0 1 2
inner_side "$GA" lan0 1 1
inner_side "$GB" lan0 2 1
inner_side "$HB" eth0 2 2
# destinations the path MTU tests have to themselves (no cached PMTU)
addrs "$HB" eth0 10.2.0.3/24 10.2.0.4/24 fd02::3/64
# and the next hop test (10.)
addrs "$HB" eth0 10.2.0.5/24 fd02::5/64
addrs "$GA" wan0 192.0.2.1/24 2001:db8:a::1/64
addrs "$RT" ra 192.0.2.254/24 2001:db8:a::fe/64
addrs "$RT" rb 198.51.100.254/24 2001:db8:b::fe/64
addrs "$GB" wan0 198.51.100.1/24 2001:db8:b::1/64
ip -n "$GA" route add default via 192.0.2.254
ip -n "$GA" -6 route add default via 2001:db8:a::fe
ip -n "$GB" route add default via 198.51.100.254
ip -n "$GB" -6 route add default via 2001:db8:b::fe
host_routes() { # host_routes NS S(own side) P(peer side)
	local ns=$1 s=$2 p=$3
	ip -n "$ns" route add default via 10.$s.0.1
	ip -n "$ns" route add 10.$p.0.0/24 via 10.$s.0.1 src 10.$s.0.2
	ip -n "$ns" route add 10.1$p.0.0/24 via 10.1$s.0.1 src 10.1$s.0.2
	ip -n "$ns" route add 10.2$p.0.0/24 via 10.2$s.0.1 src 10.2$s.0.2
	ip -n "$ns" route add 10.3$p.0.0/24 via 10.3$s.0.1 src 10.3$s.0.2
	ip -n "$ns" -6 route add default via fd0$s::1
	ip -n "$ns" -6 route add fd0$p::/64 via fd0$s::1 src fd0$s::2
	ip -n "$ns" -6 route add fd1$p::/64 via fd1$s::1 src fd1$s::2
}
host_routes "$HA" 1 2
host_routes "$HB" 2 1

MACGA=$(mac_of "$GA" wan0) MACRA=$(mac_of "$RT" ra) MACGB=$(mac_of "$GB" wan0)

# --- keys and setkey files --------------------------------------------------
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K4AB=$(hexkey 20) K4BA=$(hexkey 20) K6AB=$(hexkey 36) K6BA=$(hexkey 20)
KHAB=$(hexkey 32) KHBA=$(hexkey 32) KS=$(hexkey 20) KS6=$(hexkey 20)
A4=192.0.2.1 B4=198.51.100.1 A6=2001:db8:a::1 B6=2001:db8:b::1
sas() {
	cat <<EOF
add $A4 $B4 esp 0x1001 -m tunnel -r 32 -E aes-gcm-16 0x$K4AB ;
add $B4 $A4 esp 0x2001 -r 32 -E aes-gcm-16 0x$K4BA ;
add $A6 $B6 esp 0x1006 -m tunnel -r 32 -E aes-gcm-16 0x$K6AB ;
add $B6 $A6 esp 0x2006 -m tunnel -r 32 -E aes-gcm-16 0x$K6BA ;
add $A4 $B4 ah 0x1051 -m tunnel -r 32 -A hmac-sha256 0x$KHAB ;
add $B4 $A4 ah 0x2051 -m tunnel -r 32 -A hmac-sha256 0x$KHBA ;
add $A4 $B4 ah 0x1061 -m transport -r 32 -A hmac-sha256 0x$KHAB ;
add $B4 $A4 ah 0x2061 -m transport -r 32 -A hmac-sha256 0x$KHBA ;
EOF
}
pol() { # pol LOCALNET REMOTENET PROTO LOCALGW REMOTEGW
	cat <<EOF
spdadd $1 $2 any -P out ipsec $3/tunnel/$4-$5/require ;
spdadd $2 $1 any -P in ipsec $3/tunnel/$5-$4/require ;
EOF
}
pols() { # pols S P LOCAL4 REMOTE4 LOCAL6 REMOTE6
	pol 10.$1.0.0/24 10.$2.0.0/24 esp "$3" "$4"
	pol fd0$1::/64 fd0$2::/64 esp "$5" "$6"
	pol 10.1$1.0.0/24 10.1$2.0.0/24 esp "$5" "$6"
	pol fd1$1::/64 fd1$2::/64 esp "$3" "$4"
	pol 10.2$1.0.0/24 10.2$2.0.0/24 ah "$3" "$4"
	# nested: ESP tunnel, then AH transport over its outer header
	echo "spdadd 10.3$1.0.0/24 10.3$2.0.0/24 any -P out ipsec esp/tunnel/$3-$4/require ah/transport//require ;"
	echo "spdadd 10.3$2.0.0/24 10.3$1.0.0/24 any -P in ipsec esp/tunnel/$4-$3/require ah/transport//require ;"
}
{
	sas
	pols 1 2 $A4 $B4 $A6 $B6
} >"$TMP/gwA.conf"
{
	sas
	echo "add $A4 $B4 esp 0x3001 -m tunnel -E aes-gcm-16 0x$KS ;"
	echo "add $A6 $B6 esp 0x3006 -m tunnel -E aes-gcm-16 0x$KS6 ;"
	pols 2 1 $B4 $A4 $B6 $A6
} >"$TMP/gwB.conf"
chmod 600 "$TMP/gwA.conf" "$TMP/gwB.conf"

# --- cleartext baseline, before any xdpsecd ---------------------------------
check "baseline: gwA reaches gwB's outer IPv4 address through inet" \
	quiet ga ping -c 2 -i 0.2 -W 2 -q $B4
check "baseline: gwA reaches gwB's outer IPv6 address through inet" \
	quiet ga ping -6 -c 2 -i 0.2 -W 2 -q $B6
check "baseline: hA reaches gwA, hB reaches gwB (inner side)" \
	quiet sh -c "ip netns exec $HA ping -c 1 -W 2 10.1.0.1 && ip netns exec $HB ping -c 1 -W 2 10.2.0.1"
check "baseline: without xdpsecd hA cannot reach hB (inet has no inner routes)" \
	quiet sh -c "! ip netns exec $HA ping -c 1 -W 1 10.2.0.2 && ! ip netns exec $HA ping -6 -c 1 -W 1 fd02::2"

# --- gateways ---------------------------------------------------------------
check "gwA xdpsecd ready (tunnel SAs and policies from -f)" \
	start_host gwA "$GA" wan0 "$TMP/gwA.conf"
check "gwB xdpsecd ready" start_host gwB "$GB" wan0 "$TMP/gwB.conf"

capture() { # capture NAME IFACE SNAPLEN
	ip netns exec "$RT" tcpdump --immediate-mode -U -i "$2" -s "$3" -n -w "$TMP/$1.pcap" >/dev/null 2>&1 &
	TDPIDS+=($!)
}
# the whole run, headers only: leaks, cleartext, MACs
capture ra ra 256
capture rb rb 256
sleep 1

# --- 1. ping every combination ------------------------------------------------
PING_OK=
for d in 10.2.0.2 fd02::2 10.12.0.2 fd12::2 10.22.0.2; do
	case $d in
	10.2.*) what="v4-in-v4 ESP" ;; fd02*) what="v6-in-v6 ESP" ;;
	10.12.*) what="v4-in-v6 ESP" ;; fd12*) what="v6-in-v4 ESP" ;;
	*) what="v4-in-v4 AH" ;;
	esac
	if ha ping -c 3 -i 0.2 -W 2 -q $d >/dev/null 2>&1; then
		ok "ping hA -> hB $d ($what), 3 of 3"
		PING_OK="$PING_OK $d"
	else
		notok "ping hA -> hB $d ($what), 3 of 3"
	fi
done

# --- 2. TCP bulk, full-size segments through the tunnel (PMTU) ----------------
tcp_bulk() { # tcp_bulk ADDR PORT TAG
	if [[ " $PING_OK " != *" $1 "* ]]; then
		echo "not run: no ping" >"$TMP/tcp$3.cli"
		return 1
	fi
	hb $PY "$E2E/traffic.py" tcp-server "$1" "$2" >"$TMP/tcp$3.srv" 2>&1 &
	local srv=$!
	sleep 0.5
	ha $PY "$E2E/traffic.py" tcp-client "$1" "$2" 20000000 >"$TMP/tcp$3.cli" 2>&1
	wait $srv
	test -s "$TMP/tcp$3.cli" && cmp -s "$TMP/tcp$3.cli" "$TMP/tcp$3.srv"
}
# headers of what the TCP runs put on the wire, on their own
capture tcp ra 128
TCPD=$!
unset 'TDPIDS[-1]'
sleep 1
check "TCP 20 MB hA -> hB over v4-in-v4, sha256 equal" tcp_bulk 10.2.0.2 7000 4
check "TCP 20 MB hA -> hB over v6-in-v6, sha256 equal" tcp_bulk fd02::2 7001 6
sleep 0.5
kill $TCPD 2>/dev/null || true
wait $TCPD 2>/dev/null || true
$PY "$E2E/tunnel_scapy.py" wire "$TMP/tcp.pcap" $A4 $B4 $A6 $B6 - - 10.0.0.0/8 fd00::/8 \
	>"$TMP/wire-tcp.txt" 2>&1 || true
AMAX=$(grep -oE 'a_max=[0-9]+' "$TMP/wire-tcp.txt" | cut -d= -f2)
check "TCP used full-size packets: longest ESP from gwA ${AMAX:-none} bytes (1450..1500)" \
	test "${AMAX:-0}" -ge 1450 -a "${AMAX:-0}" -le 1500

# everything below is also captured whole (small, decrypted by scapy)
capture d ra 0
sleep 1

# --- 4. inner/outer header fields -------------------------------------------
# tagged by ICMP echo size so each case is found in the capture
tping() { # tping SIZE ping-args... (only the request on the wire matters)
	local s=$1
	shift
	ha ping -c 1 -W 1 -q -s "$s" "$@" >/dev/null 2>&1 || true
}
tping 201 -t 50 -Q 0xb8 10.2.0.2
tping 202 -t 50 -Q 0xb8 fd02::2
tping 203 -t 50 -Q 0xb8 10.12.0.2
tping 204 -t 50 -Q 0xb8 fd12::2

# --- 9. AH tunnel -----------------------------------------------------------
tping 501 -t 50 10.22.0.2

# --- 5. dfbit ---------------------------------------------------------------
# knob GW NAME=VALUE...: set and read back; the crypto workers re-read
# the knobs at most once a second, so give them that
knob() {
	local g=$1 a
	shift
	gwctl "$g" sysctl "$@" >/dev/null 2>&1 || return 1
	for a in "$@"; do
		[ "$(gwctl "$g" sysctl "${a%%=*}" 2>/dev/null | grep -oE '[0-9]+$')" = "${a#*=}" ] ||
			return 1
	done
	sleep 1.1
}
check "gwA: sysctl net.inet.ipsec.dfbit=0" knob gwA net.inet.ipsec.dfbit=0
tping 211 -M "do" 10.2.0.2
check "gwA: sysctl net.inet.ipsec.dfbit=1" knob gwA net.inet.ipsec.dfbit=1
tping 212 -M dont 10.2.0.2
check "gwA: sysctl net.inet.ipsec.dfbit=2" knob gwA net.inet.ipsec.dfbit=2
tping 213 -M "do" 10.2.0.2
tping 214 -M dont 10.2.0.2
knob gwA net.inet.ipsec.dfbit=0 || true

# --- 5. ECN on encapsulation, IPv4 outer (v4-in-v4) and IPv6 outer (v6-in-v6)
for e in 0 1 2; do
	check "gwA: sysctl net.inet.ipsec.ecn=$e and net.inet6.ipsec6.ecn=$e" knob gwA net.inet.ipsec.ecn=$e net.inet6.ipsec6.ecn=$e
	for c in 0 1 2 3; do
		tping $((300 + 10 * e + c)) -Q $((0xb8 + c)) 10.2.0.2
		tping $((400 + 10 * e + c)) -Q $((0xb8 + c)) fd02::2
	done
done
knob gwA net.inet.ipsec.ecn=0 net.inet6.ipsec6.ecn=0 || true

# --- 7. path MTU ------------------------------------------------------------
# fresh destinations: hA has no path MTU cached for them
check "ping -M dont -s 1472 hA -> 10.2.0.3 (fragmented under ESP) gets its replies" \
	quiet ha ping -c 3 -i 0.3 -W 2 -M dont -s 1472 10.2.0.3
# pmtu FILE PING-ARGS...: the mtu hA's ping reports (output kept in FILE)
pmtu() {
	local f=$1
	shift
	ha ping -c 3 -i 0.3 -W 1 -M "do" "$@" >"$f" 2>&1 || true
	grep -oE 'mtu ?= ?[0-9]+' "$f" | head -1 | grep -oE '[0-9]+$' || true
}
MTU4=$(pmtu "$TMP/pmtu4.txt" -s 1472 10.2.0.4)
check "IPv4 DF 1500 bytes: 'frag needed' with mtu in 1400..1499 (mtu=${MTU4:-none})" \
	test "${MTU4:-0}" -ge 1400 -a "${MTU4:-0}" -lt 1500
# xdpsecd's overhead for AES-GCM-16: outer header, ESP header 8, IV 8, ICV
# 16, pad length and next header 2, up to 3 bytes of padding; the MTU
# then rounded down to 4 (ESP pads to 4 bytes)
check "IPv4 mtu is 1500 - (20+8+8+16+2+3) rounded down to 4 = 1440 (mtu=${MTU4:-none})" \
	test "${MTU4:-0}" = 1440
check "IPv4 DF ping of mtu-28=$((${MTU4:-1500} - 28)) bytes passes" \
	quiet ha ping -c 2 -i 0.3 -W 2 -M "do" -s $((${MTU4:-1500} - 28)) 10.2.0.4
MTU6=$(pmtu "$TMP/pmtu6.txt" -6 -s 1452 fd02::3)
check "IPv6 1500 bytes: 'packet too big' with mtu in 1400..1499 (mtu=${MTU6:-none})" \
	test "${MTU6:-0}" -ge 1400 -a "${MTU6:-0}" -lt 1500
check "IPv6 mtu is 1500 - (40+8+8+16+2+3) rounded down to 4 = 1420 (mtu=${MTU6:-none})" \
	test "${MTU6:-0}" = 1420
check "IPv6 ping of mtu-48=$((${MTU6:-1500} - 48)) bytes passes" \
	quiet ha ping -6 -c 2 -i 0.3 -W 2 -M "do" -s $((${MTU6:-1500} - 48)) fd02::3
check "gwA counted too-big ICMPs sent to hA" test "$(hcnt tx-icmp-too-big gwA)" -ge 2

# --- 10. the router is the outer next hop; neighbour entry lost and found ----
# gwA routes 10.2.0.5 / fd02::5 via a bogus permanent neighbour: the kernel
# hands those to tc_egress without resolving the router, so the ESP must
# take its next hop from the outer route (the router, whose entry is
# flushed: xdpsecd has to get it resolved) and not from the inner frame
BOGUS=02:00:00:00:00:53
ga ip neigh replace 192.0.2.253 lladdr $BOGUS dev wan0 nud permanent
ga ip -6 neigh replace 2001:db8:a::fd lladdr $BOGUS dev wan0 nud permanent
ga ip route add 10.2.0.5/32 via 192.0.2.253 dev wan0
ga ip -6 route add fd02::5/128 via 2001:db8:a::fd dev wan0
for fam in 4 6; do
	if [ $fam = 4 ]; then d=10.2.0.5 r=192.0.2.254; else d=fd02::5 r=2001:db8:a::fe; fi
	ga ip neigh flush dev wan0 >/dev/null 2>&1 || true
	c0=$(hcnt drop-no-neigh gwA)
	st=0
	ha ping -$fam -c 3 -i 0.3 -w 6 -q $d >/dev/null 2>&1 || st=$?
	check "IPv$fam: inner route via a bogus neighbour, router's entry flushed: ping $d recovers (drop-no-neigh $c0 -> $(hcnt drop-no-neigh gwA))" \
		test $st = 0
	check "IPv$fam: gwA has the router $r resolved again ($(ga ip neigh show $r dev wan0 | tr -s ' ' | head -1))" \
		sh -c "ip netns exec $GA ip neigh show $r dev wan0 | grep -qi 'lladdr $MACRA'"
done

stop_captures

# --- 3. the inet wire: no inner address, only ESP/AH between the gateways ----
for w in ra rb; do
	# the MACs are checked where gwA sends (ra)
	[ $w = ra ] && macs="$MACGA $MACRA" || macs="- -"
	$PY "$E2E/tunnel_scapy.py" wire "$TMP/$w.pcap" $A4 $B4 $A6 $B6 $macs \
		10.0.0.0/8 fd00::/8 >"$TMP/wire-$w.txt" 2>&1 || true
	check "inet wire $w: no inner address, only ESP/AH between gateways ($(cat "$TMP/wire-$w.txt"))" \
		sh -c "grep -q ' leak=0 clear=0 ' $TMP/wire-$w.txt && ! grep -Eq 'esp=([0-9]|[0-9][0-9]) ' $TMP/wire-$w.txt && ! grep -q ' ah=0 ' $TMP/wire-$w.txt"
done
check "10: ESP/AH leaving gwA go to the router's MAC $MACRA ($(cat "$TMP/wire-ra.txt"))" \
	sh -c "grep -q ' badmac=0' $TMP/wire-ra.txt && ! grep -q ' a_out=0 ' $TMP/wire-ra.txt"

# --- 4/5/7/9. what scapy opens in the capture ---------------------------------
$PY "$E2E/tunnel_scapy.py" dump "$TMP/d.pcap" esp:0x1001:$K4AB esp:0x2001:$K4BA \
	esp:0x1006:$K6AB esp:0x2006:$K6BA ah:0x1051:$KHAB ah:0x2051:$KHBA \
	>"$TMP/dump.txt" 2>"$TMP/dump.err" || true
DUMP=$TMP/dump.txt
# wsel TERM...: dump rows that have every k=v TERM
wsel() {
	awk -v terms="$*" 'BEGIN { n = split(terms, t, " ") }
		{ m = 0; for (i = 1; i <= n; i++) for (j = 1; j <= NF; j++) if ($j == t[i]) { m++; break } }
		m == n' "$DUMP"
}
# wall "SEL" "WANT": some rows match SEL and all of them have WANT
wall() {
	local n m
	n=$(wsel $1 | wc -l)
	m=$(wsel $1 $2 | wc -l)
	[ "$n" -ge 1 ] && [ "$n" -eq "$m" ]
}
# wseen "SEL" KEY: the values of KEY in the rows matching SEL (for messages)
wseen() { wsel $1 | grep -oE " $2=[^ ]+" | sort -u | tr -d '\n'; }
check "scapy opened every ESP/AH packet (no bad ICV, no unknown SPI)" \
	sh -c "test -s $DUMP && ! grep -Eq 'kind=(bad|unknown)' $DUMP"

c4() { # c4 SIZE TEXT NH ISRC IDST SPI OSRC ODST
	local s="sz=$1 osrc=$7"
	check "$2: ESP next header $3, inner $4 -> $5, SPI $6 ($(wseen "$s" nh)$(wseen "$s" isrc))" \
		wall "$s" "kind=esp nh=$3 isrc=$4 idst=$5 spi=$6 odst=$8"
	check "$2: inner TTL/hop limit 49 (hA sent 50, gwA forwarded once) ($(wseen "$s" ittl))" \
		wall "$s" "ittl=49"
	check "$2: outer TTL/hop limit 64 ($(wseen "$s" ottl))" wall "$s" "ottl=64"
	check "$2: DSCP 46 copied inner -> outer ($(wseen "$s" otos))" wall "$s" "otos=0xb8"
}
c4 201 "v4-in-v4" 4 10.1.0.2 10.2.0.2 0x1001 $A4 $B4
c4 202 "v6-in-v6" 41 fd01::2 fd02::2 0x1006 $A6 $B6
c4 203 "v4-in-v6" 4 10.11.0.2 10.12.0.2 0x1006 $A6 $B6
c4 204 "v6-in-v4" 41 fd11::2 fd12::2 0x1001 $A4 $B4
for d in 10.2.0.5 fd02::5; do
	check "ESP to $d (inner route via bogus MAC $BOGUS) left gwA for the router's MAC ($(wseen "idst=$d" dmac))" \
		wall "kind=esp idst=$d" "dmac=$MACRA"
done
check "replies come back through gwB's mode-any SA 0x2001 and open ($(wseen "sz=201 osrc=$B4" spi))" \
	wall "sz=201 osrc=$B4" "kind=esp spi=0x2001 isrc=10.2.0.2 idst=10.1.0.2"

check "AH tunnel: proto 51 with the inner IPv4 10.21.0.2 -> 10.22.0.2 after AH, ICV verified" \
	wall "sz=501 osrc=$A4" "kind=ah nh=4 isrc=10.21.0.2 idst=10.22.0.2 spi=0x1051 ittl=49"
check "AH tunnel: the reply is AH too" wall "sz=501 osrc=$B4" "kind=ah nh=4 spi=0x2051"

s="osrc=$A4"
check "dfbit=0: outer DF clear under inner DF ($(wseen "sz=211 $s" odf))" wall "sz=211 $s" "odf=0 idf=1"
check "dfbit=1: outer DF set under inner no-DF ($(wseen "sz=212 $s" odf))" wall "sz=212 $s" "odf=1 idf=0"
check "dfbit=2: outer DF copied from inner DF ($(wseen "sz=213 $s" odf))" wall "sz=213 $s" "odf=1 idf=1"
check "dfbit=2: outer DF copied from inner no-DF ($(wseen "sz=214 $s" odf))" wall "sz=214 $s" "odf=0 idf=0"

# ecn: 0 forbidden (outer 0), 1 allowed (copy, CE -> ECT(0)), 2 ignore (copy)
want_ecn() { # want_ecn KNOB INNER
	case $1 in
	0) echo 0 ;;
	1) [ "$2" = 3 ] && echo 2 || echo "$2" ;;
	*) echo "$2" ;;
	esac
}
for base in 300 400; do
	[ $base = 300 ] && { fam="IPv4 outer"; s="osrc=$A4"; } || { fam="IPv6 outer"; s="osrc=$A6"; }
	for e in 0 1 2; do
		got="" bad=0
		for c in 0 1 2 3; do
			w=$(printf '0x%x' $((0xb8 + $(want_ecn $e $c))))
			g=$(wseen "sz=$((base + 10 * e + c)) $s" otos)
			got="$got ${c}->${g# otos=}"
			wall "sz=$((base + 10 * e + c)) $s" "otos=$w itos=$(printf '0x%x' $((0xb8 + c)))" || bad=1
		done
		check "$fam ecn=$e: outer ECN for inner not-ECT/ECT1/ECT0/CE is $(for c in 0 1 2 3; do want_ecn $e $c; done | paste -sd/) (got$got)" \
			test $bad = 0
	done
done

# KAME fragments the outer datagram after ESP; xdpsecd fragments the inner
# one first (RFC 4301 8.1), each piece in its own ESP: either is protected
NOF=$(wsel "kind=frag osrc=$A4 proto=50" | wc -l)
NIF=$(wsel "kind=esp osrc=$A4 idst=10.2.0.3 ifrag=1" | wc -l)
check "no DF: the 1500-byte datagrams to 10.2.0.3 cross fragmented, under ESP ($NOF outer fragments, $NIF inner fragments in their own ESP)" \
	test $((NOF + NIF)) -ge 6
check "gwA counted the fragmentation (tx-frag)" test "$(hcnt tx-frag gwA)" -ge 1

# --- 6. decapsulation ECN, 8. inbound policy (scapy on inet -> gwB) ----------
# scapy's SAs towards gwB: 0x3001 over the IPv4 outer (inner to
# 10.2.0.2), 0x3006 over the IPv6 outer (inner to 10.12.0.2); OUTER picks
SEQ=0 OUTER=4
idst() { [ $OUTER = 4 ] && echo 10.2.0.2 || echo 10.12.0.2; }
sendgwb() { # sendgwb KIND OTOS ISRC ITOS PORT TEXT
	SEQ=$((SEQ + 1))
	if [ $OUTER = 4 ]; then set -- "$1" 0x3001 "$KS" $A4 $B4 "${@:2}"; else
		set -- "$1" 0x3006 "$KS6" $A6 $B6 "${@:2}"; fi
	# KIND SPI KEY OSRC ODST OTOS ISRC ITOS PORT TEXT
	rt $PY "$E2E/tunnel_scapy.py" send rb "$MACGB" "${@:1:7}" "$(idst)" "${@:8}" $SEQ
}
# recv_case KIND OTOS ISRC ITOS PORT TEXT: what hB received (tos=0x.. or
# tos=none); the receiver is given 1.5 s once scapy has sent
recv_case() {
	local w out=$TMP/recv.$5
	timeout 20 ip netns exec "$HB" $PY "$E2E/tunnel_scapy.py" recv-tos "$(idst)" \
		"$5" "$6" 20 >"$out" 2>&1 &
	w=$!
	for _ in $(seq 30); do
		hb ss -Hlun "sport = :$5" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	sendgwb "$@" >/dev/null 2>&1
	for _ in $(seq 15); do
		kill -0 $w 2>/dev/null || break
		sleep 0.1
	done
	kill $w 2>/dev/null
	wait $w 2>/dev/null
	grep -m1 -oE 'tos=[0-9a-fx?]+' "$out" || echo tos=none
}
check "gwB: sysctl net.inet.ipsec.ecn=1" knob gwB net.inet.ipsec.ecn=1
r=$(recv_case esp 0x03 10.1.0.2 0xba 5601 ce1 || true)
check "ecn=1: outer CE over inner ECT(0) reaches hB as CE (tos 0xbb; $r)" test "$r" = "tos=0xbb"
c0=$(hcnt drop-ecn gwB)
r=$(recv_case esp 0x03 10.1.0.2 0xb8 5602 ce2 || true)
check "ecn=1: outer CE over inner not-ECT dropped ($r)" test "$r" = "tos=none"
check "ecn=1: ... and counted as drop-ecn on gwB" test "$(hcnt drop-ecn gwB)" -eq $((c0 + 1))
check "gwB: sysctl net.inet.ipsec.ecn=0" knob gwB net.inet.ipsec.ecn=0
r=$(recv_case esp 0x03 10.1.0.2 0xba 5603 ce3 || true)
check "ecn=0: outer CE over inner ECT(0): inner delivered unchanged (tos 0xba; $r)" test "$r" = "tos=0xba"
r=$(recv_case esp 0x03 10.1.0.2 0xb8 5604 ce4 || true)
check "ecn=0: outer CE over inner not-ECT: delivered unchanged (tos 0xb8; $r)" test "$r" = "tos=0xb8"
check "gwB: sysctl net.inet.ipsec.ecn=2" knob gwB net.inet.ipsec.ecn=2
r=$(recv_case esp 0x03 10.1.0.2 0xba 5607 ce5 || true)
check "ecn=2 (ignore): outer CE over inner ECT(0): delivered unchanged (tos 0xba; $r)" test "$r" = "tos=0xba"
knob gwB net.inet.ipsec.ecn=0 || true
# the IPv6 outer has its own knob
OUTER=6 SEQ=0
check "gwB: sysctl net.inet6.ipsec6.ecn=1" knob gwB net.inet6.ipsec6.ecn=1
r=$(recv_case esp 0x03 10.11.0.2 0xba 5611 ce61 || true)
check "IPv6 outer, ecn=1: outer CE over inner ECT(0) reaches hB as CE (tos 0xbb; $r)" test "$r" = "tos=0xbb"
c0=$(hcnt drop-ecn gwB)
r=$(recv_case esp 0x03 10.11.0.2 0xb8 5612 ce62 || true)
check "IPv6 outer, ecn=1: outer CE over inner not-ECT dropped and counted ($r)" \
	test "$r" = "tos=none" -a "$(hcnt drop-ecn gwB)" -eq $((c0 + 1))
knob gwB net.inet6.ipsec6.ecn=0 || true
OUTER=4 SEQ=100

c0=$(hcnt drop-in-clear gwB)
r=$(recv_case clear 0 10.1.0.2 0 5605 clear1 || true)
check "cleartext 10.1.0.2 -> 10.2.0.2 sent to gwB does not reach hB ($r)" test "$r" = "tos=none"
check "... and gwB counted it (drop-in-clear)" test "$(hcnt drop-in-clear gwB)" -ge $((c0 + 1))
c0=$(hcnt drop-selector gwB)
r=$(recv_case esp 0 10.9.9.9 0 5606 sel1 || true)
check "ESP tunnel with inner 10.9.9.9 -> 10.2.0.2 (outside policy) does not reach hB ($r)" \
	test "$r" = "tos=none"
check "... and gwB counted it (drop-selector)" test "$(hcnt drop-selector gwB)" -eq $((c0 + 1))

# --- 11. nested: ESP tunnel inside AH transport (decapsulation history) -----
capture nested ra 128
sleep 0.5
ah0=$("$B/xdpsecctl" --pin-dir "$PINS-gwB" stat -p ah | awk '/input AH packets/ { print $1 }')
check "nested esp/tunnel + ah/transport: ping hA -> hB 10.32.0.2, 3 of 3" \
	quiet ha ping -c 3 -i 0.2 -W 2 -q 10.32.0.2
check "nested: ping hB -> hA 10.31.0.2, 3 of 3" \
	quiet hb ping -c 3 -i 0.2 -W 2 -q 10.31.0.2
stop_captures
ah1=$("$B/xdpsecctl" --pin-dir "$PINS-gwB" stat -p ah | awk '/input AH packets/ { print $1 }')
n_ah_esp=$(tcpdump -r "$TMP/nested.pcap" -n "ip proto 51 and ip[20] == 50 and host $A4 and host $B4" 2>/dev/null | wc -l)
n_other=$(tcpdump -r "$TMP/nested.pcap" -n "ip and not (ip proto 51 and ip[20] == 50)" 2>/dev/null | wc -l)
check "nested: the wire carried AH (next header ESP) between the gateways ($n_ah_esp AH+ESP, $n_other other)" \
	test "$n_ah_esp" -ge 12 -a "$n_other" -eq 0
check "nested: gwB verified AH for them (input AH packets $ah0 -> $ah1)" \
	test "$((ah1 - ah0))" -ge 6
