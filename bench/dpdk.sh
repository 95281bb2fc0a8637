# shellcheck shell=bash
# Sourced by scripts/bench.sh inside its topology block (after the xdpsec
# section): DPDK's ipsec-secgw example (Debian's DPDK 22.11) encrypting
# G -> S on the same veths, generator, sinks and CPUs as "encrypt" there:
#   G g0 --> h0 [net_af_xdp0]  ipsec-secgw, 1 lcore, CPU 1  [net_af_xdp1] h1 --> s1 S
# Transport-mode ESP, AES-128-GCM, as xdpsec's encrypt runs (the policy
# and SA of scripts/bench.sh's xdpsec section), through the
# crypto PMD of each --backend: ipsec-mb -> crypto_aesni_mb, openssl ->
# crypto_openssl.  The rate is what s1 received; each size is first sent
# for a second under tcpdump on s1 to check that what arrives is ESP of
# the SA's SPI and of the expected length, not clear frames.

DPDK_SRC=/usr/share/dpdk/examples/ipsec-secgw
DPDK_DIR=$B/bench/dpdk
SECGW=$DPDK_DIR/src/build/ipsec-secgw
DPDK_SPI=$((0x7001))

# dpdk_build: DPDK (scripts/install-deps.sh --dpdk) and ipsec-secgw built
# out of tree in build/bench/dpdk/src; on failure the reason on stdout
dpdk_build() {
	if ! pkg-config --exists libdpdk || [ ! -d "$DPDK_SRC" ]; then
		log "dpdk: installing DPDK (scripts/install-deps.sh --dpdk)"
		"$ROOT/scripts/install-deps.sh" --dpdk >"$TMP/dpdk-deps.log" 2>&1 ||
			{ echo "install-deps.sh --dpdk failed: $(tail -1 "$TMP/dpdk-deps.log")"; return 1; }
	fi
	[ -x "$SECGW" ] && [ "$SECGW" -nt "$DPDK_SRC/ipsec-secgw.c" ] && return 0
	rm -rf "$DPDK_DIR/src"
	mkdir -p "$DPDK_DIR"
	cp -r "$DPDK_SRC" "$DPDK_DIR/src"
	# The example asks every port for RX checksum offload, which
	# net_af_xdp does not have ("required RX offloads: 0xe"): drop what
	# the port cannot do from the defaults (the SAs' own needs are still
	# checked).  The only change to DPDK's code.
	sed -i 's|^\tlocal_port_conf.rxmode.mtu = mtu_size;$|&\n\t/* xdpsec bench: net_af_xdp has no RX checksum offload */\n\tlocal_port_conf.rxmode.offloads \&= dev_info.rx_offload_capa;|' \
		"$DPDK_DIR/src/ipsec-secgw.c"
	grep -q 'xdpsec bench' "$DPDK_DIR/src/ipsec-secgw.c" ||
		{ echo "could not patch ipsec-secgw.c (RX offloads)"; return 1; }
	make -s -C "$DPDK_DIR/src" >"$TMP/dpdk-build.log" 2>&1 ||
		{ echo "ipsec-secgw build failed: $(grep -m1 error "$TMP/dpdk-build.log")"; return 1; }
}

dpdk_key() { hexkey 20 | sed 's/../&:/g; s/:$//'; } # AES-128 key + 4 B salt

# dpdk_conf FILE: SP, SA, routes and the next hop of ipsec-secgw.  Port 0
# (h0) is the protected side, port 1 (h1, -u 0x2) the unprotected one; the
# inbound SA only satisfies the example (it wants one with -u)
dpdk_conf() {
	: >"$1"
	chmod 600 "$1"
	cat >"$1" <<EOF
sp ipv4 out esp protect $DPDK_SPI pri 1 dst 10.91.0.2/32 sport 0:65535 dport 0:65535
sa out $DPDK_SPI aead_algo aes-128-gcm aead_key $(dpdk_key) mode transport
sp ipv4 in esp protect $((DPDK_SPI + 1)) pri 1 dst 10.90.0.0/24 sport 0:65535 dport 0:65535
sa in $((DPDK_SPI + 1)) aead_algo aes-128-gcm aead_key $(dpdk_key) mode transport
rt ipv4 dst 10.91.0.2/32 port 1
rt ipv4 dst 10.90.0.0/24 port 0
neigh port 1 $S1MAC
neigh port 0 $(macof "$NG" g0)
EOF
}

