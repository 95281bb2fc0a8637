#!/usr/bin/env bash
# net.inet.ipsec.fastforward: gwA's xdp_ingress on its LAN side sends the
# cleartext it forwards into the ESP tunnel straight to the worker, past the
# kernel's forwarding and tc_egress; gwB runs the ordinary path.
#
#  hA: ns xfa-$$      gwA: ns xfg-$$                  inet: ns xfi-$$            gwB: ns xfh-$$           hB: ns xfb-$$
#  eth0 ------- lan0 [xdpsecd -i wan0 -i lan0] wan0 ---- ra  router  rb ---- wan0 [xdpsecd] lan0 ------- eth0
#  10.1.0.2  10.1.0.1          192.0.2.1        192.0.2.254  198.51.100.254   198.51.100.1  10.2.0.1  10.2.0.2
#  fd01::2   fd01::1           2001:db8:a::1    2001:db8:a::fe  2001:db8:b::fe 2001:db8:b::1 fd02::1   fd02::2
#                               tcpdump on ra                                               tcpdump on hB
#  (inet routes the outer networks, and 10.1.0.0/24 back to gwA for the
#  unprotected case, never 10.2.0.0/24)
#
#   10.1.0.0/24 <-> 10.2.0.0/24  ESP tunnel 192.0.2.1 <-> 198.51.100.1, AES-GCM
#   fd01::/64   <-> fd02::/64    ESP tunnel 2001:db8:a::1 <-> 2001:db8:b::1
#
# Checked: the knob is off by default and then nothing is fast-forwarded;
# on, pings and a TCP copy take the fast path (fwd-steer counts them,
# tc_egress's tx-steer does not), the wire between the gateways carries
# only ESP, hB sees the TTL / hop limit decremented once per gateway as
# without it, Ethernet padding is not encapsulated; what the fast path
# leaves to the kernel still works: TTL / hop limit 1 (ICMP time exceeded
# from gwA), traffic no policy covers, a frame sent to another MAC
# (dropped by the kernel, not tunnelled), a missing SA (dropped by
# tc_egress, counted, not sent in clear); with gwA's xdpsecd killed
# nothing leaves in clear.
source "$(dirname "$0")/lib.sh"
HA=xfa-$ID GA=xfg-$ID RT=xfi-$ID GB=xfh-$ID HB=xfb-$ID
TDPIDS=()

trap 'chain_cleanup "$HA" "$GA" "$RT" "$GB" "$HB"' EXIT

