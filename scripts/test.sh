#!/usr/bin/env bash
# test.sh: ktune's whole test suite on a fresh machine.
#
# Installs what it needs (kcat and chromium, for the report test, from
# Debian's packages; Kafka's jars through scripts/kafka.sh), runs the unit
# and embedded-broker tests, starts a real
# 3-broker Kafka cluster (KRaft, replication 3, min.insync.replicas 2, with a
# SASL/SCRAM listener) on 127.0.0.1, runs the integration tests against it and
# stops it at the end, also on failure.
#
#   scripts/test.sh            everything
#   KTUNE_SKIP_KAFKA=1 scripts/test.sh   unit and embedded tests only
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "test.sh: $*" >&2; }

install_deps() {
	local missing=()
	command -v kcat >/dev/null || missing+=(kcat)
	command -v chromium >/dev/null || missing+=(chromium)
	command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
	command -v mvn >/dev/null || missing+=(maven)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
		else
			sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
		fi
	fi
}

install_deps
log "go vet"
go vet ./...
log "unit and embedded-broker tests"
# One package at a time: the timing tests (stalls, max rate) must not
# compete with the Chromium and tune tests for the two cores.
go test -race -p 1 -count=1 ./...

if [ "${KTUNE_SKIP_KAFKA:-}" = 1 ]; then
	log "KTUNE_SKIP_KAFKA=1: skipping the real-Kafka integration tests"
	exit 0
fi

export KTUNE_KAFKA_STATE=${KTUNE_KAFKA_STATE:-${TMPDIR:-/tmp}/ktune-kafka-test}
export KTUNE_KAFKA_PORT=${KTUNE_KAFKA_PORT:-29092}
trap 'scripts/kafka.sh stop || true' EXIT
scripts/kafka.sh stop >/dev/null 2>&1 || true
log "starting a 3-broker Kafka cluster"
scripts/kafka.sh start --brokers 3 --sasl >/dev/null
set -a
# shellcheck disable=SC1091
. "$KTUNE_KAFKA_STATE/env"
set +a
export KTUNE_KAFKA_SCRIPT=$PWD/scripts/kafka.sh
log "integration tests against Kafka $KTUNE_KAFKA_VERSION at $KTUNE_KAFKA_BOOTSTRAP"
go test -count=1 -timeout 15m ./integration/...
