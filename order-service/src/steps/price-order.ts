// order-service's step for StockReserved: the order's lines get stock's prices and the order its total; a forged reservation is refused.
import { amountIn } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import { pricedLines } from '../domain/priced-lines.ts'
import { replaceLines } from '../repositories/order-lines.ts'
import { orderStep } from './order-step.ts'

/**
 * StockReserved: the lines now carry stock's prices and the order its total. The prices are
 * facts even for an order being cancelled; the status moves only forward (PaymentCompleted may
 * already have been handled).
 *
 * Stock answers an order once: a StockReserved for an order it rejected (REJECTED follows only
 * its StockReservationFailed), or naming another customer, is forged or a bug, and refused.
 */
export const priceOrder = orderStep('StockReserved', async function priceOrder(event, order, trx) {
  if (order.status === 'REJECTED') throw new RefusedEvent('reservation-of-rejected-order', `order ${order.orderId} was rejected: stock could not reserve it`)
  if (event.customerId !== order.customerId) throw new RefusedEvent('reservation-for-another-customer', `StockReserved names ${event.customerId}, order ${order.orderId} is ${order.customerId}'s`)
  await replaceLines(trx, order.orderId, pricedLines(order.currency, event.lines))
  return {
    changes: { totalAmount: amountIn(order.currency, event.total) },
    reason: null,
  }
})