ha() { timeout 30 ip netns exec "$HA" "$@"; }
ga() { timeout 30 ip netns exec "$GA" "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

# --- topology ---------------------------------------------------------------
gw_chain "$HA" "$GA" "$RT" "$GB" "$HB"
addrs "$HA" eth0 10.1.0.2/24 fd01::2/64
addrs "$GA" lan0 10.1.0.1/24 fd01::1/64
addrs "$GA" wan0 192.0.2.1/24 2001:db8:a::1/64
addrs "$RT" ra 192.0.2.254/24 2001:db8:a::fe/64
addrs "$RT" rb 198.51.100.254/24 2001:db8:b::fe/64
addrs "$GB" wan0 198.51.100.1/24 2001:db8:b::1/64
addrs "$GB" lan0 10.2.0.1/24 fd02::1/64
addrs "$HB" eth0 10.2.0.2/24 fd02::2/64
ip -n "$HA" route add default via 10.1.0.1
ip -n "$HA" -6 route add default via fd01::1
ip -n "$HB" route add default via 10.2.0.1
ip -n "$HB" -6 route add default via fd02::1
ip -n "$GA" route add default via 192.0.2.254
ip -n "$GA" -6 route add default via 2001:db8:a::fe
ip -n "$GB" route add default via 198.51.100.254
ip -n "$GB" -6 route add default via 2001:db8:b::fe
ip -n "$RT" route add 10.1.0.0/24 via 192.0.2.1

# --- SAs and policies ---------------------------------------------------------
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K4AB=$(hexkey 20) K4BA=$(hexkey 20) K6AB=$(hexkey 20) K6BA=$(hexkey 20)
A4=192.0.2.1 B4=198.51.100.1 A6=2001:db8:a::1 B6=2001:db8:b::1
sa_ab4() { # sa_ab4 SPI
	echo "add $A4 $B4 esp $1 -m tunnel -r 32 -E aes-gcm-16 0x$K4AB ;"
}
sas() {
	sa_ab4 0x1001
	cat <<EOF
add $B4 $A4 esp 0x2001 -m tunnel -r 32 -E aes-gcm-16 0x$K4BA ;
add $A6 $B6 esp 0x1006 -m tunnel -r 32 -E aes-gcm-16 0x$K6AB ;
add $B6 $A6 esp 0x2006 -m tunnel -r 32 -E aes-gcm-16 0x$K6BA ;
EOF
}
pol() { # pol LOCALNET REMOTENET LOCALGW REMOTEGW
	cat <<EOF
spdadd $1 $2 any -P out ipsec esp/tunnel/$3-$4/require ;
spdadd $2 $1 any -P in ipsec esp/tunnel/$4-$3/require ;
EOF
}
{
	sas
	pol 10.1.0.0/24 10.2.0.0/24 $A4 $B4
	pol fd01::/64 fd02::/64 $A6 $B6
} >"$TMP/gwA.conf"
{
	sas
	pol 10.2.0.0/24 10.1.0.0/24 $B4 $A4
	pol fd02::/64 fd01::/64 $B6 $A6
} >"$TMP/gwB.conf"
chmod 600 "$TMP/gwA.conf" "$TMP/gwB.conf"

check "baseline: gwA reaches gwB's outer addresses (next hops resolved)" \
	quiet sh -c "ip netns exec $GA ping -c 2 -i 0.2 -W 2 -q $B4 &&
		ip netns exec $GA ping -6 -c 2 -i 0.2 -W 2 -q $B6"
check "gwA xdpsecd ready on wan0 and lan0" \
	start_host gwA "$GA" wan0 "$TMP/gwA.conf" -i lan0
check "gwB xdpsecd ready on wan0" start_host gwB "$GB" wan0 "$TMP/gwB.conf"

capture() { # capture NAME NS IFACE
	ip netns exec "$2" tcpdump --immediate-mode -U -i "$3" -s 128 -n -v \
		-w "$TMP/$1.pcap" >/dev/null 2>&1 &
	TDPIDS+=($!)
	sleep 0.5
}
# ttls NAME PROTO: the TTL / hop limits hB saw on echo requests, one line
ttls() {
	tcpdump -r "$TMP/$1.pcap" -n -v "$2" 2>/dev/null |
		sed -n 's/.*\(ttl\|hlim\) \([0-9]*\).*/\2/p' | sort -u | tr '\n' ' '
}

# --- 1. off (the default): the kernel forwards, tc_egress steers -----------
check "net.inet.ipsec.fastforward is 0 by default" \
	sh -c "$B/xdpsecctl --pin-dir $PINS-gwA sysctl net.inet.ipsec.fastforward | grep -q '= 0$'"
f0=$(hcnt fwd-steer gwA) t0=$(hcnt tx-steer gwA)
capture slow "$HB" eth0
check "off: ping hA -> hB 10.2.0.2 through the tunnel, 3 of 3" \
	quiet ha ping -c 3 -i 0.2 -W 2 -q 10.2.0.2
check "off: ping hA -> hB fd02::2 through the tunnel, 3 of 3" \
	quiet ha ping -6 -c 3 -i 0.2 -W 2 -q fd02::2
stop_captures
f1=$(hcnt fwd-steer gwA) t1=$(hcnt tx-steer gwA)
check "off: nothing fast-forwarded (fwd-steer $f0 -> $f1), tc_egress steered them (tx-steer $t0 -> $t1)" \
	test "$f1" -eq "$f0" -a "$((t1 - t0))" -ge 6
SLOW4=$(ttls slow "icmp[0] == 8") SLOW6=$(ttls slow "icmp6 and ip6[40] == 128")

# --- 2. on ------------------------------------------------------------------
check "xdpsecctl sysctl net.inet.ipsec.fastforward=1" \
	quiet gwctl gwA sysctl net.inet.ipsec.fastforward=1
f0=$(hcnt fwd-steer gwA) t0=$(hcnt tx-steer gwA) d0=$(hcnt rx-decrypt gwB)
capture wire "$RT" ra
capture fast "$HB" eth0
check "on: ping hA -> hB 10.2.0.2, 5 of 5" \
	quiet ha ping -c 5 -i 0.2 -W 2 -q 10.2.0.2
check "on: ping hA -> hB fd02::2, 5 of 5" \
	quiet ha ping -6 -c 5 -i 0.2 -W 2 -q fd02::2
stop_captures
f1=$(hcnt fwd-steer gwA) t1=$(hcnt tx-steer gwA) d1=$(hcnt rx-decrypt gwB)
check "on: gwA fast-forwarded the 10 requests (fwd-steer $f0 -> $f1)" \
	test "$((f1 - f0))" -ge 10
check "on: none went through tc_egress (tx-steer $t0 -> $t1)" test "$t1" -eq "$t0"
check "on: gwB decrypted them (rx-decrypt $d0 -> $d1)" test "$((d1 - d0))" -ge 10
n_esp=$(tcpdump -r "$TMP/wire.pcap" -n "(ip proto 50 and host $A4 and host $B4) or (ip6 proto 50 and host $A6 and host $B6)" 2>/dev/null | wc -l)
n_clear=$(tcpdump -r "$TMP/wire.pcap" -n "net 10.0.0.0/8 or net fd00::/8" 2>/dev/null | wc -l)
check "on: the wire between the gateways carried ESP only ($n_esp ESP, $n_clear inner cleartext)" \
	test "$n_esp" -ge 20 -a "$n_clear" -eq 0
FAST4=$(ttls fast "icmp[0] == 8") FAST6=$(ttls fast "icmp6 and ip6[40] == 128")
check "on: hB sees TTL '$FAST4' as without it ('$SLOW4'): one decrement per gateway" \
	test "$FAST4" = "62 " -a "$SLOW4" = "62 "
check "on: hB sees hop limit '$FAST6' as without it ('$SLOW6')" \
	test "$FAST6" = "62 " -a "$SLOW6" = "62 "

f0=$(hcnt fwd-steer gwA)
check "on: 2 MB TCP hA -> hB arrives whole" \
	tcp_copy "$HB" "$HA" 10.2.0.2 5201 2000000 tcp
f1=$(hcnt fwd-steer gwA)
check "on: ... through the fast path (fwd-steer $f0 -> $f1)" test "$((f1 - f0))" -ge 1000

# --- 3. what the fast path leaves to the kernel ------------------------------
f0=$(hcnt fwd-steer gwA)
out=$(ha ping -c 1 -t 1 -W 2 10.2.0.2 2>&1 || true)
check "TTL 1: gwA's kernel answers time exceeded" \
	sh -c "echo '$out' | grep -q 'From 10.1.0.1.*Time to live exceeded'"
check "unprotected destination (the router's far side): ping 3 of 3, forwarded in clear" \
	quiet ha ping -c 3 -i 0.2 -W 2 -q 198.51.100.254
f1=$(hcnt fwd-steer gwA)
check "... neither was fast-forwarded (fwd-steer $f0 -> $f1)" test "$f1" -eq "$f0"
out=$(ha ping -6 -c 1 -t 1 -W 2 fd02::2 2>&1 || true)
check "hop limit 1: gwA's kernel answers time exceeded" \
	sh -c "echo '$out' | grep -q 'From fd01::1.*Time exceeded'"

# scapy from hA: frames the kernel itself would send differently
LANMAC=$(mac_of "$GA" lan0)
inject() { # inject DST-MAC PADDING COUNT
	ha "$PY" -c "
from scapy.all import Ether, IP, ICMP, Padding, sendp
p = Ether(dst='$1')/IP(src='10.1.0.2', dst='10.2.0.2')/ICMP(id=0x4242)
if $2: p = p/Padding(load=bytes($2))
sendp(p, iface='eth0', count=$3, verbose=0)"
}
f0=$(hcnt fwd-steer gwA) d0=$(hcnt rx-decrypt gwB)
inject 02:00:00:00:00:99 0 3
sleep 0.5
f1=$(hcnt fwd-steer gwA) d1=$(hcnt rx-decrypt gwB)
check "a frame to another MAC is not fast-forwarded or tunnelled (fwd-steer $f0 -> $f1, gwB rx-decrypt $d0 -> $d1)" \
	test "$f1" -eq "$f0" -a "$d1" -eq "$d0"
capture pad "$RT" ra
inject "$LANMAC" 20 3
stop_captures
f2=$(hcnt fwd-steer gwA)
# 28 bytes of ICMP in tunnel mode: 20 + 8 + 8 + 32 (padded to 4 with the
# 2-byte trailer) + 16 = 84; with the 20 bytes of padding it would be 104
n84=$(tcpdump -r "$TMP/pad.pcap" -n -v "ip proto 50 and src $A4" 2>/dev/null | grep -c "length 84)" || true)
check "Ethernet padding stays out of the tunnel (fwd-steer $f1 -> $f2; $n84 of 3 ESP packets of 84 bytes)" \
	test "$((f2 - f1))" -eq 3 -a "$n84" -eq 3

echo "delete $A4 $B4 esp 0x1001 ;" | XDPSEC_PFKEY_SOCKET=$TMP/gwA.sock "$B/setkey" -c
f0=$(hcnt fwd-steer gwA) n0=$(hcnt drop-no-sa-out gwA)
capture nosa "$RT" ra
check "no outbound SA: ping hA -> hB fails (require)" \
	sh -c "! ip netns exec $HA ping -c 2 -i 0.2 -W 1 -q 10.2.0.2 >/dev/null 2>&1"
stop_captures
f1=$(hcnt fwd-steer gwA) n1=$(hcnt drop-no-sa-out gwA)
n_clear=$(tcpdump -r "$TMP/nosa.pcap" -n "net 10.0.0.0/8" 2>/dev/null | wc -l)
check "... tc_egress dropped them (drop-no-sa-out $n0 -> $n1), none fast-forwarded, none in clear ($n_clear)" \
	test "$((n1 - n0))" -ge 2 -a "$f1" -eq "$f0" -a "$n_clear" -eq 0
# a new SPI: gwB's replay window remembers 0x1001's sequence numbers
sa_ab4 0x1002 | XDPSEC_PFKEY_SOCKET=$TMP/gwB.sock "$B/setkey" -c
sa_ab4 0x1002 | XDPSEC_PFKEY_SOCKET=$TMP/gwA.sock "$B/setkey" -c
f0=$(hcnt fwd-steer gwA)
check "SA back: ping hA -> hB 3 of 3" quiet ha ping -c 3 -i 0.2 -W 2 -q 10.2.0.2
f1=$(hcnt fwd-steer gwA)
check "... fast-forwarded again (fwd-steer $f0 -> $f1)" test "$((f1 - f0))" -ge 3

# --- 4. fail closed -------------------------------------------------------------
kill -9 "${DPIDS[gwA]}"
wait "${DPIDS[gwA]}" 2>/dev/null || true
capture dead "$RT" ra
check "gwA's xdpsecd killed: ping hA -> hB fails" \
	sh -c "! ip netns exec $HA ping -c 3 -i 0.2 -W 1 -q 10.2.0.2 >/dev/null 2>&1"
stop_captures
n_clear=$(tcpdump -r "$TMP/dead.pcap" -n "net 10.0.0.0/8" 2>/dev/null | wc -l)
check "... and nothing left gwA in clear ($n_clear packets)" test "$n_clear" -eq 0
