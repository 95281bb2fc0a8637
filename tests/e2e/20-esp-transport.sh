#!/usr/bin/env bash
# ESP transport mode end to end: two xdpsec hosts, IPv4 and IPv6.
#
#   ns xs1-$$ (xdpsecd)        ns xsw-$$ (the wire)          ns xs2-$$ (xdpsecd)
#   v1 10.77.0.1/24 ---- w1 -[ br0: tcpdump, scapy ]- w2 ---- v2 10.77.0.2/24
#      fd77::1/64                                                fd77::2/64
#
# Policies `any` both ways with `require`, no hand-written bypass rules,
# default 1500-byte MTU.  scapy is the independent peer: it decrypts what
# the wire carried and builds ESP that h1 must deliver (or drop and count).
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e

make_wire
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2
n1 ip addr add fd77::1/64 dev v1 nodad
n2 ip addr add fd77::2/64 dev v2 nodad

hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K12=$(hexkey 20) K21=$(hexkey 36) K12v6=$(hexkey 36) K21v6=$(hexkey 20)
KS4=$(hexkey 20) KS6=$(hexkey 20)
sas() {
	cat <<EOF
add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K12 ;
add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -r 32 -E aes-gcm-16 0x$K21 ;
add fd77::1 fd77::2 esp 0x1006 -m transport -r 32 -E aes-gcm-16 0x$K12v6 ;
add fd77::2 fd77::1 esp 0x2006 -m transport -r 32 -E aes-gcm-16 0x$K21v6 ;
EOF
}
pol() { # pol LOCAL REMOTE
	cat <<EOF
spdadd $1 $2 any -P out ipsec esp/transport//require ;
spdadd $2 $1 any -P in ipsec esp/transport//require ;
EOF
}
{
	sas
	# SAs only scapy uses towards h1 (so its sequence numbers are its own)
	echo "add 10.77.0.2 10.77.0.1 esp 0x3004 -m transport -r 32 -E aes-gcm-16 0x$KS4 ;"
	echo "add fd77::2 fd77::1 esp 0x3006 -m transport -r 32 -E aes-gcm-16 0x$KS6 ;"
	pol 10.77.0.1 10.77.0.2
	pol fd77::1 fd77::2
} >"$TMP/h1.conf"
{
	sas
	pol 10.77.0.2 10.77.0.1
	pol fd77::2 fd77::1
} >"$TMP/h2.conf"
chmod 600 "$TMP/h1.conf" "$TMP/h2.conf"

check "h1 xdpsecd ready" start_host h1 "$NS1" v1 "$TMP/h1.conf"
check "h2 xdpsecd ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"

wire_capture wire.pcap
sleep 1

# the enc interface shows the cleartext of what is protected, both ways
n1 tcpdump --immediate-mode -U -i xsenc0 -n -w "$TMP/enc.pcap" icmp >/dev/null 2>&1 &
TDE=$!
sleep 1
n1 ping -c 3 -W 2 -i 0.2 -q 10.77.0.2 >/dev/null 2>&1 || true
sleep 1
kill $TDE 2>/dev/null || true
wait $TDE 2>/dev/null || true
check "tcpdump -i xsenc0 shows outbound cleartext (echo requests)" test \
	"$(tcpdump -r "$TMP/enc.pcap" -n 'icmp[icmptype] == icmp-echo' 2>/dev/null | wc -l)" -ge 3
check "tcpdump -i xsenc0 shows inbound cleartext (echo replies)" test \
	"$(tcpdump -r "$TMP/enc.pcap" -n 'icmp[icmptype] == icmp-echoreply' 2>/dev/null | wc -l)" -ge 3

