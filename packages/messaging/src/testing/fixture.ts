// The messaging integration tests' fixture: a scratch database and topics, relays and consumers on the real Kafka, a network to cut.
import net from 'node:net'
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { Kafka, logLevel, type ISocketFactory, type Message, type Producer } from 'kafkajs'
import client from 'prom-client'
import { newEvent } from '@choreo/contracts'
import { createTestDatabase, createTestTopics, infra, kafkaAuth, readTopic, type TestDatabase } from '@choreo/testkit'
import { createEventCodec, type EventCodec } from '../avro.ts'
import { createSagaConsumer, type ConsumerOptions, type SagaConsumer } from '../consumer.ts'
import type { Saga } from '../saga.ts'
import { postgresDialect } from '../dialects/postgres.ts'
import type { Dialect } from '../dialects/index.ts'
import { createProducer } from '../kafka.ts'
import { defaultConsumerOptions } from '../messaging.ts'
import { silentLogger } from '../logger.ts'
import { createMessagingMetrics } from '../metrics.ts'
import { createMessagingTables } from '../migrations.ts'
import { missingTopics } from '../offsets.ts'
import { createOutbox, type Outbox } from '../outbox.ts'
import { createRelay, type Relay, type RelayOptions } from '../relay.ts'

export interface Published {
  orderId: string
  seq: number
  eventId: string
  key: string | null
  headers: Record<string, string>
  partition: number
}

/**
 * A database with the outbox and inbox, a topic prefix of its own, and factories for relays
 * and consumers wired to the real Kafka and registry. Test events are OrderDelivered, keyed by
 * `orderId`, with the per-key sequence number in `deliveredAt`.
 */
export interface Fixture {
  database: TestDatabase
  db: Knex
  prefix: string
  topic: string
  codec: EventCodec
  outbox: Outbox
  /** A Kafka client whose connections the test can cut, as a broker outage looks to a client. */
  network: {
    cut(): void
    restore(): void
    kafka: Kafka
    /** Connections the client tried to open while cut, and was refused. */
    readonly refused: number
  }
  relay(overrides?: Partial<RelayOptions>, via?: RelayVia): Relay
  /** A saga consumer; `db` replaces the fixture's database connection (a proxied one, say), `via.kafka` its Kafka client (another principal's). */
  consumer(group: string, saga: Saga, db?: Knex, overrides?: Partial<ConsumerOptions>, via?: { kafka?: Kafka; onCommitted?: () => void }): SagaConsumer
  /** Messages consumed by a group, by result (handled, deduplicated, ignored, dead_lettered). */
  consumed(group: string, result: string): Promise<number>
  /** Outbox rows the fixture's relays parked. */
  parked(): Promise<number>
  /** Retries of messages by a group, by kind (outage, contention). */
  retried(group: string, kind: string): Promise<number>
  /** Enqueues and commits one event for `orderId` with sequence `seq`. */
  write(orderId: string, seq: number): Promise<string>
  /** The test events on the topic, decoded, in partition/offset order. */
  published(): Promise<Published[]>
  close(): Promise<void>
}

export interface RelayVia {
  /** The Kafka client the relay's producers use. */
  kafka?: Kafka
  /** The dialect the relay uses; PostgreSQL's unless a test wraps it. */
  dialect?: Dialect
  /** Stamps every message the relay sends with a `sent-by` header, so the topic tells who published it. */
  sentBy?: string
  /** Told of every producer the relay asks for: one at start and a fresh one after each failed send. */
  onProducer?: () => void
}

export const fastRelay: Omit<RelayOptions, 'name'> = {
  batchSize: 500, pollIntervalMs: 50, listeningPollIntervalMs: 50, markDelayMs: 20, leaseRetryMs: 100, leaseIdleTimeoutMs: 10_000, retentionMs: 3600_000,
  purgeIntervalMs: 3600_000, purgeBatchSize: 100, purgeBatchesPerPass: 10, backoff: { initialMs: 50, maxMs: 500 },
}

export const cause = { correlationId: 'test', causationId: null, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }

