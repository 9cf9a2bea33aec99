// `./choreo bench relay`: the relay draining a full outbox, against a ceiling (the same messages produced from memory) and against Debezium.
import client from 'prom-client'
import type { Knex } from 'knex'
import { eventTopics, prefixed, type EventType } from '@choreo/contracts'
import {
  createEventCodec, createMessagingMetrics, createOutbox, createProducer, createRelay, defaultRelayOptions,
  createMessagingTables, postgresDialect, silentLogger, type EventCodec,
} from '@choreo/messaging'
import { timeDebezium, type DebeziumFigures } from './debezium.ts'
import { progress } from './log.ts'
import { BENCH_EVENT_TYPES, fillOutbox } from './order-events.ts'
import { machineFacts, round, writeResult } from './results.ts'
import { benchKafka, benchStack, createBenchDatabase, createBenchTopics, type BenchStack } from './stack.ts'
import { messagesOn, type BenchAdmin, type BenchKafka } from './topic-offsets.ts'

export interface RelayBenchOptions {
  events: number
  keys: number
  /** The relay's batch size, and the ceiling's. */
  batchSize: number
  /** Events per enqueue transaction when filling the outbox (and per insert for Debezium). */
  perTransaction: number
  debezium: boolean
}

export const relayDefaults: RelayBenchOptions = { events: 200_000, keys: 10_000, batchSize: defaultRelayOptions.batchSize, perTransaction: 1000, debezium: true }

interface Throughput {
  events: number
  seconds: number
  eventsPerSecond: number
  /** CPU time of this Node process per 1,000 events (the relay or the producer, plus pg/kafkajs). */
  cpuMsPer1000: number
}

const DONE_POLL_MS = 20
const PAGE = 10_000

function throughput(events: number, startedAt: number, cpuBefore: NodeJS.CpuUsage): Throughput {
  const seconds = (performance.now() - startedAt) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  return { events, seconds: round(seconds, 2), eventsPerSecond: Math.round(events / seconds), cpuMsPer1000: round((cpu.user + cpu.system) / 1000 / (events / 1000), 1) }
}

/** The relay draining a full outbox: from start until it has marked every row published. */
export async function timeRelay(db: Knex, codec: EventCodec, kafka: BenchKafka, opts: RelayBenchOptions): Promise<Throughput> {
  const metrics = createMessagingMetrics(new client.Registry())
  const relay = createRelay({
    db, dialect: postgresDialect, codec, logger: silentLogger, metrics,
    createProducer: () => createProducer(kafka),
    options: { ...defaultRelayOptions, batchSize: opts.batchSize, name: 'bench' },
  })
  const cpu = process.cpuUsage()
  const started = performance.now()
  relay.start()
  while (((await metrics.published.get()).values[0]?.value ?? 0) < opts.events) await new Promise((r) => setTimeout(r, DONE_POLL_MS))
  const figures = throughput(opts.events, started, cpu)
  await relay.stop()
  return figures
}

/**
 * The ceiling: the same messages (already encoded, in memory) produced with the relay's producer,
 * batch size and acks, one batch after the other, as the relay sends them.
 */
async function timeCeiling(db: Knex, codec: EventCodec, kafka: BenchKafka, opts: RelayBenchOptions, from: string, to: string): Promise<Throughput & { meanValueBytes: number }> {
  type Row = { id: string; event_type: EventType; topic: string; aggregate_id: string; payload: Record<string, unknown>; headers: Record<string, string> }
  const messages: { topic: string; key: string; value: Buffer; headers: Record<string, string> }[] = []
  for (let after = 0; ;) {
    const rows: Row[] = await db('outbox').select('id', 'event_type', 'topic', 'aggregate_id', 'payload', 'headers').where('id', '>', after).orderBy('id').limit(PAGE)
    if (rows.length === 0) break
    for (const r of rows) messages.push({ topic: to + r.topic.slice(from.length), key: r.aggregate_id, value: codec.encode(r.event_type, r.payload), headers: r.headers })
    after = Number(rows.at(-1)?.id)
  }
  const meanValueBytes = Math.round(messages.reduce((sum, m) => sum + m.value.length, 0) / messages.length)
  const producer = createProducer(kafka)
  await producer.connect()
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < messages.length; i += opts.batchSize) {
    const byTopic = Map.groupBy(messages.slice(i, i + opts.batchSize), (m) => m.topic)
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, ms]) => ({ topic, messages: ms.map(({ key, value, headers }) => ({ key, value, headers })) })) })
  }
  const figures = throughput(messages.length, started, cpu)
  await producer.disconnect()
  return { ...figures, meanValueBytes }
}

export async function assertAllOn(admin: BenchAdmin, prefix: string, expected: number, what: string): Promise<void> {
  const found = await messagesOn(admin, [prefixed(prefix, eventTopics.order), prefixed(prefix, eventTopics.stock)])
  if (found !== expected) throw new Error(`${what}: ${found} messages on the topics, expected ${expected}`)
}

