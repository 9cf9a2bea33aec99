// `replay --read-model`: each order's status rebuilt from the topics by messaging's own consumer, and compared with order-service's.
import type { Knex } from 'knex'
import { eventSchemas, eventTopics, prefixed, type EventType, type ReceivedEvent } from '@choreo/contracts'
import {
  createOutbox, createProducer, createSagaConsumer, defaultConsumerOptions, dialectOf, ensureTopics, createMessagingTables, step, type Handler, type Saga,
} from '@choreo/messaging'
import { missingTopics } from '@choreo/messaging/operations'
import { isTerminal, type OrderStatus } from '@choreo/order-service'
import type { Clients } from './clients.ts'
import { CommandFailed } from './command.ts'
import { projectStatus } from './order-status-projection.ts'
import { stderrLogger } from './stderr-logger.ts'

/** Where the rebuild's consumer sends what it cannot read (created on first use, like the services' own). */
const READ_MODEL_DLT = 'read-model.dlt'
const POLL_MS = 500
// The group has consumed nothing for this long: something is wrong (see stderr), stop waiting.
const STALL_MS = 60_000

/** The read model: one row per order with its projected status. */
async function createReadModelTable(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_status', (t) => {
    t.string('order_id', 36).primary()
    t.string('status', 20).notNullable()
    t.string('last_event', 64).notNullable()
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
}

/** Every event folds into its order's row, in the transaction the consumer claims the event in. */
function projectionSaga(): Saga {
  const project = async (event: ReceivedEvent, trx: Knex.Transaction): Promise<[]> => {
    const orderId = event.payload.orderId
    const row: { status: OrderStatus } | undefined = await trx('order_status').first('status').where({ order_id: orderId }).forUpdate()
    const status = projectStatus(row?.status, event)
    await trx('order_status').insert({ order_id: orderId, status, last_event: event.type, updated_at: trx.fn.now() })
      .onConflict('order_id').merge()
    return []
  }
  const handlerOf = <T extends EventType>(type: T): Handler<T> => (payload, trx) => project({ type, payload } as ReceivedEvent, trx)
  // A saga page's entries are steps (the consumer runs `handle`); this one emits nothing.
  const stepOf = (type: EventType) => step(handlerOf(type), { does: "folds the event into its order's status" })
  return Object.fromEntries((Object.keys(eventSchemas) as EventType[]).map((t) => [t, stepOf(t)])) as Saga
}

/** Empties the scratch database's read model, inbox and outbox, so the rebuild starts from nothing. */
async function resetScratch(scratch: Knex): Promise<void> {
  for (const table of ['order_status', 'inbox', 'outbox']) await scratch.schema.dropTableIfExists(table)
  await createMessagingTables(scratch)
  await createReadModelTable(scratch)
}

/**
 * Replays order.events, stock.events and payment.events from the beginning into a fresh
 * consumer group whose saga is the projection, until the group has consumed everything that
 * was on the topics when it started; then removes the group. The consumer is messaging's own,
 * so the rebuild has the same inbox, transactions and dead letters as a service.
 */
export async function rebuildReadModel(clients: Clients, scratch: Knex, group: string): Promise<Map<string, OrderStatus>> {
  const { prefix } = clients.settings
  const topics = Object.values(eventTopics).map((t) => prefixed(prefix, t))
  const missing = await missingTopics(clients.kafka, topics)
  if (missing.length > 0) throw new CommandFailed(`no topic ${missing.join(', ')} (the prefix is '${prefix}')`)
  await resetScratch(scratch)
  const deadLetters = prefixed(prefix, READ_MODEL_DLT)
  await ensureTopics(clients.kafka, [{ topic: deadLetters, partitions: 1 }])
  const ends = new Map<string, bigint>()
  for (const topic of topics) for (const r of await clients.offsets.ranges(topic)) if (r.high > r.low) ends.set(`${topic}:${r.partition}`, r.high)

  const dialect = dialectOf(scratch)
  const producer = createProducer(clients.kafka)
  await producer.connect()
  const consumer = createSagaConsumer({
    kafka: clients.kafka, db: scratch, dialect, codec: clients.codec, producer, saga: projectionSaga(),
    outbox: createOutbox({ codec: clients.codec, dialect, topicPrefix: prefix }),
    logger: stderrLogger, onCommitted: () => {},
    options: { ...defaultConsumerOptions, group, topicPrefix: prefix, deadLetterTopic: deadLetters },
  })
  const committedOf = new Map<string, bigint>()
  try {
    await consumer.start()
    let progress = -1n
    let progressAt = Date.now()
    for (;;) {
      const behind = [...ends].filter(([key, high]) => (committedOf.get(key) ?? -1n) < high)
      if (behind.length === 0) break
      if (Date.now() - progressAt > STALL_MS) throw new CommandFailed(`the rebuild consumed nothing for ${STALL_MS / 1000}s; ${behind.length} partition(s) not caught up`)
      await new Promise((r) => setTimeout(r, POLL_MS))
      for (const topic of topics) for (const [p, offset] of await clients.offsets.committed(group, topic)) committedOf.set(`${topic}:${p}`, offset)
      const total = [...committedOf.values()].reduce((a, b) => a + b, 0n)
      if (total !== progress) { progress = total; progressAt = Date.now() }
    }
  } finally {
    await consumer.stop()
    await producer.disconnect()
    await clients.offsets.deleteGroup(group).catch(() => {})
  }
  const rows: { order_id: string; status: OrderStatus }[] = await scratch('order_status').select('order_id', 'status')
  return new Map(rows.map((r) => [r.order_id, r.status]))
}

export type Verdict = 'same' | 'different' | 'only live' | 'only rebuilt' | 'events missing'

export interface StatusComparison {
  orderId: string
  live: OrderStatus | null
  rebuilt: OrderStatus | null
  /** 'events missing': order-service has the order, placed before the replay began, but no topic has any event of it. */
  verdict: Verdict
  /** A difference on an order still moving may only mean the saga moved on meanwhile. */
  inFlight: boolean
}

/**
 * Order by order, the live status (order-service's database) against the rebuilt one. An order
 * only live is in flight if it was placed after the replay began or its OrderPlaced waits in the
 * outbox; otherwise its events are gone from Kafka (its storage wiped under existing orders).
 */
export async function compareWithLive(live: Knex, rebuilt: ReadonlyMap<string, OrderStatus>, replayBegan: Date): Promise<StatusComparison[]> {
  const rows: { order_id: string; status: OrderStatus; created_at: Date }[] = await live('orders').select('order_id', 'status', 'created_at')
  const unpublished = new Set((await live('outbox').distinct('aggregate_id').whereNull('published_at')).map((r: { aggregate_id: string }) => r.aggregate_id))
  const liveOf = new Map(rows.map((r) => [r.order_id, r]))
  const ids = [...new Set([...liveOf.keys(), ...rebuilt.keys()])].sort()
  return ids.map((orderId) => {
    const l = liveOf.get(orderId)
    const r = rebuilt.get(orderId) ?? null
    if (l === undefined) return { orderId, live: null, rebuilt: r, verdict: 'only rebuilt', inFlight: false }
    const eventsMissing = r === null && new Date(l.created_at) < replayBegan && !unpublished.has(orderId)
    const verdict: Verdict = eventsMissing ? 'events missing' : r === null ? 'only live' : l.status === r ? 'same' : 'different'
    return { orderId, live: l.status, rebuilt: r, verdict, inFlight: !eventsMissing && !isTerminal(l.status) }
  })
}
