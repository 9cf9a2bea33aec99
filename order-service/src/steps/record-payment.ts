import { advance } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

/** PaymentCompleted: at least PAID, even if StockReserved has not been handled yet; never back. */
export const recordPayment = orderStep('PaymentCompleted', (_event, order) => ({
  changes: { status: advance(order.status, 'PAID') },
  reason: null,
}))
