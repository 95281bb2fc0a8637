#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# xdpsec container entrypoint (deploy/kubernetes/daemonset.yaml).
#
#   entrypoint.sh run        start xdpsecd, then apply changes of the
#                            mounted files until xdpsecd exits
#   entrypoint.sh ready      readiness probe: the PF_KEY socket answers
#   entrypoint.sh live       liveness probe: xdpsecd runs, PF_KEY answers,
#                            no crypto worker died since it started
#   entrypoint.sh diff OLD NEW
#                            print the setkey commands that turn OLD into
#                            NEW (what a reload applies; contains keys)
#
# The SAs (with keys) come from a Secret, the policies from a ConfigMap,
# both setkey files.  The kubelet swaps a changed Secret/ConfigMap in
# atomically; every XDPSEC_RELOAD_INTERVAL seconds the two files are
# hashed and, if they changed, only the DIFFERENCE is applied with setkey,
# make-before-break:
#   1. new SAs (`add`), and SAs whose parameters changed (`delete` + `add`)
#   2. new policies (`spdadd`), changed policies (`spdupdate`)
#   3. removed policies (`spddelete`)
#   4. removed SAs (`delete`)
# An SA is identified by "src dst proto spi", a policy by
# "src dst upperspec direction".  SAs and policies that did not change are
# not touched: their sequence numbers, replay windows, lifetimes and
# counters go on.  Statements other than add/spdadd (flush, spdflush, ...)
# are applied at start only, never on reload.  Key material is only ever
# written to XDPSEC_STATE_DIR (a memory emptyDir, mode 0700), never logged.
#
# Environment (defaults in brackets):
#   XDPSEC_IFACES           interfaces to protect, space/comma separated
#   XDPSEC_SA_FILE          [/etc/xdpsec/sa/sa.conf]          the Secret
#   XDPSEC_POLICY_FILE      [/etc/xdpsec/policy/policy.conf]  the ConfigMap
#   XDPSEC_PIN_DIR          [/sys/fs/bpf/xdpsec]
#   XDPSEC_PFKEY_SOCKET     [/run/xdpsec/pfkey.sock]
#   XDPSEC_STATE_DIR        [/run/xdpsec-state]
#   XDPSEC_RELOAD_INTERVAL  [5] seconds
#   XDPSEC_ARGS             extra xdpsecd arguments (e.g. --attached, -d)
set -uo pipefail

SA_FILE=${XDPSEC_SA_FILE:-/etc/xdpsec/sa/sa.conf}
POLICY_FILE=${XDPSEC_POLICY_FILE:-/etc/xdpsec/policy/policy.conf}
PIN_DIR=${XDPSEC_PIN_DIR:-/sys/fs/bpf/xdpsec}
export XDPSEC_PFKEY_SOCKET=${XDPSEC_PFKEY_SOCKET:-/run/xdpsec/pfkey.sock}
STATE=${XDPSEC_STATE_DIR:-/run/xdpsec-state}
INTERVAL=${XDPSEC_RELOAD_INTERVAL:-5}
PROBE_TIMEOUT=5

log() { echo "xdpsec-entrypoint: $*" >&2; }

# canon FILE...: one line per statement, "sa|spd|other <TAB> id <TAB> text"
canon() {
	cat "$@" 2>/dev/null | sed 's/#.*//' | awk '
	BEGIN { RS = ";" }
	{
		gsub(/[ \t\r\n]+/, " ")
		sub(/^ /, "")
		sub(/ $/, "")
		if ($0 == "")
			next
		n = split($0, t, " ")
		if (t[1] == "add" && n >= 5) {
			printf "sa\t%s %s %s %s\t%s\n", t[2], t[3], t[4], t[5], $0
		} else if (t[1] == "spdadd" && n >= 4) {
			dir = ""
			for (i = 5; i < n; i++)
				if (t[i] == "-P")
					dir = t[i + 1]
			printf "spd\t%s %s %s %s\t%s\n", t[2], t[3], t[4], dir, $0
		} else {
			printf "other\t-\t%s\n", $0
		}
	}'
}

# setkey_diff OLD_CANON NEW_CANON: the commands, make-before-break order
setkey_diff() {
	awk -F '\t' '
	NR == FNR { old[$1 FS $2] = $3; next }
	{
		k = $1 FS $2
		if ($1 == "other") {
			if (!(k in old) || old[k] != $3)
				skipped++
			delete old[k]
			next
		}
		if (!(k in old)) {
			if ($1 == "sa") sa_add = sa_add $3 " ;\n"
			else spd_add = spd_add $3 " ;\n"
			nadd++
		} else if (old[k] != $3) {
			if ($1 == "sa") {
				split($2, t, " ")
				sa_add = sa_add "delete " $2 " ;\n" $3 " ;\n"
			} else {
				s = $3
				sub(/^spdadd /, "spdupdate ", s)
				spd_add = spd_add s " ;\n"
			}
			nchg++
		}
		delete old[k]
	}
	END {
		for (k in old) {
			split(k, f, FS)
			if (f[1] == "sa") {
				sa_del = sa_del "delete " f[2] " ;\n"
				ndel++
			} else if (f[1] == "spd") {
				split(f[2], t, " ")
				spd_del = spd_del "spddelete " t[1] " " t[2] " " \
					t[3] " -P " t[4] " ;\n"
				ndel++
			}
		}
		printf "%s%s%s%s", sa_add, spd_add, spd_del, sa_del
		printf "added %d, changed %d, removed %d, ignored %d (not add/spdadd)\n", \
			nadd, nchg, ndel, skipped > "/dev/stderr"
	}' "$1" "$2"
}

