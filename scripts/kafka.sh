#!/usr/bin/env bash
# kafka.sh: a real Apache Kafka cluster (KRaft mode) on 127.0.0.1, on demand.
#
#   scripts/kafka.sh start [--brokers 1|3] [--version V] [--sasl] [--tls]
#       Fetches Kafka's jars with Maven into $KTUNE_CACHE/kafka/V (default
#       ~/.cache/ktune/kafka/V), formats storage, starts the brokers and waits
#       until they all answer. Prints the bootstrap address on stdout (and
#       nothing else); writes $STATE/env with KTUNE_KAFKA_* variables. A second
#       start while the cluster runs reuses it. Every broker runs the
#       Prometheus JMX exporter Java agent (fetched with Maven into
#       $KTUNE_CACHE/jmx-exporter) with scripts/kafka/jmx-exporter.yaml; the
#       endpoints are logged on stderr and written to the env file
#       (KTUNE_KAFKA_METRICS, for ktune's --broker-metrics).
#       --sasl adds a SASL_PLAINTEXT listener with the mechanisms PLAIN,
#       SCRAM-SHA-256 and SCRAM-SHA-512 for user ktune (password in
#       $STATE/sasl-password and the env file).
#       --tls makes a CA, a broker certificate (for 127.0.0.1 and localhost)
#       and a client certificate with openssl, all in $STATE/tls, and adds two
#       SSL listeners: one with server authentication only, one that requires
#       a client certificate signed by the CA (mutual TLS). The brokers read
#       PEM key and trust stores (ssl.keystore.type=PEM).
#   scripts/kafka.sh stop                 stop the brokers it started, remove their data
#   scripts/kafka.sh status               bootstrap and exit 0 if running, else exit 1
#   scripts/kafka.sh stop-broker I        stop node I (1-based), keeping its data
#   scripts/kafka.sh start-broker I       start node I again and wait until every broker answers
#   scripts/kafka.sh kill-broker I        SIGKILL node I (a crash: no shutdown), keeping its data
#   scripts/kafka.sh start-brokers        start every node that is not running and wait until all answer
#   scripts/kafka.sh newest [MAJOR]      the newest Kafka MAJOR.x (default 4) Maven serves
#   scripts/kafka.sh classpath [--version V]
#   scripts/kafka.sh run-class CLASS [ARGS...]   run a class from the jars, e.g.
#       org.apache.kafka.tools.ProducerPerformance, org.apache.kafka.tools.ConsumerPerformance,
#       org.apache.kafka.tools.consumer.ConsoleConsumer, org.apache.kafka.tools.TopicCommand
#
# Environment: KTUNE_CACHE (jar cache root), KTUNE_KAFKA_STATE (state folder,
# default ${TMPDIR:-/tmp}/ktune-kafka), KTUNE_KAFKA_PORT (first broker port,
# default 19092). Ports of broker i (1-based):
#   PORT+i-1       PLAINTEXT (also between brokers)
#   PORT+50+i-1    JMX exporter: http://127.0.0.1:PORT+50+i-1/metrics
#   PORT+100+i-1   CONTROLLER (KRaft)
#   PORT+200+i-1   SASL_PLAINTEXT (--sasl)
#   PORT+300+i-1   SSL, server certificate only (--tls)
#   PORT+400+i-1   SSL, client certificate required (--tls)
# Keep PORT+499 below the kernel's ephemeral range (32768 and up on Linux):
# a listener there can find its port taken by some client's connection.
# KTUNE_KAFKA_SASL_PASSWORD sets the SASL password (default: random).
set -euo pipefail

DEFAULT_VERSION=3.9.2 # the newest 3.9.x served here (3.9.3 is not)
JMX_EXPORTER_VERSION=1.0.1 # the newest jmx_prometheus_javaagent served here (1.5.0 is not)
METRICS_OFFSET=50          # broker i's exporter listens on PORT+METRICS_OFFSET+i-1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT=${KTUNE_CACHE:-$HOME/.cache/ktune}
STATE=${KTUNE_KAFKA_STATE:-${TMPDIR:-/tmp}/ktune-kafka}
PORT=${KTUNE_KAFKA_PORT:-19092}

log() { echo "kafka.sh: $*" >&2; }
die() { echo "kafka.sh: $*" >&2; exit 1; }

