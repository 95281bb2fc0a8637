#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# ESP algorithms other than aes-gcm-16 end to end: two xdpsec hosts, one
# address pair (and one SA pair) per algorithm on the same wire.
#
#   ns xs1-$$ (xdpsecd)        ns xsw-$$ (the wire)          ns xs2-$$ (xdpsecd)
#   v1 10.78.K.1/24 --- w1 -[ br0: tcpdump ]- w2 --- v2 10.78.K.2/24
#      fd78:K::1/64                                     fd78:K::2/64
#
#   K=1 aes-cbc + hmac-sha256     K=2 aes-ctr + hmac-sha1
#   K=3 chacha20-poly1305         K=4 null + hmac-sha512
#   K=5 aes-gmac                  K=7 aes-gcm-16
#
# For each: ping both ways (IPv4, and IPv6 for K=3), a 2 MB TCP transfer
# h1 -> h2 that arrives intact, no bad ICV on either host, and nothing
# between the pair on the wire but ESP.  Both hosts on --crypto openssl;
# then h2 again on --crypto ipsec-mb (h1 stays on OpenSSL, so each packet
# is sealed by one backend and opened by the other) for K=7, 3 and 1.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e

quiet() { "$@" >/dev/null 2>&1; }
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# K: name, -E and -A arguments with keys of the right lengths
declare -A NAME ALG
NAME[1]="aes-cbc+hmac-sha256"
ALG[1]="-E aes-cbc 0x$(hexkey 16) -A hmac-sha256 0x$(hexkey 32)"
NAME[2]="aes-ctr+hmac-sha1"
ALG[2]="-E aes-ctr 0x$(hexkey 20) -A hmac-sha1 0x$(hexkey 20)"
NAME[3]="chacha20-poly1305"
ALG[3]="-E chacha20-poly1305 0x$(hexkey 36)"
NAME[4]="null+hmac-sha512"
ALG[4]="-E null \"\" -A hmac-sha512 0x$(hexkey 64)"
NAME[5]="aes-gmac"
ALG[5]="-E aes-gmac 0x$(hexkey 36)"
NAME[7]="aes-gcm-16"
ALG[7]="-E aes-gcm-16 0x$(hexkey 20)"
# the other direction gets its own keys
declare -A ALGR
ALGR[1]="-E aes-cbc 0x$(hexkey 32) -A hmac-sha256 0x$(hexkey 32)"
ALGR[2]="-E aes-ctr 0x$(hexkey 36) -A hmac-sha1 0x$(hexkey 20)"
ALGR[3]="-E chacha20-poly1305 0x$(hexkey 36)"
ALGR[4]="-E null \"\" -A hmac-sha512 0x$(hexkey 64)"
ALGR[5]="-E aes-gmac 0x$(hexkey 20)"
ALGR[7]="-E aes-gcm-16 0x$(hexkey 36)"
KS="1 2 3 4 5 7"

make_wire
for k in $KS; do
	n1 ip addr add 10.78.$k.1/24 dev v1
	n2 ip addr add 10.78.$k.2/24 dev v2
done
n1 ip addr add fd78:3::1/64 dev v1 nodad
n2 ip addr add fd78:3::2/64 dev v2 nodad

conf() { # conf 1|2: the SAs (both hosts) and this host's policies
	local k a b
	for k in $KS; do
		echo "add 10.78.$k.1 10.78.$k.2 esp 0x10$k -m transport -r 32 ${ALG[$k]} ;"
		echo "add 10.78.$k.2 10.78.$k.1 esp 0x20$k -m transport -r 32 ${ALGR[$k]} ;"
	done
	echo "add fd78:3::1 fd78:3::2 esp 0x1063 -m transport -r 32 ${ALG[3]} ;"
	echo "add fd78:3::2 fd78:3::1 esp 0x2063 -m transport -r 32 ${ALGR[3]} ;"
	for k in $KS 6; do
		if [ $k = 6 ]; then a=fd78:3::$1 b=fd78:3::$((3 - $1)); else
			a=10.78.$k.$1 b=10.78.$k.$((3 - $1)); fi
		echo "spdadd $a $b any -P out ipsec esp/transport//require ;"
		echo "spdadd $b $a any -P in ipsec esp/transport//require ;"
	done
}
conf 1 >"$TMP/h1.conf"
conf 2 >"$TMP/h2.conf"
chmod 600 "$TMP/h1.conf" "$TMP/h2.conf"

