// An order's saga built from its facts: each event in time order, which services handled it, and what is missing or lost from Kafka.
import { eventSchemas, type EventType } from '@choreo/contracts'
import { traceIdOf } from '@choreo/messaging'
import { isTerminal, type OrderStatus } from '@choreo/order-service'
import { formatSpan } from './duration.ts'
import { acceptedRequests } from './next-requests.ts'
import type { SagaFacts, SeenEvent, Surroundings } from './saga-facts.ts'
import { consumersOf, producerOf, type ServiceName } from './services.ts'

export type ConsumptionState = 'handled' | 'dead-lettered' | 'not consumed yet' | 'consumed, not recorded'

/** Whether a service that reacts to an event has done so. */
export interface Consumption {
  service: ServiceName
  group: string
  state: ConsumptionState
  /** When its inbox recorded the event (ISO 8601). */
  handledAt?: string
  /** From publication to handling. */
  afterMs?: number
  /** Why it is not handled, in words. */
  detail?: string
}

export interface TraceStep {
  /** When the producer enqueued the event (ISO 8601). */
  at: string
  /** Since the step before. */
  sincePreviousMs: number | null
  type: string
  /** The registry's id of the schema the producer wrote it with. */
  schemaId: number
  eventId: string
  producer: ServiceName
  topic: string
  partition: number
  offset: number
  /** When Kafka got it. */
  publishedAt: string
  /** The same event id more than once on the topic: a relay retry or a redriven dead letter. */
  copies: number
  traceId: string | null
  correlationId: string | null
  causationId: string | null
  consumers: Consumption[]
  payload: Record<string, unknown>
  headers: Record<string, string>
}

export interface SagaTrace {
  orderId: string
  /** null when order-service does not know the order. */
  status: OrderStatus | null
  final: boolean
  order: { customerId: string; total: { amount: number; currency: string } | null; shipment: { carrier: string; trackingNumber: string } | null; reason: string | null } | null
  traceIds: string[]
  steps: TraceStep[]
  deadLetters: { id: string; group: string; reason: string; error: string; at: string; eventType: string | null }[]
  /** What is missing for the saga to be complete; empty when nothing is. */
  missing: string[]
  /** Events order-service recorded that are on no topic and in no outbox: Kafka no longer has them. */
  lostFromKafka: string[]
  /** Nothing missing, yet not final: what it waits for. */
  atRest: string | null
  /** The requests the API accepts for the order now (empty once final). */
  accepts: string[]
}

/** History this recent may belong to events in flight while the topics were read: not judged lost. */
const RECENT_MS = 5000

/** How late a scheduled shipment may be (a poll of the fulfilment poller, a busy machine) before it is missing. */
const SHIPMENT_GRACE_MS = 10_000

