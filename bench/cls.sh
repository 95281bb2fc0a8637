# shellcheck shell=bash
# Sourced by scripts/bench.sh: classification cost (bench/cls) with 2
# (one per direction), 1 000 and 100 000 policies; target <= 1.5x the
# smallest SPD at 100 000.
declare -A CLS=()
"$XB/cls" 1000000 2,1000,100000 >"$TMP/cls" 2>"$TMP/cls.err" ||
	SKIPPED+=("classification: $(head -1 "$TMP/cls.err")")
while read -r l; do
	p=$(kv prog <<<"$l") n=$(kv policies <<<"$l") c=$(kv case <<<"$l")
	CLS[$p/$c/$n]=$(kv ns <<<"$l")
done <"$TMP/cls"
for p in xdp_ingress tc_egress; do
	for c in hit miss; do
		base=${CLS[$p/$c/2]}
		for n in 2 1000 100000; do
			v=${CLS[$p/$c/$n]}
			[ -n "$v" ] || continue
			ratio=$(calc "$v / $base" 2) tgt= st=
			if [ "$n" = 100000 ]; then
				tgt="<= 1.5 x"
				[ "$(calc "$ratio <= 1.5")" = 1 ] && st=PASS || st=MISS
			fi
			case $c in
			hit) note="flow-cache hit" ;;
			miss) note="cache bypassed (non-initial fragment): pruned tuple-space search" ;;
			esac
			row cls "$p $n policies, $c" "" "$v" ns/pkt "$ratio" "$tgt" "$st" "$note"
		done
	done
done
