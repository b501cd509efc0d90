#!/usr/bin/env bash
# compare-fio.sh: ktune probe's disk figures beside fio's, on the same
# directory, block size, queue depth and direct I/O, alternating runs.
#
#   scripts/compare-fio.sh [--dir DIR] [--size 256MiB] [--runs 3]
#
# fio (Debian package fio) runs: sequential write and read with
# --direct=1 --bs=1m --iodepth=4 --ioengine=libaio (--end_fsync=1 on writes,
# as ktune ends its write test with fdatasync), and 4 KiB appends to a growing
# file with --ioengine=sync --fdatasync=1 --file_append=1 for fdatasync latency.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${TMPDIR:-/tmp} SIZE=256MiB RUNS=3
while [ $# -gt 0 ]; do
	case $1 in
	--dir) DIR=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) echo "compare-fio.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
command -v fio >/dev/null || { echo "compare-fio.sh: fio not found (apt-get install fio)" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT" "$DIR"/.ktune-fio.*' EXIT
go build -o "$OUT/ktune" ./cmd/ktune
fiosize=${SIZE%iB}; fiosize=${fiosize,,}

echo "| run | tool | seq write MiB/s | seq read MiB/s | fdatasync p50 ms | fdatasync p99 ms |"
echo "|---|---|---:|---:|---:|---:|"
for ((i = 1; i <= RUNS; i++)); do
	"$OUT/ktune" probe --log-dir "$DIR" --disk-test-size "$SIZE" -o json --out "$OUT/p.json" >/dev/null 2>&1
	python3 - "$OUT/p.json" "$i" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["disks"][0]
f = d.get("fdatasync_latency_ms", {})
print(f"| {sys.argv[2]} | ktune probe | {d.get('seq_write_mib_per_sec', 0):.0f} | {d.get('seq_read_mib_per_sec', 0):.0f} | {f.get('p50', 0):.3f} | {f.get('p99', 0):.3f} |")
PY
	f=$DIR/.ktune-fio.$$
	fio --name=w --filename="$f" --direct=1 --bs=1m --iodepth=4 --ioengine=libaio --rw=write --size="$fiosize" --end_fsync=1 --output-format=json >"$OUT/w.json"
	fio --name=r --filename="$f" --direct=1 --bs=1m --iodepth=4 --ioengine=libaio --rw=read --size="$fiosize" --output-format=json >"$OUT/r.json"
	rm -f "$f"
	fio --name=s --filename="$f" --ioengine=sync --fdatasync=1 --bs=4k --rw=write --size=8m --file_append=1 --output-format=json >"$OUT/s.json"
	rm -f "$f"
	python3 - "$OUT" "$i" <<'PY'
import json, sys
out = sys.argv[1]
w = json.load(open(f"{out}/w.json"))["jobs"][0]["write"]["bw_bytes"] / 2**20
r = json.load(open(f"{out}/r.json"))["jobs"][0]["read"]["bw_bytes"] / 2**20
p = json.load(open(f"{out}/s.json"))["jobs"][0]["sync"]["lat_ns"]["percentile"]
print(f"| {sys.argv[2]} | fio | {w:.0f} | {r:.0f} | {p['50.000000'] / 1e6:.3f} | {p['99.000000'] / 1e6:.3f} |")
PY
done
echo
echo "Both time the fdatasync after each 4 KiB append to a growing file (fio: --file_append=1)."
