#!/usr/bin/env bash
# k8s-local.sh: a real Kubernetes control plane on 127.0.0.1, with a node
# that runs pods as local processes, for testing ktune's manifests.
#
#   scripts/k8s-local.sh start     build once (cached), start etcd, kube-apiserver,
#                                  kube-controller-manager (job, garbage collector,
#                                  service account, namespace, node lifecycle
#                                  controllers: the last lifts the new node's
#                                  not-ready taint),
#                                  kube-scheduler and the process node; print the
#                                  kubeconfig's path as the last line of stdout.
#                                  A second start while it runs reuses it.
#   scripts/k8s-local.sh stop      stop everything it started (by recorded pid), remove the state
#   scripts/k8s-local.sh status    the kubeconfig path and exit 0 if running, else exit 1
#   scripts/k8s-local.sh kubeconfig   the kubeconfig path
#   scripts/k8s-local.sh build     only build (and cache) the binaries
#
# The control plane is built from the k8s.io/kubernetes module (see
# internal/k8stest/controlplane/go.mod) into $KTUNE_CACHE/k8s/<version>
# (default ~/.cache/ktune): about 6.5 minutes on 2 idle cores the first time.
# The process node (internal/k8stest/cmd/procnode) runs each pod's container
# as a process, with the ktune binary built from this tree standing in for
# images named ktune or ktune:<tag>.
#
# Environment: KTUNE_CACHE, KTUNE_K8S_STATE (state folder, default
# ${TMPDIR:-/tmp}/ktune-k8s), KTUNE_K8S_PORT (base port, default 26400:
# etcd PORT, its peer port PORT+1, kube-apiserver PORT+43, the node's
# kubelet API PORT+50). $STATE/env holds KUBECONFIG and KTUNE_K8S_KTUNE (the
# ktune binary the node runs).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE_ROOT=${KTUNE_CACHE:-$HOME/.cache/ktune}
STATE=${KTUNE_K8S_STATE:-${TMPDIR:-/tmp}/ktune-k8s}
PORT=${KTUNE_K8S_PORT:-26400}
CP_MOD=$ROOT/internal/k8stest/controlplane
# The k8s.io/kubernetes version required in the control plane's go.mod.
VERSION=$(awk '$1 == "require" { $1 = "" } $1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$CP_MOD/go.mod")
[ -n "$VERSION" ] || { echo "k8s-local.sh: no k8s.io/kubernetes version in $CP_MOD/go.mod" >&2; exit 1; }
BIN=$CACHE_ROOT/k8s/$VERSION
ETCD_PORT=$PORT
ETCD_PEER_PORT=$((PORT + 1))
API_PORT=$((PORT + 43))
NODE_PORT=$((PORT + 50))
NODE_NAME=procnode
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler procnode)

log() { echo "k8s-local.sh: $*" >&2; }
die() {
	echo "k8s-local.sh: $*" >&2
	exit 1
}

# build: the control plane binaries once per version, the process node and
# ktune on every start (Go's build cache makes that quick).
build() {
	if [ ! -x "$BIN/kube-apiserver" ] || [ ! -x "$BIN/kube-controller-manager" ] || [ ! -x "$BIN/kube-scheduler" ]; then
		log "building Kubernetes $VERSION control plane into $BIN (first time only: minutes)"
		local tmp=$BIN.tmp.$$
		rm -rf "$tmp" && mkdir -p "$tmp"
		if ! (cd "$CP_MOD" && go build -trimpath -ldflags="-s -w" -o "$tmp/" tool) >"$tmp.log" 2>&1; then
			tail -n 30 "$tmp.log" >&2
			rm -rf "$tmp"
			die "building the control plane failed (log above: $tmp.log)"
		fi
		rm -rf "$BIN" && mv "$tmp" "$BIN" && rm -f "$tmp.log"
	fi
	mkdir -p "$STATE/bin"
	(cd "$ROOT/internal/k8stest" && go build -o "$STATE/bin/procnode" ./cmd/procnode) || die "building the process node failed"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$STATE/bin/ktune" ./cmd/ktune) || die "building ktune failed"
	chmod 755 "$STATE" "$STATE/bin"
}

