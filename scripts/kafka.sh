#!/usr/bin/env bash
# kafka.sh: a real Apache Kafka cluster (KRaft mode) on 127.0.0.1, on demand.
#
#   scripts/kafka.sh start [--brokers 1|3] [--version V] [--sasl]
#       Fetches Kafka's jars with Maven into $KTUNE_CACHE/kafka/V/libs (default
#       ~/.cache/ktune/kafka/V/libs, once), formats KRaft storage (combined
#       broker+controller nodes), starts the nodes and waits (at most 90 s)
#       until they all answer. Prints the PLAINTEXT bootstrap address on stdout
#       and nothing else; progress goes to stderr. Writes $STATE/env with
#       KTUNE_KAFKA_BOOTSTRAP, _VERSION, _BROKERS (and with --sasl
#       _SASL_BOOTSTRAP, _SASL_USER, _SASL_PASSWORD: SCRAM-SHA-512 user ktune).
#       A second start while the cluster runs prints its bootstrap, exits 0.
#       V defaults to $KTUNE_KAFKA_VERSION, else 3.9.2; 4.x works too.
#   scripts/kafka.sh stop                 stop the nodes it started, remove $STATE
#   scripts/kafka.sh status               print the bootstrap and exit 0 if running, else exit 1
#   scripts/kafka.sh stop-broker I        stop node I (1-based), keeping its data
#   scripts/kafka.sh start-broker I       start node I again, wait until it answers
#   scripts/kafka.sh classpath [--version V]   the jars' classpath (jar paths joined by ':')
#   scripts/kafka.sh run-class [--version V] CLASS [ARGS...]  run a class from the jars of the running
#       cluster's version (else V as for start) with a small heap (KTUNE_TOOL_HEAP,
#       default 512m) and WARN logging on stderr. Classes (3.9 and 4.x):
#         org.apache.kafka.tools.ProducerPerformance     (alias producer-perf)
#         org.apache.kafka.tools.ConsumerPerformance     (alias consumer-perf)
#         org.apache.kafka.tools.consumer.ConsoleConsumer (alias console-consumer)
#         org.apache.kafka.tools.TopicCommand            (alias topics)
#       Also console-producer and api-versions; the old names kafka.admin.TopicCommand,
#       kafka.tools.ConsoleConsumer, kafka.tools.ConsoleProducer and
#       kafka.admin.BrokerApiVersionsCommand map to the version's class.
#
# Environment: KTUNE_CACHE (jar cache root), KTUNE_KAFKA_STATE (state folder,
# default ${TMPDIR:-/tmp}/ktune-kafka), KTUNE_KAFKA_PORT (first broker port,
# default 19092: node i listens on PORT+i-1, its controller on PORT+100+i-1,
# SASL_PLAINTEXT on PORT+200+i-1), KTUNE_KAFKA_VERSION, KTUNE_KAFKA_SASL_PASSWORD
# (letters, digits and ._~@%+:- only; generated when unset).
# Needs java (17+) and, for the first fetch of a version, mvn.
set -euo pipefail

DEFAULT_VERSION=${KTUNE_KAFKA_VERSION:-3.9.2} # 3.9.2: the newest 3.9.x on Maven Central (no 3.9.3)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT=${KTUNE_CACHE:-$HOME/.cache/ktune}
STATE=${KTUNE_KAFKA_STATE:-${TMPDIR:-/tmp}/ktune-kafka}
PORT=${KTUNE_KAFKA_PORT:-19092}

log() { echo "kafka.sh: $*" >&2; }
die() { echo "kafka.sh: $*" >&2; exit 1; }

# need_tools [mvn]: java, and mvn when jars must be fetched.
need_tools() {
	local t missing=""
	for t in java "$@"; do command -v "$t" >/dev/null || missing+="${missing:+ and }$t"; done
	[ -z "$missing" ] || die "$missing not found; install it: apt-get install openjdk-17-jre-headless maven"
}

libs_dir() { echo "$CACHE_ROOT/kafka/$1/libs"; }

