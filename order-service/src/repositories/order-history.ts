// An order's history: each status it went through, with the event or HTTP action that moved it.
import type { Knex } from 'knex'
import type { OrderStatus } from '../domain/status.ts'
import { clipReason } from '../domain/reason.ts'

export interface HistoryEntry {
  orderId: string
  /** Status after the event. */
  status: OrderStatus
  /** The event type handled, or the HTTP action. */
  event: string
  /** Id of the event handled; null for an HTTP action. */
  eventId: string | null
  reason: string | null
  at: Date
}

interface HistoryRow {
  id: string | number
  order_id: string
  status: string
  event: string
  event_id: string | null
  reason: string | null
  at: Date
}

function fromRow(row: HistoryRow): HistoryEntry {
  return { orderId: row.order_id, status: row.status as OrderStatus, event: row.event, eventId: row.event_id, reason: row.reason, at: new Date(row.at) }
}

export async function appendHistory(db: Knex | Knex.Transaction, entry: HistoryEntry): Promise<void> {
  await db<HistoryRow>('order_history').insert({
    order_id: entry.orderId,
    status: entry.status,
    event: entry.event,
    event_id: entry.eventId,
    reason: entry.reason === null ? null : clipReason(entry.reason),
    at: entry.at,
  })
}

/** The order's history in the order it happened. */
export async function historyOf(db: Knex | Knex.Transaction, orderId: string): Promise<HistoryEntry[]> {
  const rows = await db<HistoryRow>('order_history').where({ order_id: orderId }).orderBy('id')
  return rows.map(fromRow)
}
