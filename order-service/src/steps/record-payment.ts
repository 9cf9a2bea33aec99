// order-service's step for PaymentCompleted: the order is at least PAID, whatever else was handled first.
import { orderStep } from './order-step.ts'

/** PaymentCompleted: at least PAID, even if StockReserved has not been handled yet; never back. */
export const recordPayment = orderStep('PaymentCompleted', function recordPayment() {
  // Its status moves by statusAfter (≥ PAID); the order is touched (updated_at) even when it stays.
  return { changes: {}, reason: null }
})