# dpdk_start CRYPTO_VDEV: ipsec-secgw in H, its one lcore on CPU $OCPU,
# the EAL's other threads too (taskset); pid in SGW.  net_af_xdp:
# socket on queue 0 (the bench's veths have --workers queues; live frames
# land on queue 0), busy_budget=0: no SO_PREFER_BUSY_POLL, so h0's NAPI
# (veth XDP + copy into the ring) stays in softirq on the generator's CPU,
# as for xdpsecd, instead of being polled from the lcore
# (DPDK_BUSY_BUDGET=N scripts/bench.sh ... sets another).  No hugepages:
# --no-huge -m 512 (memory from malloc, IOVA as VA), --no-pci: hands off
# the machine's NIC.
dpdk_start() {
	local x=start_queue=0,queue_count=1,busy_budget=${DPDK_BUSY_BUDGET:-0}
	SGWCMD=(taskset -c "$OCPU" "$SECGW" -l "$OCPU" --no-huge -m 512 --no-pci
		--no-shconf --no-telemetry --file-prefix "xsb-$ID"
		--vdev "net_af_xdp0,iface=h0,$x" --vdev "net_af_xdp1,iface=h1,$x"
		--vdev "$1" -- -p 0x3 -u 0x2 -f "$TMP/secgw.cfg"
		--config "(0,0,$OCPU),(1,0,$OCPU)")
	nsenter --net="/run/netns/$NH" "${SGWCMD[@]}" >"$TMP/secgw.log" 2>&1 &
	SGW=$!
	for _ in $(seq 100); do
		grep -q 'entering main loop' "$TMP/secgw.log" && return 0
		kill -0 "$SGW" 2>/dev/null || break
		sleep 0.1
	done
	dpdk_stop
	return 1
}

# dpdk_stop: SIGTERM (the example then closes its ports, which detaches
# their XDP programs), SIGKILL if it hangs
dpdk_stop() {
	[ -n "$SGW" ] || return 0
	kill -TERM "$SGW" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$SGW" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SGW" 2>/dev/null
	wait "$SGW" 2>/dev/null
	SGW=
	ip -n "$NH" link set h0 xdp off 2>/dev/null
	ip -n "$NH" link set h1 xdp off 2>/dev/null
	rm -rf "/var/run/dpdk/xsb-$ID"
}

# esp_len SIZE: IPv4 length of the transport-mode ESP packet of a SIZE-byte
# clear frame (AES-GCM: 8 B IV, 16 B ICV, 4-byte alignment)
esp_len() { echo $((20 + 8 + 8 + ($1 - 34 + 2 + 3) / 4 * 4 + 16)); }

# dpdk_check SIZE: one second of traffic under tcpdump on s1: "ok N" if
# every captured IPv4 packet is ESP of our SPI (and length), else why not
dpdk_check() {
	local s=$1 td n esp len
	rm -f "$TMP/dpdk.pcap"
	ip netns exec "$NS" timeout 5 tcpdump -i s1 -nn -c 200 -w "$TMP/dpdk.pcap" \
		ip >/dev/null 2>&1 &
	td=$!
	sleep 0.5
	SECS=1 gen "$s" 10.91.0.2 >/dev/null
	wait "$td" 2>/dev/null
	tcpdump -r "$TMP/dpdk.pcap" -nn -v 2>/dev/null >"$TMP/dpdk.txt"
	n=$(grep -c ' > 10.91.0.2' "$TMP/dpdk.txt")
	esp=$(grep -c "ESP(spi=$(printf '0x%08x' $DPDK_SPI)," "$TMP/dpdk.txt")
	len=$(grep -c "proto ESP (50), length $(esp_len "$s")" "$TMP/dpdk.txt")
	[ "$s" = imix ] && len=$esp
	if [ "$n" -gt 0 ] && [ "$esp" = "$n" ] && [ "$len" = "$n" ]; then
		echo "ok $n"
	else
		echo "bad: of $n captured at s1, $esp ESP with SPI $DPDK_SPI, $len of length $(esp_len "$s")"
	fi
}

# refused: frames h0's XDP program (net_af_xdp's) could not redirect: the
# AF_XDP rx ring was full, the lcore did not keep up
refused() {
	ip netns exec "$NH" ethtool -S h0 | awk '/rx_queue_.*_xdp_packets:/ { n += $2 }
		/rx_queue_.*_xdp_redirect:/ { n -= $2 } END { print n + 0 }'
}

