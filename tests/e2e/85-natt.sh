#!/usr/bin/env bash
# NAT traversal (RFC 3948, ESP in UDP) end to end: a road warrior behind a
# masquerading NAT, a security gateway on the internet, tunnel and
# transport mode.
#
#  ns xnr-$$ (road)          ns xnn-$$ (nat)               ns xni-$$ (inet)              ns xng-$$ (gw)             ns xnh-$$ (hB)
#  [xdpsecd] eth0 ------- lan0  nft masquerade  wan0 ---- ra   router   rb ---- wan0 [xdpsecd]   lan0 -------- eth0
#  172.16.0.2        172.16.0.1             192.0.2.2   192.0.2.254  198.51.100.254   198.51.100.1  10.2.0.1     10.2.0.2
#  10.9.0.2/32 (on lo: inner source)                   tcpdump on ra, scapy on rb
#
#   tunnel    10.9.0.2/32 <-> 10.2.0.0/24, esp-udp 0x1001 (road -> gw), 0x2001 (gw -> road)
#   transport 172.16.0.2 <-> 198.51.100.1 udp port 5555 and tcp port 5556,
#             esp-udp 0x1101 (road -> gw), 0x2101 (gw -> road)
#   0x3001    road -> gw tunnel SA only gw and scapy know
#
# The road host's SAs name its private address, the gateway's the road
# host's post-NAT address 192.0.2.2.  The NAT maps UDP source port 4500 to
# 4500 ("masquerade to :4500") so the gateway's SAs can name the port; a
# plain masquerade keeps it only while nothing else holds 192.0.2.2:4500.
# The transport policies name the ports 5555/5556: a policy on all UDP
# between the two would also catch the IKE-looking datagram of check 5.
source "$(dirname "$0")/lib.sh"
E2E=$ROOT/tests/e2e
RD=xnr-$ID NT=xnn-$ID RT=xni-$ID GW=xng-$ID HB=xnh-$ID
TDPIDS=()

trap 'chain_cleanup "$RD" "$NT" "$RT" "$GW" "$HB"' EXIT

# every command in a namespace is bounded in time
rd() { timeout 30 ip netns exec "$RD" "$@"; }
nt() { timeout 30 ip netns exec "$NT" "$@"; }
rt() { timeout 30 ip netns exec "$RT" "$@"; }
gw() { timeout 30 ip netns exec "$GW" "$@"; }
hb() { timeout 30 ip netns exec "$HB" "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

# --- topology ---------------------------------------------------------------
# the road host is a host: forwarding stays off there, and xdpsecd has to
# send tunnel mode from it all the same
gw_chain "$RD" "$NT" "$RT" "$GW" "$HB"
addr() { ip -n "$1" addr add "$3" dev "$2"; }
addr "$RD" eth0 172.16.0.2/24
addr "$NT" lan0 172.16.0.1/24
addr "$NT" wan0 192.0.2.2/24
addr "$RT" ra 192.0.2.254/24
addr "$RT" rb 198.51.100.254/24
addr "$GW" wan0 198.51.100.1/24
addr "$GW" lan0 10.2.0.1/24
addr "$HB" eth0 10.2.0.2/24
addr "$RD" lo 10.9.0.2/32
ip -n "$RD" route add default via 172.16.0.1
ip -n "$RD" route add 10.2.0.0/24 via 172.16.0.1 src 10.9.0.2
ip -n "$NT" route add default via 192.0.2.254
ip -n "$GW" route add default via 198.51.100.254
# decapsulated replies and the tunnel leave by the internet-side NIC
ip -n "$GW" route add 10.9.0.2/32 via 198.51.100.254 dev wan0
ip -n "$HB" route add default via 10.2.0.1
nt nft -f - <<'EOF'
table ip natt {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" ip saddr 172.16.0.0/24 udp sport 4500 masquerade to :4500
		oifname "wan0" ip saddr 172.16.0.0/24 masquerade
	}
}
EOF

MACGW=$(mac_of "$GW" wan0)