need_tools() {
	command -v java >/dev/null || die "java not found: install a JDK 17 (apt-get install openjdk-17-jre-headless)"
	command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)"
}

libs_dir() { echo "$CACHE_ROOT/kafka/$1/libs"; }

# fetch V: download Kafka V's jars once.
fetch() {
	local v=$1 dir
	dir=$(libs_dir "$v")
	[ -f "$dir/.complete" ] && return 0
	need_tools
	log "fetching Apache Kafka $v jars into $dir"
	local logprop=-Dkafka.log4j1
	case $v in 4.*) logprop=-Dkafka.log4j2 ;; esac
	rm -rf "$dir" && mkdir -p "$dir"
	if ! mvn -q -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
		-Dkafka.version="$v" "$logprop" -DoutputDirectory="$dir" >"$dir.mvn.log" 2>&1; then
		tail -n 20 "$dir.mvn.log" >&2
		rm -rf "$dir" "$dir.mvn.log"
		rmdir "$(dirname "$dir")" 2>/dev/null || true
		die "Maven could not fetch org.apache.kafka:kafka_2.13:$v; try another --version"
	fi
	rm -f "$dir.mvn.log"
	touch "$dir/.complete"
}

classpath_of() { echo "$(libs_dir "$1")/*"; }

jmx_agent_jar() { echo "$CACHE_ROOT/jmx-exporter/$JMX_EXPORTER_VERSION/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar"; }

# fetch_jmx_agent: download the JMX exporter's Java agent once.
fetch_jmx_agent() {
	local jar dir
	jar=$(jmx_agent_jar)
	[ -f "$jar" ] && return 0
	need_tools
	dir=$(dirname "$jar")
	log "fetching the Prometheus JMX exporter agent $JMX_EXPORTER_VERSION into $dir"
	mkdir -p "$dir"
	if ! mvn -q -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:copy \
		-Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$JMX_EXPORTER_VERSION" -DoutputDirectory="$dir.tmp" >"$dir.mvn.log" 2>&1; then
		tail -n 20 "$dir.mvn.log" >&2
		rm -rf "$dir.tmp" "$dir.mvn.log"
		die "Maven could not fetch io.prometheus.jmx:jmx_prometheus_javaagent:$JMX_EXPORTER_VERSION"
	fi
	mv "$dir.tmp/$(basename "$jar")" "$jar"
	rm -rf "$dir.tmp" "$dir.mvn.log"
}

# metrics_of N: the JMX exporter endpoints of N brokers.
metrics_of() {
	local n=$1 out="" i
	for ((i = 1; i <= n; i++)); do out+="${out:+,}http://127.0.0.1:$((PORT + METRICS_OFFSET + i - 1))/metrics"; done
	echo "$out"
}

cluster_version() { [ -f "$STATE/version" ] && cat "$STATE/version" || echo "$DEFAULT_VERSION"; }
cluster_brokers() { [ -f "$STATE/brokers" ] && cat "$STATE/brokers" || echo 0; }

bootstrap_of() {
	local n=$1 base=$2 out="" i
	for ((i = 1; i <= n; i++)); do out+="${out:+,}127.0.0.1:$((base + i - 1))"; done
	echo "$out"
}

# jvm V HEAP CLASS ARGS: run a class with quiet logging. JVM_OPTS adds
# options (admin commands use a quick-starting JVM; perf tools get the
# default, fully optimising one, as kafka-run-class.sh gives them).
jvm() {
	local v=$1 heap=$2
	shift 2
	local logopt="-Dlog4j.configuration=file:$STATE/tools-log4j.properties"
	case $v in 4.*) logopt="-Dlog4j2.configurationFile=$STATE/tools-log4j2.properties" ;; esac
	# shellcheck disable=SC2086
	java "-Xmx$heap" ${JVM_OPTS:-} "$logopt" -cp "$(classpath_of "$v")" "$@"
}

