#!/usr/bin/env bash
# Soak: traffic on 16 SAs while SAs and policies churn through PF_KEY.
#
#   ns xs1-$$ (xdpsecd h1)            ns xsw-$$          ns xs2-$$ (xdpsecd h2)
#   v1 10.77.0.11-18 ------ w1 -[ br0 ]- w2 ------ v2 10.77.0.21-28
#
# Pair k (1..8) is 10.77.0.1k <-> 10.77.0.2k with its own policies and an
# ESP SA each way (16 SAs).  For SOAK_SECONDS (default 60; `make soak`
# runs 600) h1 sends sequence-numbered UDP datagrams on every pair at a
# bounded rate and a TCP stream on pair 1, while both daemons are driven
# through PF_KEY concurrently:
#   - every round, one pair is re-keyed on both hosts in the order that
#     keeps the traffic flowing (new inbound SA on the receiver, new SA on
#     the sender - the newest SA carries the traffic - old SA deleted on
#     the sender, then on the receiver once what is in flight has landed);
#     pair 7's new SAs carry a 1 s soft lifetime (SADB_EXPIRE, no loss),
#     pair 8's a 3 s hard lifetime: they expire and are deleted by the
#     daemons between re-keys, so pair 8 loses traffic and must count it;
#   - pair policies are replaced (spdupdate, same content);
#   - unrelated SAs and policies are added and deleted, and unrelated SAs
#     with 1-2 s lifetimes are left to expire.
# Afterwards: both daemons alive, their RSS flat, the expired SAs gone,
# TCP intact, no duplicate or corrupt datagram, and the UDP accounting:
#   sent - received <= drops counted by the two hosts (+ receive-buffer
#   overflows in the receiver's kernel, printed, normally 0).
# Exact equality cannot be asserted: the counters count packets of every
# flow (the TCP stream, its ACKs, pings), not per datagram, so the check
# is that every lost datagram is covered by some drop counter, with the
# breakdown printed.  Pairs 1-7 are also checked to lose nothing beyond
# what the hosts' drop counters explain.
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT
E2E=$ROOT/tests/e2e
SECS=${SOAK_SECONDS:-60}
RATE=${SOAK_RATE:-50} # datagrams a second per pair
NP=8
RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-8192}

# private copies of the tools: a concurrent `make` relinking build/ must
# not make one of the hundreds of PF_KEY calls fail
cp "$B/setkey" "$B/xdpsecctl" "$TMP/"
SK=$TMP/setkey CTL=$TMP/xdpsecctl

make_wire
for k in $(seq 1 $NP); do
	n1 ip addr add 10.77.0.1$k/24 dev v1
	n2 ip addr add 10.77.0.2$k/24 dev v2
done

hexkey() { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
A() { echo 10.77.0.1$1; }
Bq() { echo 10.77.0.2$1; }
spi12() { printf '0x%x' $((0x100000 + $2 * 0x100 + $1)); } # spi12 PAIR GEN
spi21() { printf '0x%x' $((0x200000 + $2 * 0x100 + $1)); }
declare -A GEN KEY12 KEY21
life() { # life PAIR: lifetime options of pair's SAs
	case $1 in
	7) echo "-ls 1" ;;
	8) echo "-lh 3" ;;
	esac
}
sa12() { # sa12 PAIR GEN KEY [LIFE]
	echo "add $(A $1) $(Bq $1) esp $(spi12 $1 $2) -m transport -r 32 $4 -E aes-gcm-16 0x$3 ;"
}
sa21() {
	echo "add $(Bq $1) $(A $1) esp $(spi21 $1 $2) -m transport -r 32 $4 -E aes-gcm-16 0x$3 ;"
}
pol() { # pol LOCAL REMOTE [spdadd|spdupdate]
	echo "${3:-spdadd} $1 $2 any -P out ipsec esp/transport//require ;"
	echo "${3:-spdadd} $2 $1 any -P in ipsec esp/transport//require ;"
}
: >"$TMP/h1.conf"
: >"$TMP/h2.conf"
for k in $(seq 1 $NP); do
	GEN[$k]=0 KEY12[$k]=$(hexkey) KEY21[$k]=$(hexkey)
	for h in h1 h2; do
		sa12 $k 0 "${KEY12[$k]}" >>"$TMP/$h.conf"
		sa21 $k 0 "${KEY21[$k]}" >>"$TMP/$h.conf"
	done
	pol "$(A $k)" "$(Bq $k)" >>"$TMP/h1.conf"
	pol "$(Bq $k)" "$(A $k)" >>"$TMP/h2.conf"
