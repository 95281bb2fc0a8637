#!/usr/bin/env bash
# make bench: xdpsec's speed next to its ceilings, one table on stdout and
# the same as JSON in build/bench.json.  It reports; it never fails the
# build (exit 0 unless it could not run at all).
#
#   scripts/bench.sh [--seconds N] [--size 64,512,1400,imix]
#                    [--cipher aes-128-gcm,aes-256-gcm,aes-128-cbc-sha256,chacha20-poly1305]
#                    [--workers N] [--only crypto,ring,xdpsec,dpdk,tcp,cls,ctl]
#                    [--backend openssl,ipsec-mb] [--enc-rps MASK|none]
#                    [--fastforward off,on]
#
# Sections (bench/README.md has the method):
#   crypto   ceiling A: EVP seal loop per cipher and size (bench/evp_loop),
#            and ipsec-mb's (evp_loop --backend ipsec-mb) for its ciphers
#   ring     ceiling B: AF_XDP copy-mode echo, no crypto (bench/xecho),
#            fed by the generator (bench/xgen); the generator alone
#   kernel   kernel forwarding G -> H -> S without xdpsec
#   xdpsec   decrypt and encrypt rate, one xdpsecd, against
#            1/(1/echo + 1/crypto); per --backend (xdpsecd --crypto):
#            ipsec-mb runs aes-128-gcm, chacha20-poly1305 and
#            aes-128-cbc-sha256 only.
#            Decrypted packets enter H's stack on CPU 0 (RPS on xsenc0, as
#            xdpsecd --enc-rps 1 sets it; --enc-rps none: on the worker's
#            CPU, in its sendto)
#            Encrypt runs twice (--fastforward off,on): G's packets
#            forwarded by H's kernel and steered by tc_egress (rows
#            "encrypt"), and with net.inet.ipsec.fastforward, xdpsecd on
#            h0 too, whose XDP hands them to the worker (rows "encrypt-ff")
#   dpdk     DPDK's ipsec-secgw (net_af_xdp on h0/h1, one lcore on the
#            worker's CPU) encrypting aes-128-gcm G -> S, per --backend's
#            crypto PMD, and xdpsec's encrypt against it (bench/dpdk.sh)
#   tcp/rtt  iperf3 and ping through two xdpsec hosts vs plain
#   cls      ns/packet of xdp_ingress / tc_egress vs SPD size (bench/cls)
#   ctl      setkey -f of 100k SAs / 100k policies, dumps, RSS per SA
#
# Topology for ring/kernel/xdpsec (network namespaces, veths with
# --workers queues):
#   G g0 10.90.0.1 ---- h0 10.90.0.2  H  h1 10.91.0.1 ---- s1 10.91.0.2 S
#   (xgen)              (xecho / xdpsecd -i h0)  (xdpsecd -i h1)  (XDP_DROP)
set -e
cd "$(dirname "$0")/.."

SECS=5
SIZES=64,512,1400,imix
CIPHERS=aes-128-gcm,aes-256-gcm,aes-128-cbc-sha256,chacha20-poly1305
WORKERS=1
ONLY=,crypto,ring,xdpsec,dpdk,tcp,cls,ctl,
BACKENDS=openssl,ipsec-mb
ENC_RPS=1
FASTFWD=off,on
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECS=$2; shift 2 ;;
	--size) SIZES=$2; shift 2 ;;
	--cipher) CIPHERS=$2; shift 2 ;;
	--workers) WORKERS=$2; shift 2 ;;
	--only) ONLY=,$2,; shift 2 ;;
	--backend) BACKENDS=$2; shift 2 ;;
	--enc-rps) ENC_RPS=$2; shift 2 ;;
	--fastforward) FASTFWD=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -e$/{/^set -e$/!p}' "$0"; exit 0 ;;
	*) echo "bench: unknown option $1" >&2; exit 64 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
command -v iperf3 >/dev/null || scripts/install-deps.sh >/dev/null
make -s -j2 bench-build >/dev/null

source tests/e2e/lib.sh
set +e
OUT=$ROOT/build/bench.json
ROWS=$TMP/rows
: >"$ROWS"
NG=xbg-$ID NH=xbh-$ID NS=xbs-$ID
XB=$B/bench
SKIPPED=()

