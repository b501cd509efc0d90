#!/usr/bin/env bash
# test.sh: ktune's whole test suite on a fresh machine.
#
# Installs what it needs (kcat and chromium, for the report test, from
# Debian's packages; Kafka's jars through scripts/kafka.sh), runs the unit
# and embedded-broker tests, starts a real
# 3-broker Kafka cluster (KRaft, replication 3, min.insync.replicas 2, with a
# SASL/SCRAM listener) on 127.0.0.1, runs the integration tests against it,
# then a Kubernetes control plane (scripts/k8s-local.sh: built once, cached)
# for the end-to-end test of `ktune k8s render`, and stops both at the end,
# also on failure.
#
#   scripts/test.sh            everything
#   KTUNE_SKIP_KAFKA=1 scripts/test.sh   unit and embedded tests only
#   KTUNE_SKIP_K8S=1 scripts/test.sh     everything but the Kubernetes test
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
# The Kubernetes test infrastructure is its own module (it needs client-go
# and virtual-kubelet, which ktune itself does not).
log "go vet and unit tests of internal/k8stest"
(cd internal/k8stest && go vet ./... && go test -race -p 1 -count=1 ./procnode/...)

if [ "${KTUNE_SKIP_KAFKA:-}" = 1 ]; then
	log "KTUNE_SKIP_KAFKA=1: skipping the real-Kafka integration tests"
	exit 0
fi

export KTUNE_KAFKA_STATE=${KTUNE_KAFKA_STATE:-${TMPDIR:-/tmp}/ktune-kafka-test}
export KTUNE_KAFKA_PORT=${KTUNE_KAFKA_PORT:-29092}
export KTUNE_K8S_STATE=${KTUNE_K8S_STATE:-${TMPDIR:-/tmp}/ktune-k8s-test}
trap 'scripts/kafka.sh stop || true; scripts/k8s-local.sh stop || true' EXIT
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

if [ "${KTUNE_SKIP_K8S:-}" = 1 ]; then
	log "KTUNE_SKIP_K8S=1: skipping the Kubernetes end-to-end test"
	exit 0
fi
log "starting a Kubernetes control plane and a process node (the first start builds it: minutes)"
scripts/k8s-local.sh stop >/dev/null 2>&1 || true
scripts/k8s-local.sh start >/dev/null
set -a
# shellcheck disable=SC1091
. "$KTUNE_K8S_STATE/env"
set +a
log "Kubernetes end-to-end test (Kubernetes $KTUNE_K8S_VERSION, kubeconfig $KUBECONFIG)"
(cd internal/k8stest && go test -count=1 -timeout 15m ./e2e/...)
