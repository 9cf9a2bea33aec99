// `./choreo bench pickup`: commit-to-consumer latency at a steady rate, for writers in the relay's process and for writers in another, which wake it through the database.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { eventTopics, prefixed } from '@choreo/contracts'
import { createMessaging, defaultRelayOptions, createMessagingTables, silentLogger, type Messaging } from '@choreo/messaging'
import { progress } from './log.ts'
import { benchCause, orderEvent } from './order-events.ts'
import { nowMs, openLoop } from './open-loop.ts'
import type { WriterMessage } from './pickup-writer.ts'
import { machineFacts, percentile, round, writeResult } from './results.ts'
import { benchKafka, benchStack, createBenchDatabase, createBenchTopics, type BenchDatabase, type BenchStack } from './stack.ts'
import type { BenchKafka } from './topic-offsets.ts'

export interface PickupBenchOptions {
  rate: number
  seconds: number
  /** Database connections for the writers and the relay, which holds one for its lease. */
  poolMax: number
}

export const pickupDefaults: PickupBenchOptions = { rate: 1000, seconds: 30, poolMax: 12 }

const WARMUP_SECONDS = 2
const ARRIVAL_TIMEOUT_MS = 30_000

interface Latency {
  /** Commit → the relay's send (the Kafka message timestamp) and send → arrival, p50/p99. */
  split: { toSendP50Ms: number; toSendP99Ms: number; toArrivalP50Ms: number; toArrivalP99Ms: number }
  events: number
  committedPerSecond: number
  missing: number
  failedWrites: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
}

/** When the consumer received each event, and when the relay sent it (the message's timestamp), by event id. */
interface Arrival { at: number; sentAt: number }

/** Arrival times by event id, as the consumer sees them. */
async function startReader(kafka: BenchKafka, topic: string, arrivals: Map<string, Arrival>): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId: `${topic}.pickup-reader`, allowAutoTopicCreation: false })
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()))
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const at = nowMs()
      for (const m of batch.messages) {
        const id = m.headers?.['event-id']?.toString()
        if (id) arrivals.set(id, { at, sentAt: Number(m.timestamp) })
      }
    },
  })
  await joined
  return () => consumer.disconnect()
}

