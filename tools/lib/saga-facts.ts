// Everything the topics and the three databases say about given orders, read in one pass: what `saga trace` and the explorer build on.
import { eventTopics, prefixed, type EventType } from '@choreo/contracts'
import { missingTopics, readSpans, spansOfKeys } from '@choreo/messaging/operations'
import { findOrder, historyOf, orderDetail, type HistoryEntry, type OrderDetail } from '@choreo/order-service'
import { findReservation, shipmentsOfOrder, type Reservation, type Shipment } from '@choreo/stock-service'
import type { Clients } from './clients.ts'
import { CommandFailed } from './command.ts'
import { deadLetterOf, deadLetterTopics, type DeadLetter } from './dead-letters.ts'
import { chunks, handledEvents } from './inbox.ts'
import { parkedRef } from './parked-rows.ts'
import { services, type ServiceName } from './services.ts'

/** An event of the order as it is on its topic. */
export interface SeenEvent {
  topic: string
  partition: number
  offset: bigint
  /** When Kafka got it, i.e. when the relay published it. */
  timestamp: number
  headers: Record<string, string>
  type: EventType
  /** The registry's id of the schema it was written with (its wire format's bytes 1–4). */
  schemaId: number
  eventId: string
  /** When the producing service enqueued it. */
  occurredAt: number
  payload: Record<string, unknown>
}

/** A message keyed by the order that could not be decoded. */
export interface Unreadable {
  topic: string
  partition: number
  offset: bigint
  timestamp: number
  error: string
}

export interface InboxEntry {
  group: string
  eventId: string
  handledAt: Date
}

/** An outbox row the relay has not published yet. */
export interface Unpublished {
  service: ServiceName
  eventType: string
  eventId: string
  createdAt: Date
  /** Set when the relay parked it (it can never be published as it is): `dlq retry|discard` takes `ref`. */
  parked?: { ref: string; reason: string }
}

/** Where a service's consumer group stands. */
export interface GroupPosition {
  group: string
  state: string
  members: number
  /** Committed offset per `<topic>:<partition>`. */
  committed: Map<string, bigint>
}

/** Everything the topics and the databases say about one order. */
export interface SagaFacts {
  orderId: string
  order: OrderDetail | undefined
  /** When order-service recorded the order (ms since the epoch); null when it holds no such order. */
  placedAt: number | null
  /** order-service's history of the order, with the id of each event it handled. */
  history: HistoryEntry[]
  /** A modification order-service waits for stock to answer. */
  modificationPending: boolean
  /** What stock-service holds for it: status, paid, scheduled shipment. */
  reservation: Reservation | null
  shipments: Shipment[]
  events: SeenEvent[]
  unreadable: Unreadable[]
  deadLetters: DeadLetter[]
  inbox: InboxEntry[]
  unpublished: Unpublished[]
}

export interface Surroundings {
  prefix: string
  groups: Map<ServiceName, GroupPosition>
  /** When the reading began: what happened after may be on a topic read before. */
  startedAt: number
  now: number
}

/**
 * Reads, for the given orders: every message keyed by them on the event and dead-letter topics
 * (one pass over the partitions their keys hash to, from shortly before they were placed, as
 * the topics are now), the inbox and unpublished outbox rows of the three
 * services, the order and its history, stock's reservation and shipments, and where each
 * service's consumer group stands.
 */
