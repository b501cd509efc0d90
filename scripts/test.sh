#!/usr/bin/env bash
# test.sh: ktune's whole test suite on a fresh machine.
#
# Installs what it needs (kcat and chromium, for the report test, and
# prometheus, for the live metrics test, from Debian's packages; Kafka's jars through scripts/kafka.sh), runs the unit
# and embedded-broker tests, then, for each Kafka version in turn (3.9.2,
# the newest 3.x, and 4.4.0, the newest 4.x Maven serves: check with
# `scripts/kafka.sh newest 4`), starts a real 3-broker cluster (KRaft,
# replication 3, min.insync.replicas 2, with SASL PLAIN/SCRAM, TLS and
# mutual-TLS listeners) on 127.0.0.1, runs the integration tests against it
# and stops it, also on failure. A failure on one version still runs the
# next; the script fails if any did.
#
#   scripts/test.sh            everything
#   KTUNE_SKIP_KAFKA=1 scripts/test.sh   unit and embedded tests only
#   KTUNE_KAFKA_VERSIONS="4.4.0" scripts/test.sh   other Kafka versions
#   KTUNE_SKIP_K8S=1 scripts/test.sh    everything but the Kubernetes
#       end-to-end test, which otherwise runs last: a control plane built
#       once (scripts/k8s-local.sh; minutes on a fresh machine, then
#       cached under ~/.cache/ktune/k8s) and a process node run the
#       rendered distributed run against Kafka 3.9.2.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "test.sh: $*" >&2; }

install_deps() {
	local missing=()
	command -v kcat >/dev/null || missing+=(kcat)
	command -v chromium >/dev/null || missing+=(chromium)
	command -v prometheus >/dev/null || missing+=(prometheus)
	command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
	command -v mvn >/dev/null || missing+=(maven)
	command -v openssl >/dev/null || missing+=(openssl)
	command -v python3 >/dev/null || missing+=(python3)
	[ -x /usr/bin/time ] || missing+=(time)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
		else
			sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
		fi
		# Debian's prometheus package may start a system service; the
		# Prometheus test runs its own on a free port, so none is left running.
		if [[ " ${missing[*]} " == *" prometheus "* ]]; then
			as_root=""
			[ "$(id -u)" = 0 ] || as_root=sudo
			$as_root sh -c 'systemctl disable --now prometheus || service prometheus stop' >/dev/null 2>&1 || true
		fi
	fi
}

install_deps
# The tests that need an installed tool fail, instead of skipping, when
# it is missing here.
export KTUNE_REQUIRE_TOOLS=1
t0=$SECONDS
log "go vet"
go vet ./...
# The Kubernetes test infrastructure is its own module (it needs client-go
# and virtual-kubelet, which ktune itself does not): vet it here, so a
# change to ktune that breaks it fails in the first minutes.
(cd internal/k8stest && go vet ./...)
log "unit and embedded-broker tests"
# One package at a time: the timing tests (stalls, max rate) must not
# compete with the Chromium and tune tests for the two cores.
go test -race -p 1 -count=1 ./...
(cd internal/k8stest && go test -p 1 -count=1 ./procnode/...)
log "vet and unit tests took $((SECONDS - t0)) s"
# The ceiling comparison is run by hand (README, Performance); one small
# pair here keeps the script and the bare producer working.
log "bench-ceiling.sh smoke run"
# (Its output is read whole: grep -q would stop reading at the first match,
# and pipefail would count the script's broken pipe as a failure.)
ceiling=$(scripts/bench-ceiling.sh --pairs 1 --records 20000 --sizes 100 --settings java) ||
	{ log "bench-ceiling.sh failed"; exit 1; }
grep -q '^| 100 | java | [0-9.]* |' <<<"$ceiling" ||
	{ log "bench-ceiling.sh printed no summary row:"; echo "$ceiling" >&2; exit 1; }

if [ "${KTUNE_SKIP_KAFKA:-}" = 1 ]; then
	log "KTUNE_SKIP_KAFKA=1: skipping the real-Kafka integration tests"
	exit 0
