#!/usr/bin/env bash
# Kubernetes: the manifests against the API schema, and the DaemonSet's
# containers run as the kubelet would run them.
#
#   ns xs1-$$ = the node (hostNetwork)      ns xsw-$$ (wire)     ns xs2-$$
#   pod: mount ns of its own with the         br0: tcpdump        plain
#   Secret, ConfigMap, hostPath and emptyDir                       xdpsecd
#   mounts of daemonset.yaml; container
#   "xdpsecd" = entrypoint.sh run, bounding set = its capability list;
#   "metrics" = xdpsecctl metrics, bounding set = {BPF}
#   v1 10.79.0.1/24 ------------- w1 -[ br0 ]- w2 ------------ v2 10.79.0.2/24
#
# Probes are run like the kubelet's exec probes (nsenter into the pod).
# The Secret is changed the way the kubelet does it (a new ..data
# directory swapped in by rename): one SA and its policy added, another
# removed; only that difference must be applied.
source "$(dirname "$0")/lib.sh"
K8S=$ROOT/deploy/kubernetes
TK=$ROOT/tests/k8s
POD=$TMP/pod
ETC_MADE=
EPID=
MPID=

cleanup() {
	set +e
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	[ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null
	[ -s "$POD/state/xdpsecd.pid" ] && kill -9 "$(cat "$POD/state/xdpsecd.pid")" 2>/dev/null
	sleep 0.2
	[ -d "$PINS" ] && nsenter --net="/run/netns/$NS1" "$B/xdpsecd" --detach \
		--pin-dir "$PINS" >/dev/null 2>&1
	[ -n "$ETC_MADE" ] && rmdir /etc/xdpsec/sa /etc/xdpsec/policy /etc/xdpsec 2>/dev/null
	cleanup_common
}
trap cleanup EXIT

# ------------------------------------------------------------ manifests
"$ROOT/scripts/install-node-deps.sh" >"$TMP/npm.log" 2>&1 ||
	{ cat "$TMP/npm.log"; notok "npm packages for the manifest check"; }
check "manifests valid against the Kubernetes API schema" \
	sh -c "node '$TK/validate.mjs' '$K8S'/*.yaml >'$TMP/valid.log' 2>&1 || { cat '$TMP/valid.log'; false; }"
check "each invalid manifest in tests/k8s/bad is refused" \
	sh -c "node '$TK/validate.mjs' --expect-fail '$TK'/bad/*.yaml >'$TMP/bad.log' 2>&1 || { cat '$TMP/bad.log'; false; }"

# the container specs of daemonset.yaml as shell: env, capabilities
node --input-type=module -e "
import { readFileSync } from 'node:fs';
import { parse } from '$TK/node_modules/yaml/dist/index.js';
const ds = parse(readFileSync('$K8S/daemonset.yaml', 'utf8'));
const c = (n) => ds.spec.template.spec.containers.find((x) => x.name === n);
const q = (s) => \"'\" + String(s).replace(/'/g, \"'\\\\''\") + \"'\";
for (const e of c('xdpsecd').env) if ('value' in e) console.log('POD_ENV+=(' + q(e.name + '=' + e.value) + ')');
const caps = (n) => c(n).securityContext.capabilities.add.map((x) => '+' + x.toLowerCase()).join(',');
console.log('CAPS_XDPSECD=' + q(caps('xdpsecd')));
console.log('CAPS_METRICS=' + q(caps('metrics')));
console.log('METRICS_CMD=(' + c('metrics').command.map(q).join(' ') + ')');
const mode = ds.spec.template.spec.volumes.find((v) => v.name === 'sa').secret.defaultMode;
console.log('SECRET_MODE=' + mode.toString(8));
" >"$TMP/spec.sh" || { notok "read daemonset.yaml"; exit 1; }
POD_ENV=()
source "$TMP/spec.sh"

# ------------------------------------------------------------ topology
make_wire
n1 ip addr add 10.79.0.1/24 dev v1
n2 ip addr add 10.79.0.2/24 dev v2

hexkey() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
K1=$(hexkey 20) K2=$(hexkey 20) K9=$(hexkey 20) K10=$(hexkey 20)
sa() { echo "add $1 $2 esp $3 -m transport -r 32 -E aes-gcm-16 0x$4 ;"; }
pol() { # pol LOCAL REMOTE
	echo "spdadd $1 $2 any -P out ipsec esp/transport//require ;"
	echo "spdadd $2 $1 any -P in ipsec esp/transport//require ;"
}
# the node's Secret and ConfigMap before and after the change
{ sa 10.79.0.1 10.79.0.2 0x1001 "$K1"; sa 10.79.0.2 10.79.0.1 0x2001 "$K2"
  sa 10.79.0.1 10.79.0.9 0x1009 "$K9"; } >"$TMP/sa.v1"
{ sa 10.79.0.1 10.79.0.2 0x1001 "$K1"; sa 10.79.0.2 10.79.0.1 0x2001 "$K2"
  sa 10.79.0.1 10.79.0.10 0x100a "$K10"; } >"$TMP/sa.v2"
{ echo "# ConfigMap policy.conf"; pol 10.79.0.1 10.79.0.2
  echo "spdadd 10.79.0.1 10.79.0.9 any -P out ipsec esp/transport//require ;"; } >"$TMP/pol.v1"
{ echo "# ConfigMap policy.conf"; pol 10.79.0.1 10.79.0.2
  echo "spdadd 10.79.0.1 10.79.0.10 any -P out ipsec esp/transport//require ;"; } >"$TMP/pol.v2"
{ sa 10.79.0.1 10.79.0.2 0x1001 "$K1"; sa 10.79.0.2 10.79.0.1 0x2001 "$K2"
  pol 10.79.0.2 10.79.0.1; } >"$TMP/h2.conf"
chmod 600 "$TMP/h2.conf"
check "peer xdpsecd ready" start_host h2 "$NS2" v2 "$TMP/h2.conf"

# kubelet's atomic projection: DIR/..data -> ..VERSION, DIR/KEY -> ..data/KEY
project() { # project DIR KEY FILE MODE VERSION
	local d=$1
	mkdir -p "$d/..$5"
	install -m "$4" "$3" "$d/..$5/$2"
	ln -sfn "..$5" "$d/..data_tmp"
	mv -T "$d/..data_tmp" "$d/..data"
	[ -L "$d/$2" ] || ln -s "..data/$2" "$d/$2"
}
mkdir -p "$POD/sa" "$POD/policy" "$POD/hostrun" "$POD/state"
project "$POD/sa" sa.conf "$TMP/sa.v1" "$SECRET_MODE" v1
project "$POD/policy" policy.conf "$TMP/pol.v1" 644 v1
if [ ! -d /etc/xdpsec ]; then ETC_MADE=1; fi
mkdir -p /etc/xdpsec/sa /etc/xdpsec/policy

# the pod: its own mount namespace, the node's network namespace
ENVS=("${POD_ENV[@]}" XDPSEC_IFACES=v1 XDPSEC_PIN_DIR="$PINS"
	XDPSEC_RELOAD_INTERVAL=1 PATH="$B:$PATH")
nsenter --net="/run/netns/$NS1" unshare --mount --propagation private \
	env "${ENVS[@]}" bash -c '
	mount --bind "$1/sa" /etc/xdpsec/sa && mount -o remount,bind,ro /etc/xdpsec/sa &&
	mount --bind "$1/policy" /etc/xdpsec/policy &&
	mount -o remount,bind,ro /etc/xdpsec/policy &&
	mkdir -p /run/xdpsec /run/xdpsec-state &&
	mount --bind "$1/hostrun" /run/xdpsec &&
	mount -t tmpfs -o mode=700,size=16m state /run/xdpsec-state &&
	exec setpriv --bounding-set "-all,$2" bash "$3" run' \
	pod "$POD" "$CAPS_XDPSECD" "$K8S/entrypoint.sh" >"$TMP/pod.log" 2>&1 &
EPID=$!
# kubectl exec / exec probes: into the pod's namespaces, same env
inpod() {
	local pid
	pid=$(pgrep -P "$EPID" -x setpriv || true)
	pid=${pid:-$(pgrep -P "$EPID" | head -1)}
	nsenter --mount="/proc/${pid:-$EPID}/ns/mnt" --net="/run/netns/$NS1" \
		env "${ENVS[@]}" "$@"
}
probe() { inpod timeout 10 bash "$K8S/entrypoint.sh" "$1" >>"$TMP/probe.log" 2>&1; }
ready=1
for _ in $(seq 100); do
	probe ready && { ready=0; break; }
	kill -0 "$EPID" 2>/dev/null || break
	sleep 0.2
done
check "readiness probe passes once xdpsecd is up" test $ready -eq 0 ||
	{ cat "$TMP/pod.log"; exit 1; }
check "liveness probe passes" probe live
check "PF_KEY socket on the hostPath, reachable from the node" \
	test -S "$POD/hostrun/pfkey.sock"
XPID=$(inpod cat /run/xdpsec-state/xdpsecd.pid)
CAPBND=$((16#$(awk '/^CapBnd/ { print $2 }' "/proc/$XPID/status")))
# CAP_DAC_OVERRIDE is 1, CAP_SYS_MODULE 16, CAP_BPF 39
check "xdpsecd has the manifest's capabilities only (CapBnd $(printf %x $CAPBND))" \
	test $(((CAPBND >> 1) & 1)) -eq 0 -a $(((CAPBND >> 16) & 1)) -eq 0 -a \
	$(((CAPBND >> 39) & 1)) -eq 1
quiet() { "$@" >/dev/null 2>&1; }
hsetkey() { XDPSEC_PFKEY_SOCKET=$POD/hostrun/pfkey.sock "$B/setkey" "$@"; }

# ------------------------------------------------------------ traffic
wire_capture wire.pcap ip
sleep 1
check "ping node -> peer through the pod's xdpsecd" \
	quiet n1 ping -c 3 -W 2 -i 0.2 -q 10.79.0.2
check "ping peer -> node" quiet n2 ping -c 3 -W 2 -i 0.2 -q 10.79.0.1
sleep 0.5
kill $TDW 2>/dev/null
wait $TDW 2>/dev/null || true
check "the wire carried ESP both ways" test \
	"$(tcpdump -r "$TMP/wire.pcap" -n 'esp and src 10.79.0.1' 2>/dev/null | wc -l)" -ge 3 -a \
	"$(tcpdump -r "$TMP/wire.pcap" -n 'esp and src 10.79.0.2' 2>/dev/null | wc -l)" -ge 3
check "no ICMP in clear on the wire" test \
	"$(tcpdump -r "$TMP/wire.pcap" -n icmp 2>/dev/null | wc -l)" -eq 0

# ------------------------------------------------------------ metrics
nsenter --net="/run/netns/$NS1" setpriv --bounding-set "-all,$CAPS_METRICS" \
	"$B/xdpsecctl" --pin-dir "$PINS" metrics --listen 127.0.0.1:9478 \
	>"$TMP/metrics.log" 2>&1 &
MPID=$!
http() { # http REQUEST-BYTES -> response on stdout (python: no curl needed)
	nsenter --net="/run/netns/$NS1" $PY -c '
import socket, sys, time
for _ in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", 9478), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
s.sendall(sys.argv[1].encode("latin-1").decode("unicode_escape").encode("latin-1"))
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.buffer.write(out)' "$1"
}
export -f http
export NS1 PY
http 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' >"$TMP/scrape.http"
sed -n '1,/^\r$/p' "$TMP/scrape.http" >"$TMP/scrape.head"
sed '1,/^\r$/d' "$TMP/scrape.http" >"$TMP/scrape.txt"
check "GET /metrics: 200, text/plain; version=0.0.4" sh -c \
	"head -1 $TMP/scrape.head | grep -q '^HTTP/1.0 200' && grep -qi '^Content-Type: text/plain; version=0.0.4' $TMP/scrape.head"
check "exposition well formed, per-SA and per-reason samples present" \
	$PY "$TK/check_exposition.py" "$TMP/scrape.txt" \
	'xdpsec_sa_packets_total{direction="rx",spi="0x00002001",dst="10.79.0.1"}>=3' \
	'xdpsec_sa_packets_total{direction="tx",src="10.79.0.1",dst="10.79.0.2"}>=3' \
	'xdpsec_sa_bytes_total{direction="rx",spi="0x00002001"}>=100' \
	'xdpsec_rx_decrypt_total>=3' 'xdpsec_tx_encrypt_total>=3' \
	'xdpsec_drops_total{reason="bad-icv"}>=0'
printf '# TYPE a counter\nb 1\na{x="1} 2\n' >"$TMP/broken.txt"
check "the exposition checker refuses a broken exposition" \
	sh -c "! $PY $TK/check_exposition.py $TMP/broken.txt >/dev/null"
check "GET /other: 404" bash -c "http 'GET /other HTTP/1.0\r\n\r\n' | head -1 | grep -q ' 404 '"
check "POST /metrics: 405" bash -c "http 'POST /metrics HTTP/1.0\r\n\r\n' | head -1 | grep -q ' 405 '"
check "garbage request: 400" bash -c "http 'x\x00\xff\r\n\r\n' | head -1 | grep -q ' 400 '"
head -c 20000 /dev/urandom >"$TMP/junk"
nsenter --net="/run/netns/$NS1" $PY -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", 9478), timeout=5)
try:
    s.sendall(open(sys.argv[1], "rb").read())
    s.recv(100)
except OSError:
    pass' "$TMP/junk" || true
check "20 kB of junk, then a scrape still works" bash -c \
	"http 'GET /metrics HTTP/1.0\r\n\r\n' | head -1 | grep -q ' 200 '"
check "metrics server alive after bad requests" kill -0 "$MPID"
check "metrics --once agrees in format" sh -c \
	"'$B/xdpsecctl' --pin-dir '$PINS' metrics --once >'$TMP/once.txt' && $PY '$TK/check_exposition.py' '$TMP/once.txt'"

# ------------------------------------------------------------ reload
bytes_of() { # bytes_of SPI: current byte count of that SA (setkey -D)
	hsetkey -D | awk -v spi="$1" '
		/esp mode=/ { hit = ($0 ~ "spi=[0-9]+\\(" spi "\\)") }
		hit && /\(bytes\)/ { sub(/.*current: */, ""); sub(/\(bytes\).*/, ""); print; exit }'
}
hsetkey -D >"$TMP/D.before"
B1=$(bytes_of 0x00001001)
project "$POD/sa" sa.conf "$TMP/sa.v2" "$SECRET_MODE" v2
project "$POD/policy" policy.conf "$TMP/pol.v2" 644 v2
for _ in $(seq 50); do
	grep -q "reload: added" "$TMP/pod.log" && break
	sleep 0.2
done
sleep 0.5
hsetkey -D >"$TMP/D.after"
hsetkey -DP >"$TMP/DP.after"
check "reload logged exactly the difference" \
	grep -q "reload: added 2, changed 0, removed 2" "$TMP/pod.log"
check "new SA 0x100a present" grep -q "spi=4106(0x0000100a)" "$TMP/D.after"
check "removed SA 0x1009 gone" sh -c "! grep -q '(0x00001009)' $TMP/D.after"
check "new policy to 10.79.0.10 present" grep -q "10.79.0.10" "$TMP/DP.after"
check "removed policy to 10.79.0.9 gone" sh -c "! grep -q '10.79.0.9\[' $TMP/DP.after && ! grep -qw '10.79.0.9' $TMP/DP.after"
check "untouched policies stayed (4 of the 1<->2 pair + new)" test \
	"$(grep -c 'ipsec' "$TMP/DP.after")" -ge 3
n1 ping -c 2 -W 2 -i 0.2 -q 10.79.0.2 >/dev/null 2>&1 || true
sleep 1.5 # the SADB reads sa_stats once a second
B2=$(bytes_of 0x00001001)
check "kept SA 0x1001 kept its counters (bytes $B1 -> $B2)" \
	test -n "$B1" -a -n "$B2" -a "${B2:-0}" -gt "${B1:-0}" -a "${B1:-0}" -gt 0
check "traffic still protected after the reload" quiet n1 ping -c 2 -W 2 -i 0.2 -q 10.79.0.2

# ------------------------------------------------------------ failure
kill -9 "$XPID"
sleep 0.3
probe live && notok "liveness probe fails once xdpsecd is killed" ||
	ok "liveness probe fails once xdpsecd is killed (exit $?)"
probe ready && notok "readiness probe fails once xdpsecd is killed" ||
	ok "readiness probe fails once xdpsecd is killed"
rc=0
for _ in $(seq 30); do kill -0 "$EPID" 2>/dev/null || break; sleep 0.2; done
wait "$EPID" || rc=$?
check "the container exits (non-zero, restarted by the kubelet): $rc" test "$rc" -ne 0
EPID=
