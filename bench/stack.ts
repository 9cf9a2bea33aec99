// The stack the benchmarks run on (brokers, registry, PostgreSQL from ./choreo's environment), and the databases and topics each makes and drops.
import { randomBytes } from 'node:crypto'
import { declaredTopics } from '@choreo/contracts'
import { createKafka, ensureTopics, silentLogger, type KafkaSasl } from '@choreo/messaging'
import { baseConfigSchema, brokersOf, createScratchDatabase, kafkaSaslOf, loadConfig, type ScratchDatabase } from '@choreo/platform'

/*
 * The running stack the benchmarks use: the broker and registry ./choreo passes in the
 * environment, and the local PostgreSQL. Every benchmark makes databases and topics of its own
 * (databases with platform's scratch databases, as tests and tools make theirs) and drops them after.
 */
export interface BenchStack {
  brokers: string[]
  /** The operator's Kafka credentials ./choreo exports, where Kafka requires them. */
  sasl: KafkaSasl | undefined
  registryUrl: string
  /** A PostgreSQL URL with the right to create databases. */
  postgresUrl: string
}

export function benchStack(env: NodeJS.ProcessEnv = process.env): BenchStack {
  const user = env.PGUSER ?? 'postgres'
  return {
    brokers: brokersOf(env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    sasl: kafkaSaslOf(loadConfig({ KAFKA_SASL_MECHANISM: baseConfigSchema.KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME: baseConfigSchema.KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: baseConfigSchema.KAFKA_SASL_PASSWORD }, env)),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    postgresUrl: env.BENCH_POSTGRES_URL ?? `postgres://${user}@${env.PGHOST ?? '127.0.0.1'}:${env.PGPORT ?? 5432}/postgres`,
  }
}

/** A name no earlier run used: `bench_<label>_<hex>` (databases) or `bench-<label>-<hex>.` (topic prefixes). */
export function runName(label: string, separator: '_' | '-'): string {
  return ['bench', label, randomBytes(4).toString('hex')].join(separator)
}

export type BenchDatabase = ScratchDatabase

/** A fresh, empty database; `drop` closes the pool and removes it. */
export async function createBenchDatabase(stack: BenchStack, label: string, poolMax = 10): Promise<BenchDatabase> {
  return createScratchDatabase(stack.postgresUrl, runName(label, '_'), poolMax)
}

export interface BenchTopics {
  prefix: string
  drop(): Promise<void>
}

/** Every declared topic under a fresh prefix; `drop` deletes them, so runs leave no data on the broker. */
export async function createBenchTopics(stack: BenchStack, label: string): Promise<BenchTopics> {
  const kafka = benchKafka(stack, 'bench-admin')
  const prefix = `${runName(label, '-')}.`
  const topics = declaredTopics(prefix)
  await ensureTopics(kafka, topics)
  return {
    prefix,
    async drop() {
      const admin = kafka.admin()
      await admin.connect()
      try {
        await admin.deleteTopics({ topics: topics.map((t) => t.topic) })
      } finally {
        await admin.disconnect()
      }
    },
  }
}

/** A Kafka client on the bench's stack, as the operator where Kafka authenticates. */
export function benchKafka(stack: Pick<BenchStack, 'brokers' | 'sasl'>, clientId: string): ReturnType<typeof createKafka> {
  return createKafka({ clientId, brokers: stack.brokers, ...(stack.sasl ? { sasl: stack.sasl } : {}) }, silentLogger)
}
