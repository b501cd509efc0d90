#!/usr/bin/env bash
# compare-peers.sh: ktune side by side with Kafka's own perf tools on the same
# broker, alternating A B A B so drift hits both alike.
#
#   scripts/compare-peers.sh [--pairs N] [--records N] [--record-size B] [--partitions P]
#
# Uses the cluster in $KTUNE_KAFKA_BOOTSTRAP, or starts (and stops) a 1-broker
# cluster with scripts/kafka.sh. For each setting it runs `ktune produce` and
# kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance) on
# fresh topics of the same layout, then `ktune consume` against
# kafka-consumer-perf-test on one topic, and prints a Markdown table:
# records/s, MiB/s, p50 and p99 latency as each tool reports it, client CPU
# seconds (user + sys of the client process tree) and ktune/peer ratios.
# Raw results go to $OUT (default compare-results/<time>).
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=3 RECORDS=300000 SIZE=1024 PARTS=3
while [ $# -gt 0 ]; do
	case $1 in
	--pairs) PAIRS=$2; shift 2 ;;
	--records) RECORDS=$2; shift 2 ;;
	--record-size) SIZE=$2; shift 2 ;;
	--partitions) PARTS=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare-peers.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

OUT=${OUT:-compare-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
KTUNE=$OUT/ktune
go build -o "$KTUNE" ./cmd/ktune

if [ -z "${KTUNE_KAFKA_BOOTSTRAP:-}" ]; then
	export KTUNE_KAFKA_STATE=${TMPDIR:-/tmp}/ktune-kafka-compare KTUNE_KAFKA_PORT=${KTUNE_KAFKA_PORT:-39092}
	trap 'scripts/kafka.sh stop || true' EXIT
	KTUNE_KAFKA_BOOTSTRAP=$(scripts/kafka.sh start --brokers 1)
fi
B=$KTUNE_KAFKA_BOOTSTRAP
log() { echo "compare-peers: $*" >&2; }

# cpu CMD...: run CMD, append "user sys" seconds of it and its children to $OUT/cpu.
cpu() {
	local f=$1
	shift
	local TIMEFORMAT='%U %S'
	{ time "$@" >"$f.out" 2>"$f.err"; } 2>"$f.cpu"
}

topic() { "$KTUNE" produce --brokers "$B" --topic "$1" --partitions "$PARTS" --records 1 --out "$OUT/.t.json" >/dev/null 2>&1; }
drop() { scripts/kafka.sh run-class org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --delete --topic "$1" >/dev/null 2>&1 || true; }

SETS=("defaults|" "batch.size=65536 linger.ms=10 compression.type=lz4 acks=1|" "acks=all enable.idempotence=true|")
for s in "${!SETS[@]}"; do
	props=${SETS[$s]%|}
	for ((i = 1; i <= PAIRS; i++)); do
		kp=() pp=()
		for p in $props; do [ "$p" = defaults ] || { kp+=(-X "$p"); pp+=("$p"); }; done
		t="cmp-$s-$i-$RANDOM"
		log "set $s pair $i: ktune"
		topic "$t-k" && cpu "$OUT/p$s-$i-ktune" "$KTUNE" produce --brokers "$B" --topic "$t-k" --records "$RECORDS" --record-size "$SIZE" --payload random --interval 1h -o json --out "$OUT/p$s-$i-ktune.json" "${kp[@]}"
		log "set $s pair $i: kafka-producer-perf-test"
		topic "$t-j" && cpu "$OUT/p$s-$i-peer" scripts/kafka.sh run-class org.apache.kafka.tools.ProducerPerformance --topic "$t-j" --num-records "$RECORDS" --record-size "$SIZE" --throughput -1 --producer-props bootstrap.servers="$B" "${pp[@]}"
		drop "$t-k"; drop "$t-j"
	done
done

log "consumer: filling one topic with $RECORDS records"
ct="cmp-consume-$RANDOM"
topic "$ct"
"$KTUNE" produce --brokers "$B" --topic "$ct" --records "$RECORDS" --record-size "$SIZE" --interval 1h --out "$OUT/fill.json" >/dev/null 2>&1
for ((i = 1; i <= PAIRS; i++)); do
	log "consumer pair $i: ktune"
	cpu "$OUT/c-$i-ktune" "$KTUNE" consume --brokers "$B" --topic "$ct" --records "$RECORDS" --interval 1h -o json --out "$OUT/c-$i-ktune.json"
	log "consumer pair $i: kafka-consumer-perf-test"
	cpu "$OUT/c-$i-peer" scripts/kafka.sh run-class org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$B" --topic "$ct" --messages "$RECORDS" --timeout 60000
done
drop "$ct"

python3 - "$OUT" "$PAIRS" "$RECORDS" "$SIZE" "${SETS[@]}" <<'PY'
import json, re, statistics as st, sys
out, pairs, records, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sets = [s.rstrip("|") for s in sys.argv[5:]]
gib = records * size / 2**30

def cpu(f):
    user, sys_ = open(f + ".cpu").read().split()[-2:]
    return float(user) + float(sys_)

def ktune(f):
    m = json.load(open(f + ".json"))["metrics"]
    lat = m.get("latency_ms", {}).get("intended", {})
    return dict(rps=m["records_per_sec"], mib=m["mib_per_sec"], p50=lat.get("p50"), p99=lat.get("p99"), cpu=cpu(f))

def kpp(f):
    line = [l for l in open(f + ".out") if "records sent" in l][-1]
    r = re.search(r"([\d.]+) records/sec \(([\d.]+) MB/sec\).* ([\d.]+) ms 50th, [\d.]+ ms 95th, ([\d.]+) ms 99th", line)
    return dict(rps=float(r[1]), mib=float(r[2]), p50=float(r[3]), p99=float(r[4]), cpu=cpu(f))

def kcp(f):
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
    # rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    line = [l for l in open(f + ".out") if l.strip() and not l.startswith("start.time")][-1]
    v = [x.strip() for x in line.split(",")]
    return dict(rps=float(v[9]), mib=float(v[8]), p50=None, p99=None, cpu=cpu(f))

def med(rows, k):
    vals = [r[k] for r in rows if r[k] is not None]
    return st.median(vals) if vals else None

def fmt(x, d):
    return "-" if x is None else f"{x:,.{d}f}"

rows = [("produce: " + name, "kafka-producer-perf-test",
         [ktune(f"{out}/p{s}-{i}-ktune") for i in range(1, pairs + 1)],
         [kpp(f"{out}/p{s}-{i}-peer") for i in range(1, pairs + 1)]) for s, name in enumerate(sets)]
rows.append(("consume: defaults", "kafka-consumer-perf-test",
             [ktune(f"{out}/c-{i}-ktune") for i in range(1, pairs + 1)],
             [kcp(f"{out}/c-{i}-peer") for i in range(1, pairs + 1)]))

print(f"Medians of {pairs} alternating pairs, {records:,} records of {size} bytes each. Latency as each tool reports it:")
print("ktune's intended-time latency (without --rate it starts at the send call) and the peer's send-to-callback latency;")
print("the consumers report none. Consumer MiB/s excludes the group join (kafka-consumer-perf-test's fetch.MB.sec).\n")
print("| workload | tool | records/s | MiB/s | p50 ms | p99 ms | client CPU s | CPU s per GiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for name, peer, k, p in rows:
    for tool, r in (("ktune", k), (peer, p)):
        c = med(r, "cpu")
        print(f"| {name} | {tool} | {fmt(med(r, 'rps'), 0)} | {fmt(med(r, 'mib'), 2)} | {fmt(med(r, 'p50'), 1)} | {fmt(med(r, 'p99'), 1)} | {c:.2f} | {c / gib:.2f} |")
    print(f"| {name} | ktune/peer | | {med(k, 'mib') / med(p, 'mib'):.2f}x | | | {med(k, 'cpu') / med(p, 'cpu'):.2f}x | {med(k, 'cpu') / med(p, 'cpu'):.2f}x |")
PY
