#!/usr/bin/env bash
# soak.sh: does a long run stay flat? Runs `ktune e2e` (a producer at a set
# rate and a consumer group reading along, in one process) for --duration
# and reads its live /metrics (--metrics-addr) every --every: resident
# memory, goroutines and open files. Prints a Markdown table, one row a
# sample, and a verdict: after --settle (the embedded broker fills its
# 128 MiB bound, the clients' buffers and pools warm up), none may grow by
# more than its allowance (memory 25%, goroutines 10% + 5, open files 5)
# over its value at --settle. Exits 1 when one grew, or the run failed.
# A benchmark, not a timed test: the documentation quotes its one-hour
# figures.
#
#   scripts/soak.sh [--duration 1h] [--every 60s] [--settle 5m] [--rate 2000]
#                   [--record-size 1024] [--brokers HOST:PORT,...] [-- more e2e flags]
#
# Without --brokers it runs on the embedded broker.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=1h EVERY=60s SETTLE=5m RATE=2000 SIZE=1024 BROKERS=
while [ $# -gt 0 ]; do
	case $1 in
	--duration) DURATION=$2; shift 2 ;;
	--every) EVERY=$2; shift 2 ;;
	--settle) SETTLE=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	--record-size) SIZE=$2; shift 2 ;;
	--brokers) BROKERS=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
secs() { # secs 90s|5m|1h: seconds
	case $1 in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "soak.sh: $1: a duration is a whole number of s, m or h" >&2; exit 2 ;;
	esac
}
total=$(secs "$DURATION") every=$(secs "$EVERY") settle=$(secs "$SETTLE")
[ "$settle" -lt "$total" ] || { echo "soak.sh: --settle $SETTLE must be shorter than --duration $DURATION" >&2; exit 2; }
OUT=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$OUT"' EXIT
go build -o "$OUT/ktune" ./cmd/ktune
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
args=(e2e --duration "$DURATION" --rate "$RATE" --record-size "$SIZE" --metrics-addr "127.0.0.1:$PORT" --out "$OUT/e2e.json" --timeout "$((total + 300))s")
[ -z "$BROKERS" ] || args+=(--brokers "$BROKERS")
"$OUT/ktune" "${args[@]}" "$@" >"$OUT/stdout" 2>"$OUT/stderr" &
PID=$!
sample() { # sample: "rss_mib goroutines fds" from the endpoint, or nothing
	curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics" | awk '
		$1 == "process_resident_memory_bytes" { rss = $2 / 1048576 }
		$1 == "go_goroutines" { g = $2 }
		$1 == "process_open_fds" { f = $2 }
		END { if (g != "") printf "%.1f %d %d\n", rss, g, f }'
}
echo "| t (s) | RSS (MiB) | goroutines | open files |"
echo "|---:|---:|---:|---:|"
began=$SECONDS
base=
worst=
for ((t = every; t <= total; t += every)); do
	while [ $((SECONDS - began)) -lt "$t" ]; do
		kill -0 "$PID" 2>/dev/null || break 2
		sleep 1
	done
	s=$(sample) || true
	[ -n "$s" ] || continue
	read -r rss g f <<<"$s"
	echo "| $t | $rss | $g | $f |"
	if [ "$t" -ge "$settle" ]; then
		if [ -z "$base" ]; then base="$rss $g $f"; worst="$rss $g $f"; fi
		worst=$(awk -v a="$worst" -v b="$rss $g $f" 'BEGIN { split(a, x); split(b, y); for (i = 1; i <= 3; i++) m[i] = (y[i] > x[i] ? y[i] : x[i]); print m[1], m[2], m[3] }')
	fi
done
rc=0
wait "$PID" || rc=$?
PID=
if [ "$rc" -ne 0 ]; then
	echo "soak.sh: ktune e2e exited $rc:" >&2
	tail -5 "$OUT/stderr" >&2
	exit 1
fi
tail -3 "$OUT/stdout"
[ -n "$base" ] || { echo "soak.sh: no sample after --settle $SETTLE" >&2; exit 1; }
read -r b_rss b_g b_f <<<"$base"
read -r w_rss w_g w_f <<<"$worst"
echo
echo "after ${SETTLE}: RSS ${b_rss} MiB -> at most ${w_rss}; goroutines ${b_g} -> at most ${w_g}; open files ${b_f} -> at most ${w_f}"
awk -v br="$b_rss" -v wr="$w_rss" -v bg="$b_g" -v wg="$w_g" -v bf="$b_f" -v wf="$w_f" 'BEGIN {
	bad = ""
	if (wr > br * 1.25) bad = bad " memory"
	if (wg > bg * 1.10 + 5) bad = bad " goroutines"
	if (wf > bf + 5) bad = bad " open-files"
	if (bad != "") { print "GREW:" bad; exit 1 }
	print "flat: nothing grew beyond its allowance"
}'
