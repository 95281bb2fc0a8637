#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Run every libFuzzer target in build-fuzz/ for FUZZ_SECONDS (default 5)
# on a fresh copy of its seed corpus fuzz/corpus/<name>/, one TAP-like
# line per target: "ok - fuzz <name>" or "not ok - fuzz <name>", then
# "#" lines with details (runs done; the log and crashing input's path).  Builds each target first (make
# build-fuzz/fuzz_<name>) unless FUZZ_NOBUILD=1: one that does not build
# is "not ok" alone.  Exit status 1 if any target failed.
# Run from anywhere; outputs go to build-fuzz/run/<name>/.
set -u
cd "$(dirname "$0")/.."

FO=build-fuzz
secs=${FUZZ_SECONDS:-5}
fail=0

for src in fuzz/fuzz_*.c; do
	name=${src#fuzz/fuzz_}
	name=${name%.c}
	bin="$FO/fuzz_$name"
	run="$FO/run/$name"
	rm -rf "$run"
	mkdir -p "$run/corpus" "$run/artifacts"
	if [ "${FUZZ_NOBUILD:-0}" != 1 ] &&
		! make --no-print-directory -s "$bin" >"$run/build.log" 2>&1; then
		fail=1
		echo "not ok - fuzz $name"
		echo "#   build failed: $run/build.log"
		continue
	fi
	if [ -d "fuzz/corpus/$name" ]; then
		cp -r "fuzz/corpus/$name/." "$run/corpus/"
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$run/artifacts/" \
		"$run/corpus" >"$run/log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
		echo "ok - fuzz $name"
		echo "#   ${execs:-?} runs in ${secs}s"
	else
		fail=1
		echo "not ok - fuzz $name"
		echo "#   log: $run/log"
		for a in "$run"/artifacts/*; do
			[ -e "$a" ] && echo "#   crashing input: $a"
		done
	fi
done
exit $fail