bench_cleanup() {
	[ -n "$SGW" ] && kill -9 "$SGW" 2>/dev/null && rm -rf "/var/run/dpdk/xsb-$ID"
	cleanup_common
	ip netns del "$NG" 2>/dev/null
	ip netns del "$NH" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# row SECTION NAME SIZE VALUE UNIT [RATIO TARGET STATUS NOTE]
row() {
	local IFS=$'\t'
	echo "$*" >>"$ROWS"
}
log() { echo "bench: $*" >&2; }
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p"; } # kv KEY <<< "a=1 b=2"
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
calc() { awk "BEGIN { printf \"%.${2:-0}f\", ($1) }"; }
mark() { # mark VALUE TARGET: PASS/MISS
	[ "$(calc "$1 >= $2")" = 1 ] && echo PASS || echo MISS
}
IFS=, read -ra SZ <<<"$SIZES"
IFS=, read -ra CI <<<"$CIPHERS"
IFS=, read -ra BE <<<"$BACKENDS"
IFS=, read -ra FF <<<"$FASTFWD"
# the ciphers ipsec-mb runs in the workers (AEAD, AES-CBC + HMAC-SHA*),
# and those it is measured with in the xdpsec section
mb_cipher() { [[ $1 == aes-128-gcm || $1 == aes-256-gcm || $1 == chacha20-poly1305 || $1 == aes-128-cbc-sha256 ]]; }
mb_xdpsec() { [[ $1 == aes-128-gcm || $1 == chacha20-poly1305 || $1 == aes-128-cbc-sha256 ]]; }
backend() { [[ ,$BACKENDS, == *,$1,* ]]; }

want() { [[ $ONLY == *,$1,* ]]; }
for s in crypto ring xdpsec dpdk tcp cls ctl; do
	want $s || SKIPPED+=("$s: not selected (--only)")
done

# ------------------------------------------------------------ crypto
# (the xdpsec section needs the crypto and ring figures for its ratios)
declare -A CRYPTO=()
want crypto || want xdpsec || CI=()
for c in "${CI[@]}"; do
	for s in "${SZ[@]}"; do
		r=$("$XB/evp_loop" "$c" "$s" "$SECS" 2>/dev/null)
		if [ -z "$r" ]; then
			row crypto "$c" "$s" "" pkt/s "" "" "" "cipher unavailable"
			continue
		fi
		CRYPTO[$c/$s]=$(kv pps <<<"$r")
		row crypto "$c" "$s" "$(kv pps <<<"$r")" pkt/s "" "" "" \
			"$(kv gbps <<<"$r") Gbit/s"
	done
done
for c in "${CI[@]}"; do
	backend ipsec-mb && mb_cipher "$c" || continue
	for s in "${SZ[@]}"; do
		r=$("$XB/evp_loop" --backend ipsec-mb "$c" "$s" "$SECS" 2>/dev/null)
		if [ -z "$r" ]; then
			row crypto "$c ipsec-mb" "$s" "" pkt/s "" "" "" "ipsec-mb unavailable"
			continue
		fi
		CRYPTO[$c/$s/ipsec-mb]=$(kv pps <<<"$r")
		row crypto "$c ipsec-mb" "$s" "$(kv pps <<<"$r")" pkt/s "" "" "" \
			"$(kv gbps <<<"$r") Gbit/s, ipsec-mb $([ "$c" = aes-128-cbc-sha256 ] && echo job || echo direct) API"
	done
done
for c in aes-128-gcm aes-256-gcm chacha20-poly1305; do
	r=$(openssl speed -evp "$c" -bytes 1400 -seconds 1 2>/dev/null |
		awk -v c="$c" 'tolower($1) == c { sub("k", "", $2); print $2 }')
	[ -n "$r" ] && row crypto "openssl speed -evp $c" 1400 \
		"$(calc "$r * 1000 / 1400")" pkt/s "" "" "" \
		"$(calc "$r * 8 / 1e6" 2) Gbit/s"
done

IFS=, read -ra CI <<<"$CIPHERS"
# ------------------------------------------------------------ topology
if want ring || want xdpsec || want dpdk; then
veth() { # veth NS1 IF1 NS2 IF2
	ip link add "$2" netns "$1" numtxqueues "$WORKERS" numrxqueues \
		"$WORKERS" type veth peer name "$4" netns "$3" \
		numtxqueues "$WORKERS" numrxqueues "$WORKERS"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}
ip netns add "$NG" && ip netns add "$NH" && ip netns add "$NS" || exit 1
veth "$NG" g0 "$NH" h0
veth "$NH" h1 "$NS" s1
ip -n "$NG" addr add 10.90.0.1/24 dev g0
ip -n "$NH" addr add 10.90.0.2/24 dev h0
ip -n "$NH" addr add 10.91.0.1/24 dev h1
ip -n "$NS" addr add 10.91.0.2/24 dev s1
ip netns exec "$NH" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.h0.rp_filter=0
# decrypted packets end at an input drop rule: with no socket on the port
# the kernel would build an ICMP port unreachable for each (a fifth of the
# worker's time in the decrypt runs), which is no part of IPsec
ip netns exec "$NH" nft -f - <<'NFT' 2>/dev/null || true
table inet xsbench {
	chain input {
		type filter hook input priority 0;
		udp dport 5000 drop
	}
}
NFT
macof() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
H0MAC=$(macof "$NH" h0)
S1MAC=$(macof "$NS" s1)
ip -n "$NH" neigh replace 10.91.0.2 lladdr "$S1MAC" dev h1 nud permanent
ip -n "$NH" neigh replace 10.90.0.1 lladdr "$(macof "$NG" g0)" dev g0 \
	nud permanent 2>/dev/null
# The far ends (g0: what the echo sends back; s1: what H forwards or
# encrypts) drop at the netdev ingress hook, their receive moved by RPS to the
# generator's CPU: a veth runs the receiver's work on the sender's CPU,
# which a NIC does not, so it must not count against the worker's core.
rps() { # rps NS IF MASK: RPS on every rx queue (the namespace's own /sys)
	ip netns exec "$1" sh -c \
		"for q in /sys/class/net/$2/queues/rx-*/rps_cpus; do echo $3 >\$q; done"
}
sink() { # sink NS IF (nft netdev ingress: no tc classifier but bpf here)
	rps "$1" "$2" 1
	ip netns exec "$1" nft -f - <<NFT
table netdev xsbench_sink {
	chain in {
		type filter hook ingress device "$2" priority 0;
		drop
	}
}
NFT
}
sink "$NG" g0
sink "$NS" s1

# The generator: XDP live frames (xgen -L, BPF_PROG_TEST_RUN), pinned to
# CPU $GCPU, where the receiving veth's XDP runs too (softirq); xecho
# gets CPU $OCPU.  xgen falls back to AF_PACKET by itself (the ring rows
# say which mode ran).  With --workers > 1 AF_PACKET: live frames all
# land on the rx queue of the sending CPU, AF_PACKET spreads the flows.
GCPU=0 OCPU=$(($(nproc) > 1 ? 1 : 0))
# (XGEN_MODE=af-packet forces AF_PACKET, XGEN_ARGS="-p PPS" sets a rate)
LIVE=-L
{ [ "$WORKERS" -gt 1 ] || [ "$XGEN_MODE" = af-packet ]; } && LIVE=
gen() { # gen SIZE DSTIP [xgen args]: the generator's output line
	local s=$1 d=$2
	shift 2
	ip netns exec "$NG" taskset -c "$GCPU" "$XB/xgen" $LIVE $XGEN_ARGS \
		-i g0 -d "$H0MAC" -a 10.90.0.1 -b "$d" -s "$s" -t "$SECS" "$@" \
		2>>"$TMP/xgen.err"
}
# frames XDP sent into h0 need an XDP program there (MACHINE-FACTS trap
# 3) when nothing else has one on it: XDP_PASS for kernel and encrypt
h0_pass() { [ -z "$LIVE" ] || ip netns exec "$NH" "$XB/xgen" -P h0; }
h0_off() { ip -n "$NH" link set h0 xdp off; }
rx_cpu() { # rx_cpu PID: keep a receiver's threads off the generator's CPU
	local t
	for t in /proc/"$1"/task/*; do
		taskset -p -c "$OCPU" "${t##*/}" >/dev/null 2>&1
	done
}
# fed RATE SENT SIZE: why (nearly) all that was sent arrived.  The feed
# set the pace if xgen ran near its solo rate ("generator alone");
# if it sent much less it was held back by the receive work (veth XDP,
# forwarding: softirq on the generator's CPU), not by its own speed.
fed() {
	[ -n "$2" ] && [ "$(calc "$1 >= 0.95 * $2")" = 1 ] || return 0
	if [ -n "${GEN[$3]}" ] && [ "$(calc "$2 < 0.8 * ${GEN[$3]}")" = 1 ]
	then
		echo "receive-bound: all sent arrived, xgen slowed by the receive softirq on its CPU"
	else
		echo "generator-bound"
	fi
}
xdrops() { # xdrops NS IF: XDP drops on all queues
	ip netns exec "$1" ethtool -S "$2" |
		awk '/xdp_drops/ { n += $2 } END { print n + 0 }'
}
rxpk() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
# busy_mark; ...; busy_s: seconds CPU $OCPU (the worker's, xecho's) was
# busy since the mark, from /proc/stat (user nice system irq softirq steal)
cpu_busy() { awk -v c="cpu$OCPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
busy_mark() { BUSY0=$(cpu_busy); }
busy_s() { calc "($(cpu_busy) - $BUSY0) / $(getconf CLK_TCK)" 3; }
# cap PACKETS BUSY_S: packets per second of busy worker core
cap() { [ "$(calc "$2 > 0.05")" = 1 ] && calc "$1 / $2"; }

# ------------------------------------------------------------ ring
declare -A GEN=() ECHO=() ECAP=() FWD=()
# xdpsec's encrypt rate at s1 and per-busy-core figure by "DIR CIPHER/SIZE"
# (bench/dpdk.sh)
declare -A XRATE=() XCAP=()
for s in "${SZ[@]}"; do
	ip netns exec "$NH" "$XB/xgen" -D h0
	d0=$(xdrops "$NH" h0)
	r=$(gen "$s" 10.90.0.2)
	d1=$(xdrops "$NH" h0)
	ip -n "$NH" link set h0 xdp off
	GEN[$s]=$(calc "($d1 - $d0) / $SECS")
	note="xgen sent $(kv pps <<<"$r") pkt/s ($(kv mode <<<"$r"))"
	[ -n "$LIVE" ] && [ "$(kv mode <<<"$r")" != xdp-live ] &&
		note="$note; live frames failed: $(grep -a 'live frames' \
			"$TMP/xgen.err" | tail -1)"
	row ring "generator alone (received)" "$s" "${GEN[$s]}" pkt/s "" "" "" \
		"$note"

	busy_mark
	ip netns exec "$NH" taskset -c "$OCPU" "$XB/xecho" h0 "$SECS" \
		>"$TMP/echo" 2>&1 &
	E=$!
	sleep 0.5
	r=$(gen "$s" 10.90.0.2)
	wait $E
	bs=$(busy_s)
	ECHO[$s]=$(kv pps <"$TMP/echo")
	note=
	if [ -n "${ECHO[$s]}" ]; then
		ECAP[$s]=$(cap "$(calc "${ECHO[$s]} * $SECS")" "$bs")
		note="xgen sent $(kv pps <<<"$r") pkt/s meanwhile; core busy ${bs} s: ${ECAP[$s]} pkt/s per busy core"
		# everything sent came back: the feed set the rate
		f=$(fed "${ECHO[$s]}" "$(kv pps <<<"$r")" "$s")
		[ -n "$f" ] && note="$note; $f: everything sent was echoed, a lower bound"
	fi
	row ring "AF_XDP echo, 1 core" "$s" "${ECHO[$s]}" pkt/s "" "" "" "$note"
done

# ------------------------------------------------------------ kernel
h0_pass
for s in "${SZ[@]}"; do
	d0=$(rxpk "$NS" s1)
	r=$(gen "$s" 10.91.0.2)
	sleep 0.2
	d1=$(rxpk "$NS" s1)
	FWD[$s]=$(calc "($d1 - $d0) / $SECS")
	note="xgen sent $(kv pps <<<"$r") pkt/s"
	f=$(fed "${FWD[$s]}" "$(kv pps <<<"$r")" "$s")
	[ -n "$f" ] && note="$note: $f"
	row kernel "forwarding G->H->S, no xdpsec" "$s" "${FWD[$s]}" pkt/s \
		"" "" "" "$note; the setup's ceiling for encrypt"
done
h0_off

fi
# ------------------------------------------------------------ xdpsec
if want xdpsec; then
# setkey arguments of a cipher, with fresh keys: "ENC KEY [AUTH KEY]"
cipher_args() {
	case $1 in
	aes-128-gcm) echo "aes-gcm-16 $(hexkey 20)" ;;
	aes-256-gcm) echo "aes-gcm-16 $(hexkey 36)" ;;
	chacha20-poly1305) echo "chacha20-poly1305 $(hexkey 36)" ;;
	aes-128-cbc-sha256) echo "aes-cbc $(hexkey 16) hmac-sha256 $(hexkey 32)" ;;
	esac
}
sa_line() { # sa_line SRC DST SPI ENC KEY [AUTH KEY]
	local l="add $1 $2 esp $3 -m transport -r 0 -E $4 0x$5"
	[ -n "$6" ] && l="$l -A $6 0x$7"
	echo "$l ;"
}
xgen_esp() { # xgen's -e of SPI and cipher_args
	local a="$1:$2:$3"
	[ -n "$4" ] && a="$a:$4:$5"
	echo "$a"
}
ctr() { hcounter "$1" "$2"; }
ratio_row() { # ratio_row DIR CIPHER SIZE RATE CRYPTO CEIL_NOTE SENT CAP
	local dir=$1 c=$2 s=$3 rate=$4 cr=$5 comb ratio tgt st f note= how
	XCAP[$dir $c/$s]=$8
	if [ -z "$cr" ] || [ -z "${ECHO[$s]}" ] || [ "${ECHO[$s]}" = 0 ]; then
		row xdpsec "$dir $c" "$s" "$rate" pkt/s "" "" "" "no ceiling"
		return
	fi
	# one-core ceilings, times the workers (one per queue)
	comb=$(calc "$WORKERS / (1 / ${ECHO[$s]} + 1 / $cr)")
	ratio=$(calc "$rate / $comb" 2)
	how="combined ceiling $comb pkt/s"
	# per busy second of the worker's core, against the echo's per busy
	# second: what one core can do, whatever held the feed back
	if [ -n "$8" ] && [ -n "${ECAP[$s]}" ]; then
		comb=$(calc "1 / (1 / ${ECAP[$s]} + 1 / $cr)")
		ratio=$(calc "$8 / $comb" 2)
		how="per busy core: $8 pkt/s against $comb (echo ${ECAP[$s]}, crypto $cr)"
	fi
	case $s in 64) tgt=0.75 ;; 1400) tgt=0.85 ;; *) tgt= ;; esac
	st=
	[ -n "$tgt" ] && st=$(mark "$ratio" "$tgt")
	[ "$dir" = encrypt ] && [ -n "${FWD[$s]}" ] &&
		[ "$(calc "$rate >= 0.9 * ${FWD[$s]}")" = 1 ] &&
		note="capped by kernel forwarding; "
	# everything sent arrived: the feed, not xdpsec, set the rate (fed)
	f=$(fed "$rate" "$7" "$s")
	[ -n "$f" ] && note="$f (xgen sent $7 pkt/s); "
	[ -n "$7" ] && [ "$(calc "${GEN[$s]} < 1.2 * $rate")" = 1 ] &&
		note="generator-bound (generator alone ${GEN[$s]} < 1.2x); "
	row xdpsec "$dir $c" "$s" "$rate" pkt/s "$ratio" \
		"${tgt:+>= $tgt x combined}" "$st" "${note}${how}${6:+; $6}"
}