# fetch V: download Kafka V's jars once.
fetch() {
	local v=$1 dir
	dir=$(libs_dir "$v")
	[ -f "$dir/.complete" ] && return 0
	need_tools mvn
	log "fetching Apache Kafka $v jars into $dir"
	local logprop=-Dkafka.log4j1
	case $v in [4-9].*) logprop=-Dkafka.log4j2 ;; esac
	# Into a private folder first, moved into place when complete, so that an
	# interrupted or concurrent fetch never leaves a half-filled cache.
	local tmp="$dir.tmp.$$"
	rm -rf "$tmp" && mkdir -p "$tmp"
	if ! mvn -q -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
		-Dkafka.version="$v" "$logprop" -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
		tail -n 20 "$tmp.mvn.log" >&2
		rm -rf "$tmp" "$tmp.mvn.log"
		die "Maven could not fetch org.apache.kafka:kafka_2.13:$v; try another --version"
	fi
	rm -f "$tmp.mvn.log"
	touch "$tmp/.complete"
	if [ -f "$dir/.complete" ]; then
		rm -rf "$tmp" # another fetch won the race
	else
		rm -rf "$dir" && mv -T "$tmp" "$dir"
	fi
}

# classpath_of V: a java wildcard (always quoted: the shell must not expand it).
classpath_of() { echo "$(libs_dir "$1")/*"; }

# new_cluster_id: what StorageTool random-uuid prints (16 random bytes,
# base64url without padding, not starting with '-'), without a JVM.
new_cluster_id() {
	local id=-
	while [[ $id == -* ]] || [ ${#id} != 22 ]; do
		id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
	done
	echo "$id"
}

cluster_version() { [ -f "$STATE/version" ] && cat "$STATE/version" || echo "$DEFAULT_VERSION"; }
cluster_brokers() { [ -f "$STATE/brokers" ] && cat "$STATE/brokers" || echo 0; }

bootstrap_of() {
	local n=$1 base=$2 out="" i
	for ((i = 1; i <= n; i++)); do out+="${out:+,}127.0.0.1:$((base + i - 1))"; done
	echo "$out"
}

# resolve_class V NAME: the class to run for an alias or a name that moved.
resolve_class() {
	local v=$1 c=$2 four=0
	case $v in [4-9].*) four=1 ;; esac
	case $c in
	producer-perf) c=org.apache.kafka.tools.ProducerPerformance ;;
	consumer-perf) c=org.apache.kafka.tools.ConsumerPerformance ;;
	console-consumer | kafka.tools.ConsoleConsumer) c=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
	topics | kafka.admin.TopicCommand) c=org.apache.kafka.tools.TopicCommand ;;
	console-producer | kafka.tools.ConsoleProducer | org.apache.kafka.tools.ConsoleProducer)
		c=kafka.tools.ConsoleProducer
		[ $four = 1 ] && c=org.apache.kafka.tools.ConsoleProducer
		;;
	api-versions | kafka.admin.BrokerApiVersionsCommand | org.apache.kafka.tools.BrokerApiVersionsCommand)
		c=kafka.admin.BrokerApiVersionsCommand
		[ $four = 1 ] && c=org.apache.kafka.tools.BrokerApiVersionsCommand
		;;
	esac
	echo "$c"
}

# write_once FILE: write stdin to FILE unless it exists (atomically: a
# concurrent reader never sees half a file).
write_once() {
	if [ -f "$1" ]; then cat >/dev/null; else cat >"$1.$$" && mv -f "$1.$$" "$1"; fi
}

# tool_log_opt V: the JVM option for tool logging (WARN to stderr). The
# file lives with the jars, so that run-class needs no state folder.
tool_log_opt() {
	local v=$1 dir
	dir=$(dirname "$(libs_dir "$v")")
	case $v in
	[4-9].*)
		write_once "$dir/tools-log4j2.properties" <<'EOT'
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
EOT
		echo "-Dlog4j2.configurationFile=$dir/tools-log4j2.properties"
		;;
	*)
		write_once "$dir/tools-log4j.properties" <<'EOT'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOT
		echo "-Dlog4j.configuration=file:$dir/tools-log4j.properties"
		;;
	esac
}

# quick V HEAP CLASS ARGS: run an admin class on a quick-starting JVM.
quick() {
	local v=$1 heap=$2 logopt
	shift 2
	logopt=$(tool_log_opt "$v")
	java "-Xmx$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true "$logopt" -cp "$(classpath_of "$v")" "$@"
}

write_server_log_configs() {
	cat >"$STATE/server-log4j.properties" <<'EOT'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
EOT
	cat >"$STATE/server-log4j2.properties" <<'EOT'
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOT
}

