// Vitest's global setup: finds the stack the integration and e2e tests run against and checks it answers before any test starts.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import type { Infra, KafkaCredentials } from './infra.ts'

/*
 * Finds the infrastructure the integration and end-to-end tests run against, in this order:
 * 1. explicit environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TEST_POSTGRES_URL (TEST_MSSQL_URL);
 * 2. Testcontainers, where a Docker engine answers;
 * 3. the native stack that `./choreo test` starts (Kafka, Apicurio, the local PostgreSQL).
 * Tests never start brokers themselves.
 */
let stopContainers: (() => Promise<void>) | undefined

export async function setup(project: TestProject): Promise<void> {
  const found = fromEnvironment() ?? (dockerAnswers() ? await fromTestcontainers() : native())
  await assertReachable(found)
  project.provide('infra', found)
}

export async function teardown(): Promise<void> {
  await stopContainers?.()
}

function fromEnvironment(): Infra | undefined {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TEST_POSTGRES_URL, TEST_MSSQL_URL } = process.env
  if (!KAFKA_BROKERS || !SCHEMA_REGISTRY_URL || !TEST_POSTGRES_URL) return undefined
  return {
    brokers: KAFKA_BROKERS.split(','),
    ...kafkaCredentials(),
    registryUrl: SCHEMA_REGISTRY_URL,
    postgresUrl: TEST_POSTGRES_URL,
    mssql: TEST_MSSQL_URL ? { url: TEST_MSSQL_URL } : { skipped: 'TEST_MSSQL_URL is not set and no Docker engine answers: SQL Server cannot run on this machine' },
    source: 'environment',
  }
}

function native(): Infra {
  const env = process.env
  return {
    // ./choreo exports KAFKA_BROKERS: every node of the stack, one or three.
    brokers: (env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? 9092}`).split(','),
    ...kafkaCredentials(),
    registryUrl: `http://127.0.0.1:${env.REGISTRY_PORT ?? 8081}/apis/ccompat/v7`,
    postgresUrl: `postgres://${env.PGUSER ?? 'postgres'}@${env.PGHOST ?? '127.0.0.1'}:${env.PGPORT ?? 5432}/postgres`,
    mssql: { skipped: 'no Docker engine answers, so no SQL Server can run here (set TEST_MSSQL_URL to use one)' },
    source: 'native',
  }
}

/**
 * Kafka credentials from the environment ./choreo exports: the operator's (KAFKA_SASL_*) and,
 * from KAFKA_CREDENTIALS (infra/bin/stack.sh), each service principal's password.
 */
function kafkaCredentials(): Pick<Infra, 'sasl' | 'principals'> {
  const { KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_CREDENTIALS } = process.env
  if (!KAFKA_SASL_USERNAME || !KAFKA_SASL_PASSWORD) return {}
  const mechanism = (KAFKA_SASL_MECHANISM ?? 'scram-sha-512') as KafkaCredentials['mechanism']
  const principals: Record<string, KafkaCredentials> = {}
  for (const username of ['order-service', 'stock-service', 'payment-service']) {
    const file = KAFKA_CREDENTIALS ? path.join(KAFKA_CREDENTIALS, `${username}.password`) : undefined
    if (file && existsSync(file)) principals[username] = { mechanism, username, password: readFileSync(file, 'utf8').trim() }
  }
  return { sasl: { mechanism, username: KAFKA_SASL_USERNAME, password: KAFKA_SASL_PASSWORD }, principals }
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 })
    return true
  } catch {
    return false
  }
}

async function fromTestcontainers(): Promise<Infra> {
  const { GenericContainer, Network, Wait } = await import('testcontainers')
  const network = await new Network().start()
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withNetwork(network).withNetworkAliases('kafka').withExposedPorts({ container: 19092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1', KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'INTERNAL://:9092,EXTERNAL://:19092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka:9092,EXTERNAL://127.0.0.1:19092',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL', KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093', KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1', KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/)).start()
  const registry = await new GenericContainer('confluentinc/cp-schema-registry:7.9.0')
    .withNetwork(network).withExposedPorts(8081)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry', SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'kafka:9092',
    })
    .withWaitStrategy(Wait.forHttp('/subjects', 8081)).start()
  const postgres = await new GenericContainer('postgres:16').withExposedPorts(5432)
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2)).start()
  const mssql = await new GenericContainer('mcr.microsoft.com/mssql/server:2022-latest').withExposedPorts(1433)
    .withEnvironment({ ACCEPT_EULA: 'Y', MSSQL_SA_PASSWORD: 'Choreo_test_2026!' })
    .withWaitStrategy(Wait.forLogMessage(/Recovery is complete/)).start()
  stopContainers = async () => {
    await Promise.all([kafka.stop(), registry.stop(), postgres.stop(), mssql.stop()])
    await network.stop()
  }
  return {
    brokers: ['127.0.0.1:19092'],
    registryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
    postgresUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    mssql: { url: `mssql://sa:${encodeURIComponent('Choreo_test_2026!')}@${mssql.getHost()}:${mssql.getMappedPort(1433)}/master?encrypt=true&trustServerCertificate=true` },
    source: 'testcontainers',
  }
}

/** How long a registry that answers with an error may take to recover (its pool, after PostgreSQL restarted under it). */
const REGISTRY_RECOVERY_MS = 30_000

async function assertReachable(found: Infra): Promise<void> {
  const hint = found.source === 'native' ? ' (run the suite with `./choreo test`, which starts the stack)' : ''
  const deadline = Date.now() + REGISTRY_RECOVERY_MS
  for (;;) {
    const res = await fetch(`${found.registryUrl}/subjects`).catch((err: unknown) => err as Error)
    if (!(res instanceof Error) && res.ok) return
    // Not listening at all: no stack, say so at once. Listening but failing: give it a moment.
    if (res instanceof Error || Date.now() > deadline) {
      throw new Error(`schema registry at ${found.registryUrl} does not answer${res instanceof Error ? '' : ` (HTTP ${res.status})`}${hint}`)
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}
