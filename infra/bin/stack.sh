# Starts, stops and reports the native stack: Kafka (KRaft), Apicurio Registry, the three
# services. Sourced by ./choreo after bootstrap.sh. Every process is started in the
# background with its pid in .run/pids/ and its log in .run/logs/, so `down` stops exactly
# what `up` started.

RUN="$ROOT/.run"
PIDS="$RUN/pids"
LOGS="$RUN/logs"

: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${REGISTRY_PORT:=8081}"
: "${ORDER_PORT:=3001}"
: "${STOCK_PORT:=3002}"
: "${PAYMENT_PORT:=3003}"
: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
: "${PGUSER:=postgres}"
: "${KAFKA_HEAP:=-Xms256m -Xmx768m}"
: "${REGISTRY_HEAP:=-Xms128m -Xmx384m}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
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

kafka_classpath() { echo "$CACHE/kafka/libs/*"; }

start_kafka() {
  is_running kafka && return
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process (set KAFKA_PORT)"
  local conf="$RUN/kafka/server.properties" data="$RUN/kafka/data"
  mkdir -p "$RUN/kafka" "$LOGS"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@DATA_DIR@|$data|g" "$ROOT/infra/kafka/server.properties.template" > "$conf"
  local java_opts=(-Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.yaml" -cp "$(kafka_classpath)")
  if [ ! -f "$data/meta.properties" ]; then
    java "${java_opts[@]}" kafka.tools.StorageTool format \
      -t "$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid)" -c "$conf" >>"$LOGS/kafka.log" 2>&1 \
      || die "formatting Kafka storage failed; see .run/logs/kafka.log"
  fi
  # shellcheck disable=SC2086
  spawn kafka java $KAFKA_HEAP -XX:+UseG1GC "${java_opts[@]}" kafka.Kafka "$conf"
}

start_registry() {
  is_running registry && return
  port_open "$REGISTRY_PORT" && die "port $REGISTRY_PORT is taken by another process (set REGISTRY_PORT)"
  ensure_database choreo_registry
  # Schemas live in PostgreSQL, so their ids survive a restart; a small pool, as the
  # registry shares the server with the services and the tests.
  # shellcheck disable=SC2086
  spawn registry env \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$REGISTRY_PORT" \
    APICURIO_STORAGE_KIND=sql APICURIO_STORAGE_SQL_KIND=postgresql \
    APICURIO_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/choreo_registry" \
    APICURIO_DATASOURCE_USERNAME="$PGUSER" APICURIO_DATASOURCE_PASSWORD=unused \
    APICURIO_DATASOURCE_JDBC_INITIAL_SIZE=2 APICURIO_DATASOURCE_JDBC_MIN_SIZE=2 APICURIO_DATASOURCE_JDBC_MAX_SIZE=8 \
    QUARKUS_LOG_LEVEL=WARN QUARKUS_LOG_CATEGORY__IO_APICURIO__LEVEL=INFO QUARKUS_HTTP_ACCESS_LOG_ENABLED=false \
    java $REGISTRY_HEAP -jar "$APICURIO_JAR"
}

ensure_database() {
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 \
    || psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "CREATE DATABASE \"$1\"" >/dev/null
}

kafka_ready() { kcat -b "$KAFKA_BROKERS" -L -m 2 >/dev/null 2>&1; }
registry_ready() { http_ok "$SCHEMA_REGISTRY_URL/subjects"; }
postgres_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

# Kafka and the registry: what the tests need.
infra_up() {
  postgres_ready || die "PostgreSQL does not answer on $PGHOST:$PGPORT (see the README: Requirements)"
  start_kafka
  start_registry
  wait_for kafka 60 kafka_ready
  wait_for registry 90 registry_ready
}

infra_down() { stop_one registry; stop_one kafka; }
