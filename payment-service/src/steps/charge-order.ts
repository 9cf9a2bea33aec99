// payment-service's step for StockReserved: charges the order's total if it was placed as reserved → PaymentCompleted, or PaymentFailed.
import type { Knex } from 'knex'
import { newEvent, type StockReserved } from '@choreo/contracts'
import { RefusedEvent, UnconfirmedEvent } from '@choreo/messaging'
import { pricedMismatch } from '../domain/order-lines.ts'
import { charge } from '../repositories/ledger.ts'
import { findPlacedOrder } from '../repositories/order-facts.ts'
import { findCustomer } from '../repositories/customers.ts'
import { insertOrderPayment, lockOrderPayment } from '../repositories/order-payments.ts'

/**
 * StockReserved: charge the order's total to the customer. A failure is recorded too (state
 * FAILED), so the StockReleased that follows finds the order and answers for it.
 *
 * Only an order that order-service placed is charged, to the customer who placed it, for its
 * lines (the facts consumer records each OrderPlaced): a StockReserved for an order never placed
 * waits until the facts consumer has read order.events to its end, then is refused.
 */
export async function chargeOrder(event: StockReserved, trx: Knex.Transaction) {
  const { orderId, customerId, total } = event
  // An order is charged once: a second StockReserved would be a stock-service bug. One that
  // follows its order's close (stock could not reserve it, or it was released) is refused.
  const existing = await lockOrderPayment(trx, orderId)
  if (existing?.state === 'SETTLED') throw new RefusedEvent('charge-of-closed-order', `order ${orderId} is closed (not reserved, or released): nothing more is charged`)
  if (existing) return []
  const placed = await findPlacedOrder(trx, orderId)
  if (!placed) throw new UnconfirmedEvent('charge-of-unplaced-order', `order ${orderId} was not placed (no OrderPlaced on order.events)`)
  if (placed.customerId !== customerId) {
    throw new RefusedEvent('charge-of-another-customer', `order ${orderId} was placed by another customer than ${customerId}`)
  }
  const mismatch = pricedMismatch(event, placed)
  if (mismatch) throw new RefusedEvent('charge-not-as-placed', `StockReserved for order ${orderId} is not the order placed: ${mismatch}`)
  // The debit checks the customer, the currency and the balance in its WHERE clause; only when it
  // changes nothing is the customer read, to say why.
  const paymentId = await charge(trx, { orderId, customerId, amount: total, reason: 'order total' })
  if (!paymentId) {
    const customer = await findCustomer(trx, customerId)
    const reason = !customer ? 'unknown customer' : customer.balance.currency !== total.currency ? 'currency mismatch' : 'insufficient funds'
    await insertOrderPayment(trx, { orderId, customerId, currency: total.currency, state: 'FAILED', charged: 0, refunded: 0, firstPaymentId: null })
    return [newEvent('PaymentFailed', { orderId, reason, customerId, amount: total, modificationId: null })]
  }
  await insertOrderPayment(trx, { orderId, customerId, currency: total.currency, state: 'OPEN', charged: total.amount, refunded: 0, firstPaymentId: paymentId })
  return [newEvent('PaymentCompleted', { orderId, paymentId, customerId, amount: total })]
}
