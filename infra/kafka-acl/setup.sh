#!/usr/bin/env bash
# SCRAM users and ACLs for infra/docker-compose.yml: each service may write only its own events
# topic and its dead-letter topic, read only the topics its saga consumes, and commit offsets only
# as its own consumer group; the schema registry keeps its `_schemas` topic. Idempotent, so the
# one-shot `kafka-acl` service runs it on every `up`.
#
# It runs in the broker's network namespace and talks to the broker's loopback-only PLAINTEXT
# listener (LOCAL, 127.0.0.1:9095), whose ANONYMOUS principal is a super user: no other
# container can reach that listener. Passwords come from the environment (see the compose file).
set -euo pipefail

BOOTSTRAP=${BOOTSTRAP:-127.0.0.1:9095}
BIN=/opt/kafka/bin

scram_user() { # name password
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]" >/dev/null
  echo "SCRAM user $1"
}

allow() { # principal, then kafka-acls resource and --operation options
  local principal=$1; shift
  "$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --add --allow-principal "User:$principal" "$@" >/dev/null
  echo "allow $principal $*"
}

# A service publishes <aggregate>.events and its dead letters, consumes what its saga reacts to
# (packages/contracts: topicOf of each saga key), in the consumer group named after it.
service() { # name own-topic consumed-topic...
  local name=$1 own=$2; shift 2
  allow "$name" --operation Write --topic "$own"
  allow "$name" --operation Write --topic "$name.dlt"
  local topic
  for topic in "$@"; do allow "$name" --operation Read --topic "$topic"; done
  allow "$name" --operation Read --group "$name"
}

scram_user admin "$KAFKA_ADMIN_PASSWORD"
scram_user schema-registry "$KAFKA_SCHEMA_REGISTRY_PASSWORD"
scram_user order-service "$KAFKA_ORDER_SERVICE_PASSWORD"
scram_user stock-service "$KAFKA_STOCK_SERVICE_PASSWORD"
scram_user payment-service "$KAFKA_PAYMENT_SERVICE_PASSWORD"

service order-service order.events stock.events payment.events
service stock-service stock.events order.events payment.events
service payment-service payment.events stock.events order.events
# payment's facts consumer (order.events: the orders it may charge) has a group of its own.
allow payment-service --operation Read --group payment-service.facts

# Confluent Schema Registry: its store topic (created, read, written, its config checked) and
# the group its store reader joins.
allow schema-registry --operation All --topic _schemas
allow schema-registry --operation All --group schema-registry
allow schema-registry --operation Describe --cluster
