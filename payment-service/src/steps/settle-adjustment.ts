// payment-service's step for ReservationAdjusted: settles a modification's new total, charging the raise or refunding the cut.
import type { Knex } from 'knex'
import { moneyOf, newEvent, type ReservationAdjusted } from '@choreo/contracts'
import { RefusedEvent, UnconfirmedEvent } from '@choreo/messaging'
import { pricedMismatch } from '../domain/order-lines.ts'
import { charge, refund } from '../repositories/ledger.ts'
import { findRequestedModification, markAnswered } from '../repositories/order-facts.ts'
import { lockOrderPayment, updateOrderPayment } from '../repositories/order-payments.ts'
import { adjustmentTo } from '../domain/settlement.ts'

/**
 * ReservationAdjusted: settle the difference between the new total and what was paid. With no
 * row nothing was charged yet, and a SETTLED order has been refunded in full: nothing to adjust.
 * A FAILED order (a charge failed, PaymentFailed is out) is charged no more, but a lowered total
 * is still refunded: stock may ship the lowered lines before the failure reaches it, since what
 * was charged covers them, and then no release comes to refund the rest. If the release does
 * come, it refunds what is left.
 *
 * Money moves only for a modification order-service asked for, of that order, to its lines (the
 * facts consumer records each OrderModificationRequested); one never asked for waits until the
 * facts consumer has read order.events to its end, then is refused.
 */
export async function settleAdjustment(event: ReservationAdjusted, trx: Knex.Transaction) {
  const { orderId, total } = event
  // Refused (or undone, "payment declined"): stock kept the old lines, whose total is what was
  // paid. It is stock's answer all the same: no accepted one may follow.
  if (!event.accepted) {
    // Recorded first (waiting for the facts consumer if need be), so that the mark holds.
    if (!(await findRequestedModification(trx, event.modificationId))) {
      throw new UnconfirmedEvent('answer-to-unrequested-modification', `stock answers modification ${event.modificationId} of order ${orderId}, which was not requested`)
    }
    await markAnswered(trx, event.modificationId)
    return []
  }
  const order = await lockOrderPayment(trx, orderId)
  if (!order || order.state === 'SETTLED') return []
  const requested = await findRequestedModification(trx, event.modificationId)
  if (!requested) {
    throw new UnconfirmedEvent('adjustment-not-requested', `modification ${event.modificationId} of order ${orderId} was not requested (no OrderModificationRequested on order.events)`)
  }
  if (requested.answered) {
    throw new RefusedEvent('adjustment-already-answered', `stock already answered modification ${event.modificationId} of order ${orderId}; it answers once`)
  }
  const mismatch = requested.orderId !== orderId
    ? `it was requested for order ${requested.orderId}`
    : pricedMismatch(event, { items: requested.items, currency: total.currency })
  if (mismatch) throw new RefusedEvent('adjustment-not-as-requested', `ReservationAdjusted ${event.modificationId} for order ${orderId} is not the modification requested: ${mismatch}`)
  await markAnswered(trx, event.modificationId)
  const { customerId, currency } = order
  const failed = order.state === 'FAILED'
  // Never mix currencies (stock never would): fail the order, which cancels it and refunds it.
  if (total.currency !== currency) {
    if (failed) return []
    await updateOrderPayment(trx, orderId, { state: 'FAILED' })
    return [newEvent('PaymentFailed', { orderId, reason: 'currency mismatch', customerId, amount: total, modificationId: null })]
  }
  const adjustment = adjustmentTo(total.amount, order)
  if (adjustment.kind === 'none') return []
  const amount = moneyOf(adjustment.amount, currency)
  if (adjustment.kind === 'refund') {
    const refundId = await refund(trx, { orderId, customerId, amount, reason: 'adjusted' })
    await updateOrderPayment(trx, orderId, { refunded: order.refunded + adjustment.amount })
    return [newEvent('PaymentRefunded', { orderId, paymentId: order.firstPaymentId, refundId, customerId, amount, reason: 'adjusted' })]
  }
  if (failed) return []
  const paymentId = await charge(trx, { orderId, customerId, amount, reason: 'modification' })
  if (!paymentId) {
    // The modification is refused, not the order: stock goes back to the lines before it, which
    // is what was charged, and the order stands (PaymentFailed names the modification).
    return [newEvent('PaymentFailed', { orderId, reason: 'insufficient funds for modification', customerId, amount, modificationId: event.modificationId })]
  }
  await updateOrderPayment(trx, orderId, { charged: order.charged + adjustment.amount })
  return [newEvent('PaymentCompleted', { orderId, paymentId, customerId, amount })]
}