export async function createFixture(label: string, groups: string[] = []): Promise<Fixture> {
  const database = await createTestDatabase(label, 8)
  const db = database.db
  await createMessagingTables(db)
  // Not idempotent on purpose: an event applied twice leaves two rows.
  await db.schema.createTable('effects', (t) => {
    t.bigIncrements('id')
    t.string('event_id').notNullable()
    t.string('order_id').notNullable()
    t.integer('seq').notNullable()
  })
  const prefix = await createTestTopics(label, groups)
  const codec = createEventCodec({ registryUrl: infra().registryUrl })
  await codec.register(['OrderDelivered'])
  const outbox = createOutbox({ codec, dialect: postgresDialect, topicPrefix: prefix })
  const network = partitionableKafka(label)
  const kafka = new Kafka({ clientId: label, brokers: infra().brokers, ...kafkaAuth(), logLevel: logLevel.NOTHING })
  const stoppers: (() => Promise<void>)[] = []
  const metrics = createMessagingMetrics(new client.Registry())

  return {
    database, db, prefix, codec, outbox, network,
    topic: `${prefix}order.events`,
    relay(overrides = {}, { kafka: client = kafka, dialect = postgresDialect, sentBy, onProducer } = {}) {
      const relay = createRelay({
        db, dialect, codec, logger: process.env.DEBUG_RELAY ? debugLogger : silentLogger,
        createProducer: () => {
          onProducer?.()
          return sentBy === undefined ? createProducer(client) : stamping(createProducer(client), sentBy)
        },
        metrics,
        topicExists: async (topic) => (await missingTopics(kafka, [topic])).length === 0,
        options: { ...fastRelay, name: 'test', ...overrides },
      })
      stoppers.push(() => relay.stop())
      return relay
    },
    consumer(group, saga, consumerDb = db, overrides = {}, { kafka: client = kafka, onCommitted = () => {} } = {}) {
      const producer = createProducer(client)
      const consumer = createSagaConsumer({
        kafka: client, db: consumerDb, dialect: postgresDialect, codec, outbox, saga, producer, logger: silentLogger, metrics,
        onCommitted,
        options: { group, alertAfterContentionAttempts: 3, backoff: { initialMs: 20, maxMs: 200 }, partitionsConsumedConcurrently: 2, topicPrefix: prefix, deadLetterTopic: `${prefix}${group}.dlt`,
          eventsPerTransaction: defaultConsumerOptions.eventsPerTransaction, batchLockWaitMs: defaultConsumerOptions.batchLockWaitMs, offsetCommitIntervalMs: defaultConsumerOptions.offsetCommitIntervalMs,
          inboxPurge: { retentionMs: 3600_000, intervalMs: 3600_000, batchSize: 100, batchesPerPass: 10 }, ...overrides },
      })
      stoppers.push(async () => { await consumer.stop(); await producer.disconnect() })
      return {
        async start() { await producer.connect(); await consumer.start() },
        stop: () => consumer.stop(),
      }
    },
    async consumed(group, result) {
      const { values } = await metrics.consumed.get()
      return values.find((v) => v.labels.group === group && v.labels.result === result)?.value ?? 0
    },
    async parked() {
      return (await metrics.parked.get()).values[0]?.value ?? 0
    },
    async retried(group, kind) {
      const { values } = await metrics.retried.get()
      return values.find((v) => v.labels.group === group && v.labels.kind === kind)?.value ?? 0
    },
    async write(orderId, seq) {
      const [e] = await db.transaction((trx) => outbox.enqueue(trx, newEvent('OrderDelivered', { orderId, deliveredAt: seq }), cause))
      return e!.eventId
    },
    async published() {
      const messages = await readTopic(`${prefix}order.events`)
      const out: Published[] = []
      for (const m of messages) {
        const { payload } = await codec.decode(m.value!)
        out.push({ orderId: String(payload.orderId), seq: Number(payload.deliveredAt), eventId: String(payload.eventId), key: m.key, headers: m.headers, partition: m.partition })
      }
      return out
    },
    async close() {
      for (const stop of stoppers.reverse()) await stop().catch(() => {})
      await database.drop()
    },
  }
}

/** Groups published events by key, keeping the order of first occurrence of each event id. */
export function firstOccurrencesByKey(events: { orderId: string; seq: number; eventId: string }[]): Map<string, number[]> {
  const seen = new Set<string>()
  const byKey = new Map<string, number[]>()
  for (const e of events) {
    if (seen.has(e.eventId)) continue
    seen.add(e.eventId)
    byKey.set(e.orderId, [...(byKey.get(e.orderId) ?? []), e.seq])
  }
  return byKey
}

const debugLogger = { ...silentLogger, warn: (o: object, m?: string) => console.log('WARN', m, (o as { err?: Error }).err?.message), info: (o: object, m?: string) => console.log('INFO', m), child: () => debugLogger }

export const ids = (n: number): string[] => Array.from({ length: n }, () => randomUUID())

/** The producer, with a `sent-by` header added to every message it sends. */
function stamping(producer: Producer, sentBy: string): Producer {
  // In place: the caller may know its messages by identity (partitionOf).
  const stamp = (messages: Message[]): void => { for (const m of messages) m.headers = { ...m.headers, 'sent-by': sentBy } }
  return {
    ...producer,
    send: (record) => { stamp(record.messages); return producer.send(record) },
    sendBatch: (batch) => { for (const t of batch.topicMessages ?? []) stamp(t.messages); return producer.sendBatch(batch) },
  }
}

function partitionableKafka(label: string) {
  let down = false
  let refused = 0
  const sockets = new Set<net.Socket>()
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    if (down) {
      refused++
      const socket = new net.Socket()
      process.nextTick(() => socket.destroy(Object.assign(new Error('connection refused (test partition)'), { code: 'ECONNREFUSED' })))
      return socket
    }
    const socket = net.connect({ host, port }, onConnect)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    return socket
  }
  return {
    kafka: new Kafka({ clientId: `${label}-partitionable`, brokers: infra().brokers, ...kafkaAuth(), logLevel: logLevel.NOTHING, socketFactory, retry: { retries: 2, initialRetryTime: 50 } }),
    cut() {
      down = true
      // A broker that goes away resets its connections; kafkajs reacts to the error at once.
      for (const s of sockets) s.destroy(Object.assign(new Error('connection reset (test partition)'), { code: 'ECONNRESET' }))
    },
    restore() {
      down = false
    },
    get refused() {
      return refused
    },
  }
}