# enc_run off|on: encrypt rows of backend $be, ciphers XCI.  off: G's
# packets are forwarded by H's kernel and steered by tc_egress on h1
# (rows "encrypt ..."); on: net.inet.ipsec.fastforward, xdpsecd on h0 as
# well, whose XDP hands them to the worker (rows "encrypt-ff ...")
enc_run() {
	local dir=encrypt opt=() c s e k a ak r c0 c1 d0 d1 fwd spi=$((0x6000))
	: >"$TMP/enc.conf"
	chmod 600 "$TMP/enc.conf"
	if [ "$1" = on ]; then
		dir=encrypt-ff opt=(-i h0)
		h0_off
	else
		h0_pass
	fi
	if ! start_host enc "$NH" h1 "$TMP/enc.conf" --crypto "$be" "${opt[@]}"; then
		SKIPPED+=("$dir$sfx: xdpsecd did not start")
		return
	fi
	rx_cpu "${DPIDS[enc]}"
	[ "$1" = on ] && "$B/xdpsecctl" --pin-dir "$PINS-enc" sysctl \
		net.inet.ipsec.fastforward=1 >/dev/null
	echo "spdadd 10.90.0.1 10.91.0.2 any -P out ipsec esp/transport//require ;" |
		XDPSEC_PFKEY_SOCKET=$TMP/enc.sock "$B/setkey" -c
	for c in "${XCI[@]}"; do
		[ -n "${ACCEPT[$c]}" ] || continue
		read -r e k a ak <<<"$(cipher_args "$c")"
		spi=$((spi + 1))
		{
			echo "deleteall 10.90.0.1 10.91.0.2 esp ;"
			sa_line 10.90.0.1 10.91.0.2 $spi "$e" "$k" "$a" "$ak"
		} | XDPSEC_PFKEY_SOCKET=$TMP/enc.sock "$B/setkey" -c >/dev/null 2>&1
		for s in "${SZ[@]}"; do
			c0=$(ctr tx-encrypt enc) d0=$(rxpk "$NS" s1)
			busy_mark
			r=$(gen "$s" 10.91.0.2)
			sleep 0.2
			c1=$(ctr tx-encrypt enc) d1=$(rxpk "$NS" s1)
			fwd="kernel forwarding ${FWD[$s]} pkt/s"
			[ "$1" = on ] && fwd="straight from h0's XDP, no kernel forwarding"
			ratio_row "$dir" "$c$sfx" "$s" "$(calc "($c1 - $c0) / $SECS")" \
				"${CRYPTO[$c/$s$cks]}" "$fwd" "$(kv pps <<<"$r")" \
				"$(cap "$((c1 - c0))" "$(busy_s)")"
			# bench/dpdk.sh compares what reached s1, as for ipsec-secgw
			XRATE[$dir $c$sfx/$s]=$(calc "($d1 - $d0) / $SECS")
		done
	done
	stop_hosts
	h0_off
}

