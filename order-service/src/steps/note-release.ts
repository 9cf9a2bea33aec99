// order-service's step for StockReleased: the release goes into the order's history; payment's refund after it completes the cancellation.
import { orderStep } from './order-step.ts'

/** StockReleased: history only; the cancellation completes when payment has refunded. */
export const noteRelease = orderStep('StockReleased', function noteRelease(event) {
  return { reason: event.reason }
})