hash_inputs() { cat "$SA_FILE" "$POLICY_FILE" 2>/dev/null | sha256sum | cut -d' ' -f1; }

worker_dead() {
	xdpsecctl --pin-dir "$PIN_DIR" stat -a 2>/dev/null |
		awk '$2 == "worker-dead" { print $1; found = 1 } END { if (!found) print "?" }'
}

pfkey_answers() { [ -S "$XDPSEC_PFKEY_SOCKET" ] && timeout "$PROBE_TIMEOUT" setkey -DP >/dev/null 2>&1; }

probe_ready() { pfkey_answers; }

probe_live() {
	local pid base now
	pid=$(cat "$STATE/xdpsecd.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null || { echo "xdpsecd is not running" >&2; return 1; }
	[ -S "$XDPSEC_PFKEY_SOCKET" ] || return 0 # still starting: readiness covers it
	pfkey_answers || { echo "PF_KEY does not answer" >&2; return 1; }
	base=$(cat "$STATE/worker-dead.base" 2>/dev/null) || return 0
	now=$(worker_dead)
	if [ "$now" = "?" ] || [ "$now" -gt "$base" ]; then
		echo "a crypto worker died (worker-dead $now, was $base)" >&2
		return 1
	fi
}

# Apply the difference between the last applied files and the current ones.
reload() {
	local new=$STATE/new.canon cmds=$STATE/cmds.setkey
	canon "$SA_FILE" "$POLICY_FILE" >"$new"
	setkey_diff "$STATE/applied.canon" "$new" >"$cmds" 2>"$STATE/diff.log"
	if [ ! -s "$cmds" ]; then
		log "reload: nothing to apply ($(cat "$STATE/diff.log"))"
	elif setkey -c <"$cmds" >"$STATE/setkey.out" 2>&1; then
		log "reload: $(cat "$STATE/diff.log")"
	else
		log "reload failed, will retry: $(grep -v '^ *$' "$STATE/setkey.out" | head -3)"
		rm -f "$cmds"
		return 1
	fi
	mv "$new" "$STATE/applied.canon"
	rm -f "$cmds"
}

run() {
	local ifc args=() pid h last
	[ -n "${XDPSEC_IFACES:-}" ] || { log "XDPSEC_IFACES is empty"; exit 2; }
	umask 077
	mkdir -p "$STATE" "$(dirname "$XDPSEC_PFKEY_SOCKET")"
	chmod 700 "$STATE"
	mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf ||
		log "cannot mount bpffs on /sys/fs/bpf (xdpsecd will try)"
	for ifc in ${XDPSEC_IFACES//,/ }; do args+=(-i "$ifc"); done
	last=$(hash_inputs)
	cat "$SA_FILE" "$POLICY_FILE" >"$STATE/start.conf" || exit 1
	canon "$STATE/start.conf" >"$STATE/applied.canon"
	rm -f "$XDPSEC_PFKEY_SOCKET" "$STATE/worker-dead.base"
	# shellcheck disable=SC2086 # XDPSEC_ARGS is a list of words
	xdpsecd "${args[@]}" -f "$STATE/start.conf" --pin-dir "$PIN_DIR" \
		--pfkey-socket "$XDPSEC_PFKEY_SOCKET" ${XDPSEC_ARGS:-} &
	pid=$!
	echo "$pid" >"$STATE/xdpsecd.pid"
	trap 'kill -TERM $pid 2>/dev/null' TERM INT
	while kill -0 "$pid" 2>/dev/null; do
		if [ ! -e "$STATE/worker-dead.base" ] && [ -S "$XDPSEC_PFKEY_SOCKET" ]; then
			rm -f "$STATE/start.conf"
			worker_dead >"$STATE/worker-dead.base"
			log "xdpsecd ready (pid $pid)"
		fi
		sleep "$INTERVAL" &
		wait $! 2>/dev/null
		[ -S "$XDPSEC_PFKEY_SOCKET" ] || continue
		h=$(hash_inputs)
		[ "$h" = "$last" ] && continue
		reload && last=$h
	done
	wait "$pid"
	h=$?
	log "xdpsecd exited ($h)"
	exit "$h"
}

case "${1:-run}" in
run) run ;;
ready) probe_ready ;;
live) probe_live ;;
diff)
	[ $# -eq 3 ] || { echo "usage: $0 diff OLD NEW" >&2; exit 2; }
	o=$(mktemp) n=$(mktemp)
	canon "$2" >"$o"
	canon "$3" >"$n"
	setkey_diff "$o" "$n"
	rc=$?
	rm -f "$o" "$n"
	exit $rc
	;;
*)
	echo "usage: $0 run|ready|live|diff OLD NEW" >&2
	exit 2
	;;
esac
