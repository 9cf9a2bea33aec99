// payment-service's compensation, on StockReleased: refunds what the order still holds, closes it and answers PaymentRefunded(released).
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { moneyOf, newEvent, type StockReleased } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import { refund } from '../repositories/ledger.ts'
import { insertOrderPayment, isShipped, lockOrderPayment, updateOrderPayment } from '../repositories/order-payments.ts'
import { netCharged } from '../domain/settlement.ts'

/**
 * Who and what currency a release settles when payment-service never saw the order's
 * StockReserved (stock-service only releases what it reserved, so this is a lost event): the
 * amount is 0, and XXX is ISO 4217's code for "no currency".
 */
const UNSEEN_ORDER = { customerId: 'unknown', currency: 'XXX' } as const

/**
 * StockReleased: refund everything the order still holds and close it. Always answers with
 * exactly one PaymentRefunded(released), amount 0 when nothing was charged: order-service waits
 * for it to call the cancellation complete. A release of an order that shipped is refused:
 * stock-service never sends one (shipping is final), so it is forged or a bug, and refunding it
 * would give the customer the goods and the money.
 */
export async function refundOrder(event: StockReleased, trx: Knex.Transaction) {
  const { orderId } = event
  const order = await lockOrderPayment(trx, orderId)
  // Settled already: the order's one PaymentRefunded(released) is out.
  if (order?.state === 'SETTLED') return []
  if (order && (await isShipped(trx, orderId))) throw new RefusedEvent('release-after-shipment', `order ${orderId} has shipped: a release cannot refund it`)
  if (!order) {
    await insertOrderPayment(trx, { orderId, ...UNSEEN_ORDER, state: 'SETTLED', charged: 0, refunded: 0, firstPaymentId: null })
    return [newEvent('PaymentRefunded', { orderId, paymentId: null, refundId: randomUUID(), customerId: UNSEEN_ORDER.customerId, amount: moneyOf(0, UNSEEN_ORDER.currency), reason: 'released' })]
  }
  const { customerId, currency } = order
  const amount = moneyOf(netCharged(order), currency)
  const refundId = amount.amount > 0 ? await refund(trx, { orderId, customerId, amount, reason: 'released' }) : randomUUID()
  await updateOrderPayment(trx, orderId, { state: 'SETTLED', refunded: order.refunded + amount.amount })
  return [newEvent('PaymentRefunded', { orderId, paymentId: order.firstPaymentId, refundId, customerId, amount, reason: 'released' })]
}
