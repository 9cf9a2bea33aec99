import { orderStep } from './order-step.ts'

/** StockReleased: history only; the cancellation completes when payment has refunded. */
export const noteRelease = orderStep('StockReleased', (event) => ({ reason: event.reason }))