check "h1 xdpsecd ready" start_host h1 "$NS1" v1 "$TMP/h1.conf" --crypto openssl
check "h2 xdpsecd ready" start_host h2 "$NS2" v2 "$TMP/h2.conf" --crypto openssl

wire_capture wire.pcap
sleep 1
icv0=$(( $(hcounter drop-bad-icv h1) + $(hcounter drop-bad-icv h2) ))

tcp() { tcp_copy "$NS2" "$NS1" "$1" "$2" 2000000 "$3"; } # tcp ADDR PORT TAG: 2 MB h1 -> h2

for k in $KS; do
	A=10.78.$k.1 Bb=10.78.$k.2
	check "${NAME[$k]}: IPv4 ping h1 -> h2" quiet n1 ping -c 3 -W 2 -i 0.2 -q $Bb
	check "${NAME[$k]}: IPv4 ping h2 -> h1" quiet n2 ping -c 3 -W 2 -i 0.2 -q $A
	check "${NAME[$k]}: IPv4 TCP 2 MB h1 -> h2 arrives intact" tcp $Bb $((7100 + k)) t$k
done
check "chacha20-poly1305: IPv6 ping h1 -> h2" quiet n1 ping -6 -c 3 -W 2 -i 0.2 -q fd78:3::2
check "chacha20-poly1305: IPv6 TCP 2 MB h1 -> h2 arrives intact" tcp fd78:3::2 7106 t6

sleep 0.5
kill $TDW 2>/dev/null || true
wait $TDW 2>/dev/null || true

check "no bad ICV on either host" test \
	$(( $(hcounter drop-bad-icv h1) + $(hcounter drop-bad-icv h2) )) -eq "$icv0"
check "packets decrypted on h2" test "$(hcounter rx-decrypt h2)" -ge 500
for k in $KS 6; do
	if [ $k = 6 ]; then f="host fd78:3::1 and host fd78:3::2"; n=chacha20-poly1305/IPv6; else
		f="host 10.78.$k.1 and host 10.78.$k.2"; n=${NAME[$k]}; fi
	esp=$(tcpdump -r "$TMP/wire.pcap" -n "$f and (ip proto 50 or ip6 proto 50)" 2>/dev/null | wc -l)
	# neighbour discovery stays in clear (RFC 4301 bypass)
	clear=$(tcpdump -r "$TMP/wire.pcap" -n "$f and not (ip proto 50 or ip6 proto 50) and not (icmp6 and (ip6[40] == 135 or ip6[40] == 136))" 2>/dev/null | wc -l)
	check "$n: the wire carried only ESP (esp=$esp clear=$clear)" \
		test "$esp" -ge 100 -a "$clear" -eq 0
done

# ipsec-mb on h2, OpenSSL on h1: AES-GCM (128 one way, 256 the other),
# ChaCha20-Poly1305, and AES-CBC + HMAC-SHA-256 (crypto_mb_cbc.c on h2;
# AES-128 one way, AES-256 the other)
stop_hosts || true
check "h1 xdpsecd ready (openssl)" start_host h1 "$NS1" v1 "$TMP/h1.conf" --crypto openssl
check "h2 xdpsecd ready (ipsec-mb)" start_host h2 "$NS2" v2 "$TMP/h2.conf" --crypto ipsec-mb
check "h2 runs the ipsec-mb backend" grep -q 'crypto backend ipsec-mb' "$TMP/h2.log"
for k in 7 3 1; do
	check "ipsec-mb/openssl ${NAME[$k]}: IPv4 ping h1 -> h2" quiet n1 ping -c 3 -W 2 -i 0.2 -q 10.78.$k.2
	check "ipsec-mb/openssl ${NAME[$k]}: IPv4 TCP 2 MB h1 -> h2 arrives intact" tcp 10.78.$k.2 $((7200 + k)) m$k
done
check "ipsec-mb/openssl: no bad ICV on either host" test \
	$(( $(hcounter drop-bad-icv h1) + $(hcounter drop-bad-icv h2) )) -eq 0
check "ipsec-mb/openssl: packets decrypted on h2" test "$(hcounter rx-decrypt h2)" -ge 500
