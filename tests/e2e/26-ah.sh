#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# AH transport mode end to end: two xdpsec hosts, one address pair (and
# one SA pair) per HMAC on the same wire, ah/transport//require policies.
#
#   ns xs1-$$ (xdpsecd)        ns xsw-$$ (the wire)          ns xs2-$$ (xdpsecd)
#   v1 10.79.K.1/24 --- w1 -[ br0: tcpdump ]- w2 --- v2 10.79.K.2/24
#      fd79:K::1/64                                     fd79:K::2/64
#
#   K=1 hmac-sha1   K=2 hmac-sha2-256   K=3 hmac-sha2-384   K=4 hmac-sha2-512
#   (K=3 with a 1024-packet window, K=4 with 4096 and ESN: setkey -R, -esn)
#   K=5: an ESP+AH bundle, esp/transport//require ah/transport//require:
#        aes-gcm-16 inside, hmac-sha2-256 AH outside, both ways
#
# For each: ping both ways over IPv4 and IPv6, a 2 MB TCP transfer
# h1 -> h2 (IPv4, and IPv6 for K=2) that arrives intact, no bad ICV on
# either host, and nothing between each pair on the wire but AH.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e

quiet() { "$@" >/dev/null 2>&1; }
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
declare -A NAME KLEN
NAME[1]=hmac-sha1 KLEN[1]=20
NAME[2]=hmac-sha2-256 KLEN[2]=32
NAME[3]=hmac-sha2-384 KLEN[3]=48
NAME[4]=hmac-sha2-512 KLEN[4]=64
declare -A ALG ALGR ALG6 ALGR6
for k in 1 2 3 4; do
	ALG[$k]="-A ${NAME[$k]} 0x$(hexkey ${KLEN[$k]})"
	ALGR[$k]="-A ${NAME[$k]} 0x$(hexkey ${KLEN[$k]})"
	ALG6[$k]="-A ${NAME[$k]} 0x$(hexkey ${KLEN[$k]})"
	ALGR6[$k]="-A ${NAME[$k]} 0x$(hexkey ${KLEN[$k]})"
done
KS="1 2 3 4"
declare -A OPT
OPT[1]="-r 32" OPT[2]="-r 32" OPT[3]="-R 1024" OPT[4]="-R 4096 -esn"

GCM5=0x$(hexkey 20) GCM5R=0x$(hexkey 20)
AH5="-A hmac-sha2-256 0x$(hexkey 32)" AH5R="-A hmac-sha2-256 0x$(hexkey 32)"
make_wire
n1 ip addr add 10.79.5.1/24 dev v1
n2 ip addr add 10.79.5.2/24 dev v2
for k in $KS; do
	n1 ip addr add 10.79.$k.1/24 dev v1
	n2 ip addr add 10.79.$k.2/24 dev v2
	n1 ip addr add fd79:$k::1/64 dev v1 nodad
	n2 ip addr add fd79:$k::2/64 dev v2 nodad
done

conf() { # conf 1|2: the SAs (both hosts) and this host's policies
	local k a b
	for k in $KS; do
		echo "add 10.79.$k.1 10.79.$k.2 ah 0x10$k -m transport ${OPT[$k]} ${ALG[$k]} ;"
		echo "add 10.79.$k.2 10.79.$k.1 ah 0x20$k -m transport ${OPT[$k]} ${ALGR[$k]} ;"
		echo "add fd79:$k::1 fd79:$k::2 ah 0x30$k -m transport ${OPT[$k]} ${ALG6[$k]} ;"
		echo "add fd79:$k::2 fd79:$k::1 ah 0x40$k -m transport ${OPT[$k]} ${ALGR6[$k]} ;"
		for a in 10.79.$k.$1 fd79:$k::$1; do
			b=${a%$1}$((3 - $1))
			echo "spdadd $a $b any -P out ipsec ah/transport//require ;"
			echo "spdadd $b $a any -P in ipsec ah/transport//require ;"
		done
	done
	echo "add 10.79.5.1 10.79.5.2 esp 0x105 -m transport -r 32 -E aes-gcm-16 $GCM5 ;"
	echo "add 10.79.5.2 10.79.5.1 esp 0x205 -m transport -r 32 -E aes-gcm-16 $GCM5R ;"
	echo "add 10.79.5.1 10.79.5.2 ah 0x305 -m transport -r 32 $AH5 ;"
	echo "add 10.79.5.2 10.79.5.1 ah 0x405 -m transport -r 32 $AH5R ;"
	a=10.79.5.$1 b=10.79.5.$((3 - $1))
	echo "spdadd $a $b any -P out ipsec esp/transport//require ah/transport//require ;"
	echo "spdadd $b $a any -P in ipsec esp/transport//require ah/transport//require ;"
}
conf 1 >"$TMP/h1.conf"
conf 2 >"$TMP/h2.conf"
chmod 600 "$TMP/h1.conf" "$TMP/h2.conf"