for fam in 4 6; do
	if [ $fam = 4 ]; then A=10.77.0.1 Bb=10.77.0.2; else A=fd77::1 Bb=fd77::2; fi
	check "IPv$fam ping h1 -> h2" n1 ping -$fam -c 3 -W 2 -i 0.2 -q $Bb
	check "IPv$fam ping h2 -> h1" n2 ping -$fam -c 3 -W 2 -i 0.2 -q $A
	check "IPv$fam ping of 3000 bytes (fragmented, both ways)" \
		n1 ping -$fam -c 2 -W 2 -i 0.2 -q -s 3000 $Bb

	n2 $PY "$E2E/traffic.py" tcp-server $Bb 7000 >"$TMP/tcp$fam.srv" 2>&1 &
	SRV=$!
	sleep 0.5
	n1 $PY "$E2E/traffic.py" tcp-client $Bb 7000 20000000 >"$TMP/tcp$fam.cli" 2>&1 || true
	wait $SRV || true
	check "IPv$fam TCP 20 MB h1 -> h2 arrives intact" \
		sh -c "test -s $TMP/tcp$fam.cli && cmp -s $TMP/tcp$fam.cli $TMP/tcp$fam.srv"

	n2 $PY "$E2E/traffic.py" udp-count $Bb 7001 6 >"$TMP/udp$fam.big" &
	R1=$!
	n1 $PY "$E2E/traffic.py" udp-count $A 7002 6 >"$TMP/udp$fam.small" &
	R2=$!
	sleep 0.5
	n1 $PY "$E2E/traffic.py" udp-send $Bb 7001 1472 200
	n2 $PY "$E2E/traffic.py" udp-send $A 7002 64 200
	wait $R1 $R2 || true
	# the first datagram(s) of 1472 bytes teach the sender the path MTU
	check "IPv$fam UDP 1472 bytes h1 -> h2 ($(cat "$TMP/udp$fam.big"))" \
		test "$(cut -d' ' -f1 "$TMP/udp$fam.big")" -ge 195
	check "IPv$fam UDP 64 bytes h2 -> h1 ($(cat "$TMP/udp$fam.small"))" \
		test "$(cut -d' ' -f1 "$TMP/udp$fam.small")" -ge 198
done

# oversized with DF (IPv4) / any IPv6: ICMP with the MTU that fits
n1 ip route flush cache >/dev/null 2>&1 || true
check "oversized DF IPv4 gets 'frag needed' with the ESP-sized MTU" \
	sh -c "ip netns exec $NS1 ping -c 2 -W 1 -i 0.2 -M do -s 1472 10.77.0.2 2>&1 | grep -q 'mtu = 14'"
check "oversized IPv6 gets 'packet too big' with the ESP-sized MTU" \
	sh -c "ip netns exec $NS1 ping -6 -c 2 -W 1 -i 0.2 -M do -s 1452 fd77::2 2>&1 | grep -qi 'mtu.*14'"
check "too-big ICMPs counted" test "$(hcounter tx-icmp-too-big h1)" -ge 2
check "outbound fragments reassembled before ESP" test "$(hcounter tx-reasm h1)" -ge 1
check "ESP fragmented after encapsulation" test "$(hcounter tx-frag h1)" -ge 1
check "inbound ESP fragments reassembled" test "$(hcounter rx-reasm h1)" -ge 1

kill $TDW 2>/dev/null || true
wait $TDW 2>/dev/null || true