quick() { JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" jvm "$@"; }

write_log_configs() {
	mkdir -p "$STATE"
	cat >"$STATE/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
	cat >"$STATE/tools-log4j2.properties" <<'EOF'
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
EOF
	cat >"$STATE/server-log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
EOF
	cat >"$STATE/server-log4j2.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
EOF
}

write_config() {
	local i=$1 n=$2 sasl=$3 tls=$4 voters="" j rf=1 isr=1
	for ((j = 1; j <= n; j++)); do voters+="${voters:+,}$j@127.0.0.1:$((PORT + 100 + j - 1))"; done
	if [ "$n" -ge 3 ]; then rf=3 isr=2; fi
	local listeners="PLAINTEXT://127.0.0.1:$((PORT + i - 1)),CONTROLLER://127.0.0.1:$((PORT + 100 + i - 1))"
	local advertised="PLAINTEXT://127.0.0.1:$((PORT + i - 1))"
	if [ "$sasl" = 1 ]; then
		listeners+=",SASL_PLAINTEXT://127.0.0.1:$((PORT + 200 + i - 1))"
		advertised+=",SASL_PLAINTEXT://127.0.0.1:$((PORT + 200 + i - 1))"
	fi
	if [ "$tls" = 1 ]; then
		listeners+=",SSL://127.0.0.1:$((PORT + 300 + i - 1)),MTLS://127.0.0.1:$((PORT + 400 + i - 1))"
		advertised+=",SSL://127.0.0.1:$((PORT + 300 + i - 1)),MTLS://127.0.0.1:$((PORT + 400 + i - 1))"
	fi
	mkdir -p "$STATE/node$i"
	cat >"$STATE/node$i/server.properties" <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL
log.dirs=$STATE/node$i/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=10
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.segment.bytes=268435456
log.retention.hours=2
EOF
	if [ "$sasl" = 1 ]; then
		local pw
		pw=$(cat "$STATE/sasl-password")
		cat >>"$STATE/node$i/server.properties" <<EOF
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_ktune="$pw";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOF
		chmod 600 "$STATE/node$i/server.properties"
	fi
	if [ "$tls" = 1 ]; then
		cat >>"$STATE/node$i/server.properties" <<EOF
ssl.keystore.type=PEM
ssl.keystore.location=$STATE/tls/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$STATE/tls/ca.pem
listener.name.mtls.ssl.client.auth=required
EOF
	fi
}

# make_certs: a CA, a broker certificate for 127.0.0.1 and localhost, and a
# client certificate, all signed by the CA, in $STATE/tls. Keys are
# unencrypted PKCS#8 (what Kafka's PEM key store reads without a password)
# and readable by this user only.
make_certs() {
	command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
	local d=$STATE/tls
	(
		umask 077
		mkdir -p "$d" && cd "$d"
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=ktune test CA" 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >broker.ext
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		for who in broker client; do
			openssl req -newkey rsa:2048 -nodes -keyout "$who.key" -out "$who.csr" -subj "/CN=ktune-$who" 2>/dev/null
			openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile "$who.ext" -out "$who.pem" 2>/dev/null
		done
		cat broker.key broker.pem >broker-keystore.pem
		rm -f ./*.csr ./*.ext ca.srl
	) || die "making the TLS certificates in $d failed"
}

node_running() {
	local pidf="$STATE/node$1/pid"
	[ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}

start_node() {
	local i=$1 v heap_opts logopt
	v=$(cluster_version)
	node_running "$i" && return 0
	logopt="-Dlog4j.configuration=file:$STATE/server-log4j.properties"
	case $v in 4.*) logopt="-Dlog4j2.configurationFile=$STATE/server-log4j2.properties" ;; esac
	heap_opts="-Xms256m -Xmx512m"
	# setsid: the broker outlives this shell and is not hit by its signals.
	setsid java $heap_opts -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
		"-javaagent:$(jmx_agent_jar)=127.0.0.1:$((PORT + METRICS_OFFSET + i - 1)):$HERE/kafka/jmx-exporter.yaml" \
		"$logopt" -Dkafka.logs.dir="$STATE/node$i" \
		-cp "$(classpath_of "$v")" kafka.Kafka "$STATE/node$i/server.properties" \
		>"$STATE/node$i/server.log" 2>&1 </dev/null &
	echo $! >"$STATE/node$i/pid"
}

stop_node() {
	local i=$1 pidf="$STATE/node$1/pid" pid t
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((t = 0; t < 200; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			log "node $i did not stop within 20 s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.5
		fi
	fi
	rm -f "$pidf"
}

# kill_node I: SIGKILL node I, as a crash or an OOM kill would end it.
kill_node() {
	local i=$1 pidf="$STATE/node$1/pid" pid t
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	kill -KILL "$pid" 2>/dev/null || true
	for ((t = 0; t < 100; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$pidf"
}

# wait_ready N: until N brokers answer an ApiVersions request, at most 90 s.
wait_ready() {
	local n=$1 v bs t count
	v=$(cluster_version)
	bs=$(bootstrap_of "$n" "$PORT")
	# The command moved from core (Scala) to kafka-tools in 4.0.
	local apiversions=kafka.admin.BrokerApiVersionsCommand
	case $v in 4.*) apiversions=org.apache.kafka.tools.BrokerApiVersionsCommand ;; esac
	for ((t = 0; t < 45; t++)); do
		for ((i = 1; i <= n; i++)); do
			node_running "$i" || { tail -n 30 "$STATE/node$i/server.log" >&2; die "node $i exited during start-up (log above: $STATE/node$i/server.log)"; }
		done
		count=$(quick "$v" 256m "$apiversions" --bootstrap-server "$bs" 2>/dev/null | grep -c '(id: ' || true)
		if [ "$count" -ge "$n" ]; then return 0; fi
		sleep 2
	done
	for ((i = 1; i <= n; i++)); do echo "--- node $i" >&2; tail -n 20 "$STATE/node$i/server.log" >&2; done
	die "the cluster did not answer with $n brokers within 90 s"
}

write_env() {
	local n=$1 v=$2 sasl=$3 tls=$4
	{
		echo "KTUNE_KAFKA_BOOTSTRAP=$(bootstrap_of "$n" "$PORT")"
		echo "KTUNE_KAFKA_VERSION=$v"
		echo "KTUNE_KAFKA_BROKERS=$n"
		echo "KTUNE_KAFKA_METRICS=$(metrics_of "$n")"
		if [ "$sasl" = 1 ]; then
			echo "KTUNE_KAFKA_SASL_BOOTSTRAP=$(bootstrap_of "$n" $((PORT + 200)))"
			echo "KTUNE_KAFKA_SASL_USER=ktune"
			echo "KTUNE_KAFKA_SASL_PASSWORD=$(cat "$STATE/sasl-password")"
			echo "KTUNE_KAFKA_SASL_MECHANISMS=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
		fi
		if [ "$tls" = 1 ]; then
			echo "KTUNE_KAFKA_TLS_BOOTSTRAP=$(bootstrap_of "$n" $((PORT + 300)))"
			echo "KTUNE_KAFKA_MTLS_BOOTSTRAP=$(bootstrap_of "$n" $((PORT + 400)))"
			echo "KTUNE_KAFKA_TLS_CA=$STATE/tls/ca.pem"
			echo "KTUNE_KAFKA_TLS_CLIENT_CERT=$STATE/tls/client.pem"
			echo "KTUNE_KAFKA_TLS_CLIENT_KEY=$STATE/tls/client.key"
		fi
	} >"$STATE/env"
}

cmd_start() {
	local n=1 v=$DEFAULT_VERSION sasl=0 tls=0
	while [ $# -gt 0 ]; do
		case $1 in
		--brokers) n=$2; shift 2 ;;
		--version) v=$2; shift 2 ;;
		--sasl) sasl=1; shift ;;
		--tls) tls=1; shift ;;
		*) die "start: unknown argument $1 (see --help)" ;;
		esac
	done
	case $n in 1 | 3) ;; *) die "--brokers must be 1 or 3" ;; esac
	if [ "$(cluster_brokers)" -gt 0 ] && node_running 1; then
		log "a cluster is already running ($(cluster_brokers) broker(s), Kafka $(cluster_version)); reusing it"
		bootstrap_of "$(cluster_brokers)" "$PORT"
		return 0
	fi
	need_tools
	fetch "$v"
	fetch_jmx_agent
	rm -rf "$STATE" && mkdir -p "$STATE"
	echo "$v" >"$STATE/version"
	echo "$n" >"$STATE/brokers"
	write_log_configs
	local cid scram=()
	cid=$(quick "$v" 128m kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
	if [ "$sasl" = 1 ]; then
		local pw=${KTUNE_KAFKA_SASL_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}
		(umask 077 && echo "$pw" >"$STATE/sasl-password")
		scram=(--add-scram "SCRAM-SHA-256=[name=ktune,password=$pw]" --add-scram "SCRAM-SHA-512=[name=ktune,password=$pw]")
	fi
	if [ "$tls" = 1 ]; then make_certs; fi
	local t0=$SECONDS
	for ((i = 1; i <= n; i++)); do
		write_config "$i" "$n" "$sasl" "$tls"
		quick "$v" 256m kafka.tools.StorageTool format -t "$cid" -c "$STATE/node$i/server.properties" "${scram[@]}" >/dev/null ||
			die "formatting storage for node $i failed"
	done
	for ((i = 1; i <= n; i++)); do start_node "$i"; done
	wait_ready "$n"
	write_env "$n" "$v" "$sasl" "$tls"
	log "Kafka $v: $n broker(s) up in $((SECONDS - t0)) s; state in $STATE"
	log "broker metrics (JMX exporter): $(metrics_of "$n")"
	bootstrap_of "$n" "$PORT"
}

# cmd_newest MAJOR: the newest release of MAJOR.x that Maven resolves, by a
# version range on the broker artifact.
cmd_newest() {
	local major=${1:-4} v
	[[ $major =~ ^[0-9]+$ ]] || die "newest: MAJOR must be a number, e.g. 4"
	need_tools
	v=$(mvn -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:list -Dkafka.version="[$major,$((major + 1)))" \
		-Dkafka.log4j2 -DincludeArtifactIds=kafka_2.13 -DexcludeTransitive=true 2>&1 |
		sed -n 's/.*org\.apache\.kafka:kafka_2\.13:jar:\([^:]*\):.*/\1/p' | head -n 1)
	[ -n "$v" ] || die "Maven resolved no Kafka $major.x release"
	echo "$v"
}

cmd_stop() {
	local n i pid
	n=$(cluster_brokers)
	# Signal every node first: stopped one by one, the last ones wait for
	# a controller quorum that is already gone.
	for ((i = 1; i <= (n > 0 ? n : 3); i++)); do
		[ -f "$STATE/node$i/pid" ] && pid=$(cat "$STATE/node$i/pid") && kill -TERM "$pid" 2>/dev/null || true
	done
	for ((i = 1; i <= (n > 0 ? n : 3); i++)); do stop_node "$i"; done
	rm -rf "$STATE"
}

cmd_status() {
	local n i up=0
	n=$(cluster_brokers)
	[ "$n" -gt 0 ] || { echo "not running"; return 1; }
	for ((i = 1; i <= n; i++)); do
		if node_running "$i"; then up=$((up + 1)); echo "node $i: running (pid $(cat "$STATE/node$i/pid"))" >&2; else echo "node $i: stopped" >&2; fi
	done
	[ "$up" -gt 0 ] || { echo "not running"; return 1; }
	bootstrap_of "$n" "$PORT"
}

node_arg() {
	local i=${1:-}
	[[ $i =~ ^[0-9]+$ ]] && [ "$i" -ge 1 ] && [ "$i" -le "$(cluster_brokers)" ] || die "node number must be 1..$(cluster_brokers)"
	echo "$i"
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	start) cmd_start "$@" ;;
	stop) cmd_stop ;;
	newest) cmd_newest "$@" ;;
	status) cmd_status ;;
	stop-broker) stop_node "$(node_arg "${1:-}")" ;;
	start-broker)
		start_node "$(node_arg "${1:-}")"
		wait_ready "$(cluster_brokers)"
		;;
	kill-broker) kill_node "$(node_arg "${1:-}")" ;;
	start-brokers)
		local n i
		n=$(cluster_brokers)
		for ((i = 1; i <= n; i++)); do start_node "$i"; done
		wait_ready "$n"
		;;
	classpath)
		local v
		v=$(cluster_version)
		[ "${1:-}" = --version ] && v=$2
		fetch "$v"
		classpath_of "$v"
		;;
	run-class)
		[ $# -ge 1 ] || die "run-class needs a class name"
		local v
		v=$(cluster_version)
		fetch "$v"
		mkdir -p "$STATE"
		[ -f "$STATE/tools-log4j.properties" ] || write_log_configs
		JVM_OPTS="-XX:+UseG1GC" jvm "$v" "${KTUNE_TOOL_HEAP:-512m}" "$@"
		;;
	-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
	*) die "unknown command '${cmd}' (see --help)" ;;
	esac
}

main "$@"
