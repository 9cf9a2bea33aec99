import { newEvent } from '@choreo/contracts'
import { afterCompensated } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

// PaymentRefunded's reasons (see its schema).
const RELEASED = 'released'

/**
 * PaymentRefunded: after a release, payment settles last, so the cancellation is complete:
 * CANCELLED, announced with the reason it was requested for. A refund of a lowered total
 * ('adjusted') only goes into the history.
 */
export const finishCancellation = orderStep('PaymentRefunded', (event, order) => {
  const status = event.reason === RELEASED ? afterCompensated(order.status) : order.status
  if (status === order.status) return { reason: event.reason }
  const reason = order.reason ?? event.reason
  return { changes: { status }, reason: event.reason, emit: [newEvent('OrderCancelled', { orderId: order.orderId, reason })] }
})
