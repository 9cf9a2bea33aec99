// payment-service's step for StockReservationFailed: an order stock could not reserve is closed uncharged, never to be charged.
import type { Knex } from 'knex'
import type { StockReservationFailed } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import { findPlacedOrder } from '../repositories/order-facts.ts'
import { insertOrderPayment, lockOrderPayment } from '../repositories/order-payments.ts'

/**
 * StockReservationFailed: stock could not reserve the order, so it must never be charged. The
 * order is closed here (SETTLED, nothing charged), and a StockReserved that comes after, which
 * stock never sends once it has answered, is refused (charge-order.ts).
 *
 * Charged already: stock answers an order once, so one of its two answers was forged with its
 * credentials, and which one cannot be told here. Nothing moves (a refund on a forged failure would
 * give the goods stock may still ship for free): the event is refused, dead-lettered and counted,
 * for someone to look at; the first answer stands.
 */
export async function closeUnreserved(event: StockReservationFailed, trx: Knex.Transaction) {
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
  throw new RefusedEvent('reservation-failed-after-charge', `stock says it could not reserve order ${orderId}, which payment charged on its StockReserved: one of the two answers is forged`)
}
