// order-service's step for OrderShipped: the order is SHIPPED with its carrier and tracking, and a cancel still in progress is refused.
import { afterShipped } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

export const CANCELLATION_REFUSED = 'cancellation refused: already shipped'

/**
 * OrderShipped: the shipment is recorded. Stock ships only what it did not release, so a
 * cancellation still in progress lost the race: the order is SHIPPED and says so.
 */
export const recordShipment = orderStep('OrderShipped', function recordShipment(event, order) {
  const { cancellationRefused } = afterShipped(order.status)
  const shipment = { carrier: event.carrier, trackingNumber: event.trackingNumber, shipmentId: event.shipmentId }
  if (cancellationRefused) return { changes: { ...shipment, reason: CANCELLATION_REFUSED }, reason: CANCELLATION_REFUSED }
  return { changes: shipment, reason: null }
})
