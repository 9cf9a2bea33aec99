# Starts, stops and reports the native stack: Kafka (KRaft), Apicurio Registry, the three
# services. Sourced by ./choreo after bootstrap.sh. Every process is started in the
# background with its pid in .run/pids/ and its log in .run/logs/, so `down` stops exactly
# what `up` started.

# CHOREO_RUN: another folder for a second, temporary stack (bench/kafka-layouts.ts).
RUN="${CHOREO_RUN:-$ROOT/.run}"
PIDS="$RUN/pids"
LOGS="$RUN/logs"

: "${KAFKA_PORT:=9092}"            # node i's broker listens on KAFKA_PORT + i - 1
: "${KAFKA_CONTROLLER_PORT:=9192}" # node i's controller on KAFKA_CONTROLLER_PORT + i - 1
: "${REGISTRY_PORT:=8081}"
: "${ORDER_PORT:=3001}"
: "${STOCK_PORT:=3002}"
: "${PAYMENT_PORT:=3003}"
export EXPLORER_PORT="${EXPLORER_PORT:-3000}" # the saga explorer (explorer/); ./choreo explorer names it in its URL
: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
: "${PGUSER:=postgres}"
: "${REGISTRY_HEAP:=-Xms128m -Xmx384m}"

# How many Kafka nodes: --brokers N or CHOREO_BROKERS, else as many as the last `up` started
# (so a plain `./choreo up` restarts a dead node of a cluster), else one.
kafka_layout_file() { echo "$RUN/kafka/brokers"; }
if [ -z "${CHOREO_BROKERS:-}" ]; then
  CHOREO_BROKERS=$(cat "$(kafka_layout_file)" 2>/dev/null || echo 1)
fi
case "$CHOREO_BROKERS" in 1|3) ;; *) die "--brokers takes 1 (the quick default) or 3 (a replicated cluster), not '$CHOREO_BROKERS'" ;; esac
export CHOREO_BROKERS
# One node holds ≤ 768 MiB of heap; three share the same 2 cores and hold ≤ 512 MiB each (1.5 GiB
# in all), which the chaos runner's load never fills (G1 collects well below it).
if [ "$CHOREO_BROKERS" = 1 ]; then : "${KAFKA_HEAP:=-Xms256m -Xmx768m}"; else : "${KAFKA_HEAP:=-Xms256m -Xmx512m}"; fi

kafka_nodes() { seq 1 "$CHOREO_BROKERS"; }
broker_port() { echo $((KAFKA_PORT + $1 - 1)); }
controller_port() { echo $((KAFKA_CONTROLLER_PORT + $1 - 1)); }
all_brokers() { local i out=""; for i in $(kafka_nodes); do out="$out${out:+,}127.0.0.1:$(broker_port "$i")"; done; echo "$out"; }

export KAFKA_BROKERS="${KAFKA_BROKERS:-$(all_brokers)}"

# Kafka authenticates every client (SASL) and authorizes it by ACLs (packages/contracts'
# kafka-grants.ts, granted by tools/setup/kafka-acls.ts): one principal per service, `operator` (a
# super user) for ./choreo, the tests, the tools and kcat, and `broker` for the nodes themselves.
# Their passwords are made once per layout, kept under .run/ (mode 600) with the two client files
# that use them, written again on every run (the broker ports may change): kcat.conf (`kcat -F`,
# or KCAT_CONFIG as exported below) and admin.properties (Kafka's Java tools).
KAFKA_PRINCIPALS="broker operator order-service stock-service payment-service"
kafka_credentials_dir() { echo "$(kafka_layout_dir)/credentials"; }
kafka_password() { cat "$(kafka_credentials_dir)/$1.password"; }
ensure_kafka_credentials() ( # a subshell: its umask makes every file 600 from its first byte
  umask 077
  local dir p operator
  dir=$(kafka_credentials_dir)
  mkdir -p "$dir"
  for p in $KAFKA_PRINCIPALS; do
    [ -s "$dir/$p.password" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$p.password"
  done
  operator=$(kafka_password operator)
  printf '%s\n' "# kcat -F: the operator principal of this stack (made by infra/bin/stack.sh)" \
    "# PLAIN: this kcat's librdkafka (2.0.2) cannot do SCRAM with Kafka 4 (infra/kafka/server.properties.template)" \
    "bootstrap.servers=$(all_brokers)" security.protocol=SASL_PLAINTEXT sasl.mechanisms=PLAIN \
    sasl.username=operator "sasl.password=$operator" > "$dir/kcat.conf"
  printf '%s\n' "# Kafka's Java tools (--command-config, --admin.config): the operator principal" \
    security.protocol=SASL_PLAINTEXT sasl.mechanism=SCRAM-SHA-512 \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"operator\" password=\"$operator\";" \
    > "$dir/admin.properties"
)
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7}"
export PGHOST PGPORT PGUSER