# each backend in turn (xdpsecd --crypto): openssl runs every cipher,
# ipsec-mb its own (mb_xdpsec); its rows are named "CIPHER ipsec-mb"
for be in "${BE[@]}"; do
XCI=()
for c in "${CI[@]}"; do
	[ "$be" = openssl ] || mb_xdpsec "$c" && XCI+=("$c")
done
sfx= cks=
[ "$be" = openssl ] || sfx=" $be" cks=/$be
declare -A ACCEPT=() KEYS=()
: >"$TMP/dec.conf"
chmod 600 "$TMP/dec.conf"
spi=$((0x5000))
if start_host dec "$NH" h0 "$TMP/dec.conf" --crypto "$be"; then
	rx_cpu "${DPIDS[dec]}"
	# what --enc-rps does, through H's own /sys (start_host uses nsenter)
	[ "$ENC_RPS" = none ] || rps "$NH" xsenc0 "$ENC_RPS"
	for c in "${XCI[@]}"; do
		read -r e k a ak <<<"$(cipher_args "$c")"
		spi=$((spi + 1))
		if echo "$(sa_line 10.90.0.1 10.90.0.2 $spi "$e" "$k" "$a" "$ak")" |
			XDPSEC_PFKEY_SOCKET=$TMP/dec.sock "$B/setkey" -c \
				>"$TMP/sk.err" 2>&1; then
			ACCEPT[$c]=1
			KEYS[$c]="$(xgen_esp $spi "$e" "$k" "$a" "$ak")"
		else
			row xdpsec "$c$sfx" "" "" "" "" "" "" \
				"not measured: refused by setkey: $(head -1 "$TMP/sk.err")"
		fi
	done
	echo "spdadd 10.90.0.1 10.90.0.2 any -P in ipsec esp/transport//require ;" |
		XDPSEC_PFKEY_SOCKET=$TMP/dec.sock "$B/setkey" -c
	for c in "${XCI[@]}"; do
		[ -n "${ACCEPT[$c]}" ] || continue
		for s in "${SZ[@]}"; do
			c0=$(ctr rx-decrypt dec)
			busy_mark
			r=$(gen "$s" 10.90.0.2 -e "${KEYS[$c]}")
			sleep 0.2
			c1=$(ctr rx-decrypt dec)
			ratio_row decrypt "$c$sfx" "$s" "$(calc "($c1 - $c0) / $SECS")" \
				"${CRYPTO[$c/$s$cks]}" "" "$(kv pps <<<"$r")" \
				"$(cap "$((c1 - c0))" "$(busy_s)")"
		done
	done
	stop_hosts
else
	SKIPPED+=("decrypt$sfx: xdpsecd did not start")
fi

for ff in "${FF[@]}"; do
	enc_run "$ff"
done
h0_off
done
fi
want dpdk && source "$ROOT/bench/dpdk.sh"
ip netns del "$NG" 2>/dev/null
ip netns del "$NH" 2>/dev/null
ip netns del "$NS" 2>/dev/null

want tcp && source "$ROOT/bench/tcp.sh"
want cls && source "$ROOT/bench/cls.sh"
want ctl && source "$ROOT/bench/ctl.sh"

for s in "${SKIPPED[@]}"; do row skipped "$s" "" "" "" "" "" "" ""; done
python3 "$ROOT/bench/report.py" "$ROWS" "$OUT" "$SECS" "$WORKERS"
exit 0
