import { afterPaymentFailed } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

/**
 * PaymentFailed: the order is being cancelled. Nothing to emit: stock-service releases on
 * PaymentFailed itself, and the final PaymentRefunded(released) completes the cancellation.
 */
export const startCancelling = orderStep('PaymentFailed', (event, order) => {
  const reason = `payment failed: ${event.reason}`
  const status = afterPaymentFailed(order.status)
  if (status === order.status) return { reason }
  return { changes: { status, reason }, reason }
})
