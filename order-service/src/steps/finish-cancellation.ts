// order-service's step for PaymentRefunded: the refund of a release completes the cancellation, which OrderCancelled announces.
import { newEvent } from '@choreo/contracts'
import { orderStep } from './order-step.ts'

/**
 * PaymentRefunded: after a release, payment settles last, so the cancellation is complete:
 * CANCELLED (statusAfter), announced with the reason it was requested for. A refund of a lowered total
 * ('adjusted') only goes into the history.
 */
export const finishCancellation = orderStep('PaymentRefunded', function finishCancellation(event, order, _trx, status) {
  if (status === order.status) return { reason: event.reason }
  const reason = order.reason ?? event.reason
  return { reason: event.reason, emit: [newEvent('OrderCancelled', { orderId: order.orderId, reason })] }
})
