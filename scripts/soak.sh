#!/usr/bin/env bash
# soak.sh: does a long run stay flat? Runs `ktune e2e` (a producer at a set
# rate and a consumer group reading along, in one process) for --duration
# and reads its live /metrics (--metrics-addr) every --every: resident
# memory, goroutines and open files. Prints a Markdown table, one row a
# sample, and a verdict: after --settle (the embedded broker fills its
# 128 MiB bound, the clients' buffers and pools warm up), the median of
# the last third of the samples may exceed the median of the first third
# by no more than an allowance (memory 25%, goroutines 10% + 5, open files
# 5). Medians, because memory swings with the garbage collector and any
# backlog, and goroutines with connections coming and going; a leak raises
# the whole level. Exits 1 when one grew, or the run failed.
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
# verdict SETTLE: reads "rss goroutines fds" lines (the samples after
# settling) and says whether the last third's medians grew beyond the
# allowances over the first third's.
verdict() {
	awk -v settle="$1" '
		{ r[NR] = $1; g[NR] = $2; f[NR] = $3 }
		function median(a, from, to,    n, i, j, t, v) {
			n = 0
			for (i = from; i <= to; i++) v[++n] = a[i]
			for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
			return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		}
		END {
			if (NR < 3) { print "soak.sh: fewer than 3 samples after --settle " settle > "/dev/stderr"; exit 1 }
			k = int(NR / 3)
			r0 = median(r, 1, k); r1 = median(r, NR - k + 1, NR)
			g0 = median(g, 1, k); g1 = median(g, NR - k + 1, NR)
			f0 = median(f, 1, k); f1 = median(f, NR - k + 1, NR)
			printf "after %s, median of the first third -> the last third of %d samples: RSS %.1f -> %.1f MiB, goroutines %g -> %g, open files %g -> %g\n", settle, NR, r0, r1, g0, g1, f0, f1
			bad = ""
			if (r1 > r0 * 1.25) bad = bad " memory"
			if (g1 > g0 * 1.10 + 5) bad = bad " goroutines"
			if (f1 > f0 + 5) bad = bad " open-files"
			if (bad != "") { print "GREW:" bad; exit 1 }
			print "flat: nothing grew beyond its allowance"
		}'
}
echo "| t (s) | RSS (MiB) | goroutines | open files |"
echo "|---:|---:|---:|---:|"
began=$SECONDS
settled="$OUT/settled" # "rss goroutines fds" per sample after --settle
: >"$settled"
for ((t = every; t <= total; t += every)); do
	while [ $((SECONDS - began)) -lt "$t" ]; do
		kill -0 "$PID" 2>/dev/null || break 2
		sleep 1
	done
	s=$(sample) || true
	[ -n "$s" ] || continue
	read -r rss g f <<<"$s"
	echo "| $t | $rss | $g | $f |"
	[ "$t" -lt "$settle" ] || echo "$rss $g $f" >>"$settled"
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
echo
verdict "$SETTLE" <"$settled"
