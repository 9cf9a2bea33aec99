import type { Knex } from 'knex'
import { newEvent, type NewEvent, type StockReserved } from '@choreo/contracts'
import { charge } from '../ledger.ts'
import { lockCustomer } from '../repositories/customers.ts'
import { insertOrderPayment, lockOrderPayment } from '../repositories/order-payments.ts'

/**
 * StockReserved: charge the order's total to the customer. A failure is recorded too (state
 * FAILED), so the StockReleased that follows finds the order and answers for it.
 */
export async function chargeOrder(event: StockReserved, trx: Knex.Transaction): Promise<NewEvent[]> {
  const { orderId, customerId, total } = event
  // Defensive: an order is charged once; a second StockReserved would be a stock-service bug.
  if (await lockOrderPayment(trx, orderId)) return []
  const customer = await lockCustomer(trx, customerId)
  const refusal = !customer ? 'unknown customer' : customer.balance.currency !== total.currency ? 'currency mismatch' : null
  const paymentId = refusal ? null : await charge(trx, { orderId, customerId, amount: total, reason: 'order total' })
  if (!paymentId) {
    await insertOrderPayment(trx, { orderId, customerId, currency: total.currency, state: 'FAILED', charged: 0, refunded: 0, firstPaymentId: null })
    return [newEvent('PaymentFailed', { orderId, reason: refusal ?? 'insufficient funds', customerId, amount: total })]
  }
  await insertOrderPayment(trx, { orderId, customerId, currency: total.currency, state: 'OPEN', charged: total.amount, refunded: 0, firstPaymentId: paymentId })
  return [newEvent('PaymentCompleted', { orderId, paymentId, customerId, amount: total })]
}