done
chmod 600 "$TMP"/h*.conf

check "h1 xdpsecd ready" start_host h1 "$NS1" v1 "$TMP/h1.conf"
check "h2 xdpsecd ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"
sk() { XDPSEC_PFKEY_SOCKET=$TMP/$1.sock "$SK" -c >>"$TMP/setkey.out" 2>&1; }

warm=0
for k in $(seq 1 $NP); do
	n1 ping -c 1 -W 2 -I "$(A $k)" -q "$(Bq $k)" >/dev/null 2>&1 || warm=$((warm + 1))
done
check "ESP ping on all $NP pairs before the soak ($warm failed)" test $warm -eq 0

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/${DPIDS[$1]}/status" 2>/dev/null || echo 0; }
snap() { # snap FILE: every counter of both hosts, "host name value"
	local h
	for h in h1 h2; do
		"$CTL" --pin-dir "$PINS-$h" stat -a | awk -v h=$h '{ print h, $2, $1 }'
	done >"$1"
}
udperr() { # udperr NS: RcvbufErrors + InErrors of the namespace's UDP
	ip netns exec "$1" awk '/^Udp:/ { if (h) { print $4 + $6; exit } h = 1; for (i = 1; i <= NF; i++) n[i] = $i }' /proc/net/snmp
}

# --- traffic -----------------------------------------------------------------
snap "$TMP/c0"
ue0=$(udperr "$NS2")
pairs=()
for k in $(seq 1 $NP); do pairs+=("$(A $k),$(Bq $k),$k"); done
n2 $PY "$E2E/soak.py" udp-recv 9000 $((SECS + 8)) >"$TMP/udp.recv" 2>&1 &
RCV=$!
n2 $PY "$E2E/traffic.py" tcp-server "$(Bq 1)" 7000 >"$TMP/tcp.srv" 2>&1 &
SRV=$!
sleep 0.5
n1 $PY "$E2E/soak.py" udp-send 9000 "$SECS" "$RATE" "${pairs[@]}" >"$TMP/udp.sent" 2>&1 &
SND=$!
n1 $PY "$E2E/soak.py" tcp-send "$(Bq 1)" 7000 "$SECS" 1000000 >"$TMP/tcp.cli" 2>&1 &
CLI=$!