# --- keys and setkey files --------------------------------------------------
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
KRG=$(hexkey 20) KGR=$(hexkey 20) KTRG=$(hexkey 20) KTGR=$(hexkey 20)
KS=$(hexkey 20)
PRIV=172.16.0.2 PUB=192.0.2.2 GWA=198.51.100.1
conf() { # conf ROADADDR (the road host as this end names it) LOCAL(road|gw)
	local r=$1 gcm="-E aes-gcm-16"
	cat <<EOF
add ${r}[4500] ${GWA}[4500] esp-udp 0x1001 -m tunnel $gcm 0x$KRG ;
add ${GWA}[4500] ${r}[4500] esp-udp 0x2001 -m tunnel $gcm 0x$KGR ;
add ${r}[4500] ${GWA}[4500] esp-udp 0x1101 -m transport $gcm 0x$KTRG ;
add ${GWA}[4500] ${r}[4500] esp-udp 0x2101 -m transport $gcm 0x$KTGR ;
EOF
	if [ "$2" = road ]; then
		cat <<EOF
spdadd 10.9.0.2/32 10.2.0.0/24 any -P out ipsec esp/tunnel/$r-$GWA/require ;
spdadd 10.2.0.0/24 10.9.0.2/32 any -P in ipsec esp/tunnel/$GWA-$r/require ;
spdadd $r ${GWA}[5555] udp -P out ipsec esp/transport//require ;
spdadd ${GWA}[5555] $r udp -P in ipsec esp/transport//require ;
spdadd $r ${GWA}[5556] tcp -P out ipsec esp/transport//require ;
spdadd ${GWA}[5556] $r tcp -P in ipsec esp/transport//require ;
EOF
	else
		cat <<EOF
add ${r}[4500] ${GWA}[4500] esp-udp 0x3001 -m tunnel $gcm 0x$KS ;
spdadd 10.2.0.0/24 10.9.0.2/32 any -P out ipsec esp/tunnel/$GWA-$r/require ;
spdadd 10.9.0.2/32 10.2.0.0/24 any -P in ipsec esp/tunnel/$r-$GWA/require ;
spdadd ${GWA}[5555] $r udp -P out ipsec esp/transport//require ;
spdadd $r ${GWA}[5555] udp -P in ipsec esp/transport//require ;
spdadd ${GWA}[5556] $r tcp -P out ipsec esp/transport//require ;
spdadd $r ${GWA}[5556] tcp -P in ipsec esp/transport//require ;
EOF
	fi
}
conf $PRIV road >"$TMP/road.conf"
conf $PUB gw >"$TMP/gw.conf"
chmod 600 "$TMP/road.conf" "$TMP/gw.conf"

# --- cleartext baseline, before any xdpsecd ---------------------------------
check "baseline: road reaches gw's public address through the NAT" \
	quiet rd ping -c 2 -i 0.2 -W 2 -q $GWA
check "baseline: without xdpsecd road cannot reach hB (inet has no inner routes)" \
	quiet sh -c "! ip netns exec $RD ping -c 1 -W 1 10.2.0.2"

# --- daemons ----------------------------------------------------------------
capture() { # capture NAME SNAPLEN: on inet's NAT-side NIC
	ip netns exec "$RT" tcpdump --immediate-mode -U -i ra -s "$2" -n \
		-w "$TMP/$1.pcap" >/dev/null 2>&1 &
	TDPIDS+=($!)
}
# the whole road traffic, headers only; the small tests whole for scapy
capture h 256
capture d 0
sleep 1

check "1: road xdpsecd ready (esp-udp SAs from -f)" \
	start_host road "$RD" eth0 "$TMP/road.conf"
check "1: gw xdpsecd ready" start_host gw "$GW" wan0 "$TMP/gw.conf"

# --- 1. ping both ways --------------------------------------------------------
st=0
rd ping -c 3 -i 0.2 -W 2 -q 10.2.0.2 >/dev/null 2>&1 || st=$?
check "1: ping road 10.9.0.2 -> hB 10.2.0.2 through the NAT, 3 of 3 (road: tx-encrypt $(hcounter tx-encrypt road), drop-tun-route $(hcounter drop-tun-route road), drop-no-neigh $(hcounter drop-no-neigh road))" \
	test $st = 0

# --- 7. transport mode behind the NAT, checksums fixed up ----------------------
# nstat_of NS NAME: absolute value of a SNMP counter
nstat_of() { ip netns exec "$1" nstat -asz "$2" | awk -v n="$2" '$1 == n { print $2 }'; }
UCE0=$(nstat_of "$GW" UdpInCsumErrors) TCE0=$(nstat_of "$GW" TcpInCsumErrors)
RUCE0=$(nstat_of "$RD" UdpInCsumErrors) RTCE0=$(nstat_of "$RD" TcpInCsumErrors)
udp_transport() {
	local w n
	timeout 10 ip netns exec "$GW" $PY "$E2E/traffic.py" udp-count $GWA 5555 3 \
		>"$TMP/udp.cnt" 2>&1 &
	w=$!
	sleep 0.5
	rd $PY "$E2E/traffic.py" udp-send $GWA 5555 300 5
	wait $w
	n=$(cut -d' ' -f1 "$TMP/udp.cnt")
	[ "${n:-0}" -eq 5 ]
}
check "7: transport: 5 UDP datagrams road -> gw:5555 all arrive" udp_transport
check "7: ... gw's UdpInCsumErrors did not move (was $UCE0, is $(nstat_of "$GW" UdpInCsumErrors))" \
	test "$(nstat_of "$GW" UdpInCsumErrors)" -eq "$UCE0"