async function untilArrived(ids: Iterable<string>, arrivals: Map<string, Arrival>): Promise<void> {
  const deadline = Date.now() + ARRIVAL_TIMEOUT_MS
  const wanted = [...ids]
  while (wanted.some((id) => !arrivals.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
}

function latencyOf(commits: Map<string, number>, arrivals: Map<string, Arrival>, seconds: number, failedWrites: number): Latency {
  const latencies: number[] = []
  const toSend: number[] = []
  const toArrival: number[] = []
  let missing = 0
  for (const [id, committedAt] of commits) {
    const arrival = arrivals.get(id)
    if (arrival === undefined) {
      missing++
      continue
    }
    latencies.push(arrival.at - committedAt)
    toSend.push(arrival.sentAt - committedAt)
    toArrival.push(arrival.at - arrival.sentAt)
  }
  return {
    split: {
      toSendP50Ms: round(percentile(toSend, 50)), toSendP99Ms: round(percentile(toSend, 99)),
      toArrivalP50Ms: round(percentile(toArrival, 50)), toArrivalP99Ms: round(percentile(toArrival, 99)),
    },
    events: commits.size, committedPerSecond: Math.round(commits.size / seconds), missing, failedWrites,
    p50Ms: round(percentile(latencies, 50)), p90Ms: round(percentile(latencies, 90)), p99Ms: round(percentile(latencies, 99)), maxMs: round(percentile(latencies, 100)),
  }
}

/** Writers in this process, through messaging's transaction helper: each commit wakes the relay. */
async function inProcess(messaging: Messaging, rate: number, seconds: number, arrivals: Map<string, Arrival>): Promise<Latency> {
  const commits = new Map<string, number>()
  const write = async (record: boolean): Promise<void> => {
    const [event] = await messaging.transaction((trx) => messaging.outbox.enqueue(trx, orderEvent(randomUUID(), 0), benchCause()))
    if (event && record) commits.set(event.eventId, nowMs())
  }
  await openLoop({ rate, seconds: WARMUP_SECONDS, operation: () => write(false) })
  const { failed } = await openLoop({ rate, seconds, operation: () => write(true) })
  await untilArrived(commits.keys(), arrivals)
  return latencyOf(commits, arrivals, seconds, failed)
}

/** Writers in another process: their notices through the database wake the relay (before, only its poll found their rows). */
async function otherProcess(stack: BenchStack, database: BenchDatabase, prefix: string, opts: PickupBenchOptions, arrivals: Map<string, Arrival>): Promise<Latency> {
  const commits = new Map<string, number>()
  let failed = 0
  // silent: knex reports each connection it waited too long for on stderr; failures are counted instead.
  const child = fork(path.join(import.meta.dirname, 'pickup-writer.ts'), [], {
    silent: true,
    env: {
      ...process.env, BENCH_DATABASE_URL: database.url, BENCH_POOL_MAX: String(opts.poolMax), BENCH_TOPIC_PREFIX: prefix,
      SCHEMA_REGISTRY_URL: stack.registryUrl, BENCH_RATE: String(opts.rate), BENCH_SECONDS: String(opts.seconds),
    },
  })
  child.stdout?.resume()
  child.stderr?.resume()
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: WriterMessage) => {
      for (const [id, at] of m.commits) commits.set(id, at)
      if (m.done) failed = m.done.failed
    })
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the writer process exited with ${code}`))))
  })
  await untilArrived(commits.keys(), arrivals)
  return latencyOf(commits, arrivals, opts.seconds, failed)
}

export async function benchPickup(opts: PickupBenchOptions): Promise<void> {
  const stack = benchStack()
  const kafka = benchKafka(stack, 'bench-pickup')
  const database = await createBenchDatabase(stack, 'pickup', opts.poolMax)
  const topics = await createBenchTopics(stack, 'pickup')
  let stopReader: (() => Promise<void>) | undefined
  let messaging: Messaging | undefined
  try {
    await createMessagingTables(database.db)
    const machine = await machineFacts(database.db)
    messaging = createMessaging(database.db, { service: 'bench-pickup', brokers: stack.brokers, ...(stack.sasl ? { sasl: stack.sasl } : {}), registryUrl: stack.registryUrl, publishes: ['OrderPlaced'], topicPrefix: topics.prefix }, silentLogger)
    await messaging.start()
    const arrivals = new Map<string, Arrival>()
    stopReader = await startReader(kafka, prefixed(topics.prefix, eventTopics.order), arrivals)

    progress(`in-process writers: ${opts.rate} events/s for ${opts.seconds} s`)
    const woken = await inProcess(messaging, opts.rate, opts.seconds, arrivals)
    progress(`in-process: p50 ${woken.p50Ms} ms, p99 ${woken.p99Ms} ms (commit → send p50 ${woken.split.toSendP50Ms} ms, send → arrival p50 ${woken.split.toArrivalP50Ms} ms)`)
    progress(`writers in another process: ${opts.rate} events/s for ${opts.seconds} s (each commit notifies the relay through the database; its fallback poll is ${defaultRelayOptions.listeningPollIntervalMs} ms)`)
    const polled = await otherProcess(stack, database, topics.prefix, opts, arrivals)
    progress(`other process: p50 ${polled.p50Ms} ms, p99 ${polled.p99Ms} ms`)

    const file = writeResult('pickup', {
      benchmark: 'pickup', at: new Date().toISOString(),
      inputs: { ...opts, warmupSeconds: WARMUP_SECONDS, relayPollIntervalMs: defaultRelayOptions.listeningPollIntervalMs, eventsPerTransaction: 1 },
      machine, figures: { inProcess: woken, otherProcess: polled },
      targets: { p50Ms: 5, p99Ms: 25 },
      notes: [
        'latency: from the commit returning to the writer until a consumer in the benchmark process receives the message',
        'in-process writers commit through messaging.transaction, which wakes the relay; writers in another process notify it through the database after each commit (pg_notify), as a standby instance does',
        'the machine is shared: absolute figures vary from run to run',
      ],
    })
    console.log(`pickup at ${opts.rate}/s: in-process p50 ${woken.p50Ms} ms p99 ${woken.p99Ms} ms; other process p50 ${polled.p50Ms} ms p99 ${polled.p99Ms} ms; ${file}`)
  } finally {
    await stopReader?.()
    await messaging?.close()
    await topics.drop()
    await database.drop()
  }
}
