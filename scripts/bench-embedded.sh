#!/usr/bin/env bash
# bench-embedded.sh: ktune's own figures on the embedded broker, each against
# a second process running `ktune embedded`, so the broker's memory and CPU
# are not ktune's:
#   1. ktune produce against kcat (Debian's kcat, librdkafka) pushing the same
#      number of 1 KiB records from a file, alternating, on the same broker
#      (which discards records, so its memory does not grow between runs);
#   2. peak RSS of a 1-million and a 10-million record produce run (the broker
#      discards records: --blackhole), which must not grow with run length;
#   3. peak RSS of `ktune produce --duration D` at full speed, 1 KiB records,
#      on its own in-process embedded broker (no --brokers), which keeps only
#      the newest 128 MiB of records: the whole process (client and broker)
#      must stay under 1 GiB whatever D.
#
#   scripts/bench-embedded.sh [--records N] [--pairs N] [--durations "60s 600s"] [--sections kcat,rss,embedded]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=200000 PAIRS=3 DURATIONS="60s 600s" SECTIONS=kcat,rss,embedded
while [ $# -gt 0 ]; do
	case $1 in
	--records) RECORDS=$2; shift 2 ;;
	--pairs) PAIRS=$2; shift 2 ;;
	--durations) DURATIONS=$2; shift 2 ;;
	--sections) SECTIONS=$2; shift 2 ;;
	*) echo "bench-embedded.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
section() { [[ ,$SECTIONS, == *,$1,* ]]; }
if section kcat; then
		command -v kcat >/dev/null || { echo "bench-embedded.sh: kcat not found (apt-get install kcat)" >&2; exit 1; }
fi
[ -x /usr/bin/time ] || { echo "bench-embedded.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
OUT=$(mktemp -d)
BROKER=
trap '[ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null; rm -rf "$OUT"' EXIT
go build -o "$OUT/ktune" ./cmd/ktune
K=$OUT/ktune

start_broker() { # start_broker [--blackhole]: sets B to the bootstrap address
	[ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null && wait "$BROKER" 2>/dev/null
	rm -f "$OUT/addr"
	"$K" embedded --duration 30m "$@" >"$OUT/addr" 2>/dev/null &
	BROKER=$!
	for _ in $(seq 50); do [ -s "$OUT/addr" ] && break; sleep 0.1; done
	B=$(cat "$OUT/addr")
}
mktopic() { "$K" produce --brokers "$1" --topic "$2" --partitions 3 --records 1 --out "$OUT/t.json" >/dev/null 2>&1; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$@"; }

if section kcat || section rss; then
	start_broker --blackhole
fi
if section kcat; then
	{ base64 -w 1024 /dev/urandom || true; } | head -n "$RECORDS" >"$OUT/payload" # lines of 1024 bytes
	echo "## ktune produce vs kcat, $RECORDS records of 1024 bytes, embedded broker (--blackhole) in its own process"
	echo
	echo "| run | ktune (Java defaults) MiB/s | ktune (linger.ms=5, batch.size=1000000) MiB/s | kcat (librdkafka defaults) MiB/s |"
	echo "|---|---:|---:|---:|"
	mib() { python3 -c "import sys; print(f'{int(sys.argv[1]) * 1024 / 2**20 / float(sys.argv[2]):.1f}')" "$RECORDS" "$1"; }
	for ((i = 1; i <= PAIRS; i++)); do
		row="| $i"
		for variant in java rdk; do
			props=()
			[ $variant = rdk ] && props=(-X linger.ms=5 -X batch.size=1000000)
			mktopic "$B" "k$variant$i"
			t0=$(date +%s.%N)
			"$K" produce --brokers "$B" --topic "k$variant$i" --records "$RECORDS" --record-size 1024 --interval 1h --out "$OUT/k.json" "${props[@]}" >/dev/null 2>&1
			row+=" | $(mib "$(secs "$t0" "$(date +%s.%N)")")"
		done
		mktopic "$B" "c$i"
		t0=$(date +%s.%N)
		kcat -P -b "$B" -t "c$i" -l "$OUT/payload"
		row+=" | $(mib "$(secs "$t0" "$(date +%s.%N)")") |"
		echo "$row"
	done
	echo
	echo "Wall-clock time of each whole command (start-up, connection and final flush included)."
fi

if section rss; then
	echo
	echo "## Peak RSS of ktune produce (1 KiB records, broker discards them)"
	echo
	echo "| records | peak RSS MiB | records/s |"
	echo "|---:|---:|---:|"
	for n in 1000000 10000000; do
		mktopic "$B" "rss$n"
		/usr/bin/time -f %M -o "$OUT/rss" "$K" produce --brokers "$B" --topic "rss$n" --records "$n" --record-size 1024 --interval 1h -o json --out "$OUT/r.json" >"$OUT/r.out" 2>/dev/null
		rate=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['metrics']['records_per_sec']:,.0f}\")" "$OUT/r.json")
		echo "| $n | $(( $(cat "$OUT/rss") / 1024 )) | $rate |"
	done
fi

if section embedded; then
	echo
	echo "## Peak RSS of ktune produce on its in-process embedded broker (1 KiB records, full speed)"
	echo
	echo "| --duration | peak RSS MiB | records | GiB produced | records/s |"
	echo "|---:|---:|---:|---:|---:|"
	for d in $DURATIONS; do
		/usr/bin/time -f %M -o "$OUT/rss" "$K" produce --duration "$d" --record-size 1024 --interval 1h -o json --out "$OUT/e.json" >"$OUT/e.out" 2>/dev/null
		python3 - "$d" "$(( $(cat "$OUT/rss") / 1024 ))" "$OUT/e.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[3]))["metrics"]
print(f"| {sys.argv[1]} | {sys.argv[2]} | {m['records']:,} | {m['bytes'] / 2**30:.1f} | {m['records_per_sec']:,.0f} |")
PY
	done
	echo
	echo "The broker keeps the newest 128 MiB of records; RSS is the whole ktune process (client, broker, histograms)."
fi