check "h1 xdpsecd ready" start_host h1 "$NS1" v1 "$TMP/h1.conf"
check "h2 xdpsecd ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"

wire_capture wire.pcap
sleep 1
icv0=$(( $(hcounter drop-bad-icv h1) + $(hcounter drop-bad-icv h2) ))

tcp() { tcp_copy "$NS2" "$NS1" "$1" "$2" 2000000 "$3"; } # tcp ADDR PORT TAG: 2 MB h1 -> h2

for k in $KS; do
	n=ah/${NAME[$k]}
	check "$n: IPv4 ping h1 -> h2" quiet n1 ping -c 3 -W 2 -i 0.2 -q 10.79.$k.2
	check "$n: IPv4 ping h2 -> h1" quiet n2 ping -c 3 -W 2 -i 0.2 -q 10.79.$k.1
	check "$n: IPv6 ping h1 -> h2" quiet n1 ping -6 -c 3 -W 2 -i 0.2 -q fd79:$k::2
	check "$n: IPv6 ping h2 -> h1" quiet n2 ping -6 -c 3 -W 2 -i 0.2 -q fd79:$k::1
	check "$n: IPv4 TCP 2 MB h1 -> h2 arrives intact" tcp 10.79.$k.2 $((7200 + k)) t$k
done
check "ah/hmac-sha2-256: IPv6 TCP 2 MB h1 -> h2 arrives intact" tcp fd79:2::2 7210 t6
check "esp+ah bundle: IPv4 ping h1 -> h2" quiet n1 ping -c 3 -W 2 -i 0.2 -q 10.79.5.2
check "esp+ah bundle: IPv4 ping h2 -> h1" quiet n2 ping -c 3 -W 2 -i 0.2 -q 10.79.5.1
check "esp+ah bundle: IPv4 TCP 2 MB h1 -> h2 arrives intact" tcp 10.79.5.2 7211 t5

sk2() { XDPSEC_PFKEY_SOCKET=$TMP/h2.sock "$B/setkey" "$@"; }
sk2 -D >"$TMP/dump2.txt" 2>&1 || true
check "setkey -D: the -R 1024 window (PF_KEY extension 27)" \
	grep -q "window=1024 flags=0x00000000 state=mature" "$TMP/dump2.txt"
check "setkey -D: the -R 4096 -esn SA (SADB_X_SAFLAGS_ESN 0x400)" \
	grep -q "window=4096 flags=0x00000400 state=mature esn" "$TMP/dump2.txt"

sleep 0.5
kill $TDW 2>/dev/null || true
wait $TDW 2>/dev/null || true

check "no bad ICV on either host" test \
	$(( $(hcounter drop-bad-icv h1) + $(hcounter drop-bad-icv h2) )) -eq "$icv0"
check "AH packets verified on h2" test "$(hcounter rx-decrypt h2)" -ge 500
# pstat HOST PROTO TEXT: a line of `xdpsecctl stat -p PROTO` (netstat -s -p)
pstat() {
	"$B/xdpsecctl" --pin-dir "$PINS-$1" stat -p "$2" |
		awk -v t="$3" 'index($0, t) { print $1; exit }'
}
ah_in=$(pstat h2 ah "input AH packets")
esp_in=$(pstat h2 esp "input ESP packets")
check "stat -p: AH ($ah_in) and ESP ($esp_in) inputs add up to rx-decrypt" \
	test $((ah_in + esp_in)) -eq "$(hcounter rx-decrypt h2)"
