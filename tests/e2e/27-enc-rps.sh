#!/usr/bin/env bash
# xdpsecd --enc-rps: the stack's receive of decrypted packets on chosen CPUs.
#
#   ns xs1-$$ (xdpsecd, nsenter)          ns xs2-$$ (xdpsecd, ip netns exec)
#   v1 10.77.0.1/24 ---------------------- v2 10.77.0.2/24
#                                          xsenc0 rx-*/rps_cpus = --enc-rps
#
# h2 runs under `ip netns exec` so that its /sys is its own namespace's;
# started with nsenter (the host's /sys) --enc-rps must refuse to write,
# and a malformed mask is refused before anything is set up.
source "$(dirname "$0")/lib.sh"
trap '[ -n "$H2" ] && kill -9 $H2 2>/dev/null; cleanup_common' EXIT
H2=

make_pair
n1 ip addr add 10.77.0.1/24 dev v1
n2 ip addr add 10.77.0.2/24 dev v2

hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K12=$(hexkey 20) K21=$(hexkey 20)
conf() { # conf LOCAL REMOTE
	cat <<CONF
add 10.77.0.1 10.77.0.2 esp 0x1001 -m transport -E aes-gcm-16 0x$K12 ;
add 10.77.0.2 10.77.0.1 esp 0x2001 -m transport -E aes-gcm-16 0x$K21 ;
spdadd $1 $2 any -P out ipsec esp/transport//require ;
spdadd $2 $1 any -P in ipsec esp/transport//require ;
CONF
}
conf 10.77.0.1 10.77.0.2 >"$TMP/h1.conf"
conf 10.77.0.2 10.77.0.1 >"$TMP/h2.conf"
chmod 600 "$TMP/h1.conf" "$TMP/h2.conf"
check "h1 xdpsecd ready" start_host h1 "$NS1" v1 "$TMP/h1.conf"

# --- refusals ---------------------------------------------------------------
for m in zz 0 ,1 1, ""; do
	check "--enc-rps '$m' refused" sh -c "! timeout 10 '$B/xdpsecd' -i v2 \
		-f '$TMP/h2.conf' --enc-rps '$m' >'$TMP/bad.log' 2>&1 && \
		grep -q 'bad --enc-rps' '$TMP/bad.log'"
done
timeout 20 nsenter --net="/run/netns/$NS2" "$B/xdpsecd" -i v2 -f "$TMP/h2.conf" \
	--pfkey-socket "$TMP/x.sock" --pin-dir "$PINS-x" --enc-rps 1 \
	>"$TMP/x.log" 2>&1 && rc=0 || rc=$?
nsenter --net="/run/netns/$NS2" "$B/xdpsecd" --detach --pin-dir "$PINS-x" \
	>/dev/null 2>&1
check "with the host's /sys (nsenter) --enc-rps fails (rc $rc)" test $rc -ne 0
check "and says why" grep -q 'is not this network namespace' "$TMP/x.log"

# --- h2 with its own /sys ---------------------------------------------------
rm -f "$TMP/h2.sock"
# not through n2(): $! must be xdpsecd itself (ip netns exec execs it)
ip netns exec "$NS2" "$B/xdpsecd" -i v2 -f "$TMP/h2.conf" \
	--pfkey-socket "$TMP/h2.sock" --pin-dir "/sys/fs/bpf/xdpsec-rps-$ID" \
	--enc-rps 1 >>"$TMP/h2.log" 2>&1 &
H2=$!
check "h2 xdpsecd ready with --enc-rps 1" wait_ready "$TMP/h2.sock" $H2 "$TMP/h2.log"
n2 sh -c 'cat /sys/class/net/xsenc0/queues/rx-*/rps_cpus' >"$TMP/rps.txt"
check "every rx queue of xsenc0 has rps_cpus 1 ($(tr '\n' ' ' <"$TMP/rps.txt"))" \
	sh -c "test -s $TMP/rps.txt && ! grep -qv '^0*1$' $TMP/rps.txt"
check "ESP ping h1 -> h2 through the RPS'd enc interface" \
	n1 ping -c 5 -i 0.2 -W 2 -q 10.77.0.2
check "2 MB TCP h1 -> h2 intact" tcp_copy "$NS2" "$NS1" 10.77.0.2 5001 2000000 t1
check "2 MB TCP h2 -> h1 intact" tcp_copy "$NS1" "$NS2" 10.77.0.1 5002 2000000 t2
check "h2 xdpsecd stops on SIGTERM" sh -c "kill $H2 && timeout 10 tail --pid=$H2 -f /dev/null"
wait $H2 2>/dev/null || true
H2=
n2 "$B/xdpsecd" --detach --pin-dir "/sys/fs/bpf/xdpsec-rps-$ID" >/dev/null 2>&1 || true