export async function gatherFacts(clients: Clients, orderIds: readonly string[]): Promise<{ surroundings: Surroundings; facts: Map<string, SagaFacts> }> {
  const { prefix } = clients.settings
  const startedAt = Date.now()
  const facts = new Map<string, SagaFacts>(orderIds.map((id) => [id, {
    orderId: id, order: undefined, placedAt: null, history: [], modificationPending: false, reservation: null, shipments: [], events: [], unreadable: [], deadLetters: [], inbox: [], unpublished: [],
  }]))
  const eventTopicNames = Object.values(eventTopics).map((t) => prefixed(prefix, t))
  const dlts = new Set(deadLetterTopics(prefix))

  // What the databases hold of the orders comes first: when they were placed bounds where their messages can be.
  const [missing] = await Promise.all([missingTopics(clients.kafka, [...eventTopicNames, ...dlts]), readDomain(clients, facts)])
  const absentEvents = eventTopicNames.filter((t) => missing.includes(t))
  if (absentEvents.length > 0) throw new CommandFailed(`no topic ${absentEvents.join(', ')} (the prefix is '${prefix}')`)
  // Where the consumer groups stand is read while the topics are.
  const groups = groupPositions(clients, eventTopicNames)
  // Awaited at the end; if the topic read fails first, its failure is the one reported, not an unhandled rejection of this.
  groups.catch(() => {})
  const spans = await spansOfKeys(clients.offsets, [...eventTopicNames, ...[...dlts].filter((t) => !missing.includes(t))], orderIds, placedSince(facts))
  for await (const message of readSpans(clients.kafka, spans, { admin: clients.offsets, keys: orderIds })) {
    const of = facts.get(message.key?.toString('utf8') ?? '')
    if (!of) continue
    if (dlts.has(message.topic)) {
      of.deadLetters.push(deadLetterOf(message))
      continue
    }
    const at = { topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp }
    try {
      if (!message.value) throw new Error('no value (tombstone)')
      const { type, schemaId, payload } = await clients.codec.decode(message.value)
      of.events.push({ ...at, headers: message.headers, type, schemaId, payload, eventId: String(payload.eventId), occurredAt: Number(payload.occurredAt) })
    } catch (err) {
      of.unreadable.push({ ...at, error: (err as Error).message })
    }
  }

  const orderOfEvent = new Map([...facts.values()].flatMap((f) => f.events.map((e) => [e.eventId, f] as const)))
  const eventIds = [...orderOfEvent.keys()]
  await Promise.all(services.map(async (service) => {
    const db = clients.db(service)
    const group = prefixed(prefix, service)
    for (const [eventId, handledAt] of await handledEvents(db, group, eventIds)) orderOfEvent.get(eventId)?.inbox.push({ group, eventId, handledAt })
    for (const ids of chunks(orderIds)) {
      const rows: { id: string; aggregate_id: string; event_type: string; event_id: string; created_at: Date; parked_at: Date | null; parked_reason: string | null }[] = await db('outbox')
        .select('id', 'aggregate_id', 'event_type', 'event_id', 'created_at', 'parked_at', 'parked_reason')
        .whereNull('published_at').whereNull('discarded_at').whereIn('aggregate_id', ids).orderBy('id')
      for (const row of rows) {
        facts.get(row.aggregate_id)?.unpublished.push({
          service, eventType: row.event_type, eventId: row.event_id, createdAt: new Date(row.created_at),
          ...(row.parked_at ? { parked: { ref: parkedRef(service, String(row.id)), reason: row.parked_reason ?? '' } } : {}),
        })
      }
    }
  }))
  for (const f of facts.values()) f.unpublished.sort((a, b) => services.indexOf(a.service) - services.indexOf(b.service))
  return { surroundings: { prefix, groups: await groups, startedAt, now: Date.now() }, facts }
}

/**
 * How far back the orders' messages can be: the earliest placing, less CLOCK_SKEW_MS for clocks
 * (a message's time is the relay's host clock at sending, an order's placing order-service's at
 * accepting it; the relay sends only after the placing committed). Null, so from the beginning,
 * when an order is not in order-service's database (purged, or never placed).
 */
function placedSince(facts: ReadonlyMap<string, SagaFacts>): number | null {
  const placed = [...facts.values()].map((f) => f.placedAt)
  if (placed.some((at) => at === null)) return null
  return Math.min(...(placed as number[])) - CLOCK_SKEW_MS
}

/** Hosts kept by NTP agree to well within this; a relay's clock further behind would hide the order's first events from the page. */
const CLOCK_SKEW_MS = 2_000

/** The orders as order-service and stock-service hold them. */
async function readDomain(clients: Clients, facts: Map<string, SagaFacts>): Promise<void> {
  const orders = clients.db('order-service')
  const stock = clients.db('stock-service')
  // One order at a time, its reads at once: `saga stuck` asks for thousands, and a small pool must not queue them all.
  for (const f of facts.values()) {
    const [order, detail, history, reservation, shipments] = await Promise.all([
      findOrder(orders, f.orderId), orderDetail(orders, f.orderId), historyOf(orders, f.orderId), findReservation(stock, f.orderId), shipmentsOfOrder(stock, f.orderId),
    ])
    f.order = detail
    f.placedAt = order ? order.createdAt.getTime() : null
    f.history = history
    f.modificationPending = (order?.pendingModificationId ?? null) !== null
    f.reservation = reservation ?? null
    f.shipments = shipments
  }
}

/** Where each service's consumer group stands on the event topics. */
async function groupPositions(clients: Clients, topics: readonly string[]): Promise<Map<ServiceName, GroupPosition>> {
  const positions = await Promise.all(services.map(async (service): Promise<[ServiceName, GroupPosition]> => {
    const group = prefixed(clients.settings.prefix, service)
    const [described, perTopic] = await Promise.all([
      clients.offsets.describeGroup(group),
      Promise.all(topics.map(async (topic) => [...await clients.offsets.committed(group, topic)].map(([partition, offset]) => [`${topic}:${partition}`, offset] as const))),
    ])
    return [service, { group, state: described.state, members: described.members.length, committed: new Map(perTopic.flat()) }]
  }))
  return new Map(positions)
}
