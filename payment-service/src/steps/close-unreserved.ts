import type { Knex } from 'knex'
import type { NewEvent, StockReservationFailed } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import { refund } from '../ledger.ts'
import { moneyOf } from '../money.ts'
import { findPlacedOrder } from '../repositories/order-facts.ts'
import { insertOrderPayment, lockOrderPayment, updateOrderPayment } from '../repositories/order-payments.ts'
import { netCharged } from '../settlement.ts'

/**
 * StockReservationFailed: stock could not reserve the order, so it must never be charged. The
 * order is closed here (SETTLED, nothing charged), and a StockReserved that comes after, which
 * stock never sends once it has answered, is refused (charge-order.ts).
 *
 * Charged already: a StockReserved came first that stock never sent (stock answers an order once),
 * so it was forged with stock's credentials. The charge is refunded and that commits, and the
 * event is refused (dead-lettered, counted) so that someone looks.
 */
export async function closeUnreserved(event: StockReservationFailed, trx: Knex.Transaction): Promise<NewEvent[]> {
  const { orderId } = event
  const order = await lockOrderPayment(trx, orderId)
  if (!order) {
    const placed = await findPlacedOrder(trx, orderId)
    await insertOrderPayment(trx, {
      orderId, customerId: placed?.customerId ?? 'unknown', currency: placed?.currency ?? 'XXX',
      state: 'SETTLED', charged: 0, refunded: 0, firstPaymentId: null,
    })
    return []
  }
  if (order.state === 'SETTLED') return []
  const owed = netCharged(order)
  if (owed > 0) await refund(trx, { orderId, customerId: order.customerId, amount: moneyOf(owed, order.currency), reason: 'released' })
  await updateOrderPayment(trx, orderId, { state: 'SETTLED', refunded: order.refunded + owed })
  throw new RefusedEvent('charge-of-unreserved-order', `order ${orderId} was charged ${owed} on a StockReserved stock never sent (it could not reserve the order); refunded`, { containment: 'commit' })
}