tcp_transport() {
	gw $PY "$E2E/traffic.py" tcp-server $GWA 5556 >"$TMP/tcpt.srv" 2>&1 &
	local srv=$!
	sleep 0.5
	rd $PY "$E2E/traffic.py" tcp-client $GWA 5556 1000000 >"$TMP/tcpt.cli" 2>&1
	wait $srv
	test -s "$TMP/tcpt.cli" && cmp -s "$TMP/tcpt.cli" "$TMP/tcpt.srv"
}
check "7: transport: TCP 1 MB road -> gw:5556, sha256 equal" tcp_transport
check "7: ... no TcpInCsumErrors on gw nor road, no UdpInCsumErrors on road" \
	test "$(nstat_of "$GW" TcpInCsumErrors)" -eq "$TCE0" -a \
	"$(nstat_of "$RD" TcpInCsumErrors)" -eq "$RTCE0" -a \
	"$(nstat_of "$RD" UdpInCsumErrors)" -eq "$RUCE0"

# only after road's packets (tunnel or transport) made the NAT's mapping:
# a datagram from gw first would be a flow of the NAT's own (to its port
# 4500), and road's mapping to 192.0.2.2:4500 would then clash with it
check "1: ping hB -> road 10.9.0.2 (NAT state from road's packets), 3 of 3" \
	quiet hb ping -c 3 -i 0.2 -W 2 -q 10.9.0.2

# stop the full capture: the bulk transfer below is seen by the header one
sleep 0.5
kill "${TDPIDS[1]}" 2>/dev/null
wait "${TDPIDS[1]}" 2>/dev/null
TDPIDS=("${TDPIDS[0]}")

# --- 2. TCP bulk through the tunnel --------------------------------------------
tcp_bulk() {
	hb $PY "$E2E/traffic.py" tcp-server 10.2.0.2 7000 >"$TMP/tcp.srv" 2>&1 &
	local srv=$!
	sleep 0.5
	rd $PY "$E2E/traffic.py" tcp-client 10.2.0.2 7000 5000000 >"$TMP/tcp.cli" 2>&1
	wait $srv
	test -s "$TMP/tcp.cli" && cmp -s "$TMP/tcp.cli" "$TMP/tcp.srv"
}
check "2: TCP 5 MB road -> hB over the NAT-T tunnel, sha256 equal" tcp_bulk
check "2: road encrypted and gw decrypted (tx-encrypt $(hcounter tx-encrypt road), rx-decrypt $(hcounter rx-decrypt gw))" \
	test "$(hcounter tx-encrypt road)" -ge 3000 -a "$(hcounter rx-decrypt gw)" -ge 3000

stop_captures

# --- 3. the inet wire ---------------------------------------------------------
$PY "$E2E/natt_scapy.py" wire "$TMP/h.pcap" $PUB $GWA 10.0.0.0/8 172.16.0.0/12 \
	>"$TMP/wire.txt" 2>&1 || true
WIRE=$(cat "$TMP/wire.txt")
check "3: inet: only UDP 4500 ESP between $PUB and $GWA, no inner or private address ($WIRE)" \
	sh -c "grep -q ' clear=0 leak=0 ' $TMP/wire.txt && ! grep -Eq 'natt=([0-9]|[0-9][0-9]|[0-9][0-9][0-9]) ' $TMP/wire.txt"
check "3: inet: UDP checksum 0 on every IPv4 NAT-T packet ($WIRE)" \
	sh -c "grep -q ' csumset=0 ' $TMP/wire.txt && ! grep -q ' csum0=0 ' $TMP/wire.txt"

$PY "$E2E/natt_scapy.py" dump "$TMP/d.pcap" 0x1001:$KRG 0x2001:$KGR \
	0x1101:$KTRG 0x2101:$KTGR >"$TMP/dump.txt" 2>"$TMP/dump.err" || true
DUMP=$TMP/dump.txt
# dsel TERM...: dump rows that have every k=v TERM
dsel() {
	awk -v terms="$*" 'BEGIN { n = split(terms, t, " ") }
		{ m = 0; for (i = 1; i <= n; i++) for (j = 1; j <= NF; j++) if ($j == t[i]) { m++; break } }
		m == n' "$DUMP"
}
dn() { dsel "$@" | wc -l; }
# dall "SEL" "WANT": some rows match SEL and all of them have WANT
dall() { local n; n=$(dn $1); [ "$n" -ge 1 ] && [ "$n" -eq "$(dn $1 $2)" ]; }
check "3: scapy decrypted every captured ESP-in-UDP packet ($(dn kind=esp) ok, $(dn kind=bad) bad, $(dn kind=unknown) unknown SPI)" \
	sh -c "test $(dn kind=esp) -ge 6 && test $(dn kind=bad) = 0 && test $(dn kind=unknown) = 0"
