#!/usr/bin/env bash
# The whole xdpsec test suite (what `make test` and .ci/run run).
#   1. install packages (scripts/install-deps.sh, idempotent)
#   2. build everything with -Werror, and the tests again with ASan+UBSan
#   3. unit tests (cmocka), plain and sanitized
#   4. BPF fixtures (bpf_prog_test_run_opts), plain and sanitized
#   5. end-to-end tests in network namespaces (tests/e2e/*.sh)
# Ends with one line "N passed, N failed[, N skipped]"; exits 1 on failure.
# TESTS=pattern runs only the binaries/scripts whose name matches.
set -u
cd "$(dirname "$0")/.."

pass=0 fail=0 skip=0
failed=()
log=build/test-logs
pattern=${TESTS:-}

note() { printf '\n== %s\n' "$*"; }

# Count one cmocka binary's results from its summary lines.
run_cmocka() {
	local bin=$1 tag=$2 out rc p f s
	[ -n "$pattern" ] && [[ $bin != *$pattern* ]] && return 0
	out="$log/$tag-$(basename "$bin").log"
	timeout 300 "$bin" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	skip=$((skip + ${s:-0}))
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, sanitizer report or timeout: no summary
	fi
	pass=$((pass + p)) fail=$((fail + f))
	if [ "$f" -ne 0 ]; then
		failed+=("$tag $(basename "$bin")")
		printf '  FAIL %-40s (%d passed, %d failed; log %s)\n' \
			"$tag/$(basename "$bin")" "$p" "$f" "$out"
		grep -E '^\[  FAILED  \]|ERROR|error|Sanitizer' "$out" | head -20 | sed 's/^/       /'
	else
		printf '  ok   %-40s (%d passed)\n' "$tag/$(basename "$bin")" "$p"
	fi
}

# e2e scripts print "ok - text", "not ok - text" or "skip - text" lines.
run_e2e() {
	local t=$1 out rc p f s
	[ -n "$pattern" ] && [[ $t != *$pattern* ]] && return 0
	out="$log/e2e-$(basename "$t" .sh).log"
	timeout 900 bash "$t" >"$out" 2>&1 </dev/null
	rc=$?
	p=$(grep -c '^ok - ' "$out") f=$(grep -c '^not ok - ' "$out")
	s=$(grep -c '^skip - ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $(basename "$t") exited $rc" >>"$out"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$f" -ne 0 ]; then
		failed+=("e2e $(basename "$t")")
		printf '  FAIL %-40s (%d passed, %d failed; log %s)\n' \
			"e2e/$(basename "$t")" "$p" "$f" "$out"
		grep -E '^not ok|error' "$out" | head -20 | sed 's/^/       /'
	else
		printf '  ok   %-40s (%d passed, %d skipped)\n' \
			"e2e/$(basename "$t")" "$p" "$s"
	fi
}

note "dependencies"
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

note "build"
mkdir -p "$log"
if ! make -j"$(nproc)" all tests > build/build.log 2>&1; then
	tail -40 build/build.log
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! make -j"$(nproc)" SAN=1 all tests > build/build-asan.log 2>&1; then
	tail -40 build/build-asan.log
	echo "sanitizer build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

note "unit tests"
for b in build/tests/test_*; do [ -x "$b" ] && run_cmocka "$b" unit; done
note "unit tests under ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for b in build-asan/tests/test_*; do [ -x "$b" ] && run_cmocka "$b" asan; done

note "BPF fixtures (bpf_prog_test_run_opts)"
for b in build/tests/bpf_test_*; do [ -x "$b" ] && run_cmocka "$b" bpf; done
for b in build-asan/tests/bpf_test_*; do [ -x "$b" ] && run_cmocka "$b" bpf-asan; done
unset ASAN_OPTIONS UBSAN_OPTIONS

note "fuzz smoke (libFuzzer, a few seconds per target)"
[ -z "$pattern" ] || [[ fuzz == *$pattern* ]] && run_e2e scripts/fuzz-smoke.sh

note "end to end (network namespaces)"
for t in tests/e2e/[0-9]*.sh; do [ -f "$t" ] && run_e2e "$t"; done

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
