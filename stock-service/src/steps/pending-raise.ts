// A modification that raised an order's total, until payment answers: the units held for it given back, or the raise undone.
import type { Knex } from 'knex'
import type { Money, PricedLine } from '@choreo/contracts'
import { lockProducts, unreserveUnits } from '../repositories/products.ts'
import { deletePendingRaise } from '../repositories/pending-raises.ts'
import { replaceLines, type Reservation } from '../repositories/reservations.ts'

/*
 * A modification that raises an order's total is answered by payment: charged, or declined when
 * the customer cannot pay. Until then stock holds both what the order had and what it asked for
 * (per product the larger quantity: added units reserved at once, dropped ones not yet given
 * back), so that either answer can be honoured whatever other orders took meanwhile:
 * - charged (paid covers the total), shipped or released: the held units are the order's no more;
 * - declined: the order goes back to its lines before the modification, and the added units
 *   go back to the shelf.
 */

/**
 * Units held for the order's pending raise, given back; none: nothing to do. Locks the products of
 * the lines and of the held units together, in product order as every lock here is taken, so the
 * caller may go on to move the lines' units. Returns the reservation with no raise pending.
 */
export async function giveBackHeld<R extends Pick<Reservation, 'orderId' | 'lines' | 'pendingRaise'>>(trx: Knex.Transaction, reservation: R): Promise<R> {
  const raise = reservation.pendingRaise
  if (!raise) return reservation
  await lockProducts(trx, [...reservation.lines, ...raise.held].map((line) => line.productId))
  await unreserveUnits(trx, raise.held)
  await deletePendingRaise(trx, reservation.orderId)
  return { ...reservation, pendingRaise: null }
}

/**
 * Whether this payment is the answer to the order's pending raise: its amount is the raise (what
 * payment charges for it: the new total less the old, which is what the order had paid) and with
 * it the order is paid in full. Stock's `paid` may lag payment's (its refunds and charges come on
 * another topic), so being paid in full alone is not enough: an older, larger payment arriving late
 * would count as the raise's.
 */
export function paysPendingRaise(reservation: Reservation, amount: number, paid: number): boolean {
  const raise = reservation.pendingRaise
  return raise !== null && amount === reservation.total.amount - raise.previousTotal && paid >= reservation.total.amount
}

/**
 * Payment declined modification `modificationId`: the reservation goes back to its lines before
 * it. Returns those lines and total, with no raise pending, or null when that modification's raise
 * is not pending here (answered already, or never made).
 */
export async function undoRaise(trx: Knex.Transaction, reservation: Reservation, modificationId: string): Promise<{ lines: PricedLine[]; total: Money; pendingRaise: null } | null> {
  const raise = reservation.pendingRaise
  if (!raise || raise.modificationId !== modificationId) return null
  // Held now per product: the current lines and the units held; kept: the previous lines.
  const extra = new Map<string, number>()
  const add = (productId: string, quantity: number) => extra.set(productId, (extra.get(productId) ?? 0) + quantity)
  for (const line of [...reservation.lines, ...raise.held]) add(line.productId, line.quantity)
  for (const line of raise.previousLines) add(line.productId, -line.quantity)
  await lockProducts(trx, [...extra.keys()])
  await unreserveUnits(trx, [...extra].map(([productId, quantity]) => ({ productId, quantity })))
  const total = { amount: raise.previousTotal, currency: reservation.total.currency }
  await replaceLines(trx, reservation.orderId, raise.previousLines, total)
  await deletePendingRaise(trx, reservation.orderId)
  return { lines: raise.previousLines, total, pendingRaise: null }
}