export async function benchRelay(opts: RelayBenchOptions): Promise<void> {
  const stack: BenchStack = benchStack()
  const kafka = benchKafka(stack, 'bench-relay')
  const admin = kafka.admin()
  await admin.connect()
  const codec = createEventCodec({ registryUrl: stack.registryUrl })
  await codec.register([...BENCH_EVENT_TYPES])
  const cleanup: (() => Promise<void>)[] = []
  try {
    const relayDb = await createBenchDatabase(stack, 'relay', 4)
    cleanup.push(relayDb.drop)
    const relayTopics = await createBenchTopics(stack, 'relay')
    cleanup.push(relayTopics.drop)
    await createMessagingTables(relayDb.db)
    progress(`filling the outbox with ${opts.events} events over ${opts.keys} keys`)
    const fillStarted = performance.now()
    await fillOutbox(relayDb.db, createOutbox({ codec, dialect: postgresDialect, topicPrefix: relayTopics.prefix }), opts)
    const fillSeconds = round((performance.now() - fillStarted) / 1000, 1)
    await relayDb.db.raw('VACUUM ANALYZE outbox')
    const machine = await machineFacts(relayDb.db)

    progress('relay: draining the outbox')
    const relay = await timeRelay(relayDb.db, codec, kafka, opts)
    await assertAllOn(admin, relayTopics.prefix, opts.events, 'relay')
    const left = Number((await relayDb.db('outbox').whereNull('published_at').count<{ n: string }[]>({ n: '*' }))[0]?.n)
    if (left !== 0) throw new Error(`relay: ${left} rows left unpublished`)
    progress(`relay: ${relay.eventsPerSecond} events/s`)

    progress('ceiling: producing the same messages from memory')
    const ceilingTopics = await createBenchTopics(stack, 'ceiling')
    cleanup.push(ceilingTopics.drop)
    const ceiling = await timeCeiling(relayDb.db, codec, kafka, opts, relayTopics.prefix, ceilingTopics.prefix)
    await assertAllOn(admin, ceilingTopics.prefix, opts.events, 'ceiling')
    progress(`ceiling: ${ceiling.eventsPerSecond} events/s`)

    let debezium: DebeziumFigures | { skipped: string } = { skipped: '--no-debezium' }
    if (opts.debezium) {
      // Last, because switching wal_level restarts PostgreSQL under everyone's feet.
      const dbzDb = await createBenchDatabase(stack, 'debezium', 2)
      cleanup.push(dbzDb.drop)
      const dbzTopics = await createBenchTopics(stack, 'debezium')
      cleanup.push(dbzTopics.drop)
      await createMessagingTables(dbzDb.db)
      const dbzOutbox = createOutbox({ codec, dialect: postgresDialect, topicPrefix: dbzTopics.prefix })
      progress('debezium: staging the same number of events, written by enqueue')
      await fillOutbox(dbzDb.db, dbzOutbox, opts)
      await dbzDb.db.raw('CREATE TABLE outbox_staged AS SELECT * FROM outbox')
      await dbzDb.db.raw('TRUNCATE outbox')
      debezium = await timeDebezium({ stack, admin, database: dbzDb, outbox: dbzOutbox, prefix: dbzTopics.prefix, perTransaction: opts.perTransaction })
      progress(`debezium: ${debezium.eventsPerSecond} events/s`)
    }

    const ratios = {
      relayToCeiling: round(relay.eventsPerSecond / ceiling.eventsPerSecond, 2),
      relayToDebezium: 'eventsPerSecond' in debezium ? round(relay.eventsPerSecond / debezium.eventsPerSecond, 2) : null,
      relayToDebeziumBacklog: 'eventsPerSecond' in debezium ? round(relay.eventsPerSecond / debezium.backlogEventsPerSecond, 2) : null,
    }
    const file = writeResult('relay', {
      benchmark: 'relay', at: new Date().toISOString(), inputs: { ...opts, fillSeconds }, machine,
      figures: { relay, ceiling, debezium, ratios },
      targets: { eventsPerSecond: 20_000, relayToCeiling: 0.6, relayToDebezium: 1.0 },
      notes: [
        'relay and ceiling publish Avro in the Confluent wire format (schema id + binary); Debezium publishes the payload as JSON text (StringConverter), so compare events/s, not bytes/s',
        'the relay drains a pre-filled outbox; Debezium streams rows inserted after it started: eventsPerSecond counts from the first insert (so the insert can hold it back), backlogEventsPerSecond is its pace on what was left when the insert ended',
        'the machine is shared: compare the ratios measured side by side in one run, not absolute figures across runs',
      ],
    })
    console.log(`relay: ${relay.eventsPerSecond} events/s; ceiling ${ceiling.eventsPerSecond} (${Math.round(ratios.relayToCeiling * 100)}%)`
      + `; debezium ${'eventsPerSecond' in debezium ? `${debezium.eventsPerSecond}, backlog ${debezium.backlogEventsPerSecond} (relay ${ratios.relayToDebezium}×, ${ratios.relayToDebeziumBacklog}×)` : 'skipped'}; ${file}`)
  } finally {
    await admin.disconnect()
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => progress(`cleanup failed: ${String(err)}`))
  }
}