# --- churn -------------------------------------------------------------------
rekey() { # rekey PAIR: move both directions to new SPIs, both hosts
	local k=$1 o=${GEN[$1]} n=$((GEN[$1] + 1)) k12 k21 l
	k12=$(hexkey) k21=$(hexkey) l=$(life $k)
	sa12 $k $n "$k12" "$l" | sk h2 || return 1 # receivers first
	sa21 $k $n "$k21" "$l" | sk h1 || return 1
	sa12 $k $n "$k12" "$l" | sk h1 || return 1 # senders move
	sa21 $k $n "$k21" "$l" | sk h2 || return 1
	GEN[$k]=$n KEY12[$k]=$k12 KEY21[$k]=$k21
	sleep 0.05
	# pair 8's old SAs may have expired already (hard lifetime)
	local must=1
	[ $k = 8 ] && [ $o -gt 0 ] && must=0
	echo "delete $(A $k) $(Bq $k) esp $(spi12 $k $o) ;" | sk h1 || [ $must = 0 ] || return 1
	echo "delete $(Bq $k) $(A $k) esp $(spi21 $k $o) ;" | sk h2 || [ $must = 0 ] || return 1
	sleep 0.2 # what was sent on the old SAs has landed
	echo "delete $(A $k) $(Bq $k) esp $(spi12 $k $o) ;" | sk h2 || [ $must = 0 ] || return 1
	echo "delete $(Bq $k) $(A $k) esp $(spi21 $k $o) ;" | sk h1 || [ $must = 0 ] || return 1
	return 0
}
unrelated() { # unrelated ROUND: add/delete/expire SAs and policies off the traffic
	local i=$1 h spi=$((0x700000 + $1)) old=$((0x700000 + $1 - 4)) x=$(($1 % 250 + 1))
	for h in h1 h2; do
		{
			echo "add 10.99.1.1 10.99.2.$x esp $spi -m transport -E aes-gcm-16 0x$(hexkey) ;"
			echo "add 10.99.1.1 10.99.3.$x esp $((spi + 0x10000)) -m transport -lh 2 -E aes-gcm-16 0x$(hexkey) ;"
			echo "add 10.99.1.1 10.99.4.$x esp $((spi + 0x20000)) -m transport -lh 3 -ls 1 -E aes-gcm-16 0x$(hexkey) ;"
			echo "spdadd 10.99.5.$x 10.99.6.0/24 udp -P out ipsec esp/transport//require ;"
			[ $i -gt 4 ] && {
				echo "delete 10.99.1.1 10.99.2.$(((i - 4) % 250 + 1)) esp $old ;"
				echo "spddelete 10.99.5.$(((i - 4) % 250 + 1)) 10.99.6.0/24 udp -P out ;"
			}
			pol "$(A $((i % NP + 1)))" "$(Bq $((i % NP + 1)))" spdupdate |
				if [ $h = h2 ]; then sed "s/-P out/-P OUT/; s/-P in/-P out/; s/-P OUT/-P in/"; else cat; fi
		} | sk $h || return 1
	done
}
fails=0 round=0 rss_mid=""
start=$(date +%s)
sleep 2
r1_0=$(rss h1) r2_0=$(rss h2)
while [ $(($(date +%s) - start)) -lt $((SECS - 2)) ]; do
	round=$((round + 1))
	rekey $((round % NP + 1)) || { fails=$((fails + 1)); echo "# rekey round $round failed"; }
	unrelated $round || { fails=$((fails + 1)); echo "# churn round $round failed"; }
	[ $round = 20 ] && rss_mid="$(rss h1)/$(rss h2)"
done
wait $SND || true
wait $CLI || true
wait $SRV || true
wait $RCV || true
sleep 1
snap "$TMP/c1"
ue1=$(udperr "$NS2")
r1_1=$(rss h1) r2_1=$(rss h2)

check "$round churn rounds, every PF_KEY change accepted ($fails failed)" test $fails -eq 0
[ $fails -eq 0 ] || sort "$TMP/setkey.out" | uniq -c | sort -rn | head -5 | sed 's/^/# setkey: /' 
check "both daemons alive after the soak" kill -0 "${DPIDS[h1]}" "${DPIDS[h2]}"
check "both daemons still serve PF_KEY" sh -c \
	"XDPSEC_PFKEY_SOCKET=$TMP/h1.sock $SK -D | grep -q spi && XDPSEC_PFKEY_SOCKET=$TMP/h2.sock $SK -D | grep -q spi"
echo "# RSS kB: h1 $r1_0 -> $r1_1, h2 $r2_0 -> $r2_1 (round 20: $rss_mid)"
check "h1 RSS flat ($r1_0 -> $r1_1 kB, slack $RSS_SLACK_KB)" test $((r1_1 - r1_0)) -le "$RSS_SLACK_KB"
check "h2 RSS flat ($r2_0 -> $r2_1 kB, slack $RSS_SLACK_KB)" test $((r2_1 - r2_0)) -le "$RSS_SLACK_KB"