/** The order's saga from the facts: each event in time order, who handled it, and what is missing. */
export function buildTrace(facts: SagaFacts, around: Surroundings): SagaTrace {
  const byId = new Map<string, SeenEvent[]>()
  for (const e of facts.events) byId.set(e.eventId, [...(byId.get(e.eventId) ?? []), e])
  const firsts = [...byId.values()].map((copies) => copies[0]!)
  firsts.sort((a, b) => a.occurredAt - b.occurredAt || a.timestamp - b.timestamp || a.topic.localeCompare(b.topic) || Number(a.offset - b.offset))
  const missing: string[] = []

  const steps = firsts.map((e, i): TraceStep => {
    const consumers = consumersOf(e.type).map((service) => consumption(service, e, facts, around))
    for (const c of consumers) if (c.state !== 'handled') missing.push(`${e.type} handled by ${c.service}? no: ${c.detail}`)
    const previous = firsts[i - 1]
    return {
      at: new Date(e.occurredAt).toISOString(),
      sincePreviousMs: previous ? e.occurredAt - previous.occurredAt : null,
      type: e.type, schemaId: e.schemaId, eventId: e.eventId, producer: producerOf(e.type),
      topic: e.topic, partition: e.partition, offset: Number(e.offset),
      publishedAt: new Date(e.timestamp).toISOString(),
      copies: byId.get(e.eventId)?.length ?? 1,
      traceId: traceIdOf(e.headers.traceparent) ?? null,
      correlationId: e.headers['correlation-id'] ?? null,
      causationId: e.headers['causation-id'] ?? null,
      consumers, payload: e.payload, headers: e.headers,
    }
  })

  const parkedBy = new Map<string, string>()
  for (const u of facts.unpublished) {
    const ago = formatSpan(around.now - u.createdAt.getTime())
    const behind = parkedBy.get(u.service)
    if (u.parked) {
      parkedBy.set(u.service, u.parked.ref)
      missing.push(`${u.eventType} enqueued by ${u.service} ${ago} ago is parked, it cannot be published: ${u.parked.reason}. Fix that, then ./choreo dlq retry ${u.parked.ref} (or dlq discard it)`)
    } else if (behind) {
      missing.push(`${u.eventType} enqueued by ${u.service} ${ago} ago waits behind the parked ${behind}`)
    } else {
      missing.push(`${u.eventType} enqueued by ${u.service} ${ago} ago is not published yet: is ${u.service}'s relay running?`)
    }
  }
  for (const u of facts.unreadable) missing.push(`a message on ${u.topic}[${u.partition}]@${u.offset} cannot be decoded: ${u.error}`)
  if (!facts.order) missing.push(`order-service has no order ${facts.orderId}`)
  const lostFromKafka = lostEvents(facts, firsts, around.startedAt - RECENT_MS)
  if (lostFromKafka.length > 0) {
    missing.push(`${lostFromKafka.length} event(s) order-service recorded are on no topic: ${lostFromKafka.join(', ')}. Kafka lost them (its storage `
      + 'was wiped, or retention dropped them): what the services did is in their databases, but nothing can be traced or replayed from Kafka (README, Troubleshooting)')
  }
  const scheduled = facts.reservation?.status === 'RESERVED' ? facts.reservation.scheduled : null
  if (scheduled && scheduled.at.getTime() + SHIPMENT_GRACE_MS < around.now) {
    missing.push(`stock-service was to ship it at ${scheduled.at.toISOString()} (FULFILMENT_DELAY_MS), ${formatSpan(around.now - scheduled.at.getTime())} ago: is stock-service running? (its log says why not)`)
  }

  const status = facts.order?.status ?? null
  const final = status !== null && isTerminal(status)
  const accepts = status === null ? [] : acceptedRequests({ orderId: facts.orderId, status, modificationPending: facts.modificationPending, reservation: facts.reservation, shipments: facts.shipments })
  return {
    orderId: facts.orderId, status, final,
    order: facts.order ? { customerId: facts.order.customerId, total: facts.order.total, shipment: facts.order.shipment, reason: facts.order.reason } : null,
    traceIds: [...new Set(steps.map((s) => s.traceId).filter((t): t is string => t !== null))],
    steps,
    deadLetters: facts.deadLetters.map((d) => ({ id: d.id, group: d.group, reason: d.reason, error: d.error, at: d.at, eventType: d.eventType })),
    missing,
    lostFromKafka,
    atRest: missing.length === 0 && !final && status !== null
      ? `nothing is pending: ${status} is not final, and no event is on its way; ${scheduled
        ? `stock-service ships it at ${scheduled.at.toISOString()} (FULFILMENT_DELAY_MS), or a request from outside moves it on`
        : 'the saga waits for a request from outside'}`
      : null,
    accepts,
  }
}

/**
 * order-service's history names every event it handled (by id) and every one its API emitted (by
 * type): those on no topic, and not waiting in an outbox either, are gone from Kafka.
 */
function lostEvents(facts: SagaFacts, onTopics: readonly SeenEvent[], before: number): string[] {
  const ids = new Set(onTopics.map((e) => e.eventId))
  const lost: string[] = []
  const emittedByRequests = new Map<string, number>()
  for (const h of facts.history.filter((entry) => entry.at.getTime() < before)) {
    if (h.eventId !== null) {
      if (!ids.has(h.eventId)) lost.push(h.event)
    } else if (Object.hasOwn(eventSchemas, h.event)) {
      emittedByRequests.set(h.event, (emittedByRequests.get(h.event) ?? 0) + 1)
    }
  }
  for (const [type, emitted] of emittedByRequests) {
    const found = onTopics.filter((e) => e.type === type as EventType).length + facts.unpublished.filter((u) => u.eventType === type).length
    for (let i = found; i < emitted; i++) lost.push(type)
  }
  return lost
}

function consumption(service: ServiceName, e: SeenEvent, facts: SagaFacts, around: Surroundings): Consumption {
  const position = around.groups.get(service)
  const group = position?.group ?? service
  const handled = facts.inbox.find((r) => r.group === group && r.eventId === e.eventId)
  if (handled) {
    return { service, group, state: 'handled', handledAt: handled.handledAt.toISOString(), afterMs: handled.handledAt.getTime() - e.timestamp }
  }
  const dead = facts.deadLetters.filter((d) => d.group === group && d.eventId === e.eventId).at(-1)
  if (dead) {
    return { service, group, state: 'dead-lettered', detail: `dead-lettered as ${dead.id} (${dead.reason}: ${dead.error}); after a fix: ./choreo dlq redrive ${dead.id}` }
  }
  const committed = position?.committed.get(`${e.topic}:${e.partition}`)
  const who = position ? `${position.members} member(s), ${position.state}` : 'unknown group'
  if (committed === undefined || committed <= e.offset) {
    const at = committed === undefined ? 'has no committed offset' : `is at offset ${committed}`
    return { service, group, state: 'not consumed yet', detail: `not consumed yet: group ${group} ${at} on ${e.topic}[${e.partition}], the event is at ${e.offset} (${who}${position?.members === 0 ? `: is ${service} running?` : ''})` }
  }
  return { service, group, state: 'consumed, not recorded', detail: `group ${group} is past offset ${e.offset} on ${e.topic}[${e.partition}] but its inbox has no row for event ${e.eventId}: see ${service}'s log for that event id` }
}