declare -A DRATE=() DCAP=()
dpdk_rows() { # dpdk_rows BACKEND VDEV
	local be=$1 pmd=${2#crypto_} s d0 d1 f0 f1 bs r rate ck pc note st fr
	for s in "${SZ[@]}"; do
		ck=$(dpdk_check "$s")
		d0=$(rxpk "$NS" s1) f0=$(refused)
		busy_mark
		r=$(gen "$s" 10.91.0.2)
		bs=$(busy_s) # the lcore spins: busy from the first poll on
		sleep 0.2
		d1=$(rxpk "$NS" s1) f1=$(refused)
		rate=$(calc "($d1 - $d0) / $SECS")
		fr=$(calc "($f1 - $f0) / $SECS")
		pc=$(cap "$((d1 - d0))" "$bs")
		DRATE[$be/$s]=$rate DCAP[$be/$s]=$pc
		note="xgen sent $(kv pps <<<"$r") pkt/s; CPU $OCPU busy ${bs} s (busy-polling lcore): ${pc:-?} pkt/s per busy core"
		if [ "$(calc "$fr > 0.01 * $rate")" = 1 ]; then
			note="$note; lcore saturated: h0's AF_XDP ring refused $fr pkt/s"
		else
			note="$note; the lcore kept up (h0's ring refused $fr pkt/s): feed-bound, per busy core is a lower bound"
		fi
		st=
		if [ "${ck%% *}" = ok ]; then
			note="$note; on the wire: ESP spi $DPDK_SPI, ${ck#ok } of ${ck#ok } captured"
		else
			st=BAD note="$note; NOT ENCRYPTED? $ck"
		fi
		row dpdk "ipsec-secgw encrypt aes-128-gcm $pmd" "$s" "$rate" pkt/s \
			"" "" "$st" "$note"
	done
}

# ------------------------------------------------------------ dpdk
SGW=
DBE=()
for be in "${BE[@]}"; do
	case $be in
	ipsec-mb) DBE+=("$be crypto_aesni_mb") ;;
	openssl) DBE+=("$be crypto_openssl") ;;
	esac
done
if [[ ,$CIPHERS, != *,aes-128-gcm,* ]]; then
	row dpdk "ipsec-secgw encrypt" "" "" "" "" "" SKIP \
		"not measured: aes-128-gcm not in --cipher"
elif ! why=$(dpdk_build); then
	row dpdk "ipsec-secgw encrypt aes-128-gcm" "" "" "" "" "" SKIP \
		"not measured: $why"
else
	dpdk_conf "$TMP/secgw.cfg"
	h0_off # net_af_xdp attaches its own XDP program to h0 and h1
	# libxdp (under net_af_xdp) leaves an empty /sys/fs/bpf/xdp behind
	XDPDIR=/sys/fs/bpf/xdp
	[ -d "$XDPDIR" ] && XDPDIR=
	for d in "${DBE[@]}"; do
		read -r be vdev <<<"$d"
		if ! dpdk_start "$vdev"; then
			row dpdk "ipsec-secgw encrypt aes-128-gcm ${vdev#crypto_}" "" "" "" \
				"" "" SKIP "not measured: ipsec-secgw did not start: $(grep -m1 -i 'cause\|error\|fail' "$TMP/secgw.log")"
			continue
		fi
		rx_cpu "$SGW"
		dpdk_rows "$be" "$vdev"
		dpdk_stop
	done
	[ -n "$XDPDIR" ] && rmdir "$XDPDIR" 2>/dev/null
	# xdpsec's encrypt (xdpsec section, same run) against ipsec-secgw's:
	# through the kernel's forwarding, and fast-forwarded (encrypt-ff: fed
	# straight from h0's XDP, as ipsec-secgw is)
	for d in "${DBE[@]}"; do
		read -r be vdev <<<"$d"
		for xd in encrypt encrypt-ff; do
		xs="$xd aes-128-gcm"
		[ "$be" = openssl ] || xs="$xs $be"
		for s in "${SZ[@]}"; do
			if [ -z "${XRATE[$xs/$s]}" ] || [ -z "${DRATE[$be/$s]}" ] ||
				[ "${DRATE[$be/$s]}" = 0 ]; then
				continue
			fi
			note="per busy core: xdpsec ${XCAP[$xs/$s]:-?} against ${DCAP[$be/$s]:-?} pkt/s"
			[ -n "${XCAP[$xs/$s]}" ] && [ -n "${DCAP[$be/$s]}" ] &&
				note="$note: $(calc "${XCAP[$xs/$s]} / ${DCAP[$be/$s]}" 2) x"
			row dpdk "xdpsec $xs / ipsec-secgw ${vdev#crypto_}" "$s" \
				"${XRATE[$xs/$s]}" pkt/s \
				"$(calc "${XRATE[$xs/$s]} / ${DRATE[$be/$s]}" 2)" "" "" \
				"ratio of rates at s1: xdpsec ${XRATE[$xs/$s]} against ${DRATE[$be/$s]} pkt/s; $note"
		done
		done
	done
fi