sleep 3.5 # every short-lived SA is past its hard lifetime
XDPSEC_PFKEY_SOCKET=$TMP/h1.sock "$SK" -D >"$TMP/h1.dump" 2>&1 || true
grep -m2 spi= "$TMP/h1.dump" | sed 's/^/# /' || true
left=$(grep -Ec 'spi=[0-9]+\(0x007[12]' "$TMP/h1.dump" || true)
check "SAs with a hard lifetime expired and were removed ($left left)" test "$left" -eq 0
nsa=$(grep -Ec 'spi=[0-9]+\(0x00[12]0' "$TMP/h1.dump" || true)
check "h1 holds the 14 current pair SAs plus pair 8's if alive ($nsa)" \
	sh -c "test $nsa -ge 14 && test $nsa -le 16"

check "TCP stream on pair 1 arrived intact through $round re-keys" \
	sh -c "test -s $TMP/tcp.cli && cmp -s $TMP/tcp.cli $TMP/tcp.srv"

# --- accounting --------------------------------------------------------------
$PY - "$TMP/udp.sent" "$TMP/udp.recv" "$TMP/c0" "$TMP/c1" "$((ue1 - ue0))" >"$TMP/acct.txt" 2>&1 <<'PYEOF' || true
import json, sys
sent = json.load(open(sys.argv[1]))
recv = json.load(open(sys.argv[2]))
def load(p):
    d = {}
    for line in open(p):
        h, n, v = line.split()
        d[(h, n)] = int(v)
    return d
c0, c1 = load(sys.argv[3]), load(sys.argv[4])
kernel = int(sys.argv[5])
delta = {k: c1[k] - c0.get(k, 0) for k in c1}
drops = {k: v for k, v in delta.items() if k[1].startswith("drop-") and v}
tot_sent = sum(sent["sent"].values())
tot_recv = sum(recv["recv"].values())
missing = tot_sent - tot_recv
ndrop = sum(drops.values())
print(f"udp sent={tot_sent} received={tot_recv} missing={missing} "
      f"dup={recv['dup']} bad={recv['bad']} send_err={sent['err']} "
      f"kernel_rcv_err={kernel} counted_drops={ndrop}")
for p in sorted(sent["sent"], key=int):
    print(f"  pair {p}: sent={sent['sent'][p]} received={recv['recv'].get(p, 0)}")
for (h, n), v in sorted(drops.items()):
    print(f"  {h} {n} +{v}")
for h in ("h1", "h2"):
    print(f"  {h} tx-encrypt +{delta[(h, 'tx-encrypt')]} rx-decrypt +{delta[(h, 'rx-decrypt')]}")
ok = (missing >= 0 and missing <= ndrop + kernel and recv["dup"] == 0
      and recv["bad"] == 0 and tot_recv > 0)
m17 = sum(sent["sent"][p] - recv["recv"].get(p, 0) for p in sent["sent"] if p != "8")
print(f"pairs 1-7 missing={m17}")
print("ACCOUNTING " + ("OK" if ok else "FAIL"))
PYEOF
sed 's/^/# /' "$TMP/acct.txt"
check "UDP: no duplicate or corrupt datagram, something arrived" \
	sh -c "grep -q ' dup=0 bad=0 ' $TMP/acct.txt && ! grep -q 'received=0 ' $TMP/acct.txt"
check "UDP accounting: sent - received <= dropped (counted by the hosts)" \
	grep -q '^ACCOUNTING OK' "$TMP/acct.txt"
check "no error in the daemons' logs" \
	sh -c "! grep -Ei 'error|sanitizer|stalled|exited' $TMP/h1.log $TMP/h2.log"
