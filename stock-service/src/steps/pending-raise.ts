import type { Knex } from 'knex'
import type { Money, PricedLine } from '@choreo/contracts'
import { lockProducts, unreserveUnits } from '../repositories/products.ts'
import { deletePendingRaise, findPendingRaise } from '../repositories/pending-raises.ts'
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

/** Units held for the order's pending raise, given back (under the caller's product locks); none: nothing to do. */
export async function giveBackHeld(trx: Knex.Transaction, orderId: string): Promise<void> {
  const raise = await findPendingRaise(trx, orderId)
  if (!raise) return
  await lockProducts(trx, raise.held.map((line) => line.productId))
  for (const { productId, quantity } of raise.held) await unreserveUnits(trx, productId, quantity)
  await deletePendingRaise(trx, orderId)
}

/**
 * Payment declined modification `modificationId`: the reservation goes back to its lines before
 * it. Returns those lines and total, or null when that modification's raise is not pending here
 * (answered already, or never made).
 */
export async function undoRaise(trx: Knex.Transaction, reservation: Reservation, modificationId: string): Promise<{ lines: PricedLine[]; total: Money } | null> {
  const raise = await findPendingRaise(trx, reservation.orderId)
  if (!raise || raise.modificationId !== modificationId) return null
  // Held now per product: the current lines and the units held; kept: the previous lines.
  const extra = new Map<string, number>()
  const add = (productId: string, quantity: number) => extra.set(productId, (extra.get(productId) ?? 0) + quantity)
  for (const line of [...reservation.lines, ...raise.held]) add(line.productId, line.quantity)
  for (const line of raise.previousLines) add(line.productId, -line.quantity)
  await lockProducts(trx, [...extra.keys()])
  for (const [productId, quantity] of extra) if (quantity > 0) await unreserveUnits(trx, productId, quantity)
  const total = { amount: raise.previousTotal, currency: reservation.total.currency }
  await replaceLines(trx, reservation.orderId, raise.previousLines, total)
  await deletePendingRaise(trx, reservation.orderId)
  return { lines: raise.previousLines, total }
}