fi

export KTUNE_KAFKA_STATE=${KTUNE_KAFKA_STATE:-${TMPDIR:-/tmp}/ktune-kafka-test}
export KTUNE_KAFKA_PORT=${KTUNE_KAFKA_PORT:-29092}
export KTUNE_KAFKA_SCRIPT=$PWD/scripts/kafka.sh
export KTUNE_K8S_STATE=${KTUNE_K8S_STATE:-${TMPDIR:-/tmp}/ktune-k8s-test}
# On a fresh machine the Kubernetes control plane takes minutes of
# compiling. It builds during the Kafka tests, at the lowest CPU priority:
# it gets only the CPU they leave idle (they wait on brokers much of the
# time), so the build adds little to CI and takes little from the tests.
# Its own session, so a failed run stops the whole build (go and its
# compilers) by process group.
k8s_build=
if [ "${KTUNE_SKIP_K8S:-}" != 1 ]; then
	setsid nice -n 19 scripts/k8s-local.sh build >"$KTUNE_K8S_STATE.build.log" 2>&1 &
	k8s_build=$!
fi
trap '[ -z "$k8s_build" ] || kill -- -"$k8s_build" 2>/dev/null || true; scripts/kafka.sh stop || true; [ "${KTUNE_SKIP_K8S:-}" = 1 ] || scripts/k8s-local.sh stop || true' EXIT
failed=()
for v in ${KTUNE_KAFKA_VERSIONS:-3.9.2 4.4.0}; do
	scripts/kafka.sh stop >/dev/null 2>&1 || true
	log "starting a 3-broker Kafka $v cluster"
	if ! scripts/kafka.sh start --brokers 3 --version "$v" --sasl --tls >/dev/null; then
		failed+=("$v (start)")
		continue
	fi
	t0=$SECONDS
	# A subshell, so one version's KTUNE_KAFKA_* never leak into the next.
	if ! (
		set -a
		# shellcheck disable=SC1091
		. "$KTUNE_KAFKA_STATE/env"
		set +a
		log "integration tests against Kafka $KTUNE_KAFKA_VERSION at $KTUNE_KAFKA_BOOTSTRAP"
		go test -count=1 -timeout 25m ./integration/...
	); then
		failed+=("$v")
	fi
	log "Kafka $v: integration tests took $((SECONDS - t0)) s"
	scripts/kafka.sh stop
done
if [ ${#failed[@]} -gt 0 ]; then
	log "integration tests failed on Kafka ${failed[*]}"
	exit 1
fi

if [ "${KTUNE_SKIP_K8S:-}" = 1 ]; then
	log "KTUNE_SKIP_K8S=1: skipping the Kubernetes end-to-end test"
	exit 0
fi
t0=$SECONDS
if ! wait "$k8s_build"; then
	cat "$KTUNE_K8S_STATE.build.log" >&2
	log "building the Kubernetes control plane failed"
	exit 1
fi
k8s_build=
log "the control plane build finished $((SECONDS - t0)) s after the Kafka tests"
scripts/kafka.sh stop >/dev/null 2>&1 || true
log "starting a 3-broker Kafka 3.9.2 cluster for the Kubernetes test"
scripts/kafka.sh start --brokers 3 --sasl >/dev/null
log "starting a Kubernetes control plane and a process node (the first start builds it: minutes)"
scripts/k8s-local.sh stop >/dev/null 2>&1 || true
scripts/k8s-local.sh start >/dev/null
(
	set -a
	# shellcheck disable=SC1091
	. "$KTUNE_KAFKA_STATE/env"
	# shellcheck disable=SC1091
	. "$KTUNE_K8S_STATE/env"
	set +a
	log "Kubernetes end-to-end test (Kubernetes $KTUNE_K8S_VERSION, kubeconfig $KUBECONFIG)"
	# -v: the test logs the 3-worker and one-process figures the README quotes.
	cd internal/k8stest && go test -v -count=1 -timeout 15m ./e2e/... | grep -v "^=== "
)
log "Kubernetes stage took $((SECONDS - t0)) s"