SERVICES="order-service stock-service payment-service"
service_port() { case "$1" in order-service) echo "$ORDER_PORT";; stock-service) echo "$STOCK_PORT";; payment-service) echo "$PAYMENT_PORT";; esac; }

is_running() { local f="$PIDS/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null; }

# wait_for NAME SECONDS CHECK...: polls CHECK until it succeeds; fails naming the log on time-out
# or when the process has died.
wait_for() {
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    is_running "$name" || die "$name exited while starting; see .run/logs/$name.log"
    [ $SECONDS -lt $deadline ] || die "$name not ready after ${secs}s; see .run/logs/$name.log"
    sleep 0.2
  done
}

spawn() { # spawn NAME CMD...: starts CMD detached in its own session, records its pid
  local name=$1; shift
  mkdir -p "$PIDS" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name.pid"
}

stop_one() { # stop_one NAME: TERM the process group, KILL it if it has not gone in 20 s
  local name=$1 f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

KAFKA_JAVA_OPTS=(-Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.yaml" -cp "$CACHE/kafka/libs/*")

# kafka_tool CLASS ARGS...: one of Kafka's command-line tools (leader election, reassignment,
# the metadata quorum), run from the fetched classpath.
kafka_tool() {
  java -Xmx256m "${KAFKA_JAVA_OPTS[@]}" "$@"
}

# Each layout (one node, three nodes) keeps its own storage, so switching between them formats
# nothing twice and loses nothing of the other; events published in one are not in the other.
kafka_layout_dir() { echo "$RUN/kafka/$CHOREO_BROKERS-node"; }
kafka_node_dir() { echo "$(kafka_layout_dir)/node-$1"; }

# The layout of the nodes running now, or nothing when none runs.
running_layout() {
  local f n
  for f in "$PIDS"/kafka-*.pid; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .pid)
    is_running "$n" && { cat "$(kafka_layout_file)" 2>/dev/null || echo '?'; return; }
  done
}

assert_layout() {
  local running
  running=$(running_layout)
  [ -z "$running" ] || [ "$running" = "$CHOREO_BROKERS" ] \
    || die "Kafka runs with $running node(s), not $CHOREO_BROKERS: ./choreo down first"
}

start_kafka_node() {
  local i=$1 name="kafka-$1"
  is_running "$name" && return
  local port dir
  port=$(broker_port "$i"); dir=$(kafka_node_dir "$i")
  port_open "$port" && die "port $port is taken by another process (set KAFKA_PORT)"
  port_open "$(controller_port "$i")" && die "port $(controller_port "$i") is taken by another process (set KAFKA_CONTROLLER_PORT)"
  local voters="" j rf=1 min_isr=1
  for j in $(kafka_nodes); do voters="$voters${voters:+,}$j@127.0.0.1:$(controller_port "$j")"; done
  [ "$CHOREO_BROKERS" -ge 3 ] && { rf=3; min_isr=2; }
  mkdir -p "$dir" "$LOGS"
  sed -e "s|@NODE_ID@|$i|g" -e "s|@VOTERS@|$voters|g" -e "s|@KAFKA_PORT@|$port|g" \
      -e "s|@CONTROLLER_PORT@|$(controller_port "$i")|g" -e "s|@DATA_DIR@|$dir/data|g" \
      -e "s|@REPLICATION_FACTOR@|$rf|g" -e "s|@MIN_ISR@|$min_isr|g" -e "s|@BROKER_PASSWORD@|$(kafka_password broker)|g" \
      -e "s|@OPERATOR_PASSWORD@|$(kafka_password operator)|g" \
      "$ROOT/infra/kafka/server.properties.template" | (umask 077; cat > "$dir/server.properties")
  # Storage formatted before Kafka required authentication has no SCRAM users: it is moved aside,
  # not deleted, and a new one formatted. Its events stay there and no longer reach the topics
  # (the services' databases keep their state; an outbox row it published is not sent again).
  if [ -f "$dir/data/meta.properties" ] && [ ! -f "$dir/data/.scram" ]; then
    local aside
    aside="$dir/data.before-authentication.$(date +%Y%m%d-%H%M%S)"
    mv "$dir/data" "$aside"
    log "kafka-$i: storage predates authentication: moved to $aside, formatting a new one"
  fi
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id_file
    id_file="$(kafka_layout_dir)/cluster-id"
    [ -s "$id_file" ] || java "${KAFKA_JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid > "$id_file"
    # The SCRAM users are written into the metadata log as it is made: the nodes need theirs
    # before any ACL or user can be added over the network.
    local scram=() p
    for p in $KAFKA_PRINCIPALS; do scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(kafka_password "$p")]"); done
    java "${KAFKA_JAVA_OPTS[@]}" kafka.tools.StorageTool format -t "$(cat "$id_file")" -c "$dir/server.properties" "${scram[@]}" >>"$LOGS/$name.log" 2>&1 \
      || die "formatting Kafka storage failed; see .run/logs/$name.log"
    touch "$dir/data/.scram"
  fi
  # shellcheck disable=SC2086
  spawn "$name" java $KAFKA_HEAP -XX:+UseG1GC "${KAFKA_JAVA_OPTS[@]}" kafka.Kafka "$dir/server.properties"
}

start_kafka() {
  assert_layout
  mkdir -p "$(kafka_layout_dir)"
  echo "$CHOREO_BROKERS" > "$(kafka_layout_file)"
  local i
  for i in $(kafka_nodes); do start_kafka_node "$i"; done
}

stop_kafka() {
  local i
  for i in $(kafka_nodes); do stop_one "kafka-$i"; done
  stop_one kafka # the pid file of a stack started before cluster mode
}

start_registry() {
  is_running registry && return
  port_open "$REGISTRY_PORT" && die "port $REGISTRY_PORT is taken by another process (set REGISTRY_PORT)"
  ensure_database choreo_registry
  # Schemas live in PostgreSQL, so their ids survive a restart; a small pool, as the
  # registry shares the server with the services and the tests. Its pool checks a connection idle
  # for over a second before lending it: after PostgreSQL restarts (the chaos run does) it would
  # otherwise lend the dead ones, and answer 500 until each had failed once.
  # shellcheck disable=SC2086
  spawn registry env \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$REGISTRY_PORT" \
    APICURIO_STORAGE_KIND=sql APICURIO_STORAGE_SQL_KIND=postgresql \
    APICURIO_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/choreo_registry" \
    APICURIO_DATASOURCE_USERNAME="$PGUSER" APICURIO_DATASOURCE_PASSWORD=unused \
    APICURIO_DATASOURCE_JDBC_INITIAL_SIZE=2 APICURIO_DATASOURCE_JDBC_MIN_SIZE=2 APICURIO_DATASOURCE_JDBC_MAX_SIZE=8 \
    QUARKUS_LOG_LEVEL=WARN QUARKUS_LOG_CATEGORY__IO_APICURIO__LEVEL=INFO QUARKUS_HTTP_ACCESS_LOG_ENABLED=false \
    java $REGISTRY_HEAP \
      -Dquarkus.datasource.postgresql.jdbc.foreground-validation-interval=1S \
      -Dquarkus.datasource.postgresql.jdbc.background-validation-interval=10S \
      -jar "$APICURIO_JAR"
}

ensure_database() {
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 \
    || psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "CREATE DATABASE \"$1\"" >/dev/null
}

# Ready when every node is a registered broker (a fenced or starting one is not listed).
kafka_ready() { [ "$(kcat -b "$KAFKA_BROKERS" -L -m 2 2>/dev/null | sed -n 's/^ \([0-9]*\) brokers:$/\1/p')" = "$CHOREO_BROKERS" ]; }
# kafka_node_ready I: node I is a registered broker again.
kafka_node_ready() { kcat -b "$KAFKA_BROKERS" -L -m 2 2>/dev/null | grep -q "^  broker $1 at "; }
# kafka_leaders I: how many partitions node I leads now.
kafka_leaders() { kcat -b "$KAFKA_BROKERS" -L -m 2 2>/dev/null | grep -c "partition [0-9]*, leader $1," || true; }
registry_ready() { http_ok "$SCHEMA_REGISTRY_URL/subjects"; }
postgres_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

# Kafka and the registry: what the tests need.
infra_up() {
  postgres_ready || die "PostgreSQL does not answer on $PGHOST:$PGPORT (see the README: Quick start)"
  start_kafka
  start_registry
  wait_for kafka-1 90 kafka_ready
  kafka_acls
  wait_for registry 90 registry_ready
}

# Each service's ACLs (kept in the metadata log; granting one that exists changes nothing).
kafka_acls() {
  node "$ROOT/tools/setup/kafka-acls.ts" >>"$LOGS/acls.log" 2>&1 || die "granting Kafka ACLs failed; see .run/logs/acls.log"
}

infra_down() { stop_one registry; stop_kafka; }

# Every command that sources this file talks to Kafka as the operator of the layout it names:
# set unconditionally, not by default, as a child ./choreo for the other layout (the cluster's
# part of `test`) inherits the parent's and must not keep them.
ensure_kafka_credentials
KAFKA_CREDENTIALS=$(kafka_credentials_dir)
export KAFKA_CREDENTIALS KCAT_CONFIG="$KAFKA_CREDENTIALS/kcat.conf" KAFKA_ADMIN_CONFIG="$KAFKA_CREDENTIALS/admin.properties"
export KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=operator KAFKA_SASL_PASSWORD="$(kafka_password operator)"
