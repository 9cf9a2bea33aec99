// Outbox rows the relay parked because they can never be published: listed, handed back to the relay, or discarded (./choreo dlq).
import type { Knex } from 'knex'

/** An outbox row the relay could never publish (relay.ts, isolate): later rows of its key wait behind it. */
export interface ParkedRow {
  id: string
  eventId: string
  eventType: string
  /** The order: its later rows wait. */
  key: string
  topic: string
  createdAt: Date
  parkedAt: Date
  reason: string
  /** Rows of its key written after it, waiting. */
  waiting: number
}

/** Parked rows neither retried nor discarded, oldest first. */
export async function listParked(db: Knex): Promise<ParkedRow[]> {
  const rows: Record<string, unknown>[] = await db('outbox as p')
    .select('p.id', 'p.event_id', 'p.event_type', 'p.aggregate_id', 'p.topic', 'p.created_at', 'p.parked_at', 'p.parked_reason')
    .select(db('outbox as w').count('*').whereRaw('?? = ??', ['w.aggregate_id', 'p.aggregate_id']).whereRaw('?? > ??', ['w.id', 'p.id']).whereNull('w.published_at').as('waiting'))
    .whereNotNull('p.parked_at').whereNull('p.discarded_at').orderBy('p.id')
  return rows.map((r) => ({
    id: String(r.id),
    eventId: String(r.event_id),
    eventType: String(r.event_type),
    key: String(r.aggregate_id),
    topic: String(r.topic),
    createdAt: new Date(r.created_at as string),
    parkedAt: new Date(r.parked_at as string),
    reason: String(r.parked_reason),
    waiting: Number(r.waiting),
  }))
}

/** Hands a parked row back to the relay (it is the first of its key, so it goes before the rows that waited); false when it is not parked. */
export async function retryParked(db: Knex, id: string): Promise<boolean> {
  const changed = await parkedRow(db, id).update({ parked_at: null, parked_reason: null })
  return changed === 1
}

/**
 * Gives a parked row up: it is never published, and the rows of its key that waited go on. Kept,
 * marked discarded, as long as published rows are (then purged); false when it is not parked.
 */
export async function discardParked(db: Knex, id: string): Promise<boolean> {
  const changed = await parkedRow(db, id).update({ discarded_at: db.fn.now() })
  return changed === 1
}

function parkedRow(db: Knex, id: string): Knex.QueryBuilder {
  return db('outbox').where('id', id).whereNotNull('parked_at').whereNull('discarded_at').whereNull('published_at')
}
