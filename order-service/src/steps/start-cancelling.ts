// order-service's step for PaymentFailed: the order starts cancelling; a failed modification only goes into its history.
import { orderStep } from './order-step.ts'

/**
 * PaymentFailed: the order is being cancelled. Nothing to emit: stock-service releases on
 * PaymentFailed itself, and the final PaymentRefunded(released) completes the cancellation.
 * A failure that names a modification refuses only that modification: history only here, and
 * stock's ReservationAdjusted ("payment declined") gives the order its lines back.
 */
export const startCancelling = orderStep('PaymentFailed', function startCancelling(event, order, _trx, status) {
  if (event.modificationId !== null) return { reason: `payment failed for a modification: ${event.reason}` }
  const reason = `payment failed: ${event.reason}`
  if (status === order.status) return { reason }
  return { changes: { reason }, reason }
})