check "stat -p ah: the AH SAs' packets ($ah_in) and bytes counted" \
	test "$ah_in" -ge 500 -a "$(pstat h2 ah 'input bytes')" -gt "$ah_in"
check "stat -p ah: output AH packets on h1" \
	test "$(pstat h1 ah 'output AH packets')" -ge 500
check "stat -p bogus refused" sh -c "! $B/xdpsecctl --pin-dir $PINS-h1 stat -p gre 2>/dev/null"
# ipsecctl-style views over PF_KEY, and the tables' memory
show() { "$B/xdpsecctl" --pin-dir "$PINS-h2" --pfkey-socket "$TMP/h2.sock" show "$@"; }
show sa >"$TMP/show-sa.txt" 2>&1 || true
show flow >"$TMP/show-flow.txt" 2>&1 || true
show mem >"$TMP/show-mem.txt" 2>&1 || true
check "show sa: one line per SA (20), keyless" \
	sh -c "[ \$(grep -c ' spi 0x' $TMP/show-sa.txt) -eq 20 ] && ! grep -qi 'key' $TMP/show-sa.txt"
check "show sa: ah transport from 10.79.2.1 to 10.79.2.2 spi 0x00000102 auth hmac-sha256" \
	grep -q '^ah transport from 10.79.2.1 to 10.79.2.2 spi 0x00000102 auth hmac-sha256 ' "$TMP/show-sa.txt"
check "show flow: 16 single flows + 2 bundles of two (20 lines)" \
	test "$(grep -c '^flow ' "$TMP/show-flow.txt")" -eq 20
check "show flow: the bundle's ESP and AH flows in" \
	sh -c "grep -q '^flow esp in from 10.79.5.1 to 10.79.5.2 type require' $TMP/show-flow.txt && grep -q '^flow ah in from 10.79.5.1 to 10.79.5.2 type require' $TMP/show-flow.txt"
check "show mem: sa_in holds the 20 SAs" \
	sh -c "awk '\$1 == \"sa_in\" { print \$2 }' $TMP/show-mem.txt | grep -qx 20"
check "show mem: the controller's resident and locked memory (via PF_KEY's peer)" \
	sh -c "grep -q '^xdpsecd (pid [0-9]*) VmRSS:' $TMP/show-mem.txt && grep -q 'VmLck:' $TMP/show-mem.txt"
check "show mem: a kernel byte total" \
	sh -c "awk '\$1 == \"total\" && \$2 > 0 { ok = 1 } END { exit !ok }' $TMP/show-mem.txt"
f="host 10.79.5.1 and host 10.79.5.2"
ahesp=$(tcpdump -r "$TMP/wire.pcap" -n "$f and ip proto 51 and ip[20] == 50" 2>/dev/null | wc -l)
other=$(tcpdump -r "$TMP/wire.pcap" -n "$f and not (ip proto 51 and ip[20] == 50)" 2>/dev/null | wc -l)
check "esp+ah bundle: the wire carried only AH around ESP (ah+esp=$ahesp other=$other)" \
	test "$ahesp" -ge 100 -a "$other" -eq 0
for k in $KS; do
	for f in "host 10.79.$k.1 and host 10.79.$k.2" "host fd79:$k::1 and host fd79:$k::2"; do
		ah=$(tcpdump -r "$TMP/wire.pcap" -n "$f and (ip proto 51 or ip6 proto 51)" 2>/dev/null | wc -l)
		# neighbour discovery stays in clear (RFC 4301 bypass)
		clear=$(tcpdump -r "$TMP/wire.pcap" -n "$f and not (ip proto 51 or ip6 proto 51) and not (icmp6 and (ip6[40] == 135 or ip6[40] == 136))" 2>/dev/null | wc -l)
		check "ah/${NAME[$k]} ($f): the wire carried only AH (ah=$ah clear=$clear)" \
			test "$ah" -ge 6 -a "$clear" -eq 0
	done
done