need_etcd() {
	command -v etcd >/dev/null && return 0
	log "installing etcd-server"
	local sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq etcd-server >/dev/null ||
		die "etcd not found and apt-get install etcd-server failed"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports() {
	local p
	for p in $ETCD_PORT $ETCD_PEER_PORT $API_PORT $NODE_PORT; do
		port_free "$p" || die "port $p on 127.0.0.1 is in use: set KTUNE_K8S_PORT to another base port"
	done
}

running() {
	local pidf="$STATE/$1.pid"
	[ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}

# launch NAME CMD...: start a component in its own session, log to $STATE/NAME.log.
launch() {
	local name=$1
	shift
	setsid "$@" >"$STATE/$name.log" 2>&1 </dev/null &
	echo $! >"$STATE/$name.pid"
}

# wait_for NAME SECONDS CHECK...: until CHECK succeeds, or fail showing the log.
wait_for() {
	local name=$1 secs=$2 t
	shift 2
	for ((t = 0; t < secs * 2; t++)); do
		running "$name" || { tail -n 30 "$STATE/$name.log" >&2; die "$name exited during start-up (log above: $STATE/$name.log)"; }
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	tail -n 30 "$STATE/$name.log" >&2
	die "$name was not ready within $secs s (log above: $STATE/$name.log)"
}

api_get() { curl -sf --cacert "$STATE/pki/apiserver.crt" -H "Authorization: Bearer $(cat "$STATE/pki/token")" "https://127.0.0.1:$API_PORT$1"; }

write_kubeconfig() {
	cat >"$STATE/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: ktune-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $STATE/pki/apiserver.crt
users:
- name: admin
  user:
    token: $(cat "$STATE/pki/token")
contexts:
- name: ktune-local
  context: {cluster: ktune-local, user: admin, namespace: default}
current-context: ktune-local
KC
	chmod 600 "$STATE/kubeconfig"
}

make_pki() {
	local d=$STATE/pki
	mkdir -p "$d" && chmod 700 "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1,DNS:localhost \
		-keyout "$d/apiserver.key" -out "$d/apiserver.crt" 2>/dev/null || die "openssl could not make the API server's certificate"
	openssl genrsa -out "$d/sa.key" 2048 2>/dev/null && openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null ||
		die "openssl could not make the service account key"
	head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$d/token"
	echo "$(cat "$d/token"),admin,admin,system:masters" >"$d/tokens.csv"
}

cmd_start() {
	if running kube-apiserver && running procnode; then
		log "already running; reusing it (state in $STATE)"
		echo "$STATE/kubeconfig"
		return 0
	fi
	command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
	need_etcd
	check_ports
	cmd_stop
	mkdir -p "$STATE"
	# Stop whatever started if any later step fails (the logs stay in $STATE).
	trap 'log "start failed; stopping what it started"; stop_all' EXIT
	build
	make_pki
	write_kubeconfig
	local t0=$SECONDS
	launch etcd etcd --name ktune --data-dir "$STATE/etcd" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "ktune=http://127.0.0.1:$ETCD_PEER_PORT" --quota-backend-bytes 1073741824
	wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
	launch kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
		--tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
		--token-auth-file "$STATE/pki/tokens.csv" --authorization-mode RBAC \
		--service-account-key-file "$STATE/pki/sa.pub" --service-account-signing-key-file "$STATE/pki/sa.key" \
		--service-account-issuer https://kubernetes.default.svc \
		--service-cluster-ip-range 10.96.0.0/24 --kubelet-preferred-address-types InternalIP \
		--enable-priority-and-fairness=false --cert-dir "$STATE/pki"
	wait_for kube-apiserver 120 api_get /readyz
	launch kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$STATE/kubeconfig" \
		--controllers job-controller,garbage-collector-controller,serviceaccount-controller,namespace-controller,node-lifecycle-controller \
		--leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --use-service-account-credentials=false
	launch kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/kubeconfig" \
		--leader-elect=false --bind-address 127.0.0.1 --secure-port 0
	mkdir -p "$STATE/pods" && chmod 755 "$STATE/pods"
	launch procnode "$STATE/bin/procnode" --kubeconfig "$STATE/kubeconfig" --name "$NODE_NAME" \
		--listen "127.0.0.1:$NODE_PORT" --ktune "$STATE/bin/ktune" --root "$STATE/pods"
	wait_for kube-controller-manager 60 api_get /api/v1/namespaces/default/serviceaccounts/default
	wait_for procnode 60 node_ready
	wait_for kube-controller-manager 60 node_untainted
	running kube-scheduler || { tail -n 30 "$STATE/kube-scheduler.log" >&2; die "kube-scheduler exited (log above)"; }
	{
		echo "KUBECONFIG=$STATE/kubeconfig"
		echo "KTUNE_K8S_KTUNE=$STATE/bin/ktune"
		echo "KTUNE_K8S_VERSION=$VERSION"
	} >"$STATE/env"
	trap - EXIT
	log "Kubernetes $VERSION up in $((SECONDS - t0)) s with node $NODE_NAME; state in $STATE"
	echo "$STATE/kubeconfig"
}

node_untainted() { ! api_get "/api/v1/nodes/$NODE_NAME" | grep -q '"taints"'; }

node_ready() { api_get "/api/v1/nodes/$NODE_NAME" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'; }

stop_component() {
	local name=$1 pidf="$STATE/$1.pid" pid t
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((t = 0; t < 100; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && { log "$name did not stop within 10 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
	fi
	rm -f "$pidf"
}

stop_all() {
	local i
	# The node first (it stops its pods' processes), etcd last.
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[$i]}"; done
}

cmd_stop() {
	stop_all
	rm -rf "$STATE"
}

cmd_status() {
	local c up=0
	[ -d "$STATE" ] || { echo "not running"; return 1; }
	for c in "${COMPONENTS[@]}"; do
		if running "$c"; then up=$((up + 1)); echo "$c: running (pid $(cat "$STATE/$c.pid"))" >&2; else echo "$c: stopped" >&2; fi
	done
	[ "$up" = ${#COMPONENTS[@]} ] || { echo "not running"; return 1; }
	echo "$STATE/kubeconfig"
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	start) cmd_start ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	kubeconfig) echo "$STATE/kubeconfig" ;;
	build) mkdir -p "$STATE" && build ;;
	-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
	*) die "unknown command '${cmd}' (see --help)" ;;
	esac
}

main "$@"
