import { newEvent } from '@choreo/contracts'
import { afterReservationFailed } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

/**
 * StockReservationFailed: nothing was reserved, so nothing needs compensating. A placed order is
 * rejected; one whose cancellation was already accepted is simply cancelled.
 */
export const rejectOrder = orderStep('StockReservationFailed', (event, order) => {
  const status = afterReservationFailed(order.status)
  if (status === order.status) return { reason: event.reason }
  if (status === 'REJECTED') {
    return {
      changes: { status, reason: event.reason, shortLines: [...event.shortLines] },
      reason: event.reason,
      emit: [newEvent('OrderRejected', { orderId: order.orderId, reason: event.reason, shortLines: event.shortLines })],
    }
  }
  const reason = order.reason ?? event.reason
  return { changes: { status }, reason, emit: [newEvent('OrderCancelled', { orderId: order.orderId, reason })] }
})
