// The outbox: events written in the business transaction, validated and encoded once, under their key's lock, for the relay to publish.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { NewEvent } from '@choreo/contracts'
import { prefixed, topicOf } from '@choreo/contracts'
import type { EventCodec } from './avro.ts'
import type { Dialect } from './dialects/index.ts'

/** Where an event comes from: the request or event that caused it. */
export interface Cause {
  correlationId: string
  /** The event id that caused this one; null when an HTTP request did. */
  causationId: string | null
  traceparent: string
}

/** Headers of every outbox row, copied to the Kafka message. */
export interface EventHeaders {
  'event-id': string
  'event-type': string
  'correlation-id': string
  'causation-id'?: string
  traceparent: string
}

export interface EnqueuedEvent {
  eventId: string
  type: NewEvent['type']
  payload: Record<string, unknown>
}

// Every event in this system is about one order, and keyed by it.
const AGGREGATE_TYPE = 'Order'

export interface Outbox {
  /**
   * Writes events in the caller's transaction: a rollback leaves none, a commit guarantees each
   * is published. Each is checked against its Avro schema and encoded here, once, so an invalid
   * event fails the business transaction rather than the relay, and the relay ships the bytes
   * this build wrote whatever build it runs (rolling upgrades).
   */
  enqueue(trx: Knex.Transaction, events: NewEvent | readonly NewEvent[], cause: Cause): Promise<EnqueuedEvent[]>
  /**
   * `enqueue` for several reactions in one transaction (a consumer's run): their keys locked and
   * their rows inserted together (dialect.insertOutbox), in the order given; returns each
   * reaction's events.
   */
  enqueueAll(trx: Knex.Transaction, reactions: readonly Reaction[]): Promise<EnqueuedEvent[][]>
}

/** What one reaction emits, and what caused it. */
export interface Reaction {
  events: NewEvent | readonly NewEvent[]
  cause: Cause
}

export function createOutbox(deps: { codec: EventCodec; dialect: Dialect; topicPrefix?: string }): Outbox {
  const { codec, dialect, topicPrefix = '' } = deps
  async function enqueueAll(trx: Knex.Transaction, reactions: readonly Reaction[]): Promise<EnqueuedEvent[][]> {
    const lists = reactions.map((r) => (Array.isArray(r.events) ? (r.events as readonly NewEvent[]) : [r.events as NewEvent]))
    if (lists.every((list) => list.length === 0)) return lists.map(() => [])
    const occurredAt = Date.now()
    // Known since start (Messaging.start registers what the service publishes): no network then.
    await codec.register([...new Set(lists.flat().map((e) => e.type))])
    const enqueued = lists.map((list, i) => list.map((event): EnqueuedEvent => {
      const cause = reactions[i]!.cause
      const payload = {
        eventId: randomUUID(),
        correlationId: cause.correlationId,
        causationId: cause.causationId,
        occurredAt,
        ...event.data,
      }
      codec.validate(event.type, payload)
      return { eventId: payload.eventId, type: event.type, payload }
    }))
    const rows = enqueued.flatMap((list, i) => list.map((e) => ({ e, cause: reactions[i]!.cause })))
    await dialect.insertOutbox(trx, rows.map(({ e, cause }) => ({
      event_id: e.eventId,
      aggregate_type: AGGREGATE_TYPE,
      aggregate_id: String(e.payload.orderId),
      event_type: e.type,
      topic: prefixed(topicPrefix, topicOf(e.type)),
      payload: JSON.stringify(e.payload),
      value: codec.encode(e.type, e.payload),
      schema_id: codec.idOf(e.type),
      headers: JSON.stringify(headersOf(e, cause)),
    })))
    return enqueued
  }
  return {
    async enqueue(trx, events, cause) {
      const [enqueued] = await enqueueAll(trx, [{ events, cause }])
      return enqueued!
    },
    enqueueAll,
  }
}

function headersOf(e: EnqueuedEvent, cause: Cause): EventHeaders {
  return {
    'event-id': e.eventId,
    'event-type': e.type,
    'correlation-id': cause.correlationId,
    ...(cause.causationId ? { 'causation-id': cause.causationId } : {}),
    traceparent: cause.traceparent,
  }
}