write_config() {
	local i=$1 n=$2 sasl=$3 voters="" j rf=1 isr=1
	for ((j = 1; j <= n; j++)); do voters+="${voters:+,}$j@127.0.0.1:$((PORT + 100 + j - 1))"; done
	if [ "$n" -ge 3 ]; then rf=3 isr=2; fi
	local listeners="PLAINTEXT://127.0.0.1:$((PORT + i - 1)),CONTROLLER://127.0.0.1:$((PORT + 100 + i - 1))"
	local advertised="PLAINTEXT://127.0.0.1:$((PORT + i - 1))"
	if [ "$sasl" = 1 ]; then
		listeners+=",SASL_PLAINTEXT://127.0.0.1:$((PORT + 200 + i - 1))"
		advertised+=",SASL_PLAINTEXT://127.0.0.1:$((PORT + 200 + i - 1))"
	fi
	mkdir -p "$STATE/node$i"
	cat >"$STATE/node$i/server.properties" <<EOT
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
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
EOT
	if [ "$sasl" = 1 ]; then
		cat >>"$STATE/node$i/server.properties" <<EOT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOT
	fi
}

# node_running I: node I's recorded pid is alive and is a Kafka server.
node_running() {
	local pidf="$STATE/node$1/pid" pid
	[ -f "$pidf" ] || return 1
	pid=$(cat "$pidf")
	kill -0 "$pid" 2>/dev/null || return 1
	[ -r "/proc/$pid/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka '
}

running_nodes() {
	local i c=0 n
	n=$(cluster_brokers)
	for ((i = 1; i <= n; i++)); do
		if node_running "$i"; then c=$((c + 1)); fi
	done
	echo "$c"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# check_ports I: fail when another process listens on one of node I's ports.
check_ports() {
	local p
	for p in $(sed -n 's/^listeners=//p' "$STATE/node$1/server.properties" | tr ',' '\n' | sed 's/.*://'); do
		if port_busy "$p"; then die "port $p (node $1) is in use by another process; set KTUNE_KAFKA_PORT"; fi
	done
}

start_node() {
	local i=$1 v logopt p
	v=$(cluster_version)
	node_running "$i" && return 0
	check_ports "$i"
	logopt="-Dlog4j.configuration=file:$STATE/server-log4j.properties"
	case $v in [4-9].*) logopt="-Dlog4j2.configurationFile=$STATE/server-log4j2.properties" ;; esac
	# setsid: the node outlives this shell and is not hit by its signals
	# (setsid execs java, so $! is the JVM's pid).
	setsid java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
		-Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
		"$logopt" -Dkafka.logs.dir="$STATE/node$i" \
		-cp "$(classpath_of "$v")" kafka.Kafka "$STATE/node$i/server.properties" \
		>>"$STATE/node$i/server.log" 2>&1 </dev/null &
	echo $! >"$STATE/node$i/pid"
}

stop_node() {
	local i=$1 pidf="$STATE/node$1/pid" pid t
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	if node_running "$i"; then
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

log_tails() {
	local i n
	n=$(cluster_brokers)
	for ((i = 1; i <= n; i++)); do
		echo "--- node $i: $STATE/node$i/server.log" >&2
		tail -n 25 "$STATE/node$i/server.log" >&2 2>/dev/null || true
	done
}

# wait_ready NODE...: until every running node answers as a live broker
# (one ApiVersions round over all of them), at most 90 s. Fails (prints
# the logs' tails, returns 1) at once when one of the NODEs exits.
wait_ready() {
	local v bs want count deadline=$((SECONDS + 90)) apiversions i
	v=$(cluster_version)
	bs=$(bootstrap_of "$(cluster_brokers)" "$PORT")
	apiversions=$(resolve_class "$v" api-versions) # core (Scala) in 3.x, kafka-tools in 4.x
	while :; do
		for i in "$@"; do
			node_running "$i" || { log_tails; log "node $i exited during start-up"; return 1; }
		done
		want=$(running_nodes)
		# A JVM per probe is dear on a small machine: first wait, cheaply,
		# until every running node's PLAINTEXT port accepts connections.
		count=0
		for ((i = 1; i <= $(cluster_brokers); i++)); do
			if node_running "$i" && port_busy $((PORT + i - 1)); then count=$((count + 1)); fi
		done
		if [ "$count" -lt "$want" ] && [ $SECONDS -lt $deadline ]; then sleep 1; continue; fi
		count=$(quick "$v" 256m "$apiversions" --bootstrap-server "$bs" 2>/dev/null | grep -c '(id: ' || true)
		[ "$count" -ge "$want" ] && return 0
		[ $SECONDS -lt $deadline ] || break
		sleep 1
	done
	log_tails
	log "the cluster did not answer with $want broker(s) within 90 s"
	return 1
}

write_env() {
	local n=$1 v=$2 sasl=$3
	(
		umask 077
		{
			echo "KTUNE_KAFKA_BOOTSTRAP=$(bootstrap_of "$n" "$PORT")"
			echo "KTUNE_KAFKA_VERSION=$v"
			echo "KTUNE_KAFKA_BROKERS=$n"
			if [ "$sasl" = 1 ]; then
				echo "KTUNE_KAFKA_SASL_BOOTSTRAP=$(bootstrap_of "$n" $((PORT + 200)))"
				echo "KTUNE_KAFKA_SASL_USER=ktune"
				echo "KTUNE_KAFKA_SASL_PASSWORD=$(cat "$STATE/sasl-password")"
			fi
		} >"$STATE/env"
	)
}

# reset_state: remove $STATE, refusing a non-empty folder kafka.sh did not make.
reset_state() {
	if [ -d "$STATE" ] && [ -n "$(ls -A "$STATE")" ] && [ ! -f "$STATE/.ktune-kafka" ] && [ ! -f "$STATE/version" ]; then
		die "$STATE is not empty and was not made by kafka.sh; set KTUNE_KAFKA_STATE"
	fi
	rm -rf "$STATE"
}

cmd_start() {
	local n=1 v=$DEFAULT_VERSION sasl=0 i
	while [ $# -gt 0 ]; do
		case $1 in
		--brokers) [ $# -ge 2 ] || die "--brokers needs a value"; n=$2; shift 2 ;;
		--version) [ $# -ge 2 ] || die "--version needs a value"; v=$2; shift 2 ;;
		--sasl) sasl=1; shift ;;
		*) die "start: unknown argument $1 (see --help)" ;;
		esac
	done
	case $n in 1 | 3) ;; *) die "--brokers must be 1 or 3" ;; esac
	[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "--version needs a Kafka version such as 3.9.2"
	if [ "$(cluster_brokers)" -gt 0 ] && [ "$(running_nodes)" -gt 0 ]; then
		local have_sasl=0
		if grep -q '^KTUNE_KAFKA_SASL_BOOTSTRAP=' "$STATE/env" 2>/dev/null; then have_sasl=1; fi
		if [ "$(cluster_brokers)" != "$n" ] || [ "$(cluster_version)" != "$v" ] || [ "$have_sasl" != "$sasl" ]; then
			log "warning: the running cluster is not the one asked for; stop it first to change it"
		fi
		log "a cluster is already running ($(cluster_brokers) broker(s), Kafka $(cluster_version)$([ $have_sasl = 1 ] && echo ", SASL" || true)); reusing it"
		bootstrap_of "$(cluster_brokers)" "$PORT"
		return 0
	fi
	local pw=""
	if [ "$sasl" = 1 ]; then
		pw=${KTUNE_KAFKA_SASL_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}
		# StorageTool's --add-scram parser knows no quoting: keep to safe characters.
		[[ $pw =~ ^[A-Za-z0-9._~@%+:-]+$ ]] || die "KTUNE_KAFKA_SASL_PASSWORD may hold only letters, digits and ._~@%+:-"
	fi
	local p
	for ((i = 1; i <= n; i++)); do
		for p in $((PORT + i - 1)) $((PORT + 100 + i - 1)) $((sasl ? PORT + 200 + i - 1 : PORT + i - 1)); do
			if port_busy "$p"; then die "port $p is in use by another process; set KTUNE_KAFKA_PORT"; fi
		done
	done
	need_tools
	local t0=$SECONDS
	fetch "$v"
	if [ -d "$STATE" ]; then cmd_stop; fi # leftovers of a dead cluster
	mkdir -p "$STATE"
	touch "$STATE/.ktune-kafka"
	echo "$v" >"$STATE/version"
	echo "$n" >"$STATE/brokers"
	write_server_log_configs
	local cid scram=()
	cid=$(new_cluster_id)
	if [ "$sasl" = 1 ]; then
		(umask 077 && printf '%s\n' "$pw" >"$STATE/sasl-password")
		scram=(--add-scram "SCRAM-SHA-512=[name=ktune,password=$pw]")
	fi
	log "formatting $n node(s) for Kafka $v in $STATE"
	for ((i = 1; i <= n; i++)); do
		write_config "$i" "$n" "$sasl"
		quick "$v" 256m kafka.tools.StorageTool format -t "$cid" -c "$STATE/node$i/server.properties" "${scram[@]}" \
			>"$STATE/node$i/format.log" 2>&1 || { cat "$STATE/node$i/format.log" >&2; die "formatting storage for node $i failed"; }
	done
	for ((i = 1; i <= n; i++)); do start_node "$i"; done
	# shellcheck disable=SC2046
	if ! wait_ready $(seq 1 "$n"); then
		for ((i = 1; i <= n; i++)); do stop_node "$i"; done
		die "start failed; logs kept in $STATE (scripts/kafka.sh stop removes them)"
	fi
	write_env "$n" "$v" "$sasl"
	log "Kafka $v: $n broker(s) up in $((SECONDS - t0)) s; state in $STATE"
	bootstrap_of "$n" "$PORT"
}

