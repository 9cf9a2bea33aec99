import type { Knex } from 'knex'
import type { Money, PricedLine } from '@choreo/contracts'

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
}

interface ReservationRow {
  order_id: string
  customer_id: string
  status: ReservationStatus
  currency: string
  total_amount: string | number
  paid_amount: string | number
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
export async function lockReservation(trx: Knex.Transaction, orderId: string): Promise<Reservation | null> {
  const row: ReservationRow | undefined = await trx('reservations').where({ order_id: orderId }).forUpdate().first()
  if (!row) return null
  const lines: LineRow[] = await trx('reservation_lines').where({ order_id: orderId }).orderBy('product_id')
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

export async function setReservationStatus(trx: Knex.Transaction, orderId: string, status: ReservationStatus): Promise<void> {
  await trx('reservations').where({ order_id: orderId }).update({ status, updated_at: trx.fn.now() })
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