tun_rg() {
	dall spi=0x1001 "osrc=$PUB odst=$GWA sport=4500 dport=4500 nh=4 isrc=10.9.0.2 idst=10.2.0.2" &&
		[ "$(dn spi=0x1001 iproto=1)" -ge 3 ]
}
check "3: road -> gw tunnel: post-NAT $PUB:4500 -> $GWA:4500, inner ICMP from 10.9.0.2 ($(dn spi=0x1001 iproto=1) echo requests)" \
	tun_rg
check "3: gw -> road tunnel: inner 10.2.0.2 -> 10.9.0.2 in 0x2001 to $PUB:4500" \
	dall spi=0x2001 "osrc=$GWA odst=$PUB sport=4500 dport=4500 nh=4 isrc=10.2.0.2 idst=10.9.0.2"
tr_rg() { dall spi=0x1101 icsum=pre && [ "$(dn spi=0x1101 iproto=17 idport=5555)" -ge 5 ]; }
check "7: transport on the wire: road's UDP/TCP checksums were computed with its pre-NAT address, so gw had to fix them ($(dn spi=0x1101 icsum=pre) of $(dn spi=0x1101))" \
	tr_rg
check "7: transport on the wire: gw's replies checksummed for $PUB, which road sees as $PRIV ($(dn spi=0x2101 icsum=post) of $(dn spi=0x2101))" \
	dall spi=0x2101 icsum=post

# --- 4. NAT keepalives ----------------------------------------------------------
natt_send() { rt $PY "$E2E/natt_scapy.py" send rb "$MACGW" $PUB $GWA "$@"; }
k0=$(hcounter drop-natt-keepalive gw)
natt_send keepalive 7 >/dev/null 2>&1 || true
sleep 0.3
check "4: 7 NAT keepalives to gw:4500 counted as drop-natt-keepalive ($k0 -> $(hcounter drop-natt-keepalive gw))" \
	test "$(hcounter drop-natt-keepalive gw)" -eq $((k0 + 7))

# udp_listen NS ADDR PORT TEXT: traffic.py udp-wait in the background
# (LPID); LREADY=1 once its socket is bound (at most 3 s)
udp_listen() {
	local _
	LREADY=0
	timeout 10 ip netns exec "$1" $PY "$E2E/traffic.py" udp-wait "$2" "$3" "$4" 3 &
	LPID=$!
	for _ in $(seq 30); do
		if ip netns exec "$1" ss -Hlun "sport = :$3" 2>/dev/null | grep -q .; then
			LREADY=1
			return 0
		fi
		sleep 0.1
	done
}

# --- 5. IKE (non-ESP marker) goes to gw's stack ---------------------------------
s0=$(hcounter drop-unknown-spi gw) p0=$(hcounter rx-pass gw) k0=$(hcounter drop-natt-keepalive gw)
udp_listen "$GW" $GWA 4500 ike-$ID
natt_send ike "ike-$ID" >/dev/null 2>&1 || true
st=0
wait $LPID || st=$?
check "5: a datagram with the non-ESP marker to gw:4500 reaches a socket on gw" test $st = 0
check "5: ... passed by xdpsec (rx-pass $p0 -> $(hcounter rx-pass gw)), not dropped" \
	test "$(hcounter rx-pass gw)" -gt "$p0" -a "$(hcounter drop-unknown-spi gw)" -eq "$s0" \
	-a "$(hcounter drop-natt-keepalive gw)" -eq "$k0"

# --- 6. plain ESP for a NAT-T SA ---------------------------------------------------
s0=$(hcounter drop-unknown-spi gw)
udp_listen "$HB" 10.2.0.2 5601 plain-$ID
natt_send esp plain 0x3001 "$KS" 10.9.0.2 10.2.0.2 5601 "plain-$ID" 1 >/dev/null 2>&1 || true
natt_send esp plain 0x1001 "$KRG" 10.9.0.2 10.2.0.2 5601 "plain-$ID" 1 >/dev/null 2>&1 || true
st=0
wait $LPID || st=$?
check "6: plain ESP (no UDP) with NAT-T SPIs 0x3001, 0x1001 does not reach hB" \
	test $st != 0 -a $LREADY = 1
check "6: ... dropped as drop-unknown-spi on gw ($s0 -> $(hcounter drop-unknown-spi gw), 2 sent)" \
	test "$(hcounter drop-unknown-spi gw)" -eq $((s0 + 2))
# the same packet in UDP is good: the drop above is for the encapsulation
udp_listen "$HB" 10.2.0.2 5602 udp-$ID
natt_send esp udp 0x3001 "$KS" 10.9.0.2 10.2.0.2 5602 "udp-$ID" 2 >/dev/null 2>&1 || true
st=0
wait $LPID || st=$?
check "6: control: the same ESP in UDP 4500 (SPI 0x3001) reaches hB" test $st = 0
