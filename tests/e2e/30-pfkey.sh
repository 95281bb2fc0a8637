#!/usr/bin/env bash
# PF_KEY v2 beyond the basic subset, over xdpsecd's real socket:
# conformance (every message type we serve, malformed requests, who gets
# what; tests/e2e/pfkey_conform.py, an independent codec), GETSPI +
# UPDATE, SA lifetimes with SADB_EXPIRE seen by setkey -x (and its
# ipsec-tools text, golden tests/setkey/monitor.x), deleteall,
# setkey golden dumps (tests/setkey/NAME.conf -> NAME.D, NAME.DP),
# ACQUIRE answered by a key manager (tests/e2e/pfkey_km.py) until ping
# flows, and a 100 000-SA load with a complete dump.
#
#   ns xs1-$$  (xdpsecd -i v1: h1)            ns xs2-$$  (xdpsecd -i v2: h2,
#   +---------------------------+             +--------- ACQUIRE part only)
#   | v1  10.98.0.1/24          |--- veth ----| v2  10.98.0.2/24     |
#   +---------------------------+             +----------------------+
source "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT

make_pair
addr_pair 10.98.0.1/24 10.98.0.2/24
printf '# empty\n' >"$TMP/empty.conf"
chmod 600 "$TMP/empty.conf"
check "xdpsecd starts" start_daemon "$TMP/empty.conf"

# --- conformance client (independent codec in Python)
$PY "$(dirname "$0")/pfkey_conform.py" "$TMP/pfkey.sock" ||
	notok "pfkey_conform.py exited $?"

# --- lifetimes: soft then hard by add time, seen by a monitor (-x).
# addtime is whole seconds and the check runs each second: +-1 s slack.
K=0x$(printf '33%.0s' $(seq 20))
setkey -F >/dev/null
setkey -x -T 10 >"$TMP/x.txt" 2>&1 &
MON=$!
sleep 0.5
printf 'add 10.98.0.1 10.98.0.2 esp 0x4001 -m transport -ls 1 -lh 6 -E aes-gcm-16 %s ;\n' "$K" |
	setkey -c >"$TMP/c.txt" 2>&1
check "setkey -c adds an SA with lifetimes" test ! -s "$TMP/c.txt"
setkey -D >"$TMP/D0.txt"
check "setkey -D shows the hard/soft add-time limits" \
	grep -q "hard: 6(s).*soft: 1(s)" "$TMP/D0.txt"
sleep 3
setkey -D >"$TMP/D1.txt"
check "after the soft limit the SA is dying" grep -q "state=dying" "$TMP/D1.txt"
sleep 5
setkey -D >"$TMP/D2.txt"
check "after the hard limit the SA is gone" grep -q "No SAD entries" "$TMP/D2.txt"
wait "$MON" || true
# setkey -x prints ipsec-tools' kdebug_sadb() blocks, one paragraph per
# message (date line, sadb_msg{...}, extensions).  msgs 'P1|P2|...':
# how many paragraphs contain every one of the strings.
msgs() {
	awk -v pats="$1" 'BEGIN { RS = ""; n = split(pats, p, "|") }
		{ for (i = 1; i <= n; i++) if (index($0, p[i]) == 0) next; c++ }
		END { print c + 0 }' "$TMP/x.txt"
}
check "setkey -x: each message starts with a date line" \
	grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} $' "$TMP/x.txt"
check "setkey -x saw the ADD request and reply (spi 0x4001 = 16385)" \
	test "$(msgs 'type=3 errno=0 satype=3|spi=16385 ')" -ge 2
check "setkey -x saw a soft EXPIRE (state dying, LIFETIME_SOFT)" \
	test "$(msgs 'type=8 errno=0|spi=16385 |state=2|type=4 }')" = 1
check "setkey -x saw a hard EXPIRE (state dead, LIFETIME_HARD)" \
	test "$(msgs 'type=8 errno=0|spi=16385 |state=3|type=3 }')" = 1
check "each soft/hard EXPIRE was sent once" \
	test "$(msgs 'type=8 errno=0')" = 2
check "xdpsecd still runs" kill -0 "$DPID"

# --- setkey -x golden: the SPDADD request (promiscuous copy) and its
# reply in ipsec-tools' text; dates, pids, policy ids and times masked.
setkey -FP >/dev/null
setkey -xx -T 3 >"$TMP/xp.txt" 2>&1 &
MON=$!
sleep 0.5
echo 'spdadd 10.98.0.0/24[any] 10.98.1.1[443] tcp -P out ipsec esp/tunnel/10.98.0.1-10.98.0.9/require ;' |
	setkey -c >"$TMP/xpc.txt" 2>&1
