import { orderStep } from './order-step.ts'

/** StockReleased: history only; the cancellation completes when payment has refunded. */
export const noteRelease = orderStep('StockReleased', function noteRelease(event) {
  return { reason: event.reason }
})
