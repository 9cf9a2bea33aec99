import { amountIn, pricedLines } from '../domain/money.ts'
import { advance } from '../domain/status.ts'
import { replaceLines } from '../repositories/order-lines.ts'
import { orderStep } from './order-step.ts'

/**
 * StockReserved: the lines now carry stock's prices and the order its total. The prices are
 * facts even for an order being cancelled; the status moves only forward (PaymentCompleted may
 * already have been handled).
 */
export const priceOrder = orderStep('StockReserved', async (event, order, trx) => {
  await replaceLines(trx, order.orderId, pricedLines(order.currency, event.lines))
  return {
    changes: { totalAmount: amountIn(order.currency, event.total), status: advance(order.status, 'STOCK_RESERVED') },
    reason: null,
  }
})