wait "$MON" || true
# (the bare X_PROMISC reply is a date line alone, as in ipsec-tools: it
# runs into the next paragraph, hence "one or more" date lines)
awk 'BEGIN { RS = ""; ORS = "\n\n" }
	/type=14 errno=0/ { sub(/^([0-9]+\.[0-9]+ \n)+/, "DATE\n"); print }' \
	"$TMP/xp.txt" |
	sed -E -e 's/seq=[0-9]+ pid=[0-9]+/seq=X pid=X/' \
		-e 's/ id=[0-9a-f]+ / id=X /' -e 's/addtime=[0-9]+,/addtime=X,/' \
		>"$TMP/xp.got"
if [ -n "${XS_GOLDEN_UPDATE:-}" ]; then
	cp "$TMP/xp.got" "$ROOT/tests/setkey/monitor.x"
fi
check "golden: setkey -xx output for an spdadd (tests/setkey/monitor.x)" \
	diff -u "$ROOT/tests/setkey/monitor.x" "$TMP/xp.got"
setkey -FP >/dev/null

# --- deleteall: every SA of the protocol between two hosts, no other
setkey -F >/dev/null
{
	printf 'add 10.98.0.1 10.98.0.2 esp 0x%x -m transport -E aes-gcm-16 %s ;\n' 0x5101 "$K" 0x5102 "$K"
	printf 'add 10.98.0.1 10.98.0.3 esp 0x5103 -m transport -E aes-gcm-16 %s ;\n' "$K"
	printf 'add 10.98.0.2 10.98.0.1 esp 0x5104 -m transport -E aes-gcm-16 %s ;\n' "$K"
	printf 'deleteall 10.98.0.1 10.98.0.2 esp ;\n'
} >"$TMP/da.conf"
chmod 600 "$TMP/da.conf"
setkey -f "$TMP/da.conf" >"$TMP/da.out" 2>&1 || true
setkey -D >"$TMP/da.D"
check "deleteall removes the SAs 10.98.0.1 -> 10.98.0.2 only" \
	sh -c "test ! -s $TMP/da.out && test \$(grep -c '^10\.98\.' $TMP/da.D) = 2 &&
		! grep -q '^10.98.0.1 10.98.0.2' $TMP/da.D"

# --- setkey -a is -D; -x rejects stray options
setkey -F >/dev/null
check "setkey -a on an empty SADB" sh -c "XDPSEC_PFKEY_SOCKET=$TMP/pfkey.sock $B/setkey -a | grep -q 'No SAD entries'"
check "setkey -T without -x is a usage error" sh -c "! XDPSEC_PFKEY_SOCKET=$TMP/pfkey.sock $B/setkey -D -T 1 2>/dev/null"