cmd_stop() {
	local n i pid
	n=$(cluster_brokers)
	[ "$n" -gt 0 ] || n=3
	# Signal every node first: stopped one by one, the last ones wait for
	# a controller quorum that is already gone.
	for ((i = 1; i <= n; i++)); do
		if node_running "$i"; then
			pid=$(cat "$STATE/node$i/pid")
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	for ((i = 1; i <= n; i++)); do stop_node "$i"; done
	reset_state
}

cmd_status() {
	local n i up=0
	n=$(cluster_brokers)
	[ "$n" -gt 0 ] || { log "not running"; return 1; }
	for ((i = 1; i <= n; i++)); do
		if node_running "$i"; then up=$((up + 1)); log "node $i: running (pid $(cat "$STATE/node$i/pid"))"; else log "node $i: stopped"; fi
	done
	[ "$up" -gt 0 ] || { log "not running"; return 1; }
	bootstrap_of "$n" "$PORT"
}

node_arg() {
	local i=${1:-}
	[ "$(cluster_brokers)" -gt 0 ] || die "no cluster (start one first)"
	[[ $i =~ ^[0-9]+$ ]] && [ "$i" -ge 1 ] && [ "$i" -le "$(cluster_brokers)" ] || die "node number must be 1..$(cluster_brokers)"
	echo "$i"
}

