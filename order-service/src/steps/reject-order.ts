import { newEvent } from '@choreo/contracts'
import { shortageReason } from '../domain/reason.ts'
import { afterReservationFailed } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

/**
 * StockReservationFailed: nothing was reserved, so nothing needs compensating. A placed order is
 * rejected; one whose cancellation was already accepted is simply cancelled.
 */
export const rejectOrder = orderStep('StockReservationFailed', (event, order) => {
  const status = afterReservationFailed(order.status)
  const shortage = shortageReason(event.reason, event.shortLines)
  if (status === order.status) return { reason: shortage }
  if (status === 'REJECTED') {
    return {
      changes: { status, reason: shortage, shortLines: [...event.shortLines] },
      reason: shortage,
      emit: [newEvent('OrderRejected', { orderId: order.orderId, reason: shortage, shortLines: event.shortLines })],
    }
  }
  const reason = order.reason ?? shortage
  return { changes: { status }, reason, emit: [newEvent('OrderCancelled', { orderId: order.orderId, reason })] }
})
