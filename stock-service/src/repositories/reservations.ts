// Reservations: the units held for each order, its lines, total, what was paid, and its scheduled shipment.
import type { Knex } from 'knex'
import type { Money, PricedLine } from '@choreo/contracts'
import { pendingRaiseOf, type PendingRaise, type PendingRaiseRow } from './pending-raises.ts'

export type ReservationStatus = 'RESERVED' | 'SHIPPED' | 'RELEASED'

export interface Reservation {
  orderId: string
  customerId: string
  status: ReservationStatus
  total: Money
  /** Net of the payments seen for the order, in its currency. */
  paid: number
  /** In product order. */
  lines: PricedLine[]
  /** Its shipment, when paid in full and waiting for the fulfilment delay; null otherwise. */
  scheduled: ScheduledShipment | null
  /**
   * The modification that raised its total and waits for payment's answer (pending-raise.ts), as
   * read with the reservation; a step that answers it goes on with null.
   */
  pendingRaise: PendingRaise | null
}

/** A shipment waiting for the fulfilment delay, with the event that made it due. */
export interface ScheduledShipment {
  at: Date
  correlationId: string
  causationId: string
}

interface ReservationRow {
  order_id: string
  customer_id: string
  status: ReservationStatus
  currency: string
  total_amount: string | number
  paid_amount: string | number
  ship_after: Date | null
  ship_correlation_id: string | null
  ship_causation_id: string | null
}

interface LineRow {
  product_id: string
  quantity: number
  unit_price_amount: string | number
}

/**
 * Reads an order's reservation and locks its row for the rest of the transaction, so that
 * reactions to the same order arriving on different topics take turns.
 */
export async function lockReservation(trx: Knex.Transaction, orderId: string): Promise<Reservation | undefined> {
  const row: ReservationRow | undefined = await trx('reservations').where({ order_id: orderId }).forUpdate().first()
  return row ? withDetails(trx, row) : undefined
}

/** Reads an order's reservation without locking it, for a look from outside (./choreo saga trace). */
export async function findReservation(db: Knex | Knex.Transaction, orderId: string): Promise<Reservation | undefined> {
  const row: ReservationRow | undefined = await db('reservations').where({ order_id: orderId }).first()
  return row ? withDetails(db, row) : undefined
}

// The lines and the pending raise in one round trip. Not in the locking statement: after waiting
// for the row lock, PostgreSQL hands over the row as the holder committed it, but the rest of that
// statement reads as of before the wait; this statement starts after it and sees what the holder wrote.
const DETAILS_SQL = `SELECT
  (SELECT coalesce(json_agg(l ORDER BY l.product_id), '[]')
     FROM (SELECT product_id, quantity, unit_price_amount FROM reservation_lines WHERE order_id = ?) AS l) AS lines,
  (SELECT row_to_json(p)
     FROM (SELECT order_id, modification_id, previous_lines, previous_total_amount, held FROM pending_raises WHERE order_id = ?) AS p) AS pending_raise`

/** Reads the reservation's lines and pending raise, and maps the rows. */
async function withDetails(db: Knex | Knex.Transaction, row: ReservationRow): Promise<Reservation> {
  const { rows: [details] } = await db.raw(DETAILS_SQL, [row.order_id, row.order_id]) as { rows: [{ lines: LineRow[]; pending_raise: PendingRaiseRow | null }] }
  return fromRow(row, details.lines, details.pending_raise)
}

function fromRow(row: ReservationRow, lines: readonly LineRow[], raise: PendingRaiseRow | null): Reservation {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status,
    total: { amount: Number(row.total_amount), currency: row.currency },
    paid: Number(row.paid_amount),
    lines: lines.map((line) => ({
      productId: line.product_id,
      quantity: line.quantity,
      unitPrice: { amount: Number(line.unit_price_amount), currency: row.currency },
    })),
    scheduled: !row.ship_after || !row.ship_correlation_id || !row.ship_causation_id ? null
      : { at: new Date(row.ship_after), correlationId: row.ship_correlation_id, causationId: row.ship_causation_id },
    pendingRaise: raise ? pendingRaiseOf(raise) : null,
  }
}