# --- golden dumps: tests/setkey/NAME.conf -> NAME.D / NAME.DP
# Dates, diff times and pids vary: masked.  XS_GOLDEN_UPDATE=1 rewrites
# the expected files (review the diff).
mask() {
	sed -E -e 's/(created|current|last|lastused): [A-Z][a-z]{2} .*/\1: X/' \
		-e 's/diff: [0-9]+\(s\)/diff: X(s)/' \
		-e 's/pid=[0-9]+/pid=X/g'
}
G=$ROOT/tests/setkey
for conf in "$G"/*.conf; do
	name=$(basename "$conf" .conf)
	[ -e "$G/$name.D" ] || [ -n "${XS_GOLDEN_UPDATE:-}" ] || continue
	setkey -F >/dev/null
	setkey -FP >/dev/null
	install -m 600 "$conf" "$TMP/$name.conf" # keys: no group/other
	setkey -f "$TMP/$name.conf" >"$TMP/$name.out" 2>&1 || true
	check "golden: $name.conf applies without an error" test ! -s "$TMP/$name.out"
	[ -s "$TMP/$name.out" ] && sed "s/^/# /" "$TMP/$name.out" || true
	setkey -D | mask >"$TMP/$name.D"
	setkey -DP | mask >"$TMP/$name.DP"
	if [ -n "${XS_GOLDEN_UPDATE:-}" ]; then
		cp "$TMP/$name.D" "$G/$name.D"
		cp "$TMP/$name.DP" "$G/$name.DP"
	fi
	check "golden: setkey -D after $name.conf" diff -u "$G/$name.D" "$TMP/$name.D"
	check "golden: setkey -DP after $name.conf" diff -u "$G/$name.DP" "$TMP/$name.DP"
done

# --- ACQUIRE: h1 (this xdpsecd) has the policies but no outbound SA; a
# key manager answers the ACQUIRE with GETSPI + UPDATE; h2 (a second
# xdpsecd) was set up with setkey for the matching SAs.  Then ping works.
setkey -F >/dev/null
setkey -FP >/dev/null
KA=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
KB=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$TMP/h1acq.conf" <<EOF
add 10.98.0.2 10.98.0.1 esp 0x8002 -m transport -E aes-gcm-16 0x$KB ;
spdadd 10.98.0.1 10.98.0.2 icmp -P out ipsec esp/transport//require ;
spdadd 10.98.0.2 10.98.0.1 icmp -P in ipsec esp/transport//require ;
EOF
cat >"$TMP/h2.conf" <<EOF
add 10.98.0.1 10.98.0.2 esp 0x8001 -m transport -E aes-gcm-16 0x$KA ;
add 10.98.0.2 10.98.0.1 esp 0x8002 -m transport -E aes-gcm-16 0x$KB ;
spdadd 10.98.0.2 10.98.0.1 icmp -P out ipsec esp/transport//require ;
spdadd 10.98.0.1 10.98.0.2 icmp -P in ipsec esp/transport//require ;
EOF
chmod 600 "$TMP/h1acq.conf" "$TMP/h2.conf"
setkey -f "$TMP/h1acq.conf" >"$TMP/h1acq.out" 2>&1 || true
check "h1: inbound SA and policies without an outbound SA" test ! -s "$TMP/h1acq.out"
check "h2 xdpsecd ready (SAs and policies from setkey -f)" \
	start_host h2 "$NS2" v2 "$TMP/h2.conf"
$PY "$(dirname "$0")/pfkey_km.py" "$TMP/pfkey.sock" 10.98.0.1 10.98.0.2 \
	0x8001 "$KA" 20 >"$TMP/km.txt" 2>&1 &
KM=$!
for i in $(seq 50); do grep -qs '^# registered' "$TMP/km.txt" && break; sleep 0.1; done
before=$(counter drop-no-sa-out)
n1 ping -c 30 -i 0.1 -W 1 -q 10.98.0.2 >/dev/null 2>&1 || true
wait "$KM" || true
cat "$TMP/km.txt"
check "the datapath dropped the packets without an SA" \
	test "$(counter drop-no-sa-out)" -gt "${before:-0}"
check "after ACQUIRE, GETSPI and UPDATE: ping h1 -> h2 over ESP" \
	n1 ping -c 3 -i 0.2 -W 2 -q 10.98.0.2
setkey -D >"$TMP/acq.D"
check "h1 now has the outbound SA 0x8001, mature" \
	sh -c "grep -A3 '^10.98.0.1 10.98.0.2' $TMP/acq.D | grep -q state=mature"
stop_hosts || true

# big_load WHAT FILE DUMP LINE FLUSH EMPTY: setkey -f $TMP/FILE ($N
# entries of WHAT) without an error, one complete DUMP (-D / -DP: $N lines
# matching LINE), timed; FLUSH then leaves the EMPTY message
big_load() {
	local t0 t1 t2
	t0=$(date +%s.%N)
	setkey -f "$TMP/$2" >"$TMP/$2.out" 2>&1 || true
	t1=$(date +%s.%N)
	check "setkey -f adds $N $1 without an error" test ! -s "$TMP/$2.out"
	setkey "$3" >"$TMP/$2.dump" 2>&1 || true
	t2=$(date +%s.%N)
	check "the dump ($3) lists all $N $1" test "$(grep -c "$4" "$TMP/$2.dump")" = $N
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v n=$N -v w="$1" -v d="$3" \
		'BEGIN { printf "# %d %s: setkey -f %.1f s, setkey %s %.1f s\n", n, w, b - a, d, c - b }'
	setkey "$5" >/dev/null
	check "flush of $N $1 leaves none" \
		sh -c "XDPSEC_PFKEY_SOCKET=$TMP/pfkey.sock $B/setkey $3 | grep -q '$6'"
	check "xdpsecd still runs after the load of $1" kill -0 "$DPID"
}

# --- 100 000 SAs and 100 000 policies through setkey -f, complete dumps
# (ipsec(4)'s truncated-dump bug)
setkey -F >/dev/null
setkey -FP >/dev/null
N=100000
awk -v n=$N -v k="$K" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "add 10.98.%d.%d 10.98.0.2 esp %d -m transport -E aes-gcm-16 %s ;\n",
			int(i / 250) % 250, i % 250 + 1, 4096 + i, k
}' >"$TMP/big.conf"
chmod 600 "$TMP/big.conf"
big_load SAs big.conf -D '^10\.98\.' -F 'No SAD entries'
awk -v n=$N 'BEGIN {
	for (i = 0; i < n; i++)
		printf "spdadd 10.%d.%d.%d 10.96.0.0/16 any -P out ipsec esp/transport//require ;\n",
			97 + int(i / 62500), int(i / 250) % 250, i % 250 + 1
}' >"$TMP/bigp.conf"
big_load policies bigp.conf -DP '^10\.9[78]\.' -FP 'No SPD entries'
