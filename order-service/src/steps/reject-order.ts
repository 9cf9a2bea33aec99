// order-service's step for StockReservationFailed: stock reserved nothing, so the order is rejected (or, if being cancelled, cancelled).
import { newEvent } from '@choreo/contracts'
import { shortageReason } from '../domain/reason.ts'
import { orderStep } from './order-step.ts'

/**
 * StockReservationFailed: nothing was reserved, so nothing needs compensating. A placed order is
 * rejected; one whose cancellation was already accepted is simply cancelled.
 */
export const rejectOrder = orderStep('StockReservationFailed', function rejectOrder(event, order, _trx, status) {
  const shortage = shortageReason(event.reason, event.shortLines)
  if (status === order.status) return { reason: shortage }
  if (status === 'REJECTED') {
    return {
      changes: { reason: shortage, shortLines: [...event.shortLines] },
      reason: shortage,
      emit: [newEvent('OrderRejected', { orderId: order.orderId, reason: shortage, shortLines: event.shortLines })],
    }
  }
  const reason = order.reason ?? shortage
  return { reason, emit: [newEvent('OrderCancelled', { orderId: order.orderId, reason })] }
})