# scapy's ESP towards h1 (from the wire)
MAC1=$(mac_of "$NS1" v1)
sendesp() { ip netns exec "$NSW" $PY "$E2E/esp_wire.py" send br0 "$MAC1" "$@"; }
for fam in 4 6; do
	if [ $fam = 4 ]; then A=10.77.0.1 Bb=10.77.0.2 S=0x3004 K=$KS4; else A=fd77::1 Bb=fd77::2 S=0x3006 K=$KS6; fi
	n1 $PY "$E2E/traffic.py" udp-wait $A 5555 hello$fam 5 &
	W=$!
	sleep 0.5
	sendesp $Bb $A $S $K good 1 5555 hello$fam
	check "IPv$fam ESP built by scapy reaches a socket on h1" wait $W

	n1 $PY "$E2E/traffic.py" udp-wait $A 5556 frag$fam 5 &
	W=$!
	sleep 0.5
	sendesp $Bb $A $S $K frag 2 5556 frag$fam
	check "IPv$fam fragmented ESP from scapy is reassembled and delivered" wait $W

	c0=$(hcounter drop-bad-icv h1)
	sendesp $Bb $A $S $K tampered 3
	sleep 0.3
	check "IPv$fam tampered ESP dropped as bad ICV" test "$(hcounter drop-bad-icv h1)" -eq $((c0 + 1))

	c0=$(hcounter drop-replay h1)
	sendesp $Bb $A $S $K replay 4
	sleep 0.3
	check "IPv$fam replayed ESP dropped as replay" test "$(hcounter drop-replay h1)" -eq $((c0 + 1))

	c0=$(hcounter drop-unknown-spi h1)
	sendesp $Bb $A 0x7777 $K good 1
	sleep 0.3
	check "IPv$fam ESP with an unknown SPI dropped" test "$(hcounter drop-unknown-spi h1)" -eq $((c0 + 1))

	c0=$(hcounter drop-malformed h1)
	sendesp $Bb $A $S $K short 5
	sleep 0.3
	check "IPv$fam truncated ESP dropped as malformed" test "$(hcounter drop-malformed h1)" -eq $((c0 + 1))
done

# kill -9 while protected traffic flows: nothing in clear afterwards
wire_capture kill.pcap
sleep 1
n1 ping -c 20 -i 0.1 -W 1 -q 10.77.0.2 >/dev/null 2>&1 &
P=$!
sleep 0.5
kill -9 "${DPIDS[h1]}" || true
wait $P || true
n1 ping -6 -c 5 -i 0.1 -W 1 -q fd77::2 >/dev/null 2>&1 || true
sleep 0.5
kill $TDW 2>/dev/null || true
wait $TDW 2>/dev/null || true

ip netns exec "$NSW" $PY "$E2E/esp_wire.py" check "$TMP/wire.pcap" 10.77.0.1 10.77.0.2 \
	0x1001:$K12 0x2001:$K21 0x3004:$KS4 >"$TMP/check4.txt" 2>&1 || true
check "IPv4 wire: only ESP, all decrypted by scapy ($(cat "$TMP/check4.txt"))" \
	sh -c "grep -q ' clear=0 ' $TMP/check4.txt && grep -q ' bad=0' $TMP/check4.txt && ! grep -q 'decrypted=0 ' $TMP/check4.txt"
ip netns exec "$NSW" $PY "$E2E/esp_wire.py" check "$TMP/wire.pcap" fd77::1 fd77::2 \
	0x1006:$K12v6 0x2006:$K21v6 0x3006:$KS6 >"$TMP/check6.txt" 2>&1 || true
check "IPv6 wire: only ESP, all decrypted by scapy ($(cat "$TMP/check6.txt"))" \
	sh -c "grep -q ' clear=0 ' $TMP/check6.txt && grep -q ' bad=0' $TMP/check6.txt && ! grep -q 'decrypted=0 ' $TMP/check6.txt"
check "scapy saw TCP, UDP and ICMP inside the ESP" \
	sh -c "! grep -Eq 'tcp=0 |udp=0 |icmp=0 ' $TMP/check4.txt"
for fam in 4 6; do
	if [ $fam = 4 ]; then pair="10.77.0.1 10.77.0.2"; else pair="fd77::1 fd77::2"; fi
	ip netns exec "$NSW" $PY "$E2E/esp_wire.py" check "$TMP/kill.pcap" $pair \
		0x1001:$K12 0x2001:$K21 0x1006:$K12v6 0x2006:$K21v6 >"$TMP/kill$fam.txt" 2>&1 || true
	check "IPv$fam after kill -9 of xdpsecd nothing left in clear ($(cat "$TMP/kill$fam.txt"))" \
		grep -q ' clear=0 ' "$TMP/kill$fam.txt"
done
check "after kill -9 the protected traffic is dropped (h1 counters)" \
	test "$(hcounter drop-no-worker h1)" -ge 10
