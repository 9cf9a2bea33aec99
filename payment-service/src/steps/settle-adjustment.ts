import type { Knex } from 'knex'
import { newEvent, type NewEvent, type ReservationAdjusted } from '@choreo/contracts'
import { charge, refund } from '../ledger.ts'
import { moneyOf } from '../money.ts'
import { lockOrderPayment, updateOrderPayment } from '../repositories/order-payments.ts'
import { adjustmentTo } from '../settlement.ts'

/**
 * ReservationAdjusted: settle the difference between the new total and what was paid. Only an
 * OPEN order is adjusted: with no row nothing was charged yet, and a FAILED or SETTLED order is
 * being (or has been) refunded in full, so there is nothing left to adjust.
 */
export async function settleAdjustment(event: ReservationAdjusted, trx: Knex.Transaction): Promise<NewEvent[]> {
  const { orderId, total } = event
  // Refused: stock kept the old lines, whose total is what was paid.
  if (!event.accepted) return []
  const order = await lockOrderPayment(trx, orderId)
  if (!order || order.state !== 'OPEN') return []
  const { customerId, currency } = order
  // Never mix currencies: fail the modification, which cancels the order and refunds it.
  if (total.currency !== currency) {
    await updateOrderPayment(trx, orderId, { state: 'FAILED' })
    return [newEvent('PaymentFailed', { orderId, reason: 'currency mismatch', customerId, amount: total })]
  }
  const adjustment = adjustmentTo(total.amount, order)
  if (adjustment.kind === 'none') return []
  const amount = moneyOf(adjustment.amount, currency)
  if (adjustment.kind === 'refund') {
    const refundId = await refund(trx, { orderId, customerId, amount, reason: 'adjusted' })
    await updateOrderPayment(trx, orderId, { refunded: order.refunded + adjustment.amount })
    return [newEvent('PaymentRefunded', { orderId, paymentId: order.firstPaymentId, refundId, customerId, amount, reason: 'adjusted' })]
  }
  const paymentId = await charge(trx, { orderId, customerId, amount, reason: 'modification' })
  if (!paymentId) {
    // The order will be cancelled: stock releases, then StockReleased refunds what was charged.
    await updateOrderPayment(trx, orderId, { state: 'FAILED' })
    return [newEvent('PaymentFailed', { orderId, reason: 'insufficient funds for modification', customerId, amount })]
  }
  await updateOrderPayment(trx, orderId, { charged: order.charged + adjustment.amount })
  return [newEvent('PaymentCompleted', { orderId, paymentId, customerId, amount })]
}
