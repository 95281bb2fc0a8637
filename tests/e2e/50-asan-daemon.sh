#!/usr/bin/env bash
# xdpsecd built with ASan+UBSan (build-asan/) under traffic and SA churn:
# it must end on SIGTERM with no leak and no sanitizer report.
#
#   ns xs1-$$ (ASan xdpsecd)      ns xsw-$$        ns xs2-$$ (xdpsecd)
#   v1 10.77.0.1 ------ w1 -[ br0 ]- w2 ------ v2 10.77.0.2
#
# Churn: while ping and TCP run, h1's SAs are added, deleted and replaced
# through PF_KEY, including the SA that carries the traffic, so the
# workers' lock-free SA table and its reclamation run under load.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e
BA=$ROOT/build-asan

if [ ! -x "$BA/xdpsecd" ]; then
	make -C "$ROOT" --no-print-directory -s SAN=1 all >"$TMP/build.log" 2>&1 ||
		{ tail -20 "$TMP/build.log"; notok "ASan build of xdpsecd"; exit 1; }
fi

make_wire
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2

K1=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
K2=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
conf() { # conf LOCAL REMOTE
	cat <<EOF
add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K1 ;
add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -r 32 -E aes-gcm-16 0x$K2 ;
spdadd $1 $2 any -P out ipsec esp/transport//require ;
spdadd $2 $1 any -P in ipsec esp/transport//require ;
EOF
}
conf 10.77.0.1 10.77.0.2 >"$TMP/h1.conf"
conf 10.77.0.2 10.77.0.1 >"$TMP/h2.conf"
chmod 600 "$TMP"/h*.conf

# h1: the sanitized daemon, reports to files
export ASAN_OPTIONS="detect_leaks=1:log_path=$TMP/asan:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$TMP/ubsan"
rm -f "$TMP/h1.sock"
nsenter --net="/run/netns/$NS1" "$BA/xdpsecd" -i v1 -f "$TMP/h1.conf" \
	--pfkey-socket "$TMP/h1.sock" --pin-dir "$PINS-h1" >"$TMP/h1.log" 2>&1 &
APID=$!
DPIDS[h1]=$APID
DNS[h1]=$NS1
check "ASan xdpsecd ready" wait_ready "$TMP/h1.sock" "$APID" "$TMP/h1.log"
unset ASAN_OPTIONS UBSAN_OPTIONS
check "h2 xdpsecd ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"
check "ESP ping through the ASan daemon" n1 ping -c 3 -W 2 -i 0.2 -q 10.77.0.2

# traffic in the background
n1 ping -c 400 -i 0.01 -W 1 -q 10.77.0.2 >"$TMP/ping.txt" 2>&1 &
PING=$!
n2 $PY "$E2E/traffic.py" tcp-server 10.77.0.2 7000 >"$TMP/srv" 2>&1 &
SRV=$!
sleep 0.3
n1 $PY "$E2E/traffic.py" tcp-client 10.77.0.2 7000 5000000 >"$TMP/cli" 2>&1 &
CLI=$!

# churn over PF_KEY
sk() { XDPSEC_PFKEY_SOCKET=$TMP/h1.sock "$B/setkey" "$@"; }
fails=0
for i in $(seq 1 60); do
	spi=$((0x4000 + i))
	{
		echo "add 10.77.9.1 10.77.9.2 esp $spi -m transport -E aes-gcm-16 0x$K1 ;"
		echo "spdadd 10.77.9.$i 10.77.8.1 tcp -P out ipsec esp/transport//require ;"
		[ $((i % 3)) = 0 ] && {
			# replace the SA that carries the traffic (same key)
			echo "delete 10.77.0.1 10.77.0.2 esp 0x1001 ;"
			echo "add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -r 32 -E aes-gcm-16 0x$K1 ;"
		}
		[ $i -gt 5 ] && {
			echo "delete 10.77.9.1 10.77.9.2 esp $((spi - 5)) ;"
			echo "spddelete 10.77.9.$((i - 5)) 10.77.8.1 tcp -P out ;"
		}
	} | sk -c >/dev/null 2>&1 || fails=$((fails + 1))
done
check "60 rounds of PF_KEY churn accepted ($fails failed)" test "$fails" -eq 0
wait $PING || true
wait $CLI || true
wait $SRV || true
check "TCP during churn arrived intact" \
	sh -c "test -s $TMP/cli && cmp -s $TMP/cli $TMP/srv"
check "ping during churn mostly answered ($(grep -o '[0-9]* received' "$TMP/ping.txt"))" \
	test "$(grep -o '[0-9]* received' "$TMP/ping.txt" | cut -d' ' -f1)" -ge 300
check "h1 still serves PF_KEY after the churn" sh -c \
	"XDPSEC_PFKEY_SOCKET=$TMP/h1.sock $B/setkey -D | grep -q 'spi=4097'"

kill -TERM "$APID"
rc=0
wait "$APID" || rc=$?
unset 'DPIDS[h1]'
check "the ASan daemon exits 0 on SIGTERM (rc $rc)" test "$rc" -eq 0
reports=$(ls "$TMP"/asan.* "$TMP"/ubsan.* 2>/dev/null || true)
if [ -n "$reports" ]; then
	head -40 $reports
	notok "no ASan/UBSan/LeakSanitizer report"
else
	ok "no ASan/UBSan/LeakSanitizer report"
fi
nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --detach --pin-dir "$PINS-h1" >/dev/null 2>&1 || true