main() {
	local cmd=${1:-} i v class logopt
	[ $# -gt 0 ] && shift
	case $cmd in
	start) cmd_start "$@" ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	stop-broker)
		i=$(node_arg "${1:-}")
		node_running "$i" || { log "node $i is not running"; return 0; }
		stop_node "$i"
		log "node $i stopped"
		;;
	start-broker)
		i=$(node_arg "${1:-}")
		node_running "$i" && { log "node $i is already running"; return 0; }
		need_tools
		start_node "$i"
		wait_ready "$i" || die "node $i did not come back (log: $STATE/node$i/server.log)"
		log "node $i is back"
		;;
	classpath)
		v=$(cluster_version)
		if [ "${1:-}" = --version ]; then v=${2:?--version needs a value}; fi
		need_tools
		fetch "$v"
		find "$(libs_dir "$v")" -maxdepth 1 -name '*.jar' | LC_ALL=C sort | paste -sd:
		;;
	run-class)
		v=$(cluster_version)
		if [ "${1:-}" = --version ]; then v=${2:?--version needs a value}; shift 2; fi
		[ $# -ge 1 ] || die "run-class needs a class name"
		need_tools
		fetch "$v"
		class=$(resolve_class "$v" "$1")
		shift
		logopt=$(tool_log_opt "$v")
		exec java "-Xmx${KTUNE_TOOL_HEAP:-512m}" -XX:+UseG1GC -Djava.net.preferIPv4Stack=true "$logopt" \
			-cp "$(classpath_of "$v")" "$class" "$@"
		;;
	-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
	'') die "no command (see --help)" ;;
	*) die "unknown command '${cmd}' (see --help)" ;;
	esac
}

main "$@"
