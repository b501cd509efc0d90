#!/usr/bin/env bash
# bench-ceiling.sh: is ktune's producer the bottleneck it measures? Runs a
# bare franz-go producer (internal/benchtools/bareproduce: the same client
# options, a promise that only counts) and `ktune produce` alternately
# against `ktune embedded --blackhole` in its own process, at each record
# size and setting, and prints a Markdown table: records/s of each, the
# ratio ktune/bare of each pair and its median, and the client CPU seconds
# (user + system, whole process) of each run. The order within a pair
# alternates (bare first, then ktune first), so a machine getting busier
# or quieter does not favour one side. On a shared machine single pairs
# swing by 10-30%, and medians of 5 pairs by about 5% between runs; hence
# 9 pairs by default.
#
#   scripts/bench-ceiling.sh [--pairs N] [--records N] [--sizes "100 1024"] [--settings "java batch1m"]
#
# Settings: java = the Java 3.x client's defaults (batch.size 16384, linger.ms 0);
# batch1m = -X batch.size=1048576 -X linger.ms=5.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=9 RECORDS=1000000 SIZES="100 1024" SETTINGS="java batch1m"
while [ $# -gt 0 ]; do
	case $1 in
	--pairs) PAIRS=$2; shift 2 ;;
	--records) RECORDS=$2; shift 2 ;;
	--sizes) SIZES=$2; shift 2 ;;
	--settings) SETTINGS=$2; shift 2 ;;
	*) echo "bench-ceiling.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -x /usr/bin/time ] || { echo "bench-ceiling.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
OUT=$(mktemp -d)
BROKER=
trap '[ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null; rm -rf "$OUT"' EXIT
go build -o "$OUT/ktune" ./cmd/ktune
go build -o "$OUT/bare" ./internal/benchtools/bareproduce
K=$OUT/ktune

"$K" embedded --blackhole --duration 2h >"$OUT/addr" 2>/dev/null &
BROKER=$!
for _ in $(seq 100); do [ -s "$OUT/addr" ] && break; sleep 0.1; done
B=$(cat "$OUT/addr")
[ -n "$B" ] || { echo "bench-ceiling.sh: the embedded broker did not start" >&2; exit 1; }

props() { # props SETTING: the -X flags of a setting
	case $1 in
	# ktune's defaults follow the 4.x client (linger.ms 5) since
	# --client-line; the README's figures are of the 3.x defaults.
	java) echo "-X linger.ms=0" ;;
	batch1m) echo "-X batch.size=1048576 -X linger.ms=5" ;;
	*) echo "bench-ceiling.sh: unknown setting $1" >&2; exit 2 ;;
	esac
}
# cpu FILE: user + system seconds /usr/bin/time wrote
cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }
run_bare() { # run_bare TOPIC SIZE SETTING: prints records/s and CPU s
	# shellcheck disable=SC2046
	/usr/bin/time -f "%U %S" -o "$OUT/cpu" "$OUT/bare" --brokers "$B" --topic "$1" --partitions 6 \
		--records "$RECORDS" --record-size "$2" $(props "$3") >"$OUT/bare.json"
	echo "$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['records_per_sec']))" "$OUT/bare.json") $(cpu "$OUT/cpu")"
}
run_ktune() { # run_ktune TOPIC SIZE SETTING: prints records/s and CPU s
	# shellcheck disable=SC2046
	/usr/bin/time -f "%U %S" -o "$OUT/cpu" "$K" produce --brokers "$B" --topic "$1" --partitions 6 \
		--records "$RECORDS" --record-size "$2" $(props "$3") --interval 1h -o json --out "$OUT/k.json" >/dev/null 2>"$OUT/k.err"
	echo "$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['metrics']['records_per_sec']))" "$OUT/k.json") $(cpu "$OUT/cpu")"
}
median() { python3 -c "import statistics,sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.3f}')" "$@"; }

echo "## ktune produce vs a bare franz-go producer, $RECORDS records, embedded broker (--blackhole) in its own process"
echo
echo "| size | setting | pair | bare records/s | ktune records/s | ktune/bare | bare CPU s | ktune CPU s |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
summary=()
n=0
for size in $SIZES; do
	for setting in $SETTINGS; do
		ratios=() bcpu=() kcpu=()
		for ((i = 1; i <= PAIRS; i++)); do
			n=$((n + 1))
			if ((i % 2)); then
				read -r brate bc <<<"$(run_bare "b$n" "$size" "$setting")"
				read -r krate kc <<<"$(run_ktune "k$n" "$size" "$setting")"
			else
				read -r krate kc <<<"$(run_ktune "k$n" "$size" "$setting")"
				read -r brate bc <<<"$(run_bare "b$n" "$size" "$setting")"
			fi
			ratio=$(python3 -c "print(f'{$krate / $brate:.3f}')")
			ratios+=("$ratio") bcpu+=("$bc") kcpu+=("$kc")
			printf '| %s | %s | %d | %s | %s | %s | %s | %s |\n' "$size" "$setting" "$i" "$brate" "$krate" "$ratio" "$bc" "$kc"
		done
		summary+=("| $size | $setting | $(median "${ratios[@]}") | $(median "${bcpu[@]}") | $(median "${kcpu[@]}") |")
	done
done
echo
echo "| size | setting | median ktune/bare | median bare CPU s | median ktune CPU s |"
echo "|---:|---|---:|---:|---:|"
printf '%s\n' "${summary[@]}"
echo
echo "records/s: first send to last acknowledgement (ktune: its measured window). CPU: user + system seconds of the whole client process."