/** Records a new reservation with its lines; false if the order has one already. */
export async function insertReservation(trx: Knex.Transaction, reservation: { orderId: string; customerId: string; lines: readonly PricedLine[]; total: Money }): Promise<boolean> {
  const inserted = await trx('reservations')
    .insert({
      order_id: reservation.orderId,
      customer_id: reservation.customerId,
      status: 'RESERVED' satisfies ReservationStatus,
      currency: reservation.total.currency,
      total_amount: reservation.total.amount,
    })
    .onConflict('order_id').ignore()
    .returning('order_id')
  if (inserted.length === 0) return false
  await insertLines(trx, reservation.orderId, reservation.lines)
  return true
}

/** Replaces the lines and total of a reservation. */
export async function replaceLines(trx: Knex.Transaction, orderId: string, lines: readonly PricedLine[], total: Money): Promise<void> {
  await trx('reservation_lines').where({ order_id: orderId }).delete()
  await insertLines(trx, orderId, lines)
  await trx('reservations').where({ order_id: orderId }).update({ total_amount: total.amount, updated_at: trx.fn.now() })
}

/** Moves a reservation on from RESERVED (shipped or released): nothing is scheduled for it any more. */
export async function setReservationStatus(trx: Knex.Transaction, orderId: string, status: Exclude<ReservationStatus, 'RESERVED'>): Promise<void> {
  await trx('reservations').where({ order_id: orderId }).update({ status, ...unscheduled, updated_at: trx.fn.now() })
}

const unscheduled = { ship_after: null, ship_correlation_id: null, ship_causation_id: null }

/** Schedules the shipment of a paid reservation, or (null) takes it off the schedule. */
export async function scheduleShipment(trx: Knex.Transaction, orderId: string, shipment: ScheduledShipment | null): Promise<void> {
  await trx('reservations').where({ order_id: orderId }).update({
    ...(shipment ? { ship_after: shipment.at, ship_correlation_id: shipment.correlationId, ship_causation_id: shipment.causationId } : unscheduled),
    updated_at: trx.fn.now(),
  })
}

/** Orders whose scheduled shipment is due at `now`, oldest first. */
export async function dueShipments(db: Knex, now: Date, limit: number): Promise<string[]> {
  const rows: { order_id: string }[] = await db('reservations').select('order_id')
    .where({ status: 'RESERVED' satisfies ReservationStatus }).where('ship_after', '<=', now).orderBy('ship_after').limit(limit)
  return rows.map((r) => r.order_id)
}

/** When the earliest scheduled shipment is due; null when none is scheduled. */
export async function nextScheduledShipment(db: Knex): Promise<Date | null> {
  const row: { at?: Date | null } | undefined = await db('reservations')
    .where({ status: 'RESERVED' satisfies ReservationStatus }).whereNotNull('ship_after').min({ at: 'ship_after' }).first()
  return row?.at ? new Date(row.at) : null
}

/** Adds a payment (positive) or a refund (negative) to what the order has paid. */
export async function addPaid(trx: Knex.Transaction, orderId: string, amount: number): Promise<void> {
  await trx('reservations').where({ order_id: orderId }).update({ paid_amount: trx.raw('paid_amount + ?', [amount]), updated_at: trx.fn.now() })
}

async function insertLines(trx: Knex.Transaction, orderId: string, lines: readonly PricedLine[]): Promise<void> {
  if (lines.length === 0) return
  await trx('reservation_lines').insert(lines.map((line) => ({
    order_id: orderId,
    product_id: line.productId,
    quantity: line.quantity,
    unit_price_amount: line.unitPrice.amount,
  })))
}
